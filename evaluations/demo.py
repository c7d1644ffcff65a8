"""Demo history of supplier scorecards, loaded by ``seed_demo``.

Every active or probation supplier without an evaluation on the periodic template gets:

- one closed evaluation per quarter for the last ``HISTORY_PERIODS`` quarters before the current
  one, scored by its owner and, for ~30 %, by a second evaluator from another department
  (Quality or Finance when such a user exists). Each supplier has a latent quality level and a
  drift, so its trend goes up, down or stays; an occasional bad quarter makes movers;
- the current quarter's evaluation, open as the scheduler opens it, with sheets mostly not
  started, some drafts and a few submitted early;
- for ~3 % the last quarter is still open after its due date (sheets missing, or all submitted
  and waiting for the manager to close), so reminders and the manager overview have work;
- a decision per closed evaluation, approved by a manager of the supplier's department (a
  superuser when the department has none): continue for A/B, reward with an approved incentive
  for some A, adjust terms or probation for C/D with a corrective action plan of 1–2 actions.

Results are exactly what the engine computes: ``frozen_snapshot`` builds the snapshot the way
``services.evaluations._freeze`` does (same ``scoring`` functions, same shape, same order of
inputs), and the overall scores and ``PartnerScore`` rows are computed like
``partner_score_refresh``, so calling it later changes nothing.

Everything is written with multi-row INSERTs (``_create``/``_insert``: bulk_create's fast path
without its per-value overhead, keeping the backdated created_at/updated_at). History: one
creation row each for evaluations, sheets, decisions, plans, actions and incentives, dated and
signed like the real action; none for criterion scores (tens of thousands of rows nothing
reads; the snapshot holds every input, and a later edit through the services records its own).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Exists, Model, OuterRef
from django.utils import timezone

from crm import roles
from partners.demo_data import EN, ZH
from partners.models import Family, Partner, Status

from . import scoring
from .models import (
    Cadence,
    Consequence,
    CorrectiveAction,
    CorrectiveActionPlan,
    Criterion,
    CriterionScore,
    Decision,
    Evaluation,
    EvaluatorSheet,
    Incentive,
    PartnerScore,
    Purpose,
    ScorecardTemplate,
)
from .services import EVALUATION_GRACE_DAYS
from .services._common import _name
from .services.templates import template_problems

HISTORY_PERIODS = 8  # closed periods before the current one
SECOND_EVALUATOR_SHARE = 0.30
LATE_SHARE = 0.03  # the last period is still open after its due date
NA_SHARE = 0.06  # N/A where a criterion allows it
SECOND_EVALUATOR_DEPARTMENTS = ("quality", "finance")
TEMPLATE_NAME = "Supplier periodic evaluation"
KPI_STORED = Decimal("0.0001")  # CriterionScore.kpi_value has 4 decimal places

# fmt: off
# Evaluator comments on low (1–2) and top (5) ratings, by the criterion's topic ("": any other).
EVIDENCE = {
    EN: {
        "quality": (["Two lots rejected at incoming inspection.", "Repeated cosmetic defects, rework needed."],
                    ["No defects found this quarter.", "Shared their SPC data without being asked."]),
        "price": (["Price increase announced without notice.", "Quotes well above comparable suppliers."],
                  ["Proposed a cost reduction on their own initiative.", "Held prices despite raw material costs."]),
        "service": (["Complaints answered only after reminders.", "No one available during the holidays."],
                    ["Answered every request within a day.", "Sent an engineer on site the next morning."]),
        "cooperation": (["Capacity changes learnt from others.", "Skipped the quarterly review meeting."],
                        ["Joined our improvement workshop.", "Shared their capacity plan early."]),
        "": (["Below what we agreed.", "Needed several reminders."],
             ["Excellent this quarter.", "Well above what we agreed."]),
        "kpi": "ERP on-time delivery report",
    },
    ZH: {
        "quality": (["来料检验有两批次被拒收。", "外观缺陷反复出现，需要返工。"],
                    ["本季度未发现缺陷。", "主动分享 SPC 数据。"]),
        "price": (["未提前通知即涨价。", "报价明显高于同类供应商。"],
                  ["主动提出降本方案。", "原材料上涨仍保持价格稳定。"]),
        "service": (["投诉需多次催促才回复。", "节假日无人对接。"],
                    ["所有需求一天内响应。", "第二天上午即派工程师到现场。"]),
        "cooperation": (["产能变化从他处得知。", "缺席季度评审会。"],
                        ["积极参与我方改善项目。", "提前分享产能计划。"]),
        "": (["未达到约定要求。", "需要多次催促。"], ["本季度表现优秀。", "明显超出约定要求。"]),
        "kpi": "ERP 准时交货率报表",
    },
}
REASONS = {
    EN: {
        Decision.Outcome.CONTINUE: "Result meets expectations: continue cooperation.",
        Decision.Outcome.REWARD: "Excellent result: continue, with an incentive.",
        Decision.Outcome.ADJUST_TERMS: "Below target: adjust terms and follow the corrective action plan.",
        Decision.Outcome.PROBATION: "Unacceptable result: probation until the re-evaluation.",
    },
    ZH: {
        Decision.Outcome.CONTINUE: "绩效符合要求，继续合作。",
        Decision.Outcome.REWARD: "表现优秀，继续合作并给予激励。",
        Decision.Outcome.ADJUST_TERMS: "未达标：调整合作条款，执行纠正措施计划。",
        Decision.Outcome.PROBATION: "结果不合格：进入考察期，直至复评。",
    },
}
# Corrective actions by the weakest criterion (the shipped template's names), else generic.
ACTIONS = {
    EN: {
        "quality": ["Submit an 8D root-cause report", "Hold a joint quality review"],
        "delivery": ["Agree a delivery recovery plan", "Send a weekly shipment status"],
        "price": ["Re-quote against market prices", "Share the cost breakdown"],
        "service": ["Name one contact for our requests", "Answer requests within 48 hours"],
        "": ["Agree an improvement plan", "Hold a monthly review meeting"],
    },
    ZH: {
        "quality": ["提交 8D 根因分析报告", "召开联合质量评审会"],
        "delivery": ["制定交付改善计划", "每周提供发货状态"],
        "price": ["对标市场价格重新报价", "提供成本明细"],
        "service": ["指定专人对接我方需求", "48 小时内响应需求"],
        "": ["制定改善计划", "每月召开评审会"],
    },
}
PLAN_NOTES = {EN: "Re-evaluate at the next periodic evaluation.", ZH: "下次定期评估时复评。"}
INCENTIVE_NOTES = {EN: "Proposed from an A standing.", ZH: "因 A 级评定提出。"}
# fmt: on


# --- The snapshot, exactly as evaluation_close freezes it -----------------------------------------


@dataclass
class TemplateContext:
    """A template read once: its criteria, bands and what every snapshot repeats."""

    template: ScorecardTemplate
    criteria: list[Criterion]
    bands: list[scoring.Band]
    specs: list[scoring.CriterionSpec] = field(init=False)
    extras: list[dict] = field(init=False)

    def __post_init__(self) -> None:
        self.specs = [c.spec() for c in self.criteria]
        self.extras = [
            {
                "description": c.description,
                "anchors": c.anchors if c.kind == scoring.MANUAL else [],
                "kpi_unit": c.kpi_unit,
            }
            for c in self.criteria
        ]

    @classmethod
    def load(cls, template: ScorecardTemplate) -> TemplateContext:
        # Same orderings as _freeze: criteria by (order, pk), bands by lower bound.
        return cls(template, list(template.criteria.all()), [b.band() for b in template.bands.all()])


def frozen_snapshot(
    ctx: TemplateContext,
    period_start: dt.date,
    sheets: Sequence[tuple[str, dict[int, scoring.ScoreInput]]],
    *,
    revision: int = 1,
) -> dict:
    """What ``_freeze`` stores on close, from in-memory sheets (in sheet pk order).

    ``sheets``: (evaluator name, {criterion id: input}). Inputs of one criterion are listed in
    sheet order, as _freeze reads them ordered by (sheet, criterion).
    """
    template = ctx.template
    inputs: dict[int, list[scoring.ScoreInput]] = {c.pk: [] for c in ctx.criteria}
    for _evaluator, given in sheets:
        for criterion_id in sorted(given):
            inputs.setdefault(criterion_id, []).append(given[criterion_id])
    explanation = scoring.explain_period(
        ctx.specs, inputs, min_scored_weight=template.min_scored_weight, bands=ctx.bands
    )
    for row, extra in zip(explanation["criteria"], ctx.extras, strict=True):
        row.update(extra)
    return {
        **explanation,
        "template": {"id": template.pk, "name": template.name, "purpose": template.purpose},
        "cadence": template.cadence,
        "period": scoring.period_label(period_start, template.cadence),
        "pass_threshold": str(template.pass_threshold),
        "recency_periods": template.recency_periods,
        "evaluators": [name for name, _given in sheets],
        "revision": revision,
    }


# --- Seeding ---------------------------------------------------------------------------------------


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


def seed_evaluations(
    *,
    rng: random.Random,
    today: dt.date,
    now: dt.datetime | None = None,
    limit: int = 3000,
    since_registration: bool = False,
) -> dict[str, int]:
    """Scorecard history for active/probation suppliers that have no periodic evaluation yet.

    Idempotent: suppliers with any evaluation on the template are skipped, so a second run adds
    nothing. ``since_registration``: start at the period of the supplier's ``created_at``
    rather than ``HISTORY_PERIODS`` back for everyone.
    """
    return _Seeder(rng=rng, today=today, now=now or timezone.localtime()).run(
        limit=limit, since_registration=since_registration
    )


def periodic_template() -> ScorecardTemplate | None:
    """The shipped quarterly supplier template, else any active periodic supplier template."""
    candidates = ScorecardTemplate.objects.filter(
        purpose=Purpose.PERIODIC, family=Family.SUPPLIER, is_active=True
    ).order_by("pk")
    return candidates.filter(name=TEMPLATE_NAME).first() or candidates.filter(cadence=Cadence.QUARTERLY).first()


class _Seeder:
    def __init__(self, *, rng: random.Random, today: dt.date, now: dt.datetime) -> None:
        self.rng, self.today, self.now = rng, today, now
        self.tz = timezone.get_current_timezone()
        self.counts = dict.fromkeys(
            ["evaluations", "score sheets", "criterion scores", "decisions", "corrective actions", "incentives"], 0
        )

    # --- orchestration ---------------------------------------------------------------------------

    def run(self, *, limit: int, since_registration: bool) -> dict[str, int]:
        template = periodic_template()
        if template is None:
            return self.counts
        ctx = TemplateContext.load(template)
        if template_problems(ctx.criteria, ctx.bands):
            return self.counts
        self.ctx = ctx
        suppliers = self.suppliers(template, limit)
        if not suppliers:
            return self.counts
        self.load_users()
        cadence = template.cadence
        current = scoring.period_for(self.today, cadence)
        periods = [current]
        for _i in range(HISTORY_PERIODS):
            periods.insert(0, scoring.previous_period(periods[0][0], cadence))
        plans = [p for p in (self.plan(s) for s in suppliers) if p is not None]

        self.evaluations: list[Evaluation] = []
        self.sheets: list[tuple[Evaluation, EvaluatorSheet, dict[int, scoring.ScoreInput]]] = []
        self.decisions: list[Decision] = []
        self.plans: list[tuple[CorrectiveActionPlan, list[CorrectiveAction]]] = []
        self.incentives: list[Incentive] = []
        scores: list[PartnerScore] = []
        for plan in plans:
            first = 0
            if since_registration:
                registered = timezone.localtime(plan.partner.created_at, self.tz).date()
                first = next((i for i, (_s, end) in enumerate(periods) if end >= registered), len(periods) - 1)
            late = len(periods) - 2 > first and self.rng.random() < LATE_SHARE
            for index in range(first, len(periods)):
                start, end = periods[index]
                if index == len(periods) - 1:
                    self.open_evaluation(plan, index, start, end, kind="current")
                elif index == len(periods) - 2 and late:
                    self.open_evaluation(plan, index, start, end, kind="late")
                else:
                    latest = index == len(periods) - (3 if late else 2)
                    self.closed_evaluation(plan, index, start, end, latest=latest)
            score = self.partner_score(plan)
            if score is not None:
                scores.append(score)
        self.save(scores)
        return self.counts

    def suppliers(self, template: ScorecardTemplate, limit: int) -> list[Partner]:
        qs = Partner.objects.filter(
            family=template.family, status__in=(Status.ACTIVE, Status.PROBATION), archived_at__isnull=True
        )
        if template.tier is not None:
            qs = qs.filter(tier=template.tier)
        qs = qs.filter(~Exists(Evaluation.objects.filter(partner=OuterRef("pk"), template=template)))
        return list(
            qs.only("id", "name", "status", "owner_id", "department_id", "preferred_language", "created_at").order_by(
                "pk"
            )[:limit]
        )

    def load_users(self) -> None:
        """Who scores, who approves: roles and departments of every active user, one query each."""
        users = list(User.objects.filter(is_active=True).select_related("profile__department").order_by("pk"))
        group_rows = User.groups.through.objects.filter(user__is_active=True).values_list("user_id", "group__name")
        names: dict[int, set[str]] = {}
        for user_id, group in group_rows:
            names.setdefault(user_id, set()).add(group)
        self.users = {u.pk: u for u in users}
        self.scorers: set[int] = set()
        self.managers: dict[int, list[User]] = {}
        self.dept: dict[int, int | None] = {}
        self.dept_code: dict[int, str] = {}
        for u in users:
            u._rapport_roles = frozenset(names.get(u.pk, ()))
            profile = getattr(u, "profile", None)
            dept = profile.department if profile else None
            self.dept[u.pk] = dept.pk if dept else None
            self.dept_code[u.pk] = dept.code if dept else ""
            if roles.has_write_role(u):
                self.scorers.add(u.pk)
            if roles.MANAGER in u._rapport_roles and dept is not None:
                self.managers.setdefault(dept.pk, []).append(u)
        self.superuser = next((u for u in users if u.is_superuser), None)
        # Second evaluators: Staff/Manager of Quality or Finance; else any Staff/Manager with a department.
        staff = [u for u in users if u._rapport_roles & {roles.STAFF, roles.MANAGER} and self.dept[u.pk]]
        preferred = [u for u in staff if self.dept_code[u.pk] in SECOND_EVALUATOR_DEPARTMENTS]
        self.second_pools = (preferred, staff)

    def plan(self, partner: Partner) -> SupplierPlan | None:
        rng = self.rng
        owner = self.users.get(partner.owner_id)
        if owner is not None and owner.pk in self.scorers:
            evaluators = [owner]  # like reminders.default_evaluators
        else:
            evaluators = self.managers.get(partner.department_id, [])[:1]
        if not evaluators:
            return None  # nobody can score: the scheduler would not open it either
        if rng.random() < SECOND_EVALUATOR_SHARE:
            for pool in self.second_pools:
                others = [u for u in pool if self.dept[u.pk] != partner.department_id and u not in evaluators]
                if others:
                    evaluators.append(rng.choice(others))
                    break
        approver = (self.managers.get(partner.department_id) or [self.superuser])[0]
        # Latent quality and its drift: up, down or flat; suppliers on probation start weaker.
        if partner.status == Status.PROBATION:
            level, drift = rng.gauss(55, 7), rng.choice((-1, -1, 0)) * rng.uniform(1.0, 3.0)
        else:
            level = rng.gauss(80, 9)
            trend = rng.random()
            drift = rng.uniform(1.2, 3.5) if trend < 0.3 else -rng.uniform(1.2, 3.5) if trend < 0.55 else 0.0
            drift = drift or rng.uniform(-0.6, 0.6)
        return SupplierPlan(
            partner=partner,
            lang=EN if partner.preferred_language == EN else ZH,
            evaluators=evaluators,
            approver=approver,
            level=level,
            drift=drift,
            offsets=[rng.gauss(0, 7) for _c in self.ctx.criteria],
            biases=[0.0] + [rng.gauss(-2, 4) for _e in evaluators[1:]],
        )

    # --- one period -----------------------------------------------------------------------------

    def quality(self, plan: SupplierPlan, index: int) -> float:
        """The supplier's true quality in a period; the latest closed period is at ``level``."""
        q = plan.level + plan.drift * (index - (HISTORY_PERIODS - 1)) + self.rng.gauss(0, 3.5)
        if self.rng.random() < 0.05:
            q -= self.rng.uniform(12, 25)  # a bad quarter: an incident, a lost shipment
        return min(max(q, 5.0), 90.0)

    def inputs(self, plan: SupplierPlan, q: float) -> list[dict[int, scoring.ScoreInput]]:
        """Every evaluator's inputs for one period; KPI values are the same for all (from the ERP)."""
        rng, out, shared = self.rng, [], {}
        for bias, evaluator in zip(plan.biases, plan.evaluators, strict=True):
            name, given = _name(evaluator), {}
            for criterion, offset in zip(self.ctx.criteria, plan.offsets, strict=True):
                s = q + offset + bias + rng.gauss(0, 8)
                if criterion.allow_na and rng.random() < NA_SHARE:
                    given[criterion.pk] = scoring.ScoreInput(is_na=True, evaluator=name)
                elif criterion.kind == scoring.KPI:
                    if criterion.pk not in shared:
                        shared[criterion.pk] = self.kpi_value(criterion, q + offset + rng.gauss(0, 4))
                    evidence = EVIDENCE[plan.lang]["kpi"] if rng.random() < 0.3 else ""
                    given[criterion.pk] = scoring.ScoreInput(
                        kpi_value=shared[criterion.pk], evaluator=name, evidence=evidence
                    )
                else:
                    rating = min(max(round(s / 25) + 1, 1), 5)
                    evidence = ""
                    if rating != 3 and rating != 4 and rng.random() < 0.4:
                        low, high = EVIDENCE[plan.lang][_topic(criterion, EVIDENCE[plan.lang])]
                        evidence = rng.choice(low if rating <= 2 else high)
                    given[criterion.pk] = scoring.ScoreInput(rating=rating, evaluator=name, evidence=evidence)
            out.append(given)
        return out

    def kpi_value(self, criterion: Criterion, s: float) -> Decimal:
        """The KPI value that scores about ``s`` (a little outside the range now and then)."""
        lo, hi = float(criterion.kpi_min), float(criterion.kpi_max)
        fraction = min(max(s / 100, -0.3), 1.0)
        if not criterion.kpi_higher_is_better:
            fraction = 1 - fraction
        value = lo + fraction * (hi - lo)
        places = Decimal("0.1") if hi - lo >= 10 else Decimal("0.001")
        return Decimal(str(value)).quantize(places).quantize(KPI_STORED)

    def closed_evaluation(self, plan: SupplierPlan, index: int, start: dt.date, end: dt.date, *, latest: bool) -> None:
        rng = self.rng
        inputs = self.inputs(plan, self.quality(plan, index))
        evaluation = self.evaluation(plan, start, end)
        submitted = []
        for evaluator, given in zip(plan.evaluators, inputs, strict=True):
            days = rng.randint(1, 12) if rng.random() < 0.9 else rng.randint(15, 30)
            when = self.moment(end + dt.timedelta(days=days))
            submitted.append(when)
            self.sheet(evaluation, evaluator, given, updated=when, submitted=when)
        closed_at = self.moment(max(submitted).date() + dt.timedelta(days=rng.randint(0, 4)), after=max(submitted))
        snapshot = frozen_snapshot(
            self.ctx, start, [(_name(u), g) for u, g in zip(plan.evaluators, inputs, strict=True)]
        )
        evaluation.apply_snapshot(snapshot, closed_at=closed_at, closed_by=plan.approver)
        _times(evaluation, evaluation.created_at, closed_at)
        evaluation._history_date, evaluation._history_user = closed_at, plan.approver
        plan.closed.append(evaluation)
        if plan.approver is not None:
            self.decide(plan, evaluation, index, latest=latest)

    def open_evaluation(self, plan: SupplierPlan, index: int, start: dt.date, end: dt.date, *, kind: str) -> None:
        """The current period (mostly not started) or a late one (overdue, or waiting to be closed)."""
        rng = self.rng
        inputs = self.inputs(plan, self.quality(plan, index))
        evaluation = self.evaluation(plan, start, end)
        all_submitted = kind == "late" and rng.random() < 0.5
        since = evaluation.created_at
        if kind == "late":
            since = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(9), tzinfo=self.tz)
        for n, (evaluator, given) in enumerate(zip(plan.evaluators, inputs, strict=True)):
            roll = rng.random()
            if all_submitted or (kind == "late" and n > 0 and roll < 0.5):
                state = "submitted"  # a late one: only the owner is missing, or the manager
            elif kind == "current":
                state = "empty" if roll < 0.7 else "draft" if roll < 0.96 else "submitted"
            else:
                state = "empty" if roll < 0.5 else "draft"
            when = since + (self.now - since) * rng.random()
            if state == "empty":
                self.sheet(evaluation, evaluator, {}, updated=evaluation.created_at, submitted=None)
            elif state == "draft":
                keep = sorted(rng.sample(sorted(given), rng.randint(1, max(1, len(given) - 1))))
                self.sheet(evaluation, evaluator, {k: given[k] for k in keep}, updated=when, submitted=None)
            else:
                self.sheet(evaluation, evaluator, given, updated=when, submitted=when)

    def evaluation(self, plan: SupplierPlan, start: dt.date, end: dt.date) -> Evaluation:
        """Opened by the scheduler (no user) early on the period's first day."""
        opened = dt.datetime.combine(start, dt.time(2, self.rng.randint(0, 59)), tzinfo=self.tz)
        evaluation = Evaluation(
            partner_id=plan.partner.pk,
            template=self.ctx.template,
            period_start=start,
            period_end=end,
            due_on=end + dt.timedelta(days=EVALUATION_GRACE_DAYS),
        )
        _times(evaluation, opened)
        evaluation._history_date, evaluation._history_user = opened, None
        self.evaluations.append(evaluation)
        return evaluation

    def sheet(self, evaluation: Evaluation, evaluator: User, given: dict, *, updated, submitted) -> None:
        sheet = EvaluatorSheet(evaluation=evaluation, evaluator=evaluator, submitted_at=submitted)
        _times(sheet, evaluation.created_at, updated)
        sheet._history_date, sheet._history_user = updated, evaluator if given else None
        self.sheets.append((evaluation, sheet, given))

    def moment(self, day: dt.date, *, after: dt.datetime | None = None) -> dt.datetime:
        """Office hours on ``day`` (weekends move to Monday), never in the future."""
        if day.weekday() >= 5:
            day += dt.timedelta(days=7 - day.weekday())
        hour, minute = self.rng.randint(9, 17), self.rng.choice((0, 15, 30, 45))
        when = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=self.tz)
        if after is not None and when <= after:
            when = after + dt.timedelta(minutes=self.rng.randint(10, 90))
        return min(when, self.now - dt.timedelta(minutes=self.rng.randint(5, 60)))

    # --- what follows a close ----------------------------------------------------------------------

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
        _times(decision, decided_at)
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
        _times(action_plan, decided_at)
        action_plan._history_date, action_plan._history_user = decided_at, plan.approver
        actions = []
        for criterion in weakest[: rng.randint(1, 2)] or [None]:
            word = _topic(criterion, ACTIONS[lang])
            due = decided_at.date() + dt.timedelta(days=rng.randint(21, 75))
            # Past due: mostly done; the latest plan's actions are still often open (overdue).
            weights = (0, 0, 1) if due >= self.today else (55, 0, 45) if latest else (93, 5, 2)
            status = rng.choices(
                [CorrectiveAction.Status.DONE, CorrectiveAction.Status.CANCELLED, CorrectiveAction.Status.OPEN],
                weights=weights,
            )[0]
            action = CorrectiveAction(
                description=rng.choice(ACTIONS[lang][word]),
                owner=plan.evaluators[0],
                due_on=due,
                status=status,
            )
            updated = decided_at
            if status != CorrectiveAction.Status.OPEN:
                updated = self.moment(due - dt.timedelta(days=rng.randint(0, 14)), after=decided_at)
            _times(action, decided_at, updated)
            action._history_date, action._history_user = updated, plan.evaluators[0]
            actions.append(action)
        self.plans.append((action_plan, actions))

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
        _times(incentive, evaluation.closed_at, decided_at)
        incentive._history_date, incentive._history_user = decided_at, plan.approver
        return incentive

    def partner_score(self, plan: SupplierPlan) -> PartnerScore | None:
        """Overall score as of every closed period and the current PartnerScore, as
        ``partner_score_refresh`` computes them (N and bands from each snapshot)."""
        if not plan.closed:
            return None
        period_scores: list[Decimal | None] = []
        for e in plan.closed:
            period_scores.append(None if e.is_not_rated else e.score)
            n = int(e.snapshot.get("recency_periods") or self.ctx.template.recency_periods)
            overall = scoring.overall_score(list(reversed(period_scores)), n=n)
            bands = [
                scoring.Band(b["code"], Decimal(b["lower_bound"]), b["label"], b["consequence"])
                for b in e.snapshot.get("bands", [])
            ]
            band = scoring.standing_for(overall, bands)
            e.overall_score, e.overall_standing = overall, band.code if band else ""
        latest = plan.closed[-1]
        return PartnerScore(
            partner_id=plan.partner.pk,
            template=self.ctx.template,
            overall_score=latest.overall_score,
            overall_standing=latest.overall_standing,
            previous_overall_score=plan.closed[-2].overall_score if len(plan.closed) > 1 else None,
            latest_evaluation=latest,
            latest_score=latest.score,
            latest_standing=latest.standing,
            rated_periods=sum(1 for s in period_scores if s is not None),
        )

    # --- writing ------------------------------------------------------------------------------------

    def save(self, scores: list[PartnerScore]) -> None:
        """Parents first (their pks go into the children), then history and criterion scores."""
        json_cache: dict = {}  # each snapshot is serialised once, for its row and its history row
        evaluations = self.evaluations
        sheets = [sheet for _e, sheet, _g in self.sheets]
        action_plans = [p for p, _a in self.plans]
        actions = []
        for action_plan, plan_actions in self.plans:
            for action in plan_actions:
                action.plan = action_plan
                actions.append(action)
        for model, objs in (
            (Evaluation, evaluations),
            (EvaluatorSheet, sheets),
            (Decision, self.decisions),
            (CorrectiveActionPlan, action_plans),
            (CorrectiveAction, actions),
            (Incentive, self.incentives),
        ):
            _create(model, objs, json_cache)
            _insert_history(model, objs, json_cache)
        rows = [
            {
                "sheet_id": sheet.pk,
                "criterion_id": criterion_id,
                "rating": given[criterion_id].rating,
                "kpi_value": given[criterion_id].kpi_value,
                "is_na": given[criterion_id].is_na,
                "evidence": given[criterion_id].evidence,
                "created_at": sheet.updated_at,
                "updated_at": sheet.updated_at,
            }
            for _e, sheet, given in self.sheets
            for criterion_id in sorted(given)
        ]
        _insert(CriterionScore, rows)
        for score in scores:
            score.updated_at = self.now
        _create(PartnerScore, scores)
        self.counts.update(
            {
                "evaluations": len(evaluations),
                "score sheets": len(sheets),
                "criterion scores": len(rows),
                "decisions": len(self.decisions),
                "corrective actions": len(actions),
                "incentives": len(self.incentives),
            }
        )


