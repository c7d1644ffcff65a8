"""A small known dataset for the annual report's tests (issue #11 §4): the year Y (last
calendar year, so every date in it is past) and the year before, with figures worked out by
hand in the tests."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

import pytest
from django.utils import timezone

from crm.models import CorrectiveAction
from crm.services import corrective_action_raise
from evaluations.surveys import services as surveys
from evaluations.surveys.models import Survey, SurveyTemplate
from evaluations.surveys.periods import Period
from partners.cases import services as cases
from partners.cases.models import Case
from partners.customers.models import Gift
from partners.models import Tier
from supervision import report_exports, services
from supervision.models import AnnualReport, Finding
from tests.factories import ContactFactory, FollowUpFactory, InteractionFactory, PartnerFactory, department
from tests.surveys.conftest import valid_answers

Y = timezone.localdate().year - 1
BEFORE = Y - 1


def at(year: int, month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=timezone.get_current_timezone())


def pdf_required():
    """Skip (locally) or fail (CI: RAPPORT_REQUIRE_BROWSER=1 or CI set) when WeasyPrint's
    system libraries are missing, like tests/browser/conftest.py does for Chromium."""
    problem = report_exports.pdf_unavailable()
    if problem:
        if os.environ.get("RAPPORT_REQUIRE_BROWSER") == "1" or os.environ.get("CI"):
            pytest.fail(f"WeasyPrint is required here (apt-get install libpango-1.0-0 libpangoft2-1.0-0): {problem}")
        pytest.skip(f"PDF generation unavailable here: {problem}")


def _survey(manager, period: Period, family: str = "supplier") -> Survey:
    name = {"supplier": "Supplier satisfaction", "customer": "Customer satisfaction"}[family]
    return Survey.objects.create(
        template=SurveyTemplate.objects.get(name=name),
        title=f"{name} {period.label}",
        family=family,
        period=period,
        created_by=manager,
    )


def _answer(survey, partner, **scores):
    [invitation] = surveys.survey_send(survey=survey, contacts=[ContactFactory(partner=partner)])
    if scores:
        surveys.response_submit(token=surveys.invitation_token(invitation), answers=valid_answers(survey, **scores))
    return invitation


def build_known_year(manager, staff) -> dict:
    key = PartnerFactory(tier=Tier.KEY, owner=staff)
    normal = PartnerFactory(tier=Tier.NORMAL, owner=staff)
    # Satisfaction: Y has two answers (NPS 10 and 9, CSAT 5 and 4, CES 7 and 5) of three
    # invitations; the year before one answer (NPS 2, CSAT 1, CES 2) of two.
    this = _survey(manager, Period.of_quarter(Y, 1))
    before = _survey(manager, Period.of_quarter(BEFORE, 4))
    _answer(this, key, nps=10, csat=5, ces=7)
    _answer(this, key, nps=9, csat=4, ces=5)
    _answer(this, key)
    _answer(before, key, nps=2, csat=1, ces=2)
    _answer(before, key)
    # Contact: the key partner twice in Y (once the year before), the normal one not in Y.
    InteractionFactory(partner=key, occurred_at=at(Y, 3, 1))
    InteractionFactory(partner=key, occurred_at=at(Y, 9, 1))
    InteractionFactory(partner=key, occurred_at=at(BEFORE, 5, 1))
    InteractionFactory(partner=normal, occurred_at=at(BEFORE, 6, 1))
    # Follow-ups due in Y: one done on time, one late, one never done.
    FollowUpFactory(partner=key, due_on=dt.date(Y, 4, 10), done_at=at(Y, 4, 9))
    FollowUpFactory(partner=key, due_on=dt.date(Y, 4, 10), done_at=at(Y, 4, 20))
    FollowUpFactory(partner=key, due_on=dt.date(Y, 6, 10))
    # Cases opened in Y: two complaints, one answered in time, one late; the year before one request.
    first = cases.case_open(
        partner=key, kind="complaint", channel="phone", subject="a", description="a", now=at(Y, 2, 2)
    )
    late = cases.case_open(
        partner=key, kind="complaint", channel="phone", subject="b", description="b", now=at(Y, 2, 3)
    )
    cases.case_open(partner=key, kind="request", channel="email", subject="c", description="c", now=at(BEFORE, 2, 3))
    Case.objects.filter(pk=first.pk).update(first_response_at=first.response_due_at - dt.timedelta(hours=1))
    Case.objects.filter(pk=late.pk).update(first_response_at=late.response_due_at + dt.timedelta(hours=1))
    # Gifts given in Y: 500 CNY approved the day before it was given; 80 CNY needing none.
    Gift.objects.create(
        partner=key,
        description="Tea set",
        value=Decimal("500"),
        date=dt.date(Y, 5, 2),
        recorded_by=staff,
        status=Gift.Status.APPROVED,
        decided_by=manager,
        decided_at=at(Y, 5, 1),
    )
    Gift.objects.create(
        partner=key, description="Calendar", value=Decimal("80"), date=dt.date(Y, 12, 20), recorded_by=staff
    )
    # A minor finding recorded in Y, with one open action raised in Y.
    finding = Finding.objects.create(
        clause="P3.3",
        severity=Finding.Severity.MINOR,
        department=department("procurement"),
        title="Late follow-ups",
        description="d",
        response_due=dt.date(Y, 7, 1),
        created_by=manager,
    )
    Finding.objects.filter(pk=finding.pk).update(created_at=at(Y, 6, 1))
    action = corrective_action_raise(
        source=finding,
        description="Review follow-ups weekly",
        department=finding.department,
        owner=staff,
        due_on=dt.date(Y, 8, 1),
        by=manager,
    )
    CorrectiveAction.objects.filter(pk=action.pk).update(created_at=at(Y, 6, 2))
    return {"key": key, "normal": normal, "finding": finding, "action": action}


def generated_report(supervisor, year: int = Y) -> AnnualReport:
    """Version 1 of ``year`` with its figures generated (the task run directly)."""
    report = services.report_create(year=year, by=supervisor)
    services.report_generate(report_id=report.pk)  # unless the eager task ran it at commit
    report.refresh_from_db()
    assert report.generation == AnnualReport.Generation.DONE
    return report


def row(figures: dict, table: str, label: list) -> dict:
    for section in figures["sections"]:
        for t in section["tables"]:
            if t["key"] == table:
                for r in t["rows"]:
                    if r["label"] == label:
                        previous = r.get("p") or [None] * len(r["v"])
                        pairs = zip(r["v"], previous, strict=True)
                        return dict(zip([c for c, _k in t["columns"]], pairs, strict=True))
    raise AssertionError(f"no row {label} in {table}")
