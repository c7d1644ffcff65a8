"""``{{ score|number }}`` (80, 87.5, 87.25), ``{{ gift.value|number:2 }}`` (120.00) and
``{{ share|percent }}`` (33.3, 50: a percentage with at most one decimal): stored
decimals with the precision they need, in the active language's format, "—" when empty and
safe on any stored value (crm/numbers.py). A builtin (settings.TEMPLATES): no ``{% load %}``."""

from __future__ import annotations

from django import template

from crm.numbers import number_text, percent_text

register = template.Library()


@register.filter
def number(value, places=None) -> str:
    try:
        places = None if places in (None, "") else int(places)
    except (TypeError, ValueError):
        places = None
    return number_text(value, places)


@register.filter
def percent(value) -> str:
    return percent_text(value)
