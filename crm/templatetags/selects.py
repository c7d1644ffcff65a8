"""``{{ select.options|option_tags }}``: the ``<option>``s of a list's filter select, from the
(value, label, selected) tuples of ``crm.filters.select_options``.

A filter rather than a loop in the template: a filter bar shows some 70 options, and the
template nodes of an option (or a ``format_html`` per option) cost more than the rest of the
bar. Each value and label is escaped as ``conditional_escape`` (the template) would."""

from __future__ import annotations

import html

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


def _escape(text) -> str:
    text = str(text)
    return text.__html__() if hasattr(text, "__html__") else html.escape(text)


@register.filter
def option_tags(options) -> str:
    return mark_safe(  # every value and label escaped by _escape
        "".join(
            f'<option value="{_escape(value)}"{" selected" if selected else ""}>{_escape(label)}</option>'
            for value, label, selected in options
        )
    )
