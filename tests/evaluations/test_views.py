"""Scorecard pages through the browser's eyes: score a sheet, close, decide, reward, rank."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluations.models import Decision, Evaluation, Incentive
from tests.evaluations.factories import closed_eval, criteria_of, make_template, open_eval
from tests.factories import PartnerFactory


@pytest.fixture
def template(db):
    return make_template()


def sheet_payload(template, *, quality="4", price="3", ontime="95", **extra):
    c = criteria_of(template)
    data = {
        f"c{c['Quality'].pk}_value": quality,
        f"c{c['Price'].pk}_value": price,
        f"c{c['On-time'].pk}_value": ontime,
        f"c{c['Quality'].pk}_evidence": "Two returns this quarter",
    }
    data.update(extra)
    return data


def test_evaluator_scores_and_submits_a_sheet(client, staff, supplier, template):
    evaluation = open_eval(supplier, template, [staff])
    sheet = evaluation.sheets.get()
    client.force_login(staff)
    page = client.get(reverse("evaluations:sheet", args=[sheet.pk])).content.decode()
    assert "Quality" in page and "On-time" in page
    response = client.post(reverse("evaluations:sheet", args=[sheet.pk]), {**sheet_payload(template), "save": "1"})
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert sheet.submitted_at is None and sheet.scores.count() == 3
    client.post(reverse("evaluations:sheet", args=[sheet.pk]), {**sheet_payload(template), "submit": "1"})
    sheet.refresh_from_db()
    assert sheet.submitted_at is not None
    # Locked: a later change is refused and nothing moves.
    response = client.post(
        reverse("evaluations:sheet", args=[sheet.pk]), {**sheet_payload(template, price="1"), "save": "1"}
    )
    assert "submitted and is locked" in response.content.decode()
    assert sheet.scores.get(criterion=criteria_of(template)["Price"]).rating == 3


def test_bad_scores_are_refused_with_messages(client, staff, supplier, template):
    evaluation = open_eval(supplier, template, [staff])
    sheet = evaluation.sheets.get()
    client.force_login(staff)
    response = client.post(
        reverse("evaluations:sheet", args=[sheet.pk]),
        {**sheet_payload(template, quality="7", ontime="fast"), "save": "1"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Select a valid choice" in body and "Enter a number." in body
    assert sheet.scores.count() == 0


def test_submitting_an_incomplete_sheet_names_what_is_missing(client, staff, supplier, template):
    evaluation = open_eval(supplier, template, [staff])
    sheet = evaluation.sheets.get()
    client.force_login(staff)
    response = client.post(
        reverse("evaluations:sheet", args=[sheet.pk]), {**sheet_payload(template, price=""), "submit": "1"}
    )
    assert "Price" in response.content.decode() and "before submitting" in response.content.decode()
    sheet.refresh_from_db()
    assert sheet.submitted_at is None and sheet.scores.count() == 0  # nothing half-saved


def test_close_refused_while_sheets_missing_then_decision_with_plan(client, staff, manager, supplier, template):
    evaluation = open_eval(supplier, template, [staff])
    client.force_login(manager)
    response = client.post(reverse("evaluations:close", args=[evaluation.pk]), follow=True)
    assert "waiting for the sheets of" in response.content.decode()
    evaluation.refresh_from_db()
    assert evaluation.status == "open"
    client.force_login(staff)
    client.post(
        reverse("evaluations:sheet", args=[evaluation.sheets.get().pk]),
        {**sheet_payload(template, quality="2", price="2", ontime="85"), "submit": "1"},
    )
    client.force_login(manager)
    page = client.post(reverse("evaluations:close", args=[evaluation.pk]), follow=True).content.decode()
    evaluation.refresh_from_db()
    assert evaluation.status == "closed" and evaluation.standing == "D"
    assert "How was this computed?" in page and 'id="decision"' in page
    # D needs a corrective action plan.
    decide = reverse("evaluations:decide", args=[evaluation.pk])
    base = {
        "d-outcome": "probation",
        "d-reason": "Quality below standard",
        "a-TOTAL_FORMS": "3",
        "a-INITIAL_FORMS": "0",
    }
    response = client.post(decide, base)
    assert "corrective action plan" in response.content.decode()
    assert not Decision.objects.exists()
    response = client.post(
        decide,
        {
            **base,
            "d-re_evaluation_on": "2026-03-31",
            "a-0-description": "8D report on returns",
            "a-0-owner": staff.pk,
            "a-0-due_on": "2026-01-15",
        },
    )
    assert response.status_code == 302
    supplier.refresh_from_db()
    assert supplier.status == "probation"
    assert Decision.objects.get().approver == manager


def test_reward_from_an_a_standing_then_approved_shows_in_ranking(client, staff, manager, supplier, template):
    evaluation = closed_eval(supplier, template, staff, manager, rating=5)
    assert evaluation.standing == "A"
    client.force_login(staff)
    client.post(
        reverse("evaluations:incentive_propose", args=[evaluation.pk]),
        {"i-kind": "order_priority", "i-starts_on": "2025-07-01", "i-ends_on": "2099-06-30"},
    )
    incentive = Incentive.objects.get()
    assert incentive.status == "proposed"
    client.post(reverse("evaluations:incentive_approve", args=[incentive.pk]))
    incentive.refresh_from_db()
    assert incentive.status == "proposed"  # staff cannot approve (403)
    client.force_login(manager)
    client.post(reverse("evaluations:incentive_approve", args=[incentive.pk]))
    incentive.refresh_from_db()
    assert incentive.status == "approved" and incentive.approved_by == manager
    page = client.get(reverse("evaluations:overview"), {"template": template.pk}).content.decode()
    assert supplier.name in page and "Order priority" in page


def test_ranking_exports_csv_and_xlsx(client, staff, manager, template):
    for i, rating in enumerate((5, 3, 4)):
        closed_eval(PartnerFactory(name=f"=cmd|{i}", owner=staff), template, staff, manager, rating=rating)
    client.force_login(manager)
    csv_response = client.get(reverse("evaluations:overview"), {"template": template.pk, "format": "csv"})
    csv_text = b"".join(csv_response.streaming_content).decode()
    lines = csv_text.lstrip("\ufeff").splitlines()
    assert len(lines) == 4 and lines[1].split(",")[1] == "'=cmd|0"
    from openpyxl import load_workbook

    xlsx = client.get(reverse("evaluations:overview"), {"template": template.pk, "format": "xlsx"})
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    assert ws.max_row == 4 and ws["B2"].value == "'=cmd|0" and ws["B2"].data_type == "s"


def test_scorecard_shows_trend_and_runs_a_fixed_number_of_queries(client, staff, manager, supplier, template):
    client.force_login(manager)

    def measure() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("evaluations:scorecard", args=[supplier.pk]))
        assert response.status_code == 200
        return len(ctx.captured_queries), response.content.decode()

    closed_eval(supplier, template, staff, manager, rating=3, period=dt.date(2025, 2, 1))
    measure()  # warm: the standing labels (cache) and content types are read once
    small, _body = measure()
    for month, rating in ((5, 4), (8, 5), (11, 2)):
        closed_eval(supplier, template, staff, manager, rating=rating, period=dt.date(2025, month, 1))
    large, body = measure()
    assert large == small and large <= 15, (small, large)
    assert 'id="trend-chart"' in body and '"labels": ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]' in body


def test_overview_runs_a_fixed_number_of_queries(client, staff, manager, template):
    client.force_login(manager)

    def measure() -> int:
        cache.clear()  # counted afresh each time (ranking, standing labels): see test_overview_cache
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("evaluations:overview"), {"template": template.pk}).status_code == 200
        return len(ctx.captured_queries)

    closed_eval(PartnerFactory(owner=staff), template, staff, manager, rating=4)
    measure()  # the session's first save
    small = measure()
    for rating in (1, 2, 3, 5, 5):
        closed_eval(PartnerFactory(owner=staff), template, staff, manager, rating=rating)
    open_eval(PartnerFactory(owner=staff), template, [staff])
    assert measure() == small <= 15


def test_screening_opens_for_a_candidate_and_gates_activation(client, staff, manager):
    candidate = PartnerFactory(owner=staff, status="candidate")
    client.force_login(staff)
    page = client.get(reverse("evaluations:scorecard", args=[candidate.pk])).content.decode()
    assert "Start screening" in page and "becomes active only after passing screening" in page
    active = PartnerFactory(owner=staff, status="active")
    assert "Start screening" not in client.get(reverse("evaluations:scorecard", args=[active.pk])).content.decode()
    from evaluations.models import ScorecardTemplate

    screening = ScorecardTemplate.objects.get(purpose="screening")
    response = client.post(reverse("evaluations:screening_open", args=[candidate.pk]), {"template": screening.pk})
    evaluation = Evaluation.objects.get(partner=candidate, template=screening)
    assert response["Location"] == reverse("evaluations:detail", args=[evaluation.pk])
    assert [s.evaluator for s in evaluation.sheets.all()] == [staff]


def test_amend_needs_a_reason_and_keeps_the_previous_result(client, staff, manager, supplier, template):
    evaluation = closed_eval(supplier, template, staff, manager, rating=4)
    client.force_login(manager)
    page = client.post(reverse("evaluations:amend", args=[evaluation.pk]), {"reason": "  "}, follow=True)
    assert "Give a reason." in page.content.decode()
    evaluation.refresh_from_db()
    assert evaluation.status == "closed"
    client.post(reverse("evaluations:amend", args=[evaluation.pk]), {"reason": "Delivery data was wrong"})
    evaluation.refresh_from_db()
    assert evaluation.status == "open"
    amendment = evaluation.amendments.get()
    assert amendment.reason == "Delivery data was wrong" and amendment.previous_score is not None
    assert evaluation.sheets.get().submitted_at is None


def test_decision_actions_shown_with_their_state_until_verified(client, staff, manager, supervisor, supplier, template):
    """Issue #12 §4: the evaluation page lists the decision's corrective actions with their
    state; the owner answers on the action's page, supervision verifies, and the scorecard's
    open actions drop it."""
    from crm.models import CorrectiveAction
    from evaluations import services

    evaluation = closed_eval(supplier, template, staff, manager, rating=2)
    services.decision_record(
        evaluation=evaluation,
        by=manager,
        outcome="adjust_terms",
        reason="Late deliveries",
        actions=[services.ActionData(description="Add a buffer stock", owner=staff, due_on=dt.date(2026, 1, 31))],
        re_evaluation_on=dt.date(2026, 3, 31),
    )
    action = CorrectiveAction.objects.get()
    client.force_login(staff)
    page = client.get(reverse("evaluations:detail", args=[evaluation.pk])).content.decode()
    assert 'id="plan-actions"' in page and "Add a buffer stock" in page and 'data-state="open"' in page
    assert "Add a buffer stock" in client.get(reverse("evaluations:scorecard", args=[supplier.pk])).content.decode()
    detail = reverse("corrective_action_detail", args=[action.pk])
    version = action.updated_at.isoformat()
    client.post(
        reverse("corrective_action_respond", args=[action.pk]), {"r-response": "Buffer in place", "r-version": version}
    )
    action.refresh_from_db()
    assert action.state == "responded"
    page = client.get(reverse("evaluations:detail", args=[evaluation.pk])).content.decode()
    assert 'data-state="responded"' in page
    client.force_login(supervisor)
    client.post(
        reverse("corrective_action_verify", args=[action.pk]),
        {"v-outcome": "accept", "v-note": "", "v-version": action.updated_at.isoformat()},
    )
    action.refresh_from_db()
    assert action.state == "verified"
    assert "Add a buffer stock" not in client.get(reverse("evaluations:scorecard", args=[supplier.pk])).content.decode()
    assert 'data-state="verified"' in client.get(detail).content.decode()


def test_manager_overrides_screening_with_a_reason(client, staff, manager):
    candidate = PartnerFactory(owner=staff, status="candidate")
    url = reverse("evaluations:screening_override", args=[candidate.pk])
    client.force_login(staff)
    assert client.post(url, {"reason": "Sole source"}).status_code == 403
    client.force_login(manager)
    assert "Give a reason." in client.post(url, {"reason": ""}, follow=True).content.decode()
    client.post(url, {"reason": "Sole source for the housing; audit booked"})
    from evaluations.selectors import supplier_can_activate

    assert supplier_can_activate(candidate)
    assert candidate.screening_overrides.get().reason == "Sole source for the housing; audit booked"


def test_ranking_as_of_an_earlier_period(client, staff, manager, template):
    a, b = PartnerFactory(name="Alpha Steel", owner=staff), PartnerFactory(name="Beta Steel", owner=staff)
    closed_eval(a, template, staff, manager, rating=5, period=dt.date(2025, 5, 1))
    closed_eval(b, template, staff, manager, rating=2, period=dt.date(2025, 5, 1))
    closed_eval(b, template, staff, manager, rating=5, period=dt.date(2025, 8, 1))
    client.force_login(manager)
    url = reverse("evaluations:overview")
    rows = client.get(url, {"template": template.pk, "period": "2025-04-01"}).context["rows"]
    assert [(r.name, r.standing) for r in rows] == [("Alpha Steel", "A"), ("Beta Steel", "D")]
    now = client.get(url, {"template": template.pk}).context["rows"]
    assert {r.name for r in now} == {"Alpha Steel", "Beta Steel"}
    assert client.get(url, {"template": template.pk, "period": "garbage"}).status_code == 200
    only_a = client.get(url, {"template": template.pk, "standing": "A"}).context["rows"]
    assert [r.name for r in only_a] == ["Alpha Steel"]
    # Refused values drop their filter only.
    response = client.get(url, {"template": template.pk, "standing": "A", "department": "9" * 30, "tier": "x"})
    assert [r.name for r in response.context["rows"]] == ["Alpha Steel"]
    assert (response.context["department_id"], response.context["tier"]) == (None, None)
    elsewhere = client.get(url, {"template": template.pk, "department": a.department_id + 1000}).context["rows"]
    assert list(elsewhere) == []


def test_suppliers_and_partners_link_to_their_scorecard_customers_do_not(client, staff):
    client.force_login(staff)
    for family, linked in (("supplier", True), ("partner", True), ("customer", False)):
        partner = PartnerFactory(owner=staff, family=family)
        page = client.get(reverse("partners:detail", args=[partner.pk])).content.decode()
        assert (reverse("evaluations:scorecard", args=[partner.pk]) in page) is linked, family
