"""Roles are auth groups created by a data migration (crm/migrations/0002_roles.py).

The checks here are plain functions over the user so views, selectors and templates
agree on who may do what.
"""

from __future__ import annotations

from functools import wraps
from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.contrib.auth.models import AbstractBaseUser

STAFF = "Staff"
MANAGER = "Manager"
SUPERVISION = "Supervision"
ROLES = (STAFF, MANAGER, SUPERVISION)


def role_names(user: AbstractBaseUser) -> frozenset[str]:
    """The roles (group names) the user holds, cached on the instance: read with the user by the
    sign-in backend (``crm.backends``), else one query per request."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_rapport_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._rapport_roles = cached
    return cached


def remember_roles(user: AbstractBaseUser, names) -> None:
    """Cache the roles ``user`` holds, read along with it, on the instance."""
    user._rapport_roles = frozenset(names)


def is_staff_member(user) -> bool:
    return user.is_superuser or STAFF in role_names(user)


def is_manager(user) -> bool:
    return user.is_superuser or MANAGER in role_names(user)


def is_supervisor(user) -> bool:
    return user.is_superuser or SUPERVISION in role_names(user)


def has_any_role(user) -> bool:
    return user.is_authenticated and (user.is_superuser or bool(role_names(user) & set(ROLES)))


def has_write_role(user) -> bool:
    """Holds a role that writes at all (staff, managers, superusers): log interactions, open
    cases, send surveys …; supervision only reads (P5.1). Which records a writer may change
    is decided per app (``partners.selectors.can_edit_partner`` and the like)."""
    return user.is_superuser or bool(role_names(user) & {STAFF, MANAGER})


def user_department_id(user) -> int | None:
    profile = getattr(user, "profile", None)
    return profile.department_id if profile else None


def role_required(*, write: bool = False) -> Callable:
    """Signed in and holding a role; with write=True, a role that may write (not supervision)."""

    def decorator(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not has_any_role(user):
                raise PermissionDenied
            if write and not has_write_role(user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
