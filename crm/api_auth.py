"""The JSON API's authentication, permission, rate limit and pagination (crm/api.py).

Apart from ``crm.api`` because DRF imports the classes its settings name while
``rest_framework.views`` loads: this module imports none of the views, routers or schemas."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import BasePermission
from rest_framework.throttling import SimpleRateThrottle

from . import roles
from .models import ApiToken
from .services import api_token_hash

# Writing ``last_used_at`` on every request would make each read a write: once a minute is
# enough to tell a token in use from a forgotten one.
LAST_USED_EVERY = dt.timedelta(minutes=1)


class ApiTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer <token>`` (or ``Token <token>``): looked up by its hash at every
    request, so a revoked token or a deactivated user fails at once."""

    keywords = (b"bearer", b"token")

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Send the token as: Authorization: Bearer <token>."))
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("This token is not valid or was revoked.")) from None
        token = ApiToken.objects.select_related("user").filter(token_hash=api_token_hash(raw), revoked_at=None).first()
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("This token is not valid or was revoked."))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'  # so a missing or bad token is a 401, not a 403


class HasRole(BasePermission):
    """Signed in and holding a role, like every page (``crm.roles.role_required``); what each
    record allows is the selectors' decision, called by the viewsets."""

    message = _("Your account has no role in Rapport yet: ask an administrator.")

    def has_permission(self, request, view) -> bool:
        return roles.has_any_role(request.user)


class TokenRateThrottle(SimpleRateThrottle):
    """One limit per token (``RAPPORT_API_RATE``, e.g. "120/minute"); a browser session counts
    per user. The counters live in the shared cache (settings.CACHES), so every process
    counts together."""

    scope = "api"

    def get_rate(self) -> str:
        return settings.RAPPORT_API_RATE

    def get_cache_key(self, request, view) -> str | None:
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}


class ApiCursorPagination(CursorPagination):
    """Stable pages however rows are added: a cursor over the primary key (its own index),
    newest first."""

    ordering = ("-pk",)
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
