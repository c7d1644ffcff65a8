"""``{{ code|standing_label }}``: a standing's label in the reader's language.
``{% standing_badge code %}`` (``long=True`` adds the label beside it): the standing's badge."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from crm.bilingual import in_language
from evaluations.selectors import standing_label as _standing_label
from evaluations.selectors import standing_labels

register = template.Library()


@register.filter
def standing_label(code: str) -> str:
    return _standing_label(code)


@register.simple_tag(takes_context=True)
def standing_badge(context, code: str, long: bool = False) -> str:
    """The badge of standing ``code`` ("—" when none). The labels are read once per request
    (a ranking shows 50 badges; each read of the shared cache is a file read by default)."""
    if not code:
        return mark_safe('<span class="badge text-bg-light border">—</span>')
    request = context.get("request")
    labels = getattr(request, "_standing_labels", None)
    if labels is None:
        labels = standing_labels()
        if request is not None:
            request._standing_labels = labels
    pair = labels.get(code)
    label = in_language(*pair) if pair else ""
    badge = format_html(
        '<span class="badge standing standing-{}"{}>{}</span>',
        code,
        format_html(' title="{}"', label) if label else "",
        code,
    )
    if long and label:
        return format_html('{} <span class="standing-label fs-6 text-body-secondary">{}</span>', badge, label)
    return badge
