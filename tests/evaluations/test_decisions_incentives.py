"""Decisions, corrective action plans, incentives and screening (P4.1.1, P4.1.3)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from crm import services as crm_services
from crm.models import CorrectiveAction
from crm.selectors import actions_for_source
from evaluations import services
from evaluations.models import (
    Consequence,
    CorrectiveActionPlan,
    Decision,
    Incentive,
    ScreeningOverride,
)
from evaluations.scoring import Band
from evaluations.selectors import evaluation_incentive_eligible, supplier_can_activate
from partners.models import Partner
from tests.evaluations.factories import closed_eval, make_template
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 7, 15)


def action(owner, description="Fix the packaging line"):
    return services.ActionData(description=description, owner=owner, due_on=TODAY + dt.timedelta(days=30))


# --- Decisions --------------------------------------------------------------------------------


def test_decision_needs_a_reason(template, supplier, staff, manager):
    evaluation = closed_eval(supplier, template, staff, manager, rating=4)
    with pytest.raises(ValidationError, match="Give a reason"):
        services.decision_record(evaluation=evaluation, by=manager, outcome="continue", reason="")
    assert not Decision.objects.exists()


def test_decision_on_an_open_evaluation_is_refused(template, supplier, staff, manager):
    from tests.evaluations.factories import open_eval

    evaluation = open_eval(supplier, template, [staff])
    with pytest.raises(ValidationError, match="Close the evaluation"):
        services.decision_record(evaluation=evaluation, by=manager, outcome="continue", reason="ok")


@pytest.mark.parametrize(("rating", "standing"), [(3, "C"), (2, "D")])
def test_c_or_d_standing_requires_a_corrective_action_plan(template, supplier, staff, manager, rating, standing):
    evaluation = closed_eval(supplier, template, staff, manager, rating=rating)
    assert evaluation.standing == standing
    with pytest.raises(ValidationError, match="needs a corrective action plan"):
        services.decision_record(evaluation=evaluation, by=manager, outcome="adjust_terms", reason="late")
    with pytest.raises(ValidationError, match="re-evaluation date"):
        services.decision_record(
            evaluation=evaluation, by=manager, outcome="adjust_terms", reason="late", actions=[action(staff)]
        )
    assert not Decision.objects.exists() and not CorrectiveActionPlan.objects.exists()
    decision = services.decision_record(
        evaluation=evaluation,
        by=manager,
        outcome="adjust_terms",
        reason="Quality slipped",
        actions=[action(staff), action(staff, "Weekly quality call")],
        re_evaluation_on=TODAY + dt.timedelta(days=90),
    )
    plan = CorrectiveActionPlan.objects.get(evaluation=evaluation)
    actions = list(actions_for_source(plan))
    assert [a.description for a in actions] == ["Fix the packaging line", "Weekly quality call"]
    assert {a.state for a in actions} == {"open"}
    # Kernel corrective actions: addressed to the partner's department, raised by the manager.
    assert {(a.department_id, a.raised_by_id, a.owner_id) for a in actions} == {
        (supplier.department_id, manager.pk, staff.pk)
    }
    assert decision.approver == manager and decision.revision == 1


def test_one_decision_per_close(template, supplier, staff, manager):
    evaluation = closed_eval(supplier, template, staff, manager, rating=4)
    services.decision_record(evaluation=evaluation, by=manager, outcome="continue", reason="Good")
    with pytest.raises(ValidationError, match="already recorded"):
        services.decision_record(evaluation=evaluation, by=manager, outcome="continue", reason="Again")
    assert Decision.objects.count() == 1


def test_decision_probation_then_terminate_moves_partner_status_with_history(template, supplier, staff, manager):
    evaluation = closed_eval(supplier, template, staff, manager, rating=2)
    services.decision_record(
        evaluation=evaluation,
        by=manager,
        outcome="probation",
        reason="Late and defective",
        actions=[action(staff)],
        re_evaluation_on=TODAY,
    )
    supplier.refresh_from_db()
    assert supplier.status == "probation"
    last = Partner.history.filter(id=supplier.pk).latest("history_date")
    assert last.status == "probation" and last.history_user_id == manager.pk
    assert last.history_change_reason == "Late and defective"

    later = closed_eval(supplier, template, staff, manager, rating=1, period=dt.date(2025, 8, 1))
    services.decision_record(evaluation=later, by=manager, outcome="terminate", reason="No improvement")
    supplier.refresh_from_db()
    assert supplier.status == "terminated"


def test_decision_refuses_an_impossible_status_move_and_saves_nothing(template, staff, manager):
    candidate = PartnerFactory(owner=staff, status="candidate")
    evaluation = closed_eval(candidate, template, staff, manager, rating=4)
    with pytest.raises(ValidationError, match="cannot go from"):
        services.decision_record(evaluation=evaluation, by=manager, outcome="probation", reason="x")
    assert not Decision.objects.exists()
    assert Partner.objects.get(pk=candidate.pk).status == "candidate"


@pytest.mark.parametrize("who", ["staff", "manager_sales", "supervisor"])
def test_only_department_managers_decide(request, template, supplier, staff, manager, who):
    evaluation = closed_eval(supplier, template, staff, manager, rating=4)
    with pytest.raises(PermissionDenied):
        services.decision_record(
            evaluation=evaluation, by=request.getfixturevalue(who), outcome="continue", reason="fine"
        )
    assert not Decision.objects.exists()


def test_reward_only_from_an_a_standing(template, supplier, staff, manager):
    b = closed_eval(supplier, template, staff, manager, rating=4)
    with pytest.raises(ValidationError, match="eligible for incentives"):
        services.decision_record(evaluation=b, by=manager, outcome="reward", reason="nice")
    a = closed_eval(supplier, template, staff, manager, rating=5, period=dt.date(2025, 8, 1))
    services.decision_record(evaluation=a, by=manager, outcome="reward", reason="Best quarter")
    assert Decision.objects.get().evaluation == a


def test_decision_actions_answered_by_owner_or_manager_only_then_verified(
    template, supplier, staff, manager, staff_sales, supervisor
):
    evaluation = closed_eval(supplier, template, staff, manager, rating=3)
    services.decision_record(
        evaluation=evaluation,
        by=manager,
        outcome="adjust_terms",
        reason="x",
        actions=[action(staff)],
        re_evaluation_on=TODAY,
    )
    item = CorrectiveAction.objects.get()
    with pytest.raises(PermissionDenied):
        crm_services.corrective_action_respond(action=item, by=staff_sales, response="done")
    crm_services.corrective_action_respond(action=item, by=staff, response="Done, see report")
    assert CorrectiveAction.objects.get().state == "responded"
    crm_services.corrective_action_verify(action=item, by=supervisor, accepted=True, note="")
    assert CorrectiveAction.objects.get().state == "verified"


# --- Incentives (P4.1.3) ----------------------------------------------------------------------


def test_incentive_only_from_an_a_standing(template, supplier, staff, manager):
    b = closed_eval(supplier, template, staff, manager, rating=4)
    with pytest.raises(ValidationError, match="eligible for incentives"):
        services.incentive_propose(
            evaluation=b, by=staff, kind="order_priority", starts_on=TODAY, ends_on=TODAY + dt.timedelta(days=90)
        )
    assert not Incentive.objects.exists()


def test_incentive_end_before_start_is_refused(template, supplier, staff, manager):
    a = closed_eval(supplier, template, staff, manager, rating=5)
    with pytest.raises(ValidationError, match="end date"):
        services.incentive_propose(
            evaluation=a, by=staff, kind="award", starts_on=TODAY, ends_on=TODAY - dt.timedelta(days=1)
        )
    assert not Incentive.objects.exists()


def test_incentive_proposed_then_approved_by_the_department_manager_only(
    template, supplier, staff, manager, manager_sales, supervisor
):
    a = closed_eval(supplier, template, staff, manager, rating=5)
    incentive = services.incentive_propose(
        evaluation=a, by=staff, kind="contract_extension", starts_on=TODAY, ends_on=TODAY + dt.timedelta(days=365)
    )
    assert incentive.status == "proposed" and incentive.partner == supplier
    with pytest.raises(ValidationError, match="already proposed"):
        services.incentive_propose(evaluation=a, by=staff, kind="contract_extension", starts_on=TODAY, ends_on=TODAY)
    for who in (staff, manager_sales, supervisor):
        with pytest.raises(PermissionDenied):
            services.incentive_approve(incentive=incentive, by=who)
    assert Incentive.objects.get().status == "proposed"
    services.incentive_approve(incentive=incentive, by=manager)
    incentive.refresh_from_db()
    assert incentive.status == "approved" and incentive.approved_by == manager
    with pytest.raises(ValidationError, match="already decided"):
        services.incentive_reject(incentive=incentive, by=manager)


def test_supervision_cannot_propose_incentives(template, supplier, staff, manager, supervisor):
    a = closed_eval(supplier, template, staff, manager, rating=5)
    with pytest.raises(PermissionDenied):
        services.incentive_propose(evaluation=a, by=supervisor, kind="award", starts_on=TODAY, ends_on=TODAY)


# --- Screening (P4.1.1) -----------------------------------------------------------------------


@pytest.fixture
def screening(db):
    return make_template(purpose="screening", cadence="yearly", pass_threshold=70)


@pytest.fixture
def candidate(staff):
    return PartnerFactory(owner=staff, status="candidate")


def test_candidate_cannot_activate_without_screening(candidate, staff):
    assert supplier_can_activate(candidate) is False
    with pytest.raises(ValidationError, match="not passed screening"):
        services.supplier_activate(partner=candidate, by=staff)
    assert Partner.objects.get(pk=candidate.pk).status == "candidate"


def test_failed_screening_keeps_candidate_and_passed_one_activates(screening, candidate, staff, manager):
    closed_eval(candidate, screening, staff, manager, rating=3, period=dt.date(2024, 3, 1))  # 50 < 70
    assert supplier_can_activate(candidate) is False
    closed_eval(candidate, screening, staff, manager, rating=4, period=dt.date(2025, 3, 1))  # 75 ≥ 70
    assert supplier_can_activate(candidate) is True
    services.supplier_activate(partner=candidate, by=staff)
    assert Partner.objects.get(pk=candidate.pk).status == "active"


def test_pass_threshold_is_the_one_frozen_on_close(screening, candidate, staff, manager):
    closed_eval(candidate, screening, staff, manager, rating=4)  # 75
    screening.pass_threshold = 80
    screening.save()
    assert supplier_can_activate(candidate) is True


def test_manager_override_with_reason_lets_a_failed_candidate_activate(screening, candidate, staff, manager):
    failed = closed_eval(candidate, screening, staff, manager, rating=2)
    with pytest.raises(ValidationError, match="Give a reason"):
        services.screening_override(partner=candidate, by=manager, reason="", evaluation=failed)
    with pytest.raises(PermissionDenied):
        services.screening_override(partner=candidate, by=staff, reason="urgent", evaluation=failed)
    assert not ScreeningOverride.objects.exists()
    services.screening_override(partner=candidate, by=manager, reason="Sole source for part X", evaluation=failed)
    override = ScreeningOverride.objects.get()
    assert override.approved_by == manager and override.evaluation == failed
    assert supplier_can_activate(candidate) is True


def test_other_families_are_not_screened(staff):
    partner = PartnerFactory(owner=staff, family="partner", status="candidate")
    assert supplier_can_activate(partner) is True


# --- Incentive eligibility follows the band's consequence, not the letter (P4.1.3) ---------------


@pytest.fixture
def b_rewarded_template():
    """A template whose "A" band carries no incentive and whose "B" band does."""
    return make_template(
        bands=[
            Band("A", Decimal(85), "Top", Consequence.NONE),
            Band("B", Decimal(70), "Rewarded", Consequence.INCENTIVE_ELIGIBLE),
            Band("C", Decimal(50), "Weak", Consequence.CORRECTIVE_ACTION),
            Band("D", Decimal(0), "Bad", Consequence.PROBATION_OR_EXIT_REVIEW),
        ]
    )


def test_incentive_eligibility_follows_the_bands_consequence_not_the_letter(
    b_rewarded_template, supplier, staff, manager
):
    a = closed_eval(supplier, b_rewarded_template, staff, manager, rating=5, period=dt.date(2025, 2, 10))
    b = closed_eval(supplier, b_rewarded_template, staff, manager, rating=4, period=dt.date(2025, 5, 10))
    assert (a.standing, b.standing) == ("A", "B")
    assert not evaluation_incentive_eligible(a) and evaluation_incentive_eligible(b)
    with pytest.raises(ValidationError, match="eligible for incentives"):
        services.incentive_propose(
            evaluation=a, by=staff, kind="order_priority", starts_on=TODAY, ends_on=TODAY + dt.timedelta(days=90)
        )
    with pytest.raises(ValidationError, match="eligible for incentives"):
        services.decision_record(evaluation=a, by=manager, outcome="reward", reason="Top marks")
    incentive = services.incentive_propose(
        evaluation=b, by=staff, kind="order_priority", starts_on=TODAY, ends_on=TODAY + dt.timedelta(days=90)
    )
    assert incentive.evaluation == b
    assert services.decision_record(evaluation=b, by=manager, outcome="reward", reason="Good").outcome == "reward"


def test_propose_button_and_reward_choice_follow_the_bands_consequence(
    client, b_rewarded_template, supplier, staff, manager
):
    a = closed_eval(supplier, b_rewarded_template, staff, manager, rating=5, period=dt.date(2025, 2, 10))
    b = closed_eval(supplier, b_rewarded_template, staff, manager, rating=4, period=dt.date(2025, 5, 10))
    for user in (staff, manager):  # staff propose too (P4.1.3); managers approve
        client.force_login(user)
        page_a = client.get(reverse("evaluations:detail", args=[a.pk])).content.decode()
        page_b = client.get(reverse("evaluations:detail", args=[b.pk])).content.decode()
        assert reverse("evaluations:incentive_propose", args=[a.pk]) not in page_a
        assert reverse("evaluations:incentive_propose", args=[b.pk]) in page_b
    # The decision form offers a reward only where the band allows one.
    assert 'value="reward"' not in page_a and 'value="reward"' in page_b
    response = client.post(
        reverse("evaluations:incentive_propose", args=[a.pk]),
        {"i-kind": "order_priority", "i-starts_on": "2025-07-01", "i-ends_on": "2026-06-30"},
    )
    assert response.status_code == 302 and not Incentive.objects.filter(evaluation=a).exists()
