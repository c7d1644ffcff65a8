"""Form pieces every app uses: clean input (crm/cleaning.py), number fields bounded like their
model field, HTML5 date widgets, and the one parser of integer and date query parameters."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .cleaning import date_problem, is_number_field, number_bounds, strip_invisible, text_problem
from .concurrency import VersionedFormMixin
from .models import Profile
from .uploads import ALLOWED_EXTENSIONS, validate_upload


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


def show_refusal(form: forms.Form, exc: ValidationError) -> None:
    """A service's refusal next to the field it is about, else at the top of the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def form_files(request):
    return request.FILES if request.method == "POST" else None


def bound_number_field(formfield: forms.Field, low=None, high=None) -> forms.Field:
    """Give a number field of a form its bounds: the ``min``/``max`` the browser checks and the
    same refusal, next to the field, when the browser is bypassed (a field's step already
    follows its decimal places). A bound the field already has is replaced, not doubled."""
    if not isinstance(formfield, forms.IntegerField):  # DecimalField and FloatField included
        return formfield
    kept = [v for v in formfield.validators if not isinstance(v, MinValueValidator | MaxValueValidator)]
    if low is not None:
        formfield.min_value = low
        kept.append(MinValueValidator(low))
        formfield.widget.attrs["min"] = low
    elif formfield.min_value is not None:
        kept.append(MinValueValidator(formfield.min_value))
    if high is not None:
        formfield.max_value = high
        kept.append(MaxValueValidator(high))
        formfield.widget.attrs["max"] = high
    elif formfield.max_value is not None:
        kept.append(MaxValueValidator(formfield.max_value))
    formfield.validators = kept
    return formfield


def bound_like_model_field(formfield: forms.Field | None, model_field) -> forms.Field | None:
    """A model form's (or the admin's) number field with the bounds of its model field."""
    if formfield is not None and is_number_field(model_field):
        bound_number_field(formfield, *number_bounds(model_field))
    return formfield


def _ids_in_range(formfield: forms.ModelChoiceField):
    """The field's ``clean``, refusing an id the database column cannot hold (it would raise
    an overflow in the query, a 500) as an invalid choice."""
    clean = formfield.clean

    def bounded(value):
        pk = formfield.queryset.model._meta.pk
        if formfield.to_field_name is None and pk.get_internal_type() in ("AutoField", "BigAutoField"):
            low, high = connection.ops.integer_field_range(pk.get_internal_type())
            for item in value if isinstance(value, list | tuple) else [value]:
                try:
                    number = int(str(item).strip())
                except ValueError:
                    continue
                if not low <= number <= high:
                    raise forms.ValidationError(
                        formfield.error_messages["invalid_choice"], code="invalid_choice", params={"value": item}
                    )
        return clean(value)

    return bounded


class PlainTextFormMixin:
    """Every field of the form within the stored-value rules (crm/cleaning.py), with the
    message next to the field: dates between 1900 and 2100, numbers within their model field's
    bounds, no control characters, and no invisible characters in single-line text.

    Text is stored as typed ("Stacy <stacy@example.com>", "<Rev.B>") and escaped wherever it
    is shown: output escaping is the protection against markup, not a filter on input."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        model = getattr(getattr(self, "_meta", None), "model", None)
        for name, formfield in self.fields.items():
            if isinstance(formfield, forms.ModelChoiceField):
                formfield.clean = _ids_in_range(formfield)
            if model is None:
                continue
            try:
                bound_like_model_field(formfield, model._meta.get_field(name))
            except FieldDoesNotExist:  # a form-only field
                continue

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
        model = Profile
        fields = ["language", "notification_mode"]


class ApiTokenForm(PlainTextFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=80,
        help_text=_("Where you use it, e.g. “Spreadsheet import”."),
    )


def querystring_without(request, *names: str) -> str:
    """The current query string minus ``names`` (a list's links keep its filters and sort,
    and set their own page or format)."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


