"""Formatting of case deadlines for templates."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from partners.cases.sla import format_left

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


SLA_BADGES = {
    "met": ("text-bg-success", lambda left: _("Met")),
    "late": ("text-bg-warning", lambda left: _("Late")),
    "breached": ("text-bg-danger", lambda left: _("%(t)s overdue") % {"t": duration(left)}),
    "paused": ("text-bg-secondary", lambda left: _("paused, %(t)s left") % {"t": duration(left)}),
    "running": ("text-bg-light border", lambda left: _("%(t)s left") % {"t": duration(left)}),
}
STATUS_BADGES = {
    "new": "text-bg-primary",
    "in_progress": "text-bg-info",
    "waiting": "text-bg-secondary",
    "resolved": "text-bg-success",
    "closed": "text-bg-dark",
}


@register.simple_tag
def sla_badge(clock) -> str:
    """A deadline's badge: met, late, overdue, paused or time left (a tag, not an include:
    the case list renders two per row)."""
    css, label = SLA_BADGES[clock.state]
    return format_html('<span class="badge {}" data-sla="{}">{}</span>', css, clock.state, label(clock.left))


@register.simple_tag
def case_status_badge(case) -> str:
    label = getattr(case, "status_label", None) or case.get_status_display()
    return format_html('<span class="badge {}">{}</span>', STATUS_BADGES.get(case.status, "text-bg-dark"), label)