def _topic(criterion: Criterion | None, vocabulary: dict) -> str:
    """The vocabulary key named in the criterion's name ("quality", "price"...), else ""."""
    name = criterion.name.lower() if criterion else ""
    return next((k for k in vocabulary if k and k != "kpi" and k in name), "")


def _times(obj: Model, created: dt.datetime, updated: dt.datetime | None = None) -> None:
    """When a row was created and last changed (``_create`` writes them as they are)."""
    obj.created_at, obj.updated_at = created, updated or created


def _create(model: type[Model], objs: list, json_cache: dict | None = None) -> None:
    """bulk_create's fast path: multi-row INSERT … RETURNING pk, without its per-value overhead.

    Values are written as the objects hold them, so the planned created_at/updated_at stay
    (bulk_create's auto_now would stamp "now" and need an UPDATE after). The pks come back in
    insertion order, as bulk_create assumes too; like seed_demo, this needs RETURNING
    (PostgreSQL, SQLite ≥ 3.35).
    """
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="bulk_create")  # the parents' new pks
    names = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
    pks = _insert(model, [{n: getattr(obj, n) for n in names} for obj in objs], returning=True, json_cache=json_cache)
    for obj, pk in zip(objs, pks, strict=True):
        obj.pk = pk
        obj._state.adding, obj._state.db = False, connection.alias


