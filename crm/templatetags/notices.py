"""``{{ notification|notification_text }}``: a notification in the reader's language."""

from __future__ import annotations

from django import template

from crm.notification_kinds import notification_text as render

register = template.Library()


@register.filter
def notification_text(notification) -> str:
    return render(notification)
