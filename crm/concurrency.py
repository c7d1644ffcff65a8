"""Optimistic concurrency for every edit form: one version, one exception, one message.

The version of a row is its ``updated_at`` (ISO 8601, microseconds): every model with an
edit form is a ``TimeStampedModel`` whose services save with ``update_fields=[..., "updated_at"]``,
so each write moves it; the contact form and the campaign confirmation already carried it,
and it needs no new column. The shape (STYLE rule 23):

- the form carries the version it was rendered from (``VersionedFormMixin``);
- the view validates and calls the service with the version and the changed fields;
- the service, under ``@transaction.atomic``, reloads the row with ``select_for_update()``
  and calls ``check_version``: a stale version raises ``StaleEdit`` before anything is
  written; otherwise it applies only the changed fields;
- the view catches ``StaleEdit`` with ``refuse_stale``: the message names what changed
  (field: now value), the user's input stays in the form, and the form's version is
  refreshed so a deliberate second submit overwrites knowingly.

What changed since is read from the row's history (django-simple-history), never guessed by
comparing the stale form with the row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db import models
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

VERSION_FIELD = "version"


@dataclass(frozen=True)
class Change:
    label: str
    value: str


class StaleEdit(Exception):
    """The row changed since the form was rendered: nothing was written."""

    def __init__(self, *, changes: list[Change], version: str):
        super().__init__(", ".join(f"{c.label}: {c.value}" for c in changes) or "stale version")
        self.changes = changes
        self.version = version  # the row's current version, for the refreshed form


def version_of(instance: models.Model) -> str:
    return instance.updated_at.isoformat()


def parse_version(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    try:
        parsed = parse_datetime(str(value or "").strip())
    except ValueError:
        return None
    if parsed is not None and timezone.is_naive(parsed):
        return None
    return parsed


def _display(instance: models.Model, field: models.Field) -> str:
    if field.choices:
        value = getattr(instance, f"get_{field.name}_display")()
    else:
        value = getattr(instance, field.name)
    if value is None or value == "":
        return _("(empty)")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dt.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, models.fields.files.FieldFile):
        return value.name.rsplit("/", 1)[-1]
    return str(value)


def changes_since(instance: models.Model, version: dt.datetime, fields: list[str]) -> list[Change]:
    """The ``fields`` of ``instance`` (the current row) that differ from the row as it was at
    ``version``, with their current values. The baseline is the history record written by the
    save that produced ``version`` (its ``history_date`` is taken just after ``updated_at``)."""
    history = getattr(instance, "history", None)
    baseline = None
    if history is not None:
        baseline = history.filter(history_date__gte=version).order_by("history_date", "history_id").first()
    if baseline is None:
        return []  # no record of the old state: say that it changed, not what
    changes = []
    for name in fields:
        field = instance._meta.get_field(name)
        if field.many_to_many:
            continue
        attname = field.attname
        if getattr(baseline, attname, None) == getattr(instance, attname):
            continue
        changes.append(Change(label=str(field.verbose_name).capitalize(), value=_display(instance, field)))
    return changes


def check_version(instance: models.Model, version: str | dt.datetime | None, *, fields: list[str]) -> None:
    """Call with the row reloaded under ``select_for_update()``: raise ``StaleEdit`` if it
    changed since ``version``. ``version=None`` is a caller that holds no form (a script, a
    task) and skips the check; a form always sends one (the field is required)."""
    if version is None:
        return
    parsed = parse_version(version)
    if parsed is not None and parsed == instance.updated_at:
        return
    changes = changes_since(instance, parsed, fields) if parsed is not None else []
    raise StaleEdit(changes=changes, version=version_of(instance))


def changed_values(form: forms.Form, fields: list[str] | tuple[str, ...] | None = None) -> dict[str, Any]:
    """The fields the user changed (``form.changed_data``) with their cleaned values."""
    return {
        name: form.cleaned_data[name]
        for name in form.changed_data
        if name != VERSION_FIELD and name in form.cleaned_data and (fields is None or name in fields)
    }


class VersionedFormMixin:
    """Adds the hidden ``version`` field to an edit form: the version of the row it was
    rendered from (``instance``, or ``versioned=`` for a form that is not a ModelForm).
    A missing or garbled version is a form error like any other."""

    def __init__(self, *args, versioned: models.Model | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        row = versioned if versioned is not None else getattr(self, "instance", None)
        if row is None or row.pk is None:
            return  # creating: nothing to be stale against
        # Not required at field level: a missing or garbled version is reported at the top of
        # the form (a hidden field's own errors are easy to miss), by clean().
        self.fields[VERSION_FIELD] = forms.CharField(widget=forms.HiddenInput, initial=version_of(row), required=False)

    def clean(self):
        cleaned = super().clean()
        if VERSION_FIELD in self.fields and parse_version(cleaned.get(VERSION_FIELD)) is None:
            raise forms.ValidationError(STALE_FORM_MESSAGE)
        return cleaned

    @property
    def version(self) -> str | None:
        return self.cleaned_data.get(VERSION_FIELD) if VERSION_FIELD in self.fields else None


STALE_FORM_MESSAGE = gettext_lazy("This form is out of date. Reload the page and make your change again.")


def refuse_stale(form: forms.Form, exc: StaleEdit) -> None:
    """Show a refused stale save at the top of ``form``: what changed (field: now value);
    keep the user's input; refresh the version so a second submit overwrites knowingly."""
    form.add_error(
        None,
        _(
            "Someone else changed this record since you opened it, so your changes were not saved. "
            "They are still in the form below: check them and save again to overwrite."
        ),
    )
    for change in exc.changes:
        form.add_error(None, _("%(field)s is now: %(value)s") % {"field": change.label, "value": change.value})
    data = form.data.copy()
    data[form.add_prefix(VERSION_FIELD)] = exc.version
    form.data = data