def _insert(model: type[Model], rows: list[dict], *, returning: bool = False, json_cache: dict | None = None) -> list:
    """INSERT rows (attname → value, the same keys in each), many rows per statement; with
    ``returning`` the new pks, in order.

    Several times faster than bulk_create, which prepares every value through its field and
    a model instance per row: here only dates, decimals and JSON go through their field (ints,
    text, booleans and None are passed as they are), each distinct value once. Multi-row
    statements, not executemany: psycopg2 sends one round trip per executemany row.
    """
    if not rows:
        return []
    fields = {f.attname: f for f in model._meta.concrete_fields}
    names = list(rows[0])
    converters = []
    for name in names:
        f = fields[name]
        if f.get_internal_type() in PLAIN_TYPES:
            converters.append(None)
        elif f.get_internal_type() == "JSONField":
            converters.append(_json(f, {} if json_cache is None else json_cache))
        else:
            converters.append(_memo(f))
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(fields[n].column) for n in names)}) VALUES "
    one = f"({', '.join(['%s'] * len(names))})"
    tail = f" RETURNING {quote(model._meta.pk.column)}" if returning else ""
    per_statement = min(500, (connection.features.max_query_params or 10_000) // len(names))
    pks = []
    with connection.cursor() as cursor:
        for i in range(0, len(rows), per_statement):
            chunk = rows[i : i + per_statement]
            params = [
                row[n] if c is None else c(row[n]) for row in chunk for c, n in zip(converters, names, strict=True)
            ]
            cursor.execute(head + ", ".join([one] * len(chunk)) + tail, params)
            if returning:
                pks += [pk for (pk,) in cursor.fetchall()]
    return pks


# Values of these fields go to the database driver as they are.
PLAIN_TYPES = {
    "AutoField", "BigAutoField", "BigIntegerField", "BooleanField", "CharField", "ForeignKey", "IntegerField",
    "PositiveIntegerField", "PositiveSmallIntegerField", "SmallIntegerField", "TextField",
}  # fmt: skip


def _json(f, cache: dict):
    """The field's preparation of a JSON value, once per object (``cache``: id → (value, prepared))."""

    def prepare(value):
        hit = cache.get(id(value))
        if hit is None or hit[0] is not value:
            hit = cache[id(value)] = (value, f.get_db_prep_save(value, connection))
        return hit[1]

    return prepare


def _memo(f):
    """The field's preparation of a value, None kept, each distinct value prepared once."""
    cache: dict = {None: None}

    def prepare(value):
        if value not in cache:
            cache[value] = f.get_db_prep_save(value, connection)
        return cache[value]

    return prepare


def _insert_history(model: type[Model], objs: list, json_cache: dict | None = None) -> None:
    """Creation rows of django-simple-history, as ``bulk_history_create`` writes them, dated
    and signed with ``_history_date`` / ``_history_user`` (None: the scheduler)."""
    history = model.history.model
    tracked = [f.attname for f in history.tracked_fields]
    _insert(
        history,
        [
            {n: getattr(obj, n) for n in tracked}
            | {
                "history_date": obj._history_date,
                "history_user_id": getattr(obj._history_user, "pk", None),
                "history_change_reason": "",
                "history_type": "+",
            }
            for obj in objs
        ],
        json_cache=json_cache,
    )


def seed(*, rng: random.Random, now: dt.datetime) -> dict[str, int]:
    """Registered with crm.demo (evaluations/apps.py): scorecard history of active suppliers
    (skips those that already have evaluations)."""
    return seed_evaluations(rng=rng, today=now.date(), now=now)
