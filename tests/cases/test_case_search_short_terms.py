"""Issue #15 §1: the case list's search finds for terms of one or two characters (most Chinese
words are two) exactly what ``icontains`` finds, on SQLite and on PostgreSQL, where the gram
indexes of cases 0011 and partners 0014 serve them: EXPLAIN names them for a two-character
Chinese term, with statistics from filler rows and no planner switch."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Q

from partners.cases import services
from partners.cases.filters import _REFERENCE_PREFIX, case_search
from partners.cases.models import Case, CaseChannel, CaseNote
from partners.models import Contact, Partner
from tests.factories import ContactFactory, PartnerFactory
from tests.plans import explain

pytestmark = pytest.mark.django_db

CASE_GRAM_INDEXES = {
    "cases_case_reference_grams",
    "cases_case_subject_grams",
    "cases_case_submitter_name_grams",
    "cases_case_submitter_company_grams",
    "cases_casenote_body_grams",
}

TERMS = [
    "c",
    "D",
    "de",
    "DE",
    "eL",
    "cs",
    "42",
    "0",
    "-2",
    "CS-",
    "C-1",
    "deliv",
    "延",
    "迟",
    "延迟",
    "交货",
    "交货延迟",
    "精密",
    "王",
    "王芳",
    "李",
    "华信",
    "%",
    "_",
    "x",
    "qz",
    "无关",
    "é",
    "ÉT",
]


def _open(partner, subject, **extra) -> Case:
    return services.case_open(kind="issue", channel="phone", subject=subject, description="d", partner=partner, **extra)


@pytest.fixture
def world(supplier):
    partner = PartnerFactory(name="华信精密机械有限公司", owner=supplier.owner)
    _open(supplier, "交货延迟三周")
    _open(partner, "Late delivery", contact=ContactFactory(partner=partner, name="王芳"))
    services.case_open(
        kind="complaint",
        channel=CaseChannel.WEB_FORM,
        subject="Qualité",
        description="d",
        family="supplier",
        submitter_company="李氏贸易 Déco_5%",
        submitter_name="Li Na",
        submitter_email="li.na@example.com",
    )
    noted = _open(supplier, "Packaging")
    CaseNote.objects.create(case=noted, kind=CaseNote.Kind.NOTE, body="箱子压坏了, crushed", created_at=noted.opened_at)
    for n in range(3):
        _open(supplier, f"Unrelated {n}")


def _found(term: str) -> set[str]:
    return set(case_search(Case.objects.all(), term).values_list("reference", flat=True))


def _icontains(term: str) -> set[str]:
    """The cases today's plain ``icontains`` finds on this database, as case_search asked it."""
    q = (
        Q(reference__icontains=term)
        | Q(subject__icontains=term)
        | Q(submitter_company__icontains=term)
        | Q(submitter_email__iexact=term)
        | Q(submitter_name__icontains=term)
        | Q(partner__name__icontains=term)
        | Q(contact__name__icontains=term)
        | Q(notes__body__icontains=term)
    )
    if (digits := _REFERENCE_PREFIX.sub("", term)) != term:
        q |= Q(reference__icontains=digits)
    return set(Case.objects.filter(q).values_list("reference", flat=True))


@pytest.mark.parametrize("term", TERMS)
def test_the_case_search_finds_what_icontains_finds_for_every_length(world, term):
    assert _found(term) == _icontains(term)


def test_short_terms_find_cases_by_every_field(world):
    assert len(_found("延迟")) == 1 and len(_found("迟")) == 1  # the subject
    assert _found("王芳") == _found("华信") == _found("Late delivery") != set()  # contact, partner
    assert _found("李") == _found("li.na@example.com") != set()  # the company
    assert _found("压坏") == _found("CRUSHED") != set()  # a note
    assert _found("_") == _found("李") and _found("qz") == set()
    assert len(_found("cs")) == Case.objects.count()  # every reference, CS-…


def test_the_gram_indexes_serve_a_two_character_chinese_term_on_postgresql(world, supplier):
    if connection.vendor != "postgresql":
        return  # no index on SQLite (see tests/partners/test_search_short_terms.py)
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE %s", ["cases_case%_grams"])
        assert {row[0] for row in cursor.fetchall()} == CASE_GRAM_INDEXES
    # Filler cases, partners, contacts and notes, and their statistics: no planner switch.
    template = Case.objects.filter(partner=supplier).first()
    fields = {
        f.attname: getattr(template, f.attname)
        for f in Case._meta.concrete_fields
        if f.attname not in ("id", "reference", "subject", "submitter_name", "submitter_company")
    }
    fillers = Case.objects.bulk_create(
        Case(
            **fields,
            reference=f"FL-2026-{n:05d}",
            subject=f"Filler case {n} 质量问题",
            submitter_name=f"Filler {n}",
            submitter_company=f"Filler company {n} 有限公司",
        )
        for n in range(3000)
    )
    CaseNote.objects.bulk_create(
        CaseNote(case=case, kind=CaseNote.Kind.NOTE, body=f"Filler note {n} 已回复客户", created_at=case.opened_at)
        for n, case in enumerate(fillers)
    )
    partners = Partner.objects.bulk_create(
        PartnerFactory.build(name=f"Filler partner {n} 华东贸易", owner=supplier.owner) for n in range(3000)
    )
    Contact.objects.bulk_create(
        ContactFactory.build(partner=partner, name=f"Filler {n} 张三") for n, partner in enumerate(partners)
    )
    with connection.cursor() as cursor:
        for table in ("cases_case", "cases_casenote", "partners_partner", "partners_contact"):
            cursor.execute(f"ANALYZE {table}")
    sql, params = case_search(Case.objects.all(), "延迟").query.sql_with_params()
    plan = explain(sql, params)
    for index in (*CASE_GRAM_INDEXES, "partners_partner_name_grams", "partners_contact_name_grams"):
        assert index in plan, (index, plan)
    assert len(_found("延迟")) == 1
