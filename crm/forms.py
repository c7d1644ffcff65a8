"""Form pieces every app uses: markup rejection and HTML5 date widgets."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

# A tag-like fragment ("<b>", "</script", "<img src=...>"): we store plain text only and
# say so, instead of silently keeping markup that some export might not escape.
MARKUP_RE = re.compile(r"<\s*/?\s*[a-zA-Z!][^<]*>|<\s*script", re.IGNORECASE)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def form_data(request):
    """POST data for a bound form, or None on GET (an empty POST still binds and validates)."""
    return request.POST if request.method == "POST" else None


def form_files(request):
    return request.FILES if request.method == "POST" else None


class PlainTextFormMixin:
    """Reject HTML/script in every text field with a message next to that field."""

    def clean(self):
        cleaned = super().clean()
        for name, value in list(cleaned.items()):
            if isinstance(value, str) and MARKUP_RE.search(value):
                self.add_error(name, _("HTML tags are not allowed here: please enter plain text."))
        return cleaned


class ProfileForm(forms.ModelForm):
    class Meta:
        from .models import Profile

        model = Profile
        fields = ["language", "notification_mode"]


def querystring_without(request, *names: str) -> str:
    """The current query string minus ``names`` (a list's links keep its filters and sort,
    and set their own page or format)."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()
