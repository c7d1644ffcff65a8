"""Scorecard history of active suppliers: closed quarters, the open one and late ones."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef
from django.utils import timezone

from crm import roles
from crm.demo import EN, ZH
from crm.demo_rows import defaults, insert_history_rows, insert_history_select, insert_rows
from crm.models import CorrectiveAction
from partners.models import Partner, Status

from .. import scoring
from ..models import (
    CorrectiveActionPlan,
    Criterion,
    CriterionScore,
    Decision,
    Evaluation,
    EvaluatorSheet,
    Incentive,
    PartnerScore,
    ScorecardTemplate,
)
from ..services import EVALUATION_GRACE_DAYS
from ..services._common import _name
from ..services.templates import template_problems
from .data import (
    EVIDENCE,
    HISTORY_PERIODS,
    KPI_STORED,
    LATE_SHARE,
    NA_SHARE,
    SECOND_EVALUATOR_DEPARTMENTS,
    SECOND_EVALUATOR_SHARE,
    topic,
)
from .decisions import DecisionMaker, SupplierPlan
from .snapshot import TemplateContext, frozen_snapshot, periodic_template


def seed_evaluations(
    *,
    rng: random.Random,
    today: dt.date,
    now: dt.datetime | None = None,
    limit: int | None = None,
    since_registration: bool = False,
) -> dict[str, int]:
    """Scorecard history for active/probation suppliers that have no periodic evaluation yet
    (the first ``limit`` of them; all by default, so that it grows with the registry).

    Idempotent: suppliers with any evaluation on the template are skipped, so a second run adds
    nothing. ``since_registration``: start at the period of the supplier's ``created_at``
    rather than ``HISTORY_PERIODS`` back for everyone.
    """
    return HistorySeeder(rng=rng, today=today, now=now or timezone.localtime()).run(
        limit=limit, since_registration=since_registration
    )


class HistorySeeder(DecisionMaker):
    def __init__(self, *, rng: random.Random, today: dt.date, now: dt.datetime) -> None:
        self.rng, self.today, self.now = rng, today, now
        self.tz = timezone.get_current_timezone()
        self.counts = dict.fromkeys(
            ["evaluations", "score sheets", "criterion scores", "decisions", "corrective actions", "incentives"], 0
        )
        # Rows are plain dicts (attname → value) from these, as a new instance would hold them.
        self.blank = {model: defaults(model) for model in ROW_MODELS}

    # --- orchestration ---------------------------------------------------------------------------

    def run(self, *, limit: int | None, since_registration: bool) -> dict[str, int]:
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
        # Written CHUNK suppliers at a time: at 100,000 partners the whole history would not fit in memory.
        for chunk_start in range(0, len(plans), self.CHUNK):
            self.history(plans[chunk_start : chunk_start + self.CHUNK], periods, since_registration)
        return self.counts

    CHUNK = 500  # suppliers whose history is built, then written, at a time: bounds memory

    def history(self, plans: list[SupplierPlan], periods: list, since_registration: bool) -> None:
        # Rows of the chunk; a row's parent is its row (under the relation's name) until written.
        self.evaluations: list[dict] = []
        self.sheets: list[tuple[dict, dict[int, scoring.ScoreInput], int | None]] = []  # (row, inputs, signer)
        self.decisions: list[dict] = []
        self.plans: list[tuple[dict, list[dict]]] = []  # (plan row, its actions' rows)
        self.incentives: list[dict] = []
        scores: list[dict] = []
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
        for plan in plans:
            plan.closed = []  # written: let them go

    def suppliers(self, template: ScorecardTemplate, limit: int | None) -> list[Partner]:
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
        self.verifiers = [u for u in users if roles.SUPERVISION in u._rapport_roles]
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
                        low, high = EVIDENCE[plan.lang][topic(criterion, EVIDENCE[plan.lang])]
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
        # Closed by the approver (history: EVALUATION_STAMPS).
        evaluation |= Evaluation.closed_values(snapshot)
        evaluation["closed_at"] = evaluation["updated_at"] = closed_at
        evaluation["closed_by_id"] = plan.approver.pk if plan.approver else None
        plan.closed.append(evaluation)
        if plan.approver is not None:
            self.decide(plan, evaluation, index, latest=latest)

    def open_evaluation(self, plan: SupplierPlan, index: int, start: dt.date, end: dt.date, *, kind: str) -> None:
        """The current period (mostly not started) or a late one (overdue, or waiting to be closed)."""
        rng = self.rng
        inputs = self.inputs(plan, self.quality(plan, index))
        evaluation = self.evaluation(plan, start, end)
        all_submitted = kind == "late" and rng.random() < 0.5
        since = evaluation["created_at"]
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
                self.sheet(evaluation, evaluator, {}, updated=evaluation["created_at"], submitted=None)
            elif state == "draft":
                keep = sorted(rng.sample(sorted(given), rng.randint(1, max(1, len(given) - 1))))
                self.sheet(evaluation, evaluator, {k: given[k] for k in keep}, updated=when, submitted=None)
            else:
                self.sheet(evaluation, evaluator, given, updated=when, submitted=when)

    def evaluation(self, plan: SupplierPlan, start: dt.date, end: dt.date) -> dict:
        """Opened by the scheduler (no user) early on the period's first day."""
        opened = dt.datetime.combine(start, dt.time(2, self.rng.randint(0, 59)), tzinfo=self.tz)
        evaluation = self.blank[Evaluation] | {
            "partner_id": plan.partner.pk,
            "template_id": self.ctx.template.pk,
            "period_start": start,
            "period_end": end,
            "due_on": end + dt.timedelta(days=EVALUATION_GRACE_DAYS),
            "created_at": opened,
            "updated_at": opened,
        }
        self.evaluations.append(evaluation)
        return evaluation

    def sheet(self, evaluation: dict, evaluator: User, given: dict, *, updated, submitted) -> None:
        """Its history row is signed by the evaluator once they have scored (else the scheduler)."""
        sheet = self.blank[EvaluatorSheet] | {
            "evaluation": evaluation,
            "evaluator_id": evaluator.pk,
            "submitted_at": submitted,
            "created_at": evaluation["created_at"],
            "updated_at": updated,
        }
        self.sheets.append((sheet, given, evaluator.pk if given else None))

    def moment(self, day: dt.date, *, after: dt.datetime | None = None) -> dt.datetime:
        """Office hours on ``day`` (weekends move to Monday), never in the future."""
        if day.weekday() >= 5:
            day += dt.timedelta(days=7 - day.weekday())
        hour, minute = self.rng.randint(9, 17), self.rng.choice((0, 15, 30, 45))
        when = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=self.tz)
        if after is not None and when <= after:
            when = after + dt.timedelta(minutes=self.rng.randint(10, 90))
        return min(when, self.now - dt.timedelta(minutes=self.rng.randint(5, 60)))

    def partner_score(self, plan: SupplierPlan) -> dict | None:
        """Overall score as of every closed period and the current PartnerScore, as
        ``partner_score_refresh`` computes them (N and bands from each snapshot)."""
        if not plan.closed:
            return None
        period_scores: list[Decimal | None] = []
        for e in plan.closed:
            period_scores.append(None if e["is_not_rated"] else e["score"])
            n = int(e["snapshot"].get("recency_periods") or self.ctx.template.recency_periods)
            overall = scoring.overall_score(list(reversed(period_scores)), n=n)
            bands = [
                scoring.Band(b["code"], Decimal(b["lower_bound"]), b["label"], b["consequence"])
                for b in e["snapshot"].get("bands", [])
            ]
            band = scoring.standing_for(overall, bands)
            e["overall_score"], e["overall_standing"] = overall, band.code if band else ""
        latest = plan.closed[-1]
        return self.blank[PartnerScore] | {
            "partner_id": plan.partner.pk,
            "template_id": self.ctx.template.pk,
            "overall_score": latest["overall_score"],
            "overall_standing": latest["overall_standing"],
            "previous_overall_score": plan.closed[-2]["overall_score"] if len(plan.closed) > 1 else None,
            "latest_evaluation": latest,
            "latest_score": latest["score"],
            "latest_standing": latest["standing"],
            "rated_periods": sum(1 for s in period_scores if s is not None),
        }

    # --- writing ------------------------------------------------------------------------------------

    def save(self, scores: list[dict]) -> None:
        """Parents first (their pks go into the children), then history and criterion scores."""
        evaluations = self.evaluations
        write(Evaluation, evaluations)
        insert_history_select(Evaluation, [e["id"] for e in evaluations], **EVALUATION_STAMPS)
        sheets = [sheet for sheet, _g, _signer in self.sheets]
        write(EvaluatorSheet, sheets, [(s["updated_at"], signer) for s, _g, signer in self.sheets])
        write(Decision, self.decisions, [(d["decided_at"], d["approver_id"]) for d in self.decisions])
        action_plans = [p for p, _a in self.plans]
        write(CorrectiveActionPlan, action_plans, [(p["created_at"], p["created_by_id"]) for p in action_plans])
        # Kernel corrective actions raised by the plans (source = the plan, written above).
        plan_type = ContentType.objects.get_for_model(CorrectiveActionPlan).pk
        actions = []
        for action_plan, plan_actions in self.plans:
            for action in plan_actions:
                action["source_type_id"], action["source_id"] = plan_type, action_plan["id"]
                actions.append(action)
        write(CorrectiveAction, actions, [a.pop("_history") for a in actions])
        write(Incentive, self.incentives, [(i["decided_at"], i["approved_by_id"]) for i in self.incentives])
        rows = [
            {
                "sheet_id": sheet["id"],
                "criterion_id": criterion_id,
                "rating": given[criterion_id].rating,
                "kpi_value": given[criterion_id].kpi_value,
                "is_na": given[criterion_id].is_na,
                "evidence": given[criterion_id].evidence,
                "created_at": sheet["updated_at"],
                "updated_at": sheet["updated_at"],
            }
            for sheet, given, _signer in self.sheets
            for criterion_id in sorted(given)
        ]
        insert_rows(CriterionScore, rows)
        for score in scores:
            score["updated_at"] = self.now
        write(PartnerScore, scores)
        for label, n in (
            ("evaluations", len(evaluations)),
            ("score sheets", len(sheets)),
            ("criterion scores", len(rows)),
            ("decisions", len(self.decisions)),
            ("corrective actions", len(actions)),
            ("incentives", len(self.incentives)),
        ):
            self.counts[label] += n


# The models written as rows, and the relations whose parent row a row holds until written.
ROW_MODELS = (Evaluation, EvaluatorSheet, Decision, CorrectiveActionPlan, CorrectiveAction, Incentive, PartnerScore)
PARENTS = {"evaluation": "evaluation_id", "latest_evaluation": "latest_evaluation_id"}
# The creation history of an evaluation as written: opened by the scheduler, or closed by its approver.
EVALUATION_STAMPS = {"date": "COALESCE(closed_at, created_at)", "user": "closed_by_id"}


def write(model: type, rows: list[dict], stamps: list[tuple] | None = None) -> None:
    """Write ``rows`` (their parents written first) and, with ``stamps`` ((date, user id) each),
    their creation history; each row gets its pk under "id"."""
    if not rows:
        return
    for row in rows:
        for name, attname in PARENTS.items():
            if name in row:
                row[attname] = row.pop(name)["id"]
    for row, pk in zip(rows, insert_rows(model, rows, returning=True), strict=True):
        row["id"] = pk
    if stamps is not None:
        insert_history_rows(model, rows, stamps)
