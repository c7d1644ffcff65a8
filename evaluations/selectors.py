"""Reads and access checks for scorecards.

Who may do what (issue #3, "Quality it must show"):
- everyone with a role reads every evaluation and scorecard (supervision reads all, P5.1);
- an evaluator scores only the sheets assigned to them;
- staff and managers of the partner's department open evaluations and propose incentives;
- only managers of the partner's department close, amend, decide, approve incentives and
  override a failed screening;
- supervision writes nothing; superusers do everything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, When
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from crm import option_lists, roles
from crm.bilingual import in_language
from crm.lists import Row, url_pattern
from crm.models import OPEN_ACTION_STATES, CorrectiveAction, Department
from crm.numbers import number_text
from crm.selectors import actions_for_source, actions_for_sources
from partners.models import Family, Partner, Status
from partners.selectors import can_edit_partner, can_manage_partner
from partners.suppliers.models import QualificationDocument
from partners.suppliers.selectors import qualification_alerts

from .models import (
    Consequence,
    CorrectiveActionPlan,
    Criterion,
    Decision,
    Evaluation,
    EvaluatorSheet,
    Incentive,
    PartnerScore,
    Purpose,
    ScorecardTemplate,
    ScreeningOverride,
    StandingBand,
    StandingCode,
    movement_size,
)
from .scoring import explain_overall, period_for, period_label

if TYPE_CHECKING:
    from django.contrib.auth.models import User


# --- Access rules ------------------------------------------------------------------------


def can_read_scorecards(user: User) -> bool:
    return roles.has_any_role(user)


def can_open_evaluation(user: User, partner: Partner) -> bool:
    """Staff and managers of the partner's department (the scheduler opens with no user)."""
    return can_edit_partner(user, partner)


def may_decide_evaluation(user: User, partner: Partner) -> bool:
    """Decide on a partner's evaluations: close, amend, record the decision, approve
    incentives, override a failed screening. The department's managers."""
    return can_manage_partner(user, partner)


def rates_a_candidate(evaluation: Evaluation) -> bool:
    """A screening (P4.1.1), or the assessment of a prospective partner (P4.3.1): it rates a
    candidate as it is today, not a period of cooperation."""
    purpose = evaluation.template.purpose
    return purpose == Purpose.SCREENING or (
        purpose == Purpose.PARTNER_ASSESSMENT and evaluation.partner.status == Status.CANDIDATE
    )


def evaluation_period_not_ended(evaluation: Evaluation, today: dt.date | None = None) -> bool:
    """Whether closing now would close before the evaluated period has ended (issue #12 §4):
    its last day is today or later. What rates a candidate is never early."""
    today = today or timezone.localdate()
    return not rates_a_candidate(evaluation) and evaluation.period_end >= today


def may_close_early(user: User, partner: Partner) -> bool:
    """Close before the period ends, with a written reason: a manager of the partner's
    department (or a superuser)."""
    return may_decide_evaluation(user, partner) and roles.is_manager(user)


def evaluation_incentive_eligible(evaluation: Evaluation) -> bool:
    """Whether an incentive may be proposed from this evaluation (P4.1.3).

    Decided by the consequence its standing band was configured with, frozen on close, never
    by the standing's letter: a template may make its "B" band incentive-eligible and its "A"
    band not.
    """
    return evaluation.status == Evaluation.Status.CLOSED and evaluation.consequence == Consequence.INCENTIVE_ELIGIBLE


def can_score_sheet(user: User, sheet: EvaluatorSheet) -> bool:
    """Only the assigned evaluator (P5.1: supervision never writes, even if assigned)."""
    if user.is_superuser:
        return True
    return sheet.evaluator_id == user.pk and roles.has_write_role(user)


# --- Loading one record ------------------------------------------------------------------


def evaluation_get_for_user(*, user: User, pk: int, write: bool = False) -> Evaluation:
    """The evaluation page's record; ``write`` = close/amend/decide (department managers)."""
    if not can_read_scorecards(user):
        raise PermissionDenied
    try:
        evaluation = Evaluation.objects.select_related(
            "partner", "partner__department", "template", "closed_by", "opened_by"
        ).get(pk=pk)
    except Evaluation.DoesNotExist:
        raise Http404 from None
    if write and not may_decide_evaluation(user, evaluation.partner):
        raise PermissionDenied
    return evaluation


