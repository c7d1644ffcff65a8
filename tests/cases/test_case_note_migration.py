"""Edited case notes written before ``changed_fields`` existed (their field names joined with ","
in the text) migrate to the JSON list (issue #9 §6)."""

from __future__ import annotations

import datetime as dt

import pytest

BEFORE = ("cases", "0003_take_over_tables")
AFTER = ("cases", "0004_casenote_changed_fields")
NOW = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


def _case(apps):
    user = apps.get_model("auth", "User").objects.create(username="keeper")
    department = apps.get_model("crm", "Department").objects.get(code="sales")
    partner = apps.get_model("partners", "Partner").objects.create(
        name="Old Supplier", family="supplier", kind="manufacturer", owner=user, department=department
    )
    case = apps.get_model("cases", "Case").objects.create(
        reference="C-2026-00007",
        partner=partner,
        family="supplier",
        kind="request",
        channel="email",
        subject="Late pallets",
        description="d",
        opened_at=NOW,
        response_due_at=NOW + dt.timedelta(hours=4),
        resolution_due_at=NOW + dt.timedelta(days=1),
    )
    return case, user


@pytest.mark.django_db
def test_edited_notes_move_their_field_names_to_changed_fields(migrator):
    old = migrator.apply_initial_migration(BEFORE).apps
    case, user = _case(old)
    CaseNote = old.get_model("cases", "CaseNote")
    edited = CaseNote.objects.create(case=case, kind="edited", author=user, body="priority,subject", created_at=NOW)
    single = CaseNote.objects.create(case=case, kind="edited", author=user, body="contact", created_at=NOW)
    note = CaseNote.objects.create(case=case, kind="note", author=user, body="Called, no answer", created_at=NOW)

    new = migrator.apply_tested_migration(AFTER).apps
    CaseNote = new.get_model("cases", "CaseNote")
    assert CaseNote.objects.get(pk=edited.pk).changed_fields == ["priority", "subject"]
    assert CaseNote.objects.get(pk=edited.pk).body == ""
    assert (CaseNote.objects.get(pk=single.pk).changed_fields, CaseNote.objects.get(pk=single.pk).body) == (
        ["contact"],
        "",
    )
    # Other notes keep their text (commas included) and list nothing.
    assert (CaseNote.objects.get(pk=note.pk).body, CaseNote.objects.get(pk=note.pk).changed_fields) == (
        "Called, no answer",
        [],
    )
