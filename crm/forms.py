"""Form pieces every app uses: clean input (crm/cleaning.py) and HTML5 date widgets."""

from __future__ import annotations

from django import forms

from .cleaning import date_problem, strip_invisible, text_problem


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
    """Every field of the form within the stored-value rules (crm/cleaning.py), with the
    message next to the field: dates between 1900 and 2100, no control characters, and no
    invisible characters in single-line text.

    Text is stored as typed ("Stacy <stacy@example.com>", "<Rev.B>") and escaped wherever it
    is shown: output escaping is the protection against markup, not a filter on input."""

    def clean(self):
        cleaned = super().clean()
        for name, value in list(cleaned.items()):
            field = self.fields.get(name)
            if isinstance(value, str) and not isinstance(getattr(field, "widget", None), forms.Textarea):
                value = cleaned[name] = strip_invisible(value)
            values = value if isinstance(value, list | tuple) else [value]
            for item in values:
                if problem := date_problem(item) or text_problem(item):
                    self.add_error(name, problem)
                    break
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