def evaluation_action_plan(evaluation: Evaluation) -> tuple[CorrectiveActionPlan | None, list[CorrectiveAction]]:
    """The evaluation's corrective action plan and its actions with their state (issue #12 §4:
    the evaluation page shows the decision's corrective actions): two queries."""
    plan = CorrectiveActionPlan.objects.filter(evaluation=evaluation).first()
    return plan, (list(actions_for_source(plan)) if plan else [])


def sheet_get_for_user(*, user: User, pk: int, write: bool = False) -> EvaluatorSheet:
    """A sheet with its evaluation; ``write`` = score it (the assigned evaluator only)."""
    if not can_read_scorecards(user):
        raise PermissionDenied
    try:
        sheet = EvaluatorSheet.objects.select_related(
            "evaluator", "evaluation", "evaluation__partner", "evaluation__template"
        ).get(pk=pk)
    except EvaluatorSheet.DoesNotExist:
        raise Http404 from None
    if write and not can_score_sheet(user, sheet):
        raise PermissionDenied
    return sheet


def incentive_get_for_user(*, user: User, pk: int, write: bool = False) -> Incentive:
    """``write`` = approve or reject (the partner's department managers)."""
    if not can_read_scorecards(user):
        raise PermissionDenied
    try:
        incentive = Incentive.objects.select_related("partner", "evaluation", "proposed_by").get(pk=pk)
    except Incentive.DoesNotExist:
        raise Http404 from None
    if write and not may_decide_evaluation(user, incentive.partner):
        raise PermissionDenied
    return incentive


def sheets_to_score_for_user(*, user: User) -> QuerySet[EvaluatorSheet]:
    """My unsubmitted sheets on open evaluations, soonest due first."""
    return (
        EvaluatorSheet.objects.filter(
            evaluator=user, submitted_at__isnull=True, evaluation__status=Evaluation.Status.OPEN
        )
        .select_related("evaluation", "evaluation__partner", "evaluation__template")
        .defer("evaluation__snapshot")
        # One sheet per evaluator and evaluation: ``evaluation_id`` settles a tie on the due
        # date, so the open evaluations are read in the order of their (status, due_on, id)
        # index and the first ten found end the read. Ending on the sheet's pk sorted every
        # open evaluation due that day first (158 ms at 100,000 partners; now 1.5 ms).
        .order_by("evaluation__due_on", "evaluation_id")
    )


# --- Screening (P4.1.1) --------------------------------------------------------------------


def supplier_can_activate(partner: Partner) -> bool:
    """May this candidate supplier become active? (P4.1.1 strict screening)

    Yes after a closed screening evaluation scoring at least its template's pass threshold
    (as frozen on close), or after a recorded manager override. Other families are not
    screened by this policy clause: always yes. Two small queries at most.
    """
    if partner.family != Family.SUPPLIER:
        return True
    closed_screenings = Evaluation.objects.filter(
        partner=partner, template__purpose=Purpose.SCREENING, status=Evaluation.Status.CLOSED, is_not_rated=False
    ).only("score", "snapshot", "status", "is_not_rated")
    if any(e.passed_screening for e in closed_screenings):
        return True
    return ScreeningOverride.objects.filter(partner=partner).exists()


def screening_gate(partner: Partner) -> str:
    """The P4.1.1 gate on a candidate supplier becoming active (registered with the partner
    update service in apps.py): why it may not, or ""."""
    if partner.status != Status.CANDIDATE or supplier_can_activate(partner):
        return ""
    return _(
        "This supplier has not passed screening: it needs a passed screening evaluation "
        "or a manager's override before it can become active."
    )


# --- Partner assessment (P4.3.1) -----------------------------------------------------------


@dataclass(frozen=True)
class Assessments:
    latest: Evaluation | None  # the latest completed (closed, rated) partner assessment
    in_progress: Evaluation | None  # the open one, if any


