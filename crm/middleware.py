"""Request hygiene for every page: refuse NUL bytes, and for signed-in users keep responses
out of caches and slide the idle timeout."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from .models import FormSubmission

NUL = "\x00"
SEEN_KEY = "rapport_seen"


def _has_nul(query) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in query.lists())


def _bad_request() -> HttpResponse:
    return HttpResponseBadRequest(_("The request contains a character that is not allowed (NUL)."))


class RejectNulBytesMiddleware:
    """A NUL byte in the path, the query string or a form field is a 400, before any view
    runs: PostgreSQL refuses NUL in text, so it would otherwise reach a query as a 500.

    Form fields are checked in ``process_view``, after CsrfViewMiddleware, which has already
    parsed the body of every view it protects, so this reads nothing new. A CSRF-exempt view
    (the one-click unsubscribe) is left to check its own body size before anything reads it;
    its forms refuse NUL like every Django CharField."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if NUL in request.path or NUL in request.path_info or _has_nul(request.GET):
            return _bad_request()
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        if request.method == "POST" and not getattr(view_func, "csrf_exempt", False) and _has_nul(request.POST):
            return _bad_request()
        return None


class SignedInSessionMiddleware:
    """For a signed-in user: ``Cache-Control: private, no-store`` on every response whose
    view did not choose its own (pages, exports, htmx partials), and the sliding idle timeout.

    The session's expiry is SESSION_COOKIE_AGE from its last save. Saving on every request
    (SESSION_SAVE_EVERY_REQUEST) would write the session row on every page; touching a
    timestamp at most once per RAPPORT_SESSION_REFRESH_SECONDS gives the same sliding expiry
    within that margin for one write every few minutes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        signed_in = request.user.is_authenticated
        if signed_in:
            now = int(time.time())
            if now - request.session.get(SEEN_KEY, 0) >= settings.RAPPORT_SESSION_REFRESH_SECONDS:
                request.session[SEEN_KEY] = now  # marks the session modified: saved, expiry renewed
        response = self.get_response(request)
        # Signed in before or after the view (the login view signs in, logout signs out).
        if (signed_in or request.user.is_authenticated) and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response


def session_seen_at_login(sender, request, user, **kwargs) -> None:
    """A new session is saved at sign-in with a fresh expiry: mark it seen then, so the
    first pages after signing in do not write it again (connected in crm.apps)."""
    if request is not None and hasattr(request, "session"):
        request.session[SEEN_KEY] = int(time.time())


FORM_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{16,64}")


class OneSubmissionMiddleware:
    """A form rendered with ``{% form_token %}`` is carried out once (issue 10 §7).

    The first POST of a token inserts a row (a unique key, so two simultaneous POSTs cannot
    both pass) and runs the view; a redirect (or htmx's HX-Redirect) is kept as its result. A
    second POST of the same token does not reach the view: it gets the first result, or, while
    the first is still running, a short "already being sent" answer. A submission the view
    refused (form errors, an exception) frees its token, so the corrected form can be sent."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if request.method != "POST" or getattr(view_func, "csrf_exempt", False):
            return None
        token = request.POST.get("form_token", "")
        if not FORM_TOKEN_RE.fullmatch(token):
            return None
        try:
            with transaction.atomic():
                submission = FormSubmission.objects.create(
                    token=token, user_id=getattr(request.user, "pk", None), path=request.path[:500]
                )
        except IntegrityError:
            return self._repeat(request, token)
        try:
            response = view_func(request, *view_args, **view_kwargs)
        except Exception:
            submission.delete()
            raise
        result = response.get("HX-Redirect") or (
            response.get("Location") if response.status_code in (301, 302, 303) else ""
        )
        if result:
            FormSubmission.objects.filter(pk=submission.pk).update(result_url=result[:2000])
        else:
            submission.delete()
        return response

    def _repeat(self, request: HttpRequest, token: str) -> HttpResponse:
        first = FormSubmission.objects.filter(token=token).values_list("result_url", flat=True).first()
        if first:
            if request.headers.get("HX-Request"):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = first
                return response
            return redirect(first)
        return HttpResponse(_("This form is already being sent. Please wait a moment."), status=409)
