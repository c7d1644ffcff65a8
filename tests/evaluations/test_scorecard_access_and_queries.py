"""Access selectors (who reads, who writes) and the fixed query counts of the scorecard and ranking."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.templatetags.people import person
from evaluations import scoring, selectors, services
from tests.evaluations.factories import closed_eval, open_eval
from tests.factories import PartnerFactory, UserFactory, department

pytestmark = pytest.mark.django_db

QUARTERS = [dt.date(2024, m, 1) for m in (1, 4, 7, 10)] + [dt.date(2025, m, 1) for m in (1, 4, 7, 10)]


# --- Access -----------------------------------------------------------------------------------


def test_everyone_with_a_role_reads_evaluations_outsiders_do_not(
    template, supplier, staff, supervisor, manager_sales, outsider
):
    evaluation = open_eval(supplier, template, [staff])
    for reader in (staff, supervisor, manager_sales):
        assert selectors.evaluation_get_for_user(user=reader, pk=evaluation.pk) == evaluation
    with pytest.raises(PermissionDenied):
        selectors.evaluation_get_for_user(user=outsider, pk=evaluation.pk)
    with pytest.raises(Http404):
        selectors.evaluation_get_for_user(user=staff, pk=evaluation.pk + 1000)


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("manager", True), ("admin_user", True), ("staff", False), ("manager_sales", False), ("supervisor", False)],
)
def test_write_access_to_evaluations_is_for_department_managers(request, template, supplier, staff, who, allowed):
    evaluation = open_eval(supplier, template, [staff])
    user = request.getfixturevalue(who)
    if allowed:
        assert selectors.evaluation_get_for_user(user=user, pk=evaluation.pk, write=True) == evaluation
    else:
        with pytest.raises(PermissionDenied):
            selectors.evaluation_get_for_user(user=user, pk=evaluation.pk, write=True)


def test_only_the_assigned_evaluator_may_write_a_sheet(
    template, supplier, staff, quality_staff, manager, supervisor, admin_user
):
    evaluation = open_eval(supplier, template, [quality_staff])
    sheet = evaluation.sheets.get()
    assert selectors.sheet_get_for_user(user=quality_staff, pk=sheet.pk, write=True) == sheet
    assert selectors.sheet_get_for_user(user=admin_user, pk=sheet.pk, write=True) == sheet
    for other in (staff, manager, supervisor):
        assert selectors.sheet_get_for_user(user=other, pk=sheet.pk) == sheet  # reading is fine
        with pytest.raises(PermissionDenied):
            selectors.sheet_get_for_user(user=other, pk=sheet.pk, write=True)


def test_supervision_assigned_as_evaluator_still_cannot_write(template, supplier, staff, supervisor):
    evaluation = open_eval(supplier, template, [staff])
    sheet = evaluation.sheets.create(evaluator=supervisor)  # bypassing the service's own check
    with pytest.raises(PermissionDenied):
        services.sheet_save(sheet=sheet, by=supervisor, scores={})


def test_incentive_write_access_is_for_department_managers(template, supplier, staff, manager, manager_sales):
    a = closed_eval(supplier, template, staff, manager, rating=5)
    incentive = services.incentive_propose(
        evaluation=a, by=staff, kind="award", starts_on=dt.date(2025, 7, 1), ends_on=dt.date(2025, 12, 31)
    )
    assert selectors.incentive_get_for_user(user=manager, pk=incentive.pk, write=True) == incentive
    with pytest.raises(PermissionDenied):
        selectors.incentive_get_for_user(user=manager_sales, pk=incentive.pk, write=True)


def test_sheets_to_score_lists_mine_unsubmitted_only(template, supplier, staff, quality_staff):
    evaluation = open_eval(supplier, template, [staff, quality_staff])
    assert [s.evaluation_id for s in selectors.sheets_to_score_for_user(user=staff)] == [evaluation.pk]
    assert list(selectors.sheets_to_score_for_user(user=UserFactory(role="Staff"))) == []


# --- Query counts -----------------------------------------------------------------------------


def grow(template, owner, manager, *, suppliers: int, periods: int) -> list:
    """Suppliers with ``periods`` closed quarters each, plus decisions, plans, incentives, documents."""
    made = []
    for i in range(suppliers):
        partner = PartnerFactory(owner=owner, tier=1 + i % 3)
        partner.qualifications.create(doc_type="iso9001", number=f"Q{i}", expires_on=dt.date.today())
        for k, start in enumerate(QUARTERS[:periods]):
            rating = 2 + (i + k) % 4  # 25 … 100: every standing appears
            evaluation = closed_eval(partner, template, owner, manager, rating=rating, period=start)
            if evaluation.standing in ("C", "D"):
                services.decision_record(
                    evaluation=evaluation,
                    by=manager,
                    outcome="adjust_terms",
                    reason="improve",
                    actions=[services.ActionData("Fix it", owner, start + dt.timedelta(days=100))],
                    re_evaluation_on=start + dt.timedelta(days=120),
                )
            elif evaluation.standing == "A":
                incentive = services.incentive_propose(
                    evaluation=evaluation,
                    by=owner,
                    kind="award",
                    starts_on=dt.date.today() - dt.timedelta(days=1),
                    ends_on=dt.date.today() + dt.timedelta(days=30),
                )
                services.incentive_approve(incentive=incentive, by=manager)
                services.decision_record(evaluation=evaluation, by=manager, outcome="reward", reason="great")
        open_eval(partner, template, [owner], period=dt.date(2026, 1, 1))
        made.append(partner)
    return made


def count(fn) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        result = fn()
    return len(ctx.captured_queries), result


def test_supplier_scorecard_runs_a_fixed_number_of_queries(template, staff, manager):
    small = grow(template, staff, manager, suppliers=1, periods=2)[0]
    big = grow(template, staff, manager, suppliers=1, periods=8)[0]
    n_small, card_small = count(lambda: selectors.supplier_scorecard(partner=small))
    n_big, card = count(lambda: selectors.supplier_scorecard(partner=big))
    assert n_small == n_big == 7, (n_small, n_big)  # see the supplier_scorecard docstring
    # And it holds what the page shows.
    assert len(card_small.trend) == 2 and len(card.trend) == 8
    assert [p.label for p in card.trend[:2]] == ["2024-Q1", "2024-Q2"]
    assert card.current.overall_score == card.trend[-1].overall_score
    assert card.latest.pk == card.trend[-1].evaluation_id
    assert {row["name"] for row in card.breakdown} == {"Quality", "Price", "On-time"}
    assert card.breakdown[0]["inputs"][0]["evidence"].startswith("rated ")
    assert card.decisions and card.incentives and card.open_actions
    assert len(card.open_evaluations) == 1 and card.open_evaluations[0].template == template
    assert card.expiring_qualifications
    assert card.overall_explanation["result"] == str(card.current.overall_score)
    assert [r["weight"] for r in card.overall_explanation["periods"][:5]] == [4, 3, 2, 1, 0]


def test_the_scorecard_page_shows_every_list_in_as_many_queries_at_any_length(client, template, staff, manager):
    """Each list joins only what the page shows of it (issue #15): nothing it shows is read row
    by row, so two quarters and eight cost the page the same queries."""
    small = grow(template, staff, manager, suppliers=1, periods=2)[0]
    big = grow(template, staff, manager, suppliers=1, periods=8)[0]
    client.force_login(manager)
    client.get(reverse("evaluations:scorecard", args=[small.pk]))  # warm: labels and content types
    pages = {}
    for partner in (small, big):
        with CaptureQueriesContext(connection) as ctx:
            body = client.get(reverse("evaluations:scorecard", args=[partner.pk])).content.decode()
        pages[partner] = (len(ctx.captured_queries), body)
    assert pages[small][0] == pages[big][0], (pages[small][0], pages[big][0])
    body = pages[big][1]
    assert body.count("Adjust terms") >= 2 and body.count("Reward") >= 2  # decisions, with their approver
    assert person(manager) in body
    assert body.count("Award") >= 2  # incentives
    assert template.display_name in body and "Fix it" in body  # the open evaluation, the open actions


def test_ranking_runs_a_fixed_number_of_queries_and_orders_by_overall(template, staff, manager):
    grow(template, staff, manager, suppliers=2, periods=2)
    n_small, _rows = count(lambda: selectors.ranking(template=template))
    grow(template, staff, manager, suppliers=5, periods=3)
    n_big, rows = count(lambda: selectors.ranking(template=template))
    assert n_small == n_big == 2
    assert len(rows) == 7
    scores = [r.overall_score for r in rows]
    assert scores == sorted(scores, reverse=True)
    assert any(r.current_incentives for r in rows)
    # Filters and "as of a period" keep the same count.
    n_filtered, filtered = count(
        lambda: selectors.ranking(template=template, tier=1, standing="B", department_id=department().pk)
    )
    assert n_filtered <= 2 and all(r.partner.tier == 1 and r.overall_standing == "B" for r in filtered)
    n_period, at_q1 = count(lambda: selectors.ranking(template=template, period=dt.date(2024, 2, 1)))
    assert n_period == 2 and len(at_q1) == 7
    assert all(r.period_start == dt.date(2024, 1, 1) for r in at_q1)


def test_ranking_puts_not_rated_last_and_distribution_counts(template, staff, manager):
    from tests.evaluations.factories import criteria_of, score_and_submit

    grow(template, staff, manager, suppliers=2, periods=1)
    unrated = PartnerFactory(owner=staff, name="Zz unrated")
    evaluation = open_eval(unrated, template, [staff])
    c = criteria_of(template)
    score_and_submit(
        evaluation,
        staff,
        {
            c["Quality"].pk: services.ScoreData(is_na=True),
            c["Price"].pk: services.ScoreData(rating=5),
            c["On-time"].pk: services.ScoreData(kpi_value=D(100)),
        },
    )
    services.evaluation_close(evaluation=evaluation, by=manager)
    rows = selectors.ranking(template=template)
    assert rows[-1].partner == unrated and rows[-1].overall_score is None
    distribution = selectors.standing_distribution(template=template)
    assert sum(distribution.values()) == 3 and distribution[""] == 1


def test_biggest_movers(template, staff, manager):
    partner = PartnerFactory(owner=staff)
    closed_eval(partner, template, staff, manager, rating=2, period=QUARTERS[0])
    closed_eval(partner, template, staff, manager, rating=5, period=QUARTERS[1])
    movers = selectors.biggest_movers(template=template)
    assert [m.partner for m in movers] == [partner]
    assert movers[0].movement == scoring.overall_score([D(100), D(25)], n=4) - D(25)