def partner_assessments(partner: Partner) -> Assessments:
    """The partner's latest completed partner assessment and the one in progress (P4.3.1): one
    query, kept on the partner instance for the rest of the request, so that the pipeline's gate
    and the assessment card on the partner's page share it. The services always load the partner
    afresh (under a lock), so a decision never reads an answer from before a change."""
    cached = getattr(partner, "_assessments", None)
    if cached is not None:
        return cached
    rows = (
        Evaluation.objects.filter(partner=partner, template__purpose=Purpose.PARTNER_ASSESSMENT)
        .filter(Q(status=Evaluation.Status.OPEN) | Q(status=Evaluation.Status.CLOSED, is_not_rated=False))
        .select_related("template", "closed_by")
        .order_by("-closed_at", "due_on", "-pk")
    )
    latest = in_progress = None
    for evaluation in rows:
        if evaluation.status == Evaluation.Status.OPEN:
            in_progress = in_progress or evaluation
        else:
            latest = latest or evaluation
    partner._assessments = Assessments(latest=latest, in_progress=in_progress)
    return partner._assessments


def assessment_gate(partner: Partner) -> str:
    """The P4.3.1 gate on a prospective partner being assessed and becoming active (registered
    in apps.py with the partner update service and the partnership pipeline): why it may not
    yet, or "". A completed assessment is a closed, rated one; its result is the managers' to
    weigh (the pipeline's rejection records why one is not taken on)."""
    if partner.family != Family.PARTNER or partner.status != Status.CANDIDATE:
        return ""
    if partner_assessments(partner).latest is not None:
        return ""
    return _(
        "This partner has no completed partner assessment: score it on the partner assessment scorecard "
        "(industry position, technical strength, market channels, corporate culture) and close the "
        "assessment first (P4.3.1)."
    )


def assessment_panel(*, partner: Partner, user: User) -> dict | None:
    """The partner page's assessment card (registered in apps.py): the latest completed
    assessment's result, the one in progress, and the button that starts one. Partner family
    only; the query it shares with the pipeline's gate (``partner_assessments``). The result by
    criterion is on the assessment's own page."""
    if partner.family != Family.PARTNER:
        return None
    found = partner_assessments(partner)
    latest = found.latest
    threshold = (latest.snapshot or {}).get("pass_threshold") if latest else None
    return {
        "partner": partner,
        "latest": latest,
        "threshold": Decimal(threshold) if threshold is not None else None,
        "passed": latest.passed_screening if latest else None,
        "in_progress": found.in_progress,
        # One assessment per period of the template (a year): the next one once this one's is over.
        "may_start": found.in_progress is None
        and (latest is None or latest.period_end < timezone.localdate())
        and partner.archived_at is None
        and can_open_evaluation(user, partner),
    }


# --- Supplier scorecard page -----------------------------------------------------------------


@dataclass
class TrendPoint:
    evaluation_id: int
    period_start: dt.date
    period_end: dt.date
    label: str
    score: Decimal | None
    overall_score: Decimal | None
    standing: str
    not_rated: bool


@dataclass
class Scorecard:
    partner: Partner
    template: ScorecardTemplate | None
    current: PartnerScore | None  # overall score and standing, latest score
    latest: Evaluation | None  # the latest closed evaluation (its snapshot has the breakdown)
    breakdown: list[dict]  # snapshot["criteria"] of the latest: inputs, evaluator comments, means
    trend: list[TrendPoint]  # oldest first, one point per closed period
    scores_by_template: list[PartnerScore]
    open_evaluations: list[Evaluation]
    decisions: list[Decision]
    incentives: list[Incentive]
    open_actions: list[CorrectiveAction]
    expired_qualifications: list[QualificationDocument]  # apart from the expiring ones (issue #12 §4)
    expiring_qualifications: list[QualificationDocument]
    overall_explanation: dict | None = None  # scoring.explain_overall over the trend
    can_activate: bool | None = None  # only computed for candidate suppliers
    explanation: dict | None = None  # the latest's snapshot in the reader's language


def _main_score(scores: list[PartnerScore], template_id: int | None) -> PartnerScore | None:
    if template_id is not None:
        return next((s for s in scores if s.template_id == template_id), None)
    # The periodic evaluation (or partner assessment) is "the" scorecard; screening only if alone.
    ranked = sorted(scores, key=lambda s: (s.template.purpose == Purpose.SCREENING, -(s.latest_evaluation_id or 0)))
    return ranked[0] if ranked else None


