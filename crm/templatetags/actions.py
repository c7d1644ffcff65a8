"""The corrective action's state badge, with "overdue" derived from the due date."""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from crm.models import CorrectiveAction

register = template.Library()

State = CorrectiveAction.State
BADGES = {
    State.OPEN: "text-bg-warning",
    State.RESPONDED: "text-bg-info",
    State.VERIFIED: "text-bg-success",
    State.CANCELLED: "text-bg-secondary",
}


@register.simple_tag
def action_state_badge(action: CorrectiveAction, label: str = "") -> str:
    """``label``: the state's name when the page already computed it (lists: no per-row lookup)."""
    badge = format_html(
        '<span class="badge {}" data-state="{}">{}</span>',
        BADGES.get(action.state, "text-bg-dark"),
        action.state,
        label or action.get_state_display(),
    )
    if action.is_overdue(timezone.localdate()):
        badge += format_html(' <span class="badge text-bg-danger" data-overdue="1">{}</span>', _("Overdue"))
    return badge
