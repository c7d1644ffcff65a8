"""What follows a closed evaluation: decisions, corrective actions, incentives, screening."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.selectors import actions_for_source
from crm.services import corrective_action_raise
from partners.models import Family, Partner, Status
from partners.services import partner_status_problem

from ..models import (
    CONSEQUENCES_NEEDING_PLAN,
    CorrectiveActionPlan,
    Decision,
    Evaluation,
    Incentive,
    Purpose,
    ScreeningOverride,
)
from ..selectors import (
    can_open_evaluation,
    evaluation_incentive_eligible,
    may_decide_evaluation,
    supplier_can_activate,
)
from ._common import _require_reason, _stamp

# --- Decisions and corrective actions -----------------------------------------------------------


@dataclass
class ActionData:
    description: str
    owner: object
    due_on: dt.date


def _move_partner_status(partner: Partner, new_status: str, by, reason: str) -> None:
    """Partner status follows the decision; the partner's history records who and why (P3.1)."""
    if partner.status == new_status:
        return
    if problem := partner_status_problem(partner=partner, to_status=new_status):
        raise ValidationError(problem, code="bad_transition")
    partner.status = new_status
    _stamp(partner, by, reason).save(update_fields=["status", "updated_at"])


OUTCOME_STATUS = {Decision.Outcome.PROBATION: Status.PROBATION, Decision.Outcome.TERMINATE: Status.TERMINATED}


@transaction.atomic
def decision_record(
    *,
    evaluation: Evaluation,
    by,
    outcome: str,
    reason: str,
    actions: Sequence[ActionData] = (),
    re_evaluation_on: dt.date | None = None,
    plan_notes: str = "",
) -> Decision:
    """Record what follows a closed evaluation (P4.1.1), approved by a department manager.

    A C or D standing (consequence: corrective action / probation or exit review) needs a
    corrective action plan with at least one action: pass ``actions`` (and
    ``re_evaluation_on``) or add them to the existing plan; ending the relationship
    (terminate) needs none, there is nothing left to correct. A reward needs an
    incentive-eligible standing (``evaluation_incentive_eligible``). Probation and termination
    move the partner's status.
    """
    reason = _require_reason(reason)
    evaluation = Evaluation.objects.select_for_update().select_related("partner", "template").get(pk=evaluation.pk)
    if not may_decide_evaluation(by, evaluation.partner):
        raise PermissionDenied
    if outcome not in Decision.Outcome.values:
        raise ValidationError(_("Choose a valid outcome."), code="bad_outcome")
    if evaluation.status != Evaluation.Status.CLOSED:
        raise ValidationError(_("Close the evaluation before recording a decision."), code="not_closed")
    if Decision.objects.filter(evaluation=evaluation, revision=evaluation.revision).exists():
        raise ValidationError(_("A decision was already recorded for this evaluation."), code="decided")
    consequence = evaluation.consequence
    if outcome == Decision.Outcome.REWARD and not evaluation_incentive_eligible(evaluation):
        raise ValidationError(_("Only a standing eligible for incentives can be rewarded."), code="no_reward")
    plan = CorrectiveActionPlan.objects.filter(evaluation=evaluation).first()
    has_actions = plan is not None and actions_for_source(plan).exists()
    actions = list(actions)
    needs_plan = consequence in CONSEQUENCES_NEEDING_PLAN and outcome != Decision.Outcome.TERMINATE
    if needs_plan and not has_actions and not actions:
        raise ValidationError(
            _("A %(standing)s standing needs a corrective action plan with at least one action.")
            % {"standing": evaluation.standing},
            code="plan_required",
        )
    problems = []
    if actions and plan is None and re_evaluation_on is None:
        problems.append(_("Give the re-evaluation date of the corrective action plan."))
    for a in actions:
        if not (a.description or "").strip() or a.owner is None or a.due_on is None:
            problems.append(_("Each corrective action needs a description, an owner and a due date."))
            break
    if problems:
        raise ValidationError(problems, code="bad_plan")
    if actions:
        if plan is None:
            plan = _stamp(
                CorrectiveActionPlan(
                    evaluation=evaluation, re_evaluation_on=re_evaluation_on, notes=plan_notes, created_by=by
                ),
                by,
            )
            plan.save()
        elif re_evaluation_on is not None and plan.re_evaluation_on != re_evaluation_on:
            plan.re_evaluation_on = re_evaluation_on
            _stamp(plan, by).save(update_fields=["re_evaluation_on", "updated_at"])
        # Kernel corrective actions (crm.services): the owner responds, the supervision group
        # verifies, the scheduler reminds and escalates to the partner's department.
        for a in actions:
            corrective_action_raise(
                source=plan,
                description=a.description,
                department=evaluation.partner.department,
                owner=a.owner,
                due_on=a.due_on,
                by=by,
            )
    decision = _stamp(
        Decision(
            evaluation=evaluation,
            revision=evaluation.revision,
            outcome=outcome,
            reason=reason,
            approver=by,
            decided_at=timezone.now(),
        ),
        by,
    )
    decision.save()
    if outcome in OUTCOME_STATUS:
        _move_partner_status(evaluation.partner, OUTCOME_STATUS[outcome], by, reason)
    return decision


