"""Helpers shared by the services."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def _stamp(instance, by, reason: str | None = None):
    """Who (and why) for the django-simple-history row this save writes (P3.1)."""
    if by is not None:
        instance._history_user = by
    if reason:
        instance._change_reason = reason[:100]
    return instance


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give a reason."), code="reason_required")
    return reason
