"""Formatting of case deadlines for templates."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.translation import gettext as _

from ..sla import format_left

register = template.Library()


@register.filter
def duration(value: dt.timedelta | None) -> str:
    """A compact length of time: "2 d 3 h", "5 h 10 min", "12 min" (sign ignored)."""
    if value is None:
        return ""
    days, hours, minutes = format_left(value)
    if days:
        return _("%(d)d d %(h)d h") % {"d": days, "h": hours}
    if hours:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": minutes}
    return _("%(m)d min") % {"m": minutes}
