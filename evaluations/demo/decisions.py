"""What follows a close: decisions, corrective action plans and incentives (decision_record's rules)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import User

from crm.models import CorrectiveAction
from partners.models import Partner, Status

from .. import scoring
from ..models import Consequence, CorrectiveActionPlan, Decision, Incentive
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
    closed: list[dict] = field(default_factory=list)  # rows of its closed evaluations
    last_incentive: int = -99  # index of the period of the latest incentive


class DecisionMaker:
    """The decision half of the history seeder (``history.HistorySeeder``), which holds the
    random stream, the template and the rows to write (dicts: attname → value; a row's parent
    evaluation under "evaluation" until it is written)."""

    rng: random.Random
    today: dt.date
    ctx: TemplateContext
    blank: dict[type, dict]  # a new row of each model
    decisions: list[dict]
    plans: list[tuple[dict, list[dict]]]  # (plan, its actions)
    incentives: list[dict]
    verifiers: list[User]  # the supervision group: who verifies corrective actions
    action_count: int = 0

    def moment(self, day: dt.date, *, after: dt.datetime | None = None) -> dt.datetime:
        raise NotImplementedError

    def decide(self, plan: SupplierPlan, evaluation: dict, index: int, *, latest: bool) -> None:
        """Recorded by the approver (history too), like the plan and the incentive it brings."""
        rng, lang = self.rng, plan.lang
        closed_at = evaluation["closed_at"]
        decided_at = self.moment(closed_at.date() + dt.timedelta(days=rng.choice((0, 0, 1, 2, 5))), after=closed_at)
        consequence = evaluation["snapshot"].get("consequence")
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
        decision = self.blank[Decision] | {
            "evaluation": evaluation,
            "revision": evaluation["revision"],
            "outcome": outcome,
            "reason": REASONS[lang][outcome],
            "approver_id": plan.approver.pk,
            "decided_at": decided_at,
            "created_at": decided_at,
            "updated_at": decided_at,
        }
        self.decisions.append(decision)
        if incentive is not None:
            self.incentives.append(incentive)

    def action_plan(self, plan: SupplierPlan, evaluation: dict, decided_at: dt.datetime, *, latest: bool) -> None:
        """A corrective action plan with 1–2 actions aimed at the weakest criteria (decision_record's rule)."""
        rng, lang = self.rng, plan.lang
        means = {row["key"]: row["mean"] for row in evaluation["snapshot"]["criteria"]}
        weakest = sorted(
            (c for c in self.ctx.criteria if means.get(c.pk) is not None), key=lambda c: Decimal(means[c.pk])
        )
        _start, next_end = scoring.next_period(evaluation["period_start"], self.ctx.template.cadence)
        action_plan = self.blank[CorrectiveActionPlan] | {
            "evaluation": evaluation,
            "re_evaluation_on": next_end,
            "notes": PLAN_NOTES[lang],
            "created_by_id": plan.approver.pk,
            "created_at": decided_at,
            "updated_at": decided_at,
        }
        actions = []
        for criterion in weakest[: rng.randint(1, 2)] or [None]:
            word = topic(criterion, ACTIONS[lang])
            due = decided_at.date() + dt.timedelta(days=rng.randint(21, 75))
            action = self.blank[CorrectiveAction] | {
                "description": rng.choice(ACTIONS[lang][word]),
                "department_id": plan.partner.department_id,
                "owner_id": plan.evaluators[0].pk,
                "due_on": due,
                "raised_by_id": plan.approver.pk,
            }
            self.action_state(action, plan, lang, decided_at, latest=latest)
            actions.append(action)
        self.plans.append((action_plan, actions))

    def action_state(
        self, action: dict, plan: SupplierPlan, lang: str, decided_at: dt.datetime, *, latest: bool
    ) -> None:
        """Every state shows up: older plans are verified (a few cancelled); the latest plan's
        actions cycle through open (overdue once past due), awaiting verification and verified.
        Its history row (under "_history": date, user id) is signed by whoever acted last."""
        rng, State = self.rng, CorrectiveAction.State
        self.action_count += 1
        due = action["due_on"]
        if due >= self.today:
            state = (State.OPEN, State.RESPONDED)[self.action_count % 2]
        elif latest:
            state = (State.OPEN, State.RESPONDED, State.VERIFIED)[self.action_count % 3]
        else:
            state = rng.choices([State.VERIFIED, State.CANCELLED, State.OPEN], weights=(93, 5, 2))[0]
        if state == State.VERIFIED and not self.verifiers:
            state = State.RESPONDED  # nobody to verify it
        action["state"] = state
        updated = decided_at
        if state in (State.RESPONDED, State.VERIFIED):
            action["responded_at"] = updated = self.moment(
                min(due, self.today) - dt.timedelta(days=rng.randint(0, 14)), after=decided_at
            )
            action["responded_by_id"] = action["owner_id"]
            action["response"] = rng.choice(ACTION_RESPONSES[lang])
        if state == State.VERIFIED:
            checked = min(updated.date() + dt.timedelta(days=rng.randint(1, 10)), self.today)
            action["verified_at"] = updated = self.moment(checked, after=updated)
            action["verified_by_id"] = rng.choice(self.verifiers).pk
            action["verification_note"] = VERIFICATION_NOTES[lang]
        if state == State.CANCELLED:
            updated = self.moment(due - dt.timedelta(days=rng.randint(0, 14)), after=decided_at)
            action["cancel_reason"] = CANCEL_REASONS[lang]
        action["created_at"], action["updated_at"] = decided_at, updated
        action["_history"] = (updated, action["verified_by_id"] or action["responded_by_id"] or plan.approver.pk)

    def incentive(self, plan: SupplierPlan, evaluation: dict, index: int, decided_at: dt.datetime) -> dict:
        """Proposed by the owner, approved by the manager; order priority 6 months, extension a year."""
        kind = self.rng.choice((Incentive.Kind.ORDER_PRIORITY, Incentive.Kind.CONTRACT_EXTENSION))
        starts = decided_at.date()
        months = 6 if kind == Incentive.Kind.ORDER_PRIORITY else 12
        month = starts.month - 1 + months
        ends = dt.date(starts.year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
        plan.last_incentive = index
        return self.blank[Incentive] | {
            "partner_id": plan.partner.pk,
            "evaluation": evaluation,
            "kind": kind,
            "status": Incentive.Status.APPROVED,
            "note": INCENTIVE_NOTES[plan.lang],
            "proposed_by_id": plan.evaluators[0].pk,
            "approved_by_id": plan.approver.pk,
            "decided_at": decided_at,
            "starts_on": starts,
            "ends_on": max(ends, starts),
            "created_at": evaluation["closed_at"],
            "updated_at": decided_at,
        }
