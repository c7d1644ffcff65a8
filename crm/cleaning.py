"""Sane values only: the bounds every stored date and text obeys, checked twice.

Forms check them next to the field (``PlainTextFormMixin`` in crm/forms.py); a ``pre_save``
guard checks every model of Rapport's apps again (``guard_stored_values``), so a service, a
task, an import or the shell cannot store what the form refuses. Rendering must also survive
a value stored before these rules (``safe_localtime``).

- Dates and date-times lie between 1900-01-01 and 2100-12-31: a year-1 interaction or a
  follow-up due 9999-12-31 would overflow time-zone conversion and break pages and feeds.
- Text carries no control characters (tab and line breaks excepted).
- Names and single-line text lose bidi overrides and zero-width characters, which make two
  names look alike and differ ("Acme" and "Acme\u200b"), so duplicates are caught and search finds them.
- Numbers are finite and within the explicit bounds of their field (its Min/MaxValueValidator,
  decimal places): a 150 % delivery KPI or a gift worth 10¹² is refused. A model whose bound
  depends on another field of the row (a survey answer's scale is its question kind's) says so
  in ``stored_value_problems()``. ``number_bounds`` reads a field's bounds for forms and tests.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

DATE_MIN = dt.date(1900, 1, 1)
DATE_MAX = dt.date(2100, 12, 31)
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
INVISIBLE = dict.fromkeys(
    map(
        ord,
        "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"  # zero-width characters and marks
        "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",  # bidi embeddings and overrides
    )
)


def strip_invisible(text: str) -> str:
    return text.translate(INVISIBLE)


def date_problem(value) -> str:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date) and not (DATE_MIN <= value <= DATE_MAX):
        return _("Enter a date between %(min)s and %(max)s.") % {
            "min": DATE_MIN.isoformat(),
            "max": DATE_MAX.isoformat(),
        }
    return ""


def text_problem(value) -> str:
    if isinstance(value, str) and CONTROL_RE.search(value):
        return _("Remove the control characters from this text.")
    return ""


NUMBER_FIELDS = (models.IntegerField, models.DecimalField, models.FloatField)


def between(low, high) -> list:
    """The validators of a number field that lies between ``low`` and ``high`` (inclusive)."""
    return [MinValueValidator(low), MaxValueValidator(high)]


def is_number_field(field) -> bool:
    """A number the user or the system chooses: not a key (primary keys and foreign keys are ids)."""
    return isinstance(field, NUMBER_FIELDS) and not field.primary_key and not field.is_relation


def number_bounds(field) -> tuple[Decimal | int | float | None, Decimal | int | float | None]:
    """(lowest, highest) a field's own validators allow; None where it sets none. The range
    every database column has (``IntegerField.validators`` adds it) is no bound of ours."""
    low = high = None
    for validator in field._validators:
        limit = validator.limit_value if isinstance(validator, MinValueValidator | MaxValueValidator) else None
        if limit is None or callable(limit):
            continue
        if isinstance(validator, MinValueValidator):
            low = limit if low is None else max(low, limit)
        elif isinstance(validator, MaxValueValidator):
            high = limit if high is None else min(high, limit)
    return low, high


def number_problem(field, value) -> str:
    """Why ``value`` cannot be stored in number ``field`` ("" when it can): not a finite number,
    out of the field's bounds, or more digits or decimal places than it holds."""
    if value is None or isinstance(value, bool) or hasattr(value, "resolve_expression"):
        return ""  # F("attempts") + 1 is the database's sum, checked by the column
    if (isinstance(value, float) and not math.isfinite(value)) or (
        isinstance(value, Decimal) and not value.is_finite()
    ):
        return _("Enter a finite number.")
    try:
        value = field.to_python(value)
    except ValidationError as error:
        return error.messages[0]
    if isinstance(value, Decimal):
        value = value.normalize()  # 80.0000 is 80: trailing zeros are no decimal places
    try:
        field.run_validators(value)
    except ValidationError as error:
        return error.messages[0]
    return ""


def check_instance(instance: models.Model, fields: list[str] | None = None) -> None:
    """Normalise single-line text and refuse out-of-range dates and numbers or control
    characters, field by field, as a ValidationError keyed by field name."""
    errors: dict[str, str] = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.attname not in fields and field.name not in fields:
            continue
        value = getattr(instance, field.attname, None)
        if isinstance(field, models.CharField) and isinstance(value, str):
            cleaned = strip_invisible(value)
            if cleaned != value:
                setattr(instance, field.attname, cleaned)
                value = cleaned
        if is_number_field(field):
            problem = number_problem(field, value)
        elif isinstance(field, models.DateField):
            problem = date_problem(value)
        else:
            problem = text_problem(value)
        if problem:
            errors[field.name] = problem
    row_problems = getattr(instance, "stored_value_problems", None)
    if row_problems is not None and not errors:  # a row's own bounds need valid fields
        for name, problem in row_problems().items():
            if fields is None or name in fields:
                errors.setdefault(name, problem)
    if errors:
        raise ValidationError(errors)


OUR_APPS = ("crm", "partners", "evaluations", "supervision")


def guard_stored_values(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    if raw:  # loading a fixture: stored as given
        return
    check_instance(instance, list(update_fields) if update_fields else None)


def connect_guards() -> None:
    from django.apps import apps
    from django.db.models.signals import pre_save

    for model in apps.get_models():
        if model.__module__.split(".")[0] in OUR_APPS:
            pre_save.connect(guard_stored_values, sender=model, dispatch_uid=f"sane-values:{model._meta.label}")


_localtime = timezone.localtime


def safe_localtime(value=None, timezone=None):
    """``django.utils.timezone.localtime`` that shows a date-time stored out of range as it is
    (UTC) instead of raising OverflowError, so one bad row never breaks a page for everyone."""
    try:
        return _localtime(value, timezone)
    except OverflowError:
        return value


def install_safe_localtime() -> None:
    # Templates, the admin and our code call timezone.localtime through the module, so this
    # one replacement covers every page; the rule above keeps new values in range anyway.
    timezone.localtime = safe_localtime
