"""``{{ text|long_text }}``: a text people typed, collapsed when long (issue #12): its first
characters, and the whole of it on a click.

A filter rather than an included template: a partner's timeline shows two texts an entry, 40
a page, and an ``{% include %}`` in a loop costs more than the text it shows."""

from __future__ import annotations

from django import template
from django.template.defaultfilters import linebreaksbr, truncatechars
from django.utils.html import format_html
from django.utils.translation import gettext

register = template.Library()

# A text longer than this is collapsed, behind its first SHOWN characters.
LONG = 600
SHOWN = 300


@register.filter
def long_text(text) -> str:
    text = str(text)
    lines = linebreaksbr(text, autoescape=True)
    if len(text) > LONG:
        return format_html(
            '<details class="small long-text"><summary>{} <span class="text-primary">{}</span></summary>'
            '<div class="mt-1">{}</div></details>',
            truncatechars(text, SHOWN),
            gettext("Show all"),
            lines,
        )
    return format_html('<div class="small">{}</div>', lines)