def snapshot_in_language(snapshot: dict) -> dict:
    """A closed evaluation's snapshot as the reader reads it. A reader in Chinese gets each
    criterion's live Chinese name, description and anchors while the criterion still exists
    and has them, else the texts frozen on close (one query; none for other readers). Each
    rating carries what its level means (``anchor``)."""
    rows = snapshot.get("criteria") or []
    if not rows:
        return snapshot
    live: dict[int, Criterion] = {}
    if (translation.get_language() or "").lower().startswith("zh"):
        keys = [r["key"] for r in rows if isinstance(r.get("key"), int)]
        live = {c.pk: c for c in Criterion.objects.filter(pk__in=keys)}
    localized = []
    for row in rows:
        anchors = list(row.get("anchors") or [])
        c = live.get(row.get("key"))
        if c is not None:
            anchors = [zh or en for en, zh in zip(anchors, c.anchors_zh, strict=False)]
            row = {
                **row,
                "name": c.name_zh or row.get("name", ""),
                "description": c.description_zh or row.get("description", ""),
                "anchors": anchors,
            }
        inputs = [
            {**i, "anchor": anchors[i["rating"] - 1]}
            if isinstance(i.get("rating"), int) and 0 < i["rating"] <= len(anchors)
            else i
            for i in row.get("inputs") or []
        ]
        localized.append({**row, "inputs": inputs})
    return {**snapshot, "criteria": localized}


def supplier_scorecard(*, partner: Partner, template_id: int | None = None, history_limit: int = 40) -> Scorecard:
    """Everything the scorecard page shows, in a fixed number of queries: 7 for a supplier
    (6 for other families; up to 2 more for a candidate's screening check).

    1 PartnerScore rows (+ template, latest evaluation with its snapshot)  2 trend series
    3 open evaluations (+ template)  4 decisions (+ approver)  5 incentives
    6 open corrective actions  7 expired and expiring qualifications (suppliers only)
    When the partner has no score yet, the template falls back to ``template_id``. Each list
    joins only what the page shows of it: a join to a wide model costs more to compile and
    to read than the rows it brings (issue #15).
    """
    scores = list(
        PartnerScore.objects.filter(partner=partner)
        .select_related("template", "latest_evaluation")
        .order_by("template__name")
    )
    current = _main_score(scores, template_id)
    template = current.template if current else None
    if template is None and template_id is not None:
        template = ScorecardTemplate.objects.filter(pk=template_id).first()
    latest = current.latest_evaluation if current else None

    trend: list[TrendPoint] = []
    if template is not None:
        rows = (
            Evaluation.objects.filter(partner=partner, template=template, status=Evaluation.Status.CLOSED)
            .order_by("-period_start")
            .values_list("pk", "period_start", "period_end", "score", "overall_score", "standing", "is_not_rated")[
                :history_limit
            ]
        )
        trend = [
            TrendPoint(pk, start, end, period_label(start, template.cadence), score, overall, standing, not_rated)
            for pk, start, end, score, overall, standing, not_rated in reversed(list(rows))
        ]

    open_evaluations = list(
        Evaluation.objects.filter(partner=partner, status=Evaluation.Status.OPEN)
        .select_related("template")
        .defer("snapshot")
        .order_by("due_on", "pk")
    )
    decisions = list(
        Decision.objects.filter(evaluation__partner=partner)
        .select_related("approver")
        .order_by("-decided_at", "-pk")[:20]
    )
    incentives = list(Incentive.objects.filter(partner=partner).order_by("-starts_on", "-pk")[:20])
    plans = CorrectiveActionPlan.objects.filter(evaluation__partner=partner).values("pk")
    open_actions = list(actions_for_sources(CorrectiveActionPlan, plans).filter(state__in=OPEN_ACTION_STATES))
    qualifications = qualification_alerts(partner=partner)
    can_activate = supplier_can_activate(partner) if partner.status == "candidate" else None
    explanation = snapshot_in_language(latest.snapshot or {}) if latest else None
    overall_explanation = None
    if trend:
        n = int((latest.snapshot if latest else {}).get("recency_periods") or template.recency_periods)
        overall_explanation = explain_overall([(p.label, p.score) for p in reversed(trend)], n=n)
    return Scorecard(
        partner=partner,
        template=template,
        current=current,
        latest=latest,
        breakdown=list(explanation.get("criteria", [])) if explanation else [],
        explanation=explanation,
        trend=trend,
        scores_by_template=scores,
        open_evaluations=open_evaluations,
        decisions=decisions,
        incentives=incentives,
        open_actions=open_actions,
        expired_qualifications=qualifications.expired,
        expiring_qualifications=qualifications.expiring,
        overall_explanation=overall_explanation,
        can_activate=can_activate,
    )