# --- Incentives (P4.1.3) ------------------------------------------------------------------------


@transaction.atomic
def incentive_propose(
    *, evaluation: Evaluation, by, kind: str, starts_on: dt.date, ends_on: dt.date, note: str = ""
) -> Incentive:
    """Propose a reward from a closed evaluation whose band is incentive-eligible (P4.1.3)."""
    evaluation = Evaluation.objects.select_related("partner").get(pk=evaluation.pk)
    if not can_open_evaluation(by, evaluation.partner):
        raise PermissionDenied
    problems = []
    if kind not in Incentive.Kind.values:
        problems.append(_("Choose a valid kind of incentive."))
    if not evaluation_incentive_eligible(evaluation):
        problems.append(
            _("Incentives are proposed from a closed evaluation whose standing is eligible for incentives.")
        )
    if starts_on is None or ends_on is None or ends_on < starts_on:
        problems.append(_("The end date cannot be before the start date."))
    duplicate = Incentive.objects.filter(evaluation=evaluation, kind=kind).exclude(status=Incentive.Status.REJECTED)
    if kind in Incentive.Kind.values and duplicate.exists():
        problems.append(_("This incentive was already proposed for this evaluation."))
    if problems:
        raise ValidationError(problems, code="bad_incentive")
    incentive = _stamp(
        Incentive(
            partner=evaluation.partner,
            evaluation=evaluation,
            kind=kind,
            starts_on=starts_on,
            ends_on=ends_on,
            note=note.strip(),
            proposed_by=by,
        ),
        by,
    )
    incentive.save()
    return incentive


def _incentive_decide(incentive: Incentive, by, status: str) -> Incentive:
    incentive = Incentive.objects.select_for_update().select_related("partner").get(pk=incentive.pk)
    if not may_decide_evaluation(by, incentive.partner):
        raise PermissionDenied
    if incentive.status != Incentive.Status.PROPOSED:
        raise ValidationError(_("This incentive was already decided."), code="decided")
    incentive.status = status
    incentive.approved_by = by
    incentive.decided_at = timezone.now()
    _stamp(incentive, by).save(update_fields=["status", "approved_by", "decided_at", "updated_at"])
    return incentive


@transaction.atomic
def incentive_approve(*, incentive: Incentive, by) -> Incentive:
    """Approve a proposed incentive: managers of the partner's department (P4.1.3)."""
    return _incentive_decide(incentive, by, Incentive.Status.APPROVED)


@transaction.atomic
def incentive_reject(*, incentive: Incentive, by) -> Incentive:
    return _incentive_decide(incentive, by, Incentive.Status.REJECTED)


# --- Screening (P4.1.1) ----------------------------------------------------------------------


@transaction.atomic
def screening_override(*, partner: Partner, by, reason: str, evaluation: Evaluation | None = None) -> ScreeningOverride:
    """A department manager lets a candidate supplier activate without a passed screening."""
    reason = _require_reason(reason)
    if not may_decide_evaluation(by, partner):
        raise PermissionDenied
    if partner.family != Family.SUPPLIER or partner.status != Status.CANDIDATE:
        raise ValidationError(_("Only a candidate supplier's screening can be overridden."), code="not_candidate")
    if evaluation is not None and (
        evaluation.partner_id != partner.pk or evaluation.template.purpose != Purpose.SCREENING
    ):
        raise ValidationError(_("This is not a screening evaluation of this supplier."), code="bad_evaluation")
    override = _stamp(ScreeningOverride(partner=partner, evaluation=evaluation, reason=reason, approved_by=by), by)
    override.save()
    return override


@transaction.atomic
def supplier_activate(*, partner: Partner, by) -> Partner:
    """Candidate → active, only after a passed screening or a manager override (P4.1.1).

    The partners app's status change should call ``selectors.supplier_can_activate`` (or this).
    """
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    if not can_open_evaluation(by, partner):
        raise PermissionDenied
    if partner.status != Status.CANDIDATE:
        raise ValidationError(_("Only a candidate can be activated."), code="not_candidate")
    if not supplier_can_activate(partner):
        raise ValidationError(
            _("This supplier has not passed screening: it needs a passed screening or a manager's override."),
            code="screening_required",
        )
    _move_partner_status(partner, Status.ACTIVE, by, "screening passed")
    return partner
