"""A model-choice field refuses an id its column cannot hold as an invalid choice, instead of
letting the query overflow (a 500); found by the API's schemathesis run (crm.forms)."""

from __future__ import annotations

from partners.forms import InteractionForm

HUGE = "-129103697517070319091712"


def test_an_id_past_the_column_is_an_invalid_choice(supplier, staff):
    data = {"kind": "call", "occurred_at": "2026-01-01T10:00", "subject": "Prices"}
    form = InteractionForm({**data, "contacts": [HUGE], "participants": ["9223372036854775808"]}, partner=supplier)
    assert not form.is_valid()
    assert set(form.errors) == {"contacts", "participants"}
    assert InteractionForm({**data, "participants": [str(staff.pk)]}, partner=supplier).is_valid()