# --- Ranking and the manager overview ---------------------------------------------------------


RANKING_DEFERRED_PARTNER_FIELDS = (
    "description",
    "customs",
    "products_services",
    "capacity_notes",
    "needs",
    "cooperation_scope",
    "website",
    "industry",
    "region",
)


def _ranking_queryset(
    *,
    template: ScorecardTemplate,
    department_id: int | None,
    tier: int | None,
    standing: str | None,
    period: dt.date | None,
) -> QuerySet:
    if period is not None:
        start, _end = period_for(period, template.cadence)
        qs = Evaluation.objects.filter(template=template, period_start=start, status=Evaluation.Status.CLOSED)
    else:
        qs = PartnerScore.objects.filter(template=template)
    if department_id is not None:
        qs = qs.filter(partner__department_id=department_id)
    if tier is not None:
        qs = qs.filter(partner__tier=tier)
    if standing:
        qs = qs.filter(overall_standing=standing)
    return qs.order_by(F("overall_score").desc(nulls_last=True), "partner__name", "pk")


def _current_incentives(partner_ids, *, fields: tuple[str, ...] = ()) -> QuerySet[Incentive]:
    """The approved incentives running today of these partners (one query)."""
    today = timezone.localdate()
    qs = Incentive.objects.filter(
        partner_id__in=list(partner_ids),
        status=Incentive.Status.APPROVED,
        starts_on__lte=today,
        ends_on__gte=today,
    ).order_by("starts_on", "pk")
    return qs.values_list(*fields, named=True) if fields else qs


def ranking(
    *,
    template: ScorecardTemplate,
    department_id: int | None = None,
    tier: int | None = None,
    standing: str | None = None,
    period: dt.date | None = None,
    limit: int | None = 100,
) -> list[PartnerScore | Evaluation]:
    """Partners of one template by overall score (best first, not-rated last): 2 queries.

    Without ``period``: the current overall scores (``PartnerScore``, refreshed on close).
    With ``period``: the overall score as of that period (``Evaluation.overall_score`` of the
    closed evaluations of that calendar period). Each row gets ``current_incentives``: the
    approved incentives running today (one more query for the page, whatever its size).
    """
    qs = _ranking_queryset(template=template, department_id=department_id, tier=tier, standing=standing, period=period)
    # Only what a ranking row shows: no long partner texts, no frozen snapshots.
    qs = qs.select_related("partner", "partner__department").defer(
        *(f"partner__{name}" for name in RANKING_DEFERRED_PARTNER_FIELDS)
    )
    if period is not None:
        qs = qs.defer("snapshot")
    rows = list(qs[:limit] if limit else qs)
    by_partner: dict[int, list[Incentive]] = {r.partner_id: [] for r in rows}
    if by_partner:
        for incentive in _current_incentives(by_partner):
            by_partner[incentive.partner_id].append(incentive)
    for row in rows:
        row.current_incentives = by_partner[row.partner_id]
    return rows


def ranking_rows(
    *,
    template: ScorecardTemplate,
    department_id: int | None = None,
    tier: int | None = None,
    standing: str | None = None,
    period: dt.date | None = None,
    limit: int,
) -> list[Row]:
    """The overview's ranking (``ranking``'s rows, best first) as plain values worked out once
    per row: its link, labels and numbers in the reader's language. Read as values, not as
    a score, a partner and a department instance per row, and formatted here rather than by
    a row's template lookups, ``{% url %}`` and number filters: 2 queries."""
    qs = _ranking_queryset(template=template, department_id=department_id, tier=tier, standing=standing, period=period)
    score, previous = ("score", None) if period is not None else ("latest_score", "previous_overall_score")
    fields = ["partner_id", "partner__name", "partner__department__name", "partner__department__name_zh"]
    fields += ["overall_score", "overall_standing", score] + ([previous] if previous else [])
    rows = list(qs.values_list(*fields, named=True)[:limit])
    incentives: dict[int, list[str]] = {r.partner_id: [] for r in rows}
    if incentives:
        kinds = dict(Incentive.Kind.choices)
        for incentive in _current_incentives(incentives, fields=("partner_id", "kind")):
            incentives[incentive.partner_id].append(str(kinds.get(incentive.kind, incentive.kind)))
    url = url_pattern("evaluations:scorecard")
    language = translation.get_language()
    out = []
    for rank, r in enumerate(rows, 1):
        overall = r.overall_score
        before = getattr(r, previous) if previous else None
        movement = overall - before if overall is not None and before is not None else None
        out.append(
            Row(
                rank=rank,
                url=url.format(r.partner_id),
                name=r.partner__name,
                department=in_language(r.partner__department__name, r.partner__department__name_zh, language),
                overall=number_text(overall),
                standing=r.overall_standing,
                latest=number_text(getattr(r, score)),
                movement=movement,
                movement_text=number_text(movement) if movement else "",
                incentives=incentives[r.partner_id],
            )
        )
    return out


