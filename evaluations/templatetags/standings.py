"""``{{ code|standing_label }}``: a standing's label in the reader's language."""

from django import template

from evaluations.selectors import standing_label as _standing_label

register = template.Library()


@register.filter
def standing_label(code: str) -> str:
    return _standing_label(code)
