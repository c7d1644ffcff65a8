"""Agreement execution in the supervision group's policy coverage (P4.3.2, P5.1): reviews
recorded on time, obligations met by their due date, counted by agreement."""

from __future__ import annotations

import datetime as dt

from django.db.models import F

from partners.agreements.models import Agreement, ExecutionReview, Obligation
from supervision import coverage, report
from tests.factories import PartnerFactory

YEAR = dt.date.today().year - 1


def _figures() -> dict:
    row = next(r for r in coverage.coverage(year=YEAR).rows if r.clause.code == "P4.3.2")
    return {f.measure.key: f for f in row.figures}


def test_reviews_on_time_and_obligations_met_are_measured(manager, staff):
    partner = PartnerFactory(family="partner", owner=staff)
    agreement = Agreement.objects.create(
        title="R&D",
        kind="cooperation",
        department=partner.department,
        owner=manager,
        scope="x",
        starts_on=dt.date(YEAR, 1, 1),
        ends_on=dt.date(YEAR + 3, 1, 1),
        status="active",
        next_review_on=dt.date(YEAR + 1, 1, 1),
    )
    on_time = Agreement.objects.create(
        title="NDA",
        kind="nda",
        department=partner.department,
        owner=manager,
        scope="x",
        starts_on=dt.date(YEAR, 1, 1),
        ends_on=dt.date(YEAR + 3, 1, 1),
        status="active",
        next_review_on=dt.date(YEAR, 4, 1),  # recorded below
    )
    ExecutionReview.objects.create(
        agreement=on_time, due_on=dt.date(YEAR, 4, 1), reviewed_on=dt.date(YEAR, 3, 30), rating=4, reviewed_by=manager
    )
    on_time.next_review_on = dt.date(YEAR + 1, 4, 1)
    on_time.save()
    Agreement.objects.filter(pk=on_time.pk).update(next_review_on=dt.date(YEAR, 12, 1))  # then one left unrecorded
    for due, reviewed in ((dt.date(YEAR, 4, 1), dt.date(YEAR, 4, 1)), (dt.date(YEAR, 7, 1), dt.date(YEAR, 8, 1))):
        ExecutionReview.objects.create(
            agreement=agreement, due_on=due, reviewed_on=reviewed, rating=4, reviewed_by=manager
        )
    for status in ("met", "late", "missed", "waived"):
        Obligation.objects.create(
            agreement=agreement, party="ours", description=status, due_on=dt.date(YEAR, 5, 1), status=status
        )

    found = {
        f.measure.key: f
        for f in next(r for r in coverage.coverage(year=YEAR).rows if r.clause.code == "P4.3.2").figures
    }
    # R&D: one review late; NDA: on time, then one due 1 December never recorded.
    assert (found["agreement_reviews_on_time"].counted, found["agreement_reviews_on_time"].passed) == (2, 0)
    # R&D: one met, one late, one missed (the waived one aside).
    assert (found["agreement_obligations_met"].counted, found["agreement_obligations_met"].passed) == (1, 0)
    Obligation.objects.exclude(status="waived").update(status="met")
    ExecutionReview.objects.filter(reviewed_on__gt=F("due_on")).update(reviewed_on=F("due_on"))
    Agreement.objects.filter(title="NDA").update(next_review_on=dt.date(YEAR + 1, 4, 1))
    found = {
        f.measure.key: f
        for f in next(r for r in coverage.coverage(year=YEAR).rows if r.clause.code == "P4.3.2").figures
    }
    assert found["agreement_reviews_on_time"].passed == 2 and found["agreement_obligations_met"].passed == 1
    failed = coverage.measure_records(measure=coverage.BY_KEY["agreement_reviews_on_time"], year=YEAR, outcome="failed")
    assert list(failed) == []


def test_the_annual_report_shows_agreement_execution(manager, staff):
    partner = PartnerFactory(family="partner", owner=staff)
    agreement = Agreement.objects.create(
        title="R&D",
        kind="cooperation",
        department=partner.department,
        owner=manager,
        scope="x",
        starts_on=dt.date(YEAR, 1, 1),
        ends_on=dt.date(YEAR + 3, 1, 1),
        status="active",
        next_review_on=dt.date(YEAR, 10, 1),  # never recorded
    )
    ExecutionReview.objects.create(
        agreement=agreement, due_on=dt.date(YEAR, 7, 1), reviewed_on=dt.date(YEAR, 7, 1), rating=4, reviewed_by=manager
    )
    for status in ("met", "missed", "waived"):
        Obligation.objects.create(
            agreement=agreement, party="theirs", description=status, due_on=dt.date(YEAR, 5, 1), status=status
        )

    figures = report.annual_figures(YEAR)
    (section,) = [s for s in figures["sections"] if s["key"] == "agreements"]
    tables = {t["key"]: {tuple(r["label"]): r["v"] for r in t["rows"]} for t in section["tables"]}
    assert tables["agreement_reviews"][("agreement_type", "cooperation")] == [2, 1, 0, 1, 50.0]
    assert tables["agreement_obligations"][("party", "theirs")] == [2, 1, 0, 1, 50.0]
