"""``{{ user|person }}``: a person's name as every page shows it, safe on a missing person.

``x.get_full_name|default:x.username`` broke a page whenever ``x`` was empty (an unassigned
case, a gift not decided yet): Django resolves a filter's argument strictly. This filter is
a builtin (settings.TEMPLATES), so templates need no ``{% load %}``.
"""

from __future__ import annotations

from django import template
from django.conf import settings

register = template.Library()


@register.filter
def person(user, empty: str = "—") -> str:
    if user is None or not getattr(user, "pk", None):
        return empty
    return user.get_full_name() or user.get_username()


@register.filter(name="language_label")
def language_name(code: str) -> str:
    """``{{ code|language_label }}``: a language code as its name in the reader's language
    ("zh-hans" → "Simplified Chinese" / "简体中文"); an unknown code as it is.

    Not registered as ``language_name``: ``{% load i18n %}`` brings Django's filter of that
    name (the English name, whatever the reader's language), which replaced this builtin on
    every template that loads i18n."""
    names = dict(settings.LANGUAGES)
    return str(names[code]) if code in names else (code or "")
