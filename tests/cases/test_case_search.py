"""The case list's search (issue #12 §2): a partial reference, the submitter's name, the
contact on file; "All" is a state of its own, so a search of closed cases survives the live
filter leaving empty fields out of the URL."""

from __future__ import annotations

import pytest
from django.urls import reverse

from partners.cases import services
from partners.cases.models import Case, CaseChannel, CaseStatus
from tests.factories import ContactFactory
from tests.plans import explain

pytestmark = pytest.mark.django_db


def _open(partner, subject, **extra) -> Case:
    return services.case_open(kind="issue", channel="phone", subject=subject, description="d", partner=partner, **extra)


def references(client, **query) -> set[str]:
    response = client.get(reverse("cases:case_list"), query)
    assert response.status_code == 200
    return {case.reference for case in response.context["page"].object_list}


@pytest.fixture
def cases(supplier):
    return [_open(supplier, f"Case {n}") for n in range(12)]


def test_a_partial_reference_finds_the_case(client, staff, cases):
    case = cases[-1]  # CS-<year>-000nn
    client.force_login(staff)
    digits = case.reference.rsplit("-", 1)[1]  # "000nn"
    assert references(client, q=digits) == {case.reference}
    assert references(client, q=case.reference) == {case.reference}
    assert references(client, q=case.reference.lower()) == {case.reference}
    # Its start: every case of the year whose number begins so.
    start = case.reference[:-1]  # "CS-2026-0001" finds CS-2026-00010 … 00019
    assert case.reference in references(client, q=start)
    assert references(client, q=start) == {c.reference for c in cases if c.reference.startswith(start)}


def test_a_reference_typed_with_another_prefix_finds_the_case(client, staff, cases):
    case = cases[-1]
    client.force_login(staff)
    typed = "C-" + case.reference.split("-", 1)[1][:-1]  # "C-2026-0001", as in the issue
    assert case.reference in references(client, q=typed)
    assert cases[0].reference not in references(client, q=typed)


def test_the_submitters_name_finds_the_case(client, supervisor, supplier):
    public = services.case_open(
        kind="complaint",
        channel=CaseChannel.WEB_FORM,
        subject="Late delivery",
        description="d",
        family="supplier",
        submitter_name="Wang Xiaoming",
        submitter_email="wang@example.com",
    )
    contact = ContactFactory(partner=supplier, name="Zhao Lei")
    on_file = _open(supplier, "Broken seal", contact=contact)
    _open(supplier, "Something else")
    client.force_login(supervisor)
    assert references(client, q="xiaoming") == {public.reference}
    assert references(client, q="Zhao") == {on_file.reference}


def test_all_states_is_a_value_of_its_own(client, staff, cases):
    closed = cases[0]
    Case.objects.filter(pk=closed.pk).update(status=CaseStatus.CLOSED)
    client.force_login(staff)
    assert closed.reference not in references(client)  # the working view: open cases
    assert closed.reference in references(client, state="all")
    assert closed.reference in references(client, state="")  # the former "All cases" link
    body = client.get(reverse("cases:case_list"), {"state": "all"}).content.decode()
    assert '<option value="all" selected>' in body and 'href="?state=all"' in body


CASE_TRIGRAM_INDEXES = {
    "cases_case_reference_trgm",
    "cases_case_subject_trgm",
    "cases_case_submitter_name_trgm",
    "cases_case_submitter_company_trgm",
    "cases_casenote_body_trgm",
}


def test_the_search_finds_every_field_chinese_and_partial_words_and_uses_its_indexes(client, staff, supplier):
    """Issue #15 §1: subject, company, notes, partner and contact names anywhere in the word, any
    case, Chinese included; the address whole. One row per case however many parts match. On
    PostgreSQL each part is read from its trigram index (cases 0010, partners 0012)."""
    from django.db import connection

    from partners.cases.filters import case_search
    from partners.cases.models import CaseNote

    chinese = _open(supplier, "交货延迟三周")
    company = services.case_open(
        kind="complaint",
        channel=CaseChannel.WEB_FORM,
        subject="Quality",
        description="d",
        family="supplier",
        submitter_company="华信精密机械有限公司",
        submitter_email="Li.Na@Example.com",
    )
    noted = _open(supplier, "Packaging")
    CaseNote.objects.create(
        case=noted, kind=CaseNote.Kind.NOTE, body="Carton crushed in transit", created_at=noted.opened_at
    )
    CaseNote.objects.create(case=noted, kind=CaseNote.Kind.NOTE, body="Crushed again", created_at=noted.opened_at)
    other = _open(supplier, "Unrelated")

    def found(term: str) -> list[str]:
        return list(case_search(Case.objects.all(), term).values_list("reference", flat=True))

    assert found("延迟") == [chinese.reference]
    assert found("精密机械") == [company.reference]
    assert found("li.na@example.com") == [company.reference]  # the address whole, any case
    assert found("example") == []  # not part of one
    assert found("CRUSH") == [noted.reference]  # two notes: the case once
    assert set(found("acme compon")) == {chinese.reference, noted.reference, other.reference}  # the partner
    client.force_login(staff)
    assert references(client, q="精密") == {company.reference}
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE %s", ["cases_case%_trgm"])
        assert {row[0] for row in cursor.fetchall()} == CASE_TRIGRAM_INDEXES
    # Tiny tables are cheaper to scan: ask whether the indexes can serve, not whether the
    # planner prefers them at this size.
    sql, params = case_search(Case.objects.all(), "精密机械").query.sql_with_params()
    plan = explain(sql, params, off=("enable_seqscan",))
    # The partner's and the contact's names are read from their own trigram indexes when those
    # tables are the larger side (tests/partners/test_search_indexes.py); with a handful of rows
    # here the planner rightly reads them by primary key.
    for index in CASE_TRIGRAM_INDEXES:
        assert index in plan, (index, plan)
