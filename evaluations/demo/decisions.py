"""What follows a close: decisions, corrective action plans and incentives (decision_record's rules)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import User

from crm.demo_rows import set_times
from crm.models import CorrectiveAction
from partners.models import Partner, Status

from .. import scoring
from ..models import Consequence, CorrectiveActionPlan, Decision, Evaluation, Incentive
from .data import (
    ACTION_RESPONSES,
    ACTIONS,
    CANCEL_REASONS,
    INCENTIVE_NOTES,
    PLAN_NOTES,
    REASONS,
    VERIFICATION_NOTES,
    topic,
)
from .snapshot import TemplateContext


@dataclass
class SupplierPlan:
    partner: Partner
    lang: str
    evaluators: list[User]
    approver: User | None
    level: float  # latent quality, 0–100
    drift: float  # per period
    offsets: list[float]  # per criterion: strong on quality, weak on price...
    biases: list[float]  # per evaluator: a strict one, a lenient one
    closed: list[Evaluation] = field(default_factory=list)
    last_incentive: int = -99  # index of the period of the latest incentive


class DecisionMaker:
    """The decision half of the history seeder (``history.HistorySeeder``), which holds the
    random stream, the template and the rows to write."""

    rng: random.Random
    today: dt.date
    ctx: TemplateContext
    decisions: list[Decision]
    plans: list[tuple[CorrectiveActionPlan, list[CorrectiveAction]]]
    incentives: list[Incentive]
    verifiers: list[User]  # the supervision group: who verifies corrective actions
    action_count: int = 0

    def moment(self, day: dt.date, *, after: dt.datetime | None = None) -> dt.datetime:
        raise NotImplementedError

    def decide(self, plan: SupplierPlan, evaluation: Evaluation, index: int, *, latest: bool) -> None:
        rng, lang = self.rng, plan.lang
        decided_at = self.moment(
            evaluation.closed_at.date() + dt.timedelta(days=rng.choice((0, 0, 1, 2, 5))), after=evaluation.closed_at
        )
        consequence = evaluation.snapshot.get("consequence")
        incentive = None
        if consequence == Consequence.INCENTIVE_ELIGIBLE:
            outcome = Decision.Outcome.CONTINUE
            if index - plan.last_incentive >= 3 and rng.random() < 0.4:
                outcome = Decision.Outcome.REWARD
                incentive = self.incentive(plan, evaluation, index, decided_at)
        elif consequence == Consequence.CORRECTIVE_ACTION or consequence == Consequence.PROBATION_OR_EXIT_REVIEW:
            if latest:
                # The supplier's status today follows its latest decision.
                on_probation = plan.partner.status == Status.PROBATION
                outcome = Decision.Outcome.PROBATION if on_probation else Decision.Outcome.ADJUST_TERMS
            elif consequence == Consequence.PROBATION_OR_EXIT_REVIEW and rng.random() < 0.5:
                outcome = Decision.Outcome.PROBATION
            else:
                outcome = Decision.Outcome.ADJUST_TERMS
            self.action_plan(plan, evaluation, decided_at, latest=latest)
        else:
            outcome = Decision.Outcome.CONTINUE
        decision = Decision(
            evaluation=evaluation,
            revision=evaluation.revision,
            outcome=outcome,
            reason=REASONS[lang][outcome],
            approver=plan.approver,
            decided_at=decided_at,
        )
        set_times(decision, decided_at)
        decision._history_date, decision._history_user = decided_at, plan.approver
        self.decisions.append(decision)
        if incentive is not None:
            self.incentives.append(incentive)

    def action_plan(self, plan: SupplierPlan, evaluation: Evaluation, decided_at: dt.datetime, *, latest: bool) -> None:
        """A corrective action plan with 1–2 actions aimed at the weakest criteria (decision_record's rule)."""
        rng, lang = self.rng, plan.lang
        means = {row["key"]: row["mean"] for row in evaluation.snapshot["criteria"]}
        weakest = sorted(
            (c for c in self.ctx.criteria if means.get(c.pk) is not None), key=lambda c: Decimal(means[c.pk])
        )
        _start, next_end = scoring.next_period(evaluation.period_start, self.ctx.template.cadence)
        action_plan = CorrectiveActionPlan(
            evaluation=evaluation,
            re_evaluation_on=next_end,
            notes=PLAN_NOTES[lang],
            created_by=plan.approver,
        )
        set_times(action_plan, decided_at)
        action_plan._history_date, action_plan._history_user = decided_at, plan.approver
        actions = []
        for criterion in weakest[: rng.randint(1, 2)] or [None]:
            word = topic(criterion, ACTIONS[lang])
            due = decided_at.date() + dt.timedelta(days=rng.randint(21, 75))
            action = CorrectiveAction(
                description=rng.choice(ACTIONS[lang][word]),
                department_id=plan.partner.department_id,
                owner=plan.evaluators[0],
                due_on=due,
                raised_by=plan.approver,
            )
            self.action_state(action, plan, lang, decided_at, latest=latest)
            actions.append(action)
        self.plans.append((action_plan, actions))

    def action_state(
        self, action: CorrectiveAction, plan: SupplierPlan, lang: str, decided_at: dt.datetime, *, latest: bool
    ) -> None:
        """Every state shows up: older plans are verified (a few cancelled); the latest plan's
        actions cycle through open (overdue once past due), awaiting verification and verified."""
        rng, State = self.rng, CorrectiveAction.State
        self.action_count += 1
        due = action.due_on
        if due >= self.today:
            state = (State.OPEN, State.RESPONDED)[self.action_count % 2]
        elif latest:
            state = (State.OPEN, State.RESPONDED, State.VERIFIED)[self.action_count % 3]
        else:
            state = rng.choices([State.VERIFIED, State.CANCELLED, State.OPEN], weights=(93, 5, 2))[0]
        if state == State.VERIFIED and not self.verifiers:
            state = State.RESPONDED  # nobody to verify it
        action.state = state
        updated = decided_at
        if state in (State.RESPONDED, State.VERIFIED):
            action.responded_at = updated = self.moment(
                min(due, self.today) - dt.timedelta(days=rng.randint(0, 14)), after=decided_at
            )
            action.responded_by = action.owner
            action.response = rng.choice(ACTION_RESPONSES[lang])
        if state == State.VERIFIED:
            checked = min(updated.date() + dt.timedelta(days=rng.randint(1, 10)), self.today)
            action.verified_at = updated = self.moment(checked, after=updated)
            action.verified_by = rng.choice(self.verifiers)
            action.verification_note = VERIFICATION_NOTES[lang]
        if state == State.CANCELLED:
            updated = self.moment(due - dt.timedelta(days=rng.randint(0, 14)), after=decided_at)
            action.cancel_reason = CANCEL_REASONS[lang]
        set_times(action, decided_at, updated)
        action._history_date = updated
        action._history_user = action.verified_by or action.responded_by or plan.approver

    def incentive(self, plan: SupplierPlan, evaluation: Evaluation, index: int, decided_at: dt.datetime) -> Incentive:
        """Proposed by the owner, approved by the manager; order priority 6 months, extension a year."""
        kind = self.rng.choice((Incentive.Kind.ORDER_PRIORITY, Incentive.Kind.CONTRACT_EXTENSION))
        starts = decided_at.date()
        months = 6 if kind == Incentive.Kind.ORDER_PRIORITY else 12
        month = starts.month - 1 + months
        ends = dt.date(starts.year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
        plan.last_incentive = index
        incentive = Incentive(
            partner_id=plan.partner.pk,
            evaluation=evaluation,
            kind=kind,
            status=Incentive.Status.APPROVED,
            note=INCENTIVE_NOTES[plan.lang],
            proposed_by=plan.evaluators[0],
            approved_by=plan.approver,
            decided_at=decided_at,
            starts_on=starts,
            ends_on=max(ends, starts),
        )
        set_times(incentive, evaluation.closed_at, decided_at)
        incentive._history_date, incentive._history_user = decided_at, plan.approver
        return incentive