# What the overview's shared part reads: its ranking, standings and movers are kept in the
# shared cache until a row of one of these changes (crm.option_lists), and a minute at most.
def ranking_templates() -> list[ScorecardTemplate]:
    """The scorecards a ranking can be read for (not screening), active ones first, then the
    supplier periodic evaluations that managers look at most: kept per process until one
    changes (``option_lists.kept``)."""
    templates = option_lists.kept(
        "evaluations.ranking_templates", ScorecardTemplate.objects.exclude(purpose=Purpose.SCREENING)
    )
    return sorted(
        templates, key=lambda t: (not t.is_active, t.purpose != Purpose.PERIODIC, t.family != "supplier", t.name)
    )


# StandingBand: the standings' labels, which the overview's cached fragments show.
def screening_templates(family: str) -> list[ScorecardTemplate]:
    """The active screening scorecards of a family (a candidate is screened on one of them):
    kept per process until a scorecard changes (``option_lists.kept``)."""
    templates = option_lists.kept(
        "evaluations.screening_templates",
        ScorecardTemplate.objects.filter(purpose=Purpose.SCREENING, is_active=True).order_by("name", "pk"),
    )
    return [t for t in templates if t.family == family]


OVERVIEW_SOURCES = (PartnerScore, Evaluation, Incentive, Partner, Department, StandingBand)
OVERVIEW_SECONDS = 60


def overview_figures(
    *,
    template: ScorecardTemplate,
    department_id: int | None,
    tier: int | None,
    standing: str | None,
    period: dt.date | None,
    limit: int,
) -> dict:
    """The overview's part that is the same for every viewer of the same filters: the ranking
    (``ranking_rows``), the standings and the biggest movers, as plain values. Read once, then
    from the shared cache until a score, an evaluation, an incentive, a partner or a department
    changes (any save or delete: their table's version is part of the key), or for a minute
    when a write sent no signal (a bulk update): a manager's own close or decision shows at
    once. Five queries when counted, none after. Its "key" (None when nothing may be kept)
    keys the page's fragments rendered from these figures (``{% cache %}``)."""
    stamp = option_lists.versions(*OVERVIEW_SOURCES)
    key = "evaluations:overview:" + ":".join(
        str(part)
        for part in (template.pk, department_id, tier, standing, period, limit)
        + (translation.get_language(), timezone.localdate(), stamp)
    )
    figures = cache.get(key) if stamp else None
    if figures is None:
        filters = {"department_id": department_id, "tier": tier, "standing": standing, "period": period}
        movers = biggest_movers(template=template)
        url = url_pattern("evaluations:scorecard")
        figures = {
            "rows": ranking_rows(template=template, **filters, limit=limit),
            "distribution": standing_distribution(template=template, department_id=department_id),
            "movers": [
                Row(
                    url=url.format(m.partner_id),
                    name=m.partner.name,
                    movement=m.movement,
                    movement_text=number_text(m.movement),
                )
                for m in movers
            ],
        }
        if stamp:
            cache.set(key, figures, OVERVIEW_SECONDS)
    return {**figures, "key": key if stamp else None}


def standing_distribution(*, template: ScorecardTemplate, department_id: int | None = None) -> dict[str, int]:
    """How many partners hold each overall standing ("" = not rated yet): one query."""
    qs = PartnerScore.objects.filter(template=template)
    if department_id is not None:
        qs = qs.filter(partner__department_id=department_id)
    return {
        row["overall_standing"]: row["n"]
        for row in qs.values("overall_standing").annotate(n=Count("pk")).order_by("overall_standing")
    }


