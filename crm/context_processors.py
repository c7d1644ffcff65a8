"""Template context: the signed-in user's roles, loaded lazily (one query when used)."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from crm import roles as role_checks
from crm.notifications import unread_notification_count


def roles(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "user_roles": SimpleLazyObject(lambda: _roles_for(user)),
        # The bell: from the shared cache (crm.notifications), only on pages that render it.
        "unread_notifications": SimpleLazyObject(lambda: unread_notification_count(user)),
    }


def _roles_for(user) -> dict:
    return {
        "staff": role_checks.is_staff_member(user),
        "manager": role_checks.is_manager(user),
        "supervisor": role_checks.is_supervisor(user),
        "any": role_checks.has_any_role(user),
        "writes": role_checks.has_write_role(user),
    }
