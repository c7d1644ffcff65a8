"""``{% form_token %}``: one submission token per form render (crm/middleware.py
``OneSubmissionMiddleware``). A builtin (settings.TEMPLATES): no ``{% load %}`` needed."""

from __future__ import annotations

import secrets

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def form_token() -> str:
    return format_html('<input type="hidden" name="form_token" value="{}">', secrets.token_urlsafe(24))