def biggest_movers(*, template: ScorecardTemplate, limit: int = 10) -> list[PartnerScore]:
    """Overall score change since the previous period, largest first (either direction): one query,
    read from ``partner_score_movers_idx`` in that order down to the ``limit`` shown."""
    return list(
        PartnerScore.objects.filter(
            template=template, overall_score__isnull=False, previous_overall_score__isnull=False
        )
        .annotate(change=movement_size())
        .exclude(change=0)
        .select_related("partner")
        .only("partner_id", "overall_score", "previous_overall_score", "partner__name")
        .order_by("-change", "partner__name")[:limit]
    )


ATTENTION_SHOWN = 10
# Each list counts up to this many: past it, "more than 50" (a count of every open evaluation
# ready to close took 83 ms at 100,000 partners; up to 100 of them, 13 ms).
ATTENTION_COUNT_CAP = 50


def evaluations_needing_attention(*, user: User) -> dict:
    """Overview: open evaluations past due, and (for managers) those of my department ready to
    close (every sheet submitted): the first ``ATTENTION_SHOWN`` of each, due first, and how
    many there are in all ("overdue_count", "awaiting_count"), counted up to
    ``ATTENTION_COUNT_CAP`` + 1. One query per list, which reads the rows it counts as values."""
    today = timezone.localdate()
    base = Evaluation.objects.filter(status=Evaluation.Status.OPEN)
    department_id = roles.user_department_id(user)
    if not user.is_superuser:
        base = base.filter(partner__department_id=department_id)
    overdue, overdue_count = _first_and_count(base.filter(due_on__lt=today))
    ready: list[Row] = []
    ready_count = 0
    if roles.is_manager(user):
        # EXISTS rather than counting every open evaluation's sheets (GROUP BY): half the time.
        sheets = EvaluatorSheet.objects.filter(evaluation=OuterRef("pk"))
        ready, ready_count = _first_and_count(
            base.filter(Exists(sheets)).exclude(Exists(sheets.filter(submitted_at__isnull=True)))
        )
    return {
        "overdue": overdue,
        "overdue_count": overdue_count,
        "awaiting_close": ready,
        "awaiting_count": ready_count,
        "count_cap": ATTENTION_COUNT_CAP,
    }


def _first_and_count(qs: QuerySet[Evaluation]) -> tuple[list[Row], int]:
    """The first ``ATTENTION_SHOWN`` evaluations, due first, as rows (``pk``, ``due_on``,
    ``partner.name``, ``template.display_name``), and how many there are up to the cap + 1: the
    rows up to the cap are read as values in the same query, which a second query to count them
    would cost more than."""
    found = qs.order_by("due_on", "pk").values_list(
        "pk", "due_on", "partner__name", "template__name", "template__name_zh"
    )[: ATTENTION_COUNT_CAP + 1]
    rows = list(found)
    first = [
        Row(pk=pk, due_on=due_on, partner=Row(name=name), template=Row(display_name=in_language(en, zh)))
        for pk, due_on, name, en, zh in rows[:ATTENTION_SHOWN]
    ]
    return first, len(rows)


# --- Standing labels (issue 12 §6: "A" alone tells a reader nothing) ------------------------

STANDING_LABELS_KEY = "evaluations:standing-labels"


def standing_labels() -> dict[str, tuple[str, str]]:
    """Each standing code's (English, Chinese) label, from the periodic templates first.

    Cached: the badge is on every scorecard page and list row, and bands change only in the
    admin (``standing_labels_forget`` runs on every band save and delete)."""
    labels = cache.get(STANDING_LABELS_KEY)
    if labels is None:
        labels = {}
        rows = StandingBand.objects.order_by(
            Case(When(template__purpose=Purpose.PERIODIC, then=0), default=1), "template_id"
        ).values_list("code", "label", "label_zh")
        for code, label, label_zh in rows:
            labels.setdefault(code, (label, label_zh))
        cache.set(STANDING_LABELS_KEY, labels, 24 * 3600)
    return labels


def standing_label(code: str) -> str:
    """The label of standing ``code`` in the reader's language ("" when none is set)."""
    pair = standing_labels().get(code or "")
    return in_language(*pair) if pair else ""


def standing_choices() -> list[tuple[str, str]]:
    """Every standing code and its label in the reader's language, A first (a select's options)."""
    labels = standing_labels()
    return [(code, in_language(*labels[code]) if code in labels else "") for code in StandingCode.values]


def standing_labels_forget(**_kwargs) -> None:
    cache.delete(STANDING_LABELS_KEY)