# --- Query parameters ------------------------------------------------------------------------
# A list's query string is typed by hand, bookmarked and crawled: a parameter that is missing,
# garbage, out of range or absurdly long reads as "not given" (None) instead of raising a 500.
# (NUL bytes never get this far: crm.middleware answers 400.)

ID_MAX = 2**31 - 1  # the largest primary key every database we support stores
_INTEGER_RE = re.compile(r"[+-]?[0-9]{1,18}")
EARLIEST_DATE = dt.date(2000, 1, 1)


def latest_date() -> dt.date:
    """The latest date a filter accepts: a year ahead (far years overflow time-zone arithmetic)."""
    return timezone.localdate() + dt.timedelta(days=366)


def date_in_range(day: dt.date, *, earliest: dt.date = EARLIEST_DATE, latest: dt.date | None = None) -> bool:
    return earliest <= day <= (latest or latest_date())


def query_int(value: object, *, low: int | None = 1, high: int | None = ID_MAX) -> int | None:
    """``value`` (a query parameter) as an integer between ``low`` and ``high`` (None: no
    bound), else None. ASCII digits only, at most 18 of them, around optional spaces."""
    if not isinstance(value, str | int) or isinstance(value, bool):
        return None
    text = str(value).strip()
    if not _INTEGER_RE.fullmatch(text):
        return None
    number = int(text)
    if (low is not None and number < low) or (high is not None and number > high):
        return None
    return number


def query_date(value: object, *, earliest: dt.date = EARLIEST_DATE, latest: dt.date | None = None) -> dt.date | None:
    """``value`` (a query parameter) as an ISO date (YYYY-MM-DD) between ``earliest`` and
    ``latest`` (default: ``latest_date()``), else None."""
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value.strip()):
        return None
    try:
        day = dt.date.fromisoformat(value.strip())
    except ValueError:
        return None
    return day if date_in_range(day, earliest=earliest, latest=latest) else None


# --- Corrective actions (crm.services) ----------------------------------------------------


class CorrectiveActionResponseForm(VersionedFormMixin, PlainTextFormMixin, forms.Form):
    """The owner's (or a department manager's) answer: what was done, and evidence."""

    response = forms.CharField(label=_("What was done"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    evidence = forms.FileField(
        label=pgettext_lazy("corrective action", "Evidence"),
        required=False,
        help_text=_("A report, a photo, a signed record (PDF, image, Word or Excel)."),
    )

    def __init__(self, *args, upload_too_large: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.upload_too_large = upload_too_large
        self.fields["evidence"].widget.attrs["accept"] = ",".join(ALLOWED_EXTENSIONS)

    def clean_evidence(self):
        if self.upload_too_large:
            limit = settings.RAPPORT_UPLOAD_MAX_BYTES // (1024 * 1024)
            raise forms.ValidationError(_("The file is too large (at most %(mb)d MB).") % {"mb": limit})
        upload = self.cleaned_data.get("evidence")
        if isinstance(upload, UploadedFile):
            validate_upload(upload)
        return upload


class CorrectiveActionVerifyForm(VersionedFormMixin, PlainTextFormMixin, forms.Form):
    """The supervision group's verification: accept (closes it) or send back with a note."""

    ACCEPT, REFUSE = "accept", "refuse"
    outcome = forms.ChoiceField(
        label=_("Verification"),
        choices=[(ACCEPT, _("Effective: close the action")), (REFUSE, _("Not yet: send it back to the owner"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the action is sent back: say what is missing."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") == self.REFUSE and not (cleaned.get("note") or "").strip():
            self.add_error("note", _("Say why the response is not accepted."))
        return cleaned

    @property
    def accepted(self) -> bool:
        return self.cleaned_data["outcome"] == self.ACCEPT


class CorrectiveActionCancelForm(VersionedFormMixin, PlainTextFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
