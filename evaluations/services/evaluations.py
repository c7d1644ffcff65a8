"""Opening, scoring, closing and amending evaluations (P4.1.1, P4.3.1)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm import roles
from partners.models import Partner

from .. import scoring
from ..models import (
    Criterion,
    CriterionScore,
    Evaluation,
    EvaluationAmendment,
    EvaluatorSheet,
    PartnerScore,
    ScorecardTemplate,
)
from ..selectors import (
    can_open_evaluation,
    can_score_sheet,
    evaluation_period_not_ended,
    may_close_early,
    may_decide_evaluation,
)
from ._common import _name, _require_reason, _stamp
from .templates import template_problems

# An evaluation of a period is due this many days after the period ends (or after today
# when opened later, e.g. a screening).
EVALUATION_GRACE_DAYS = 14
# Evaluation.closed_early_reason's max_length.
EARLY_REASON_MAX = 2000

# --- Opening and scoring ------------------------------------------------------------------------


@transaction.atomic
def evaluation_open(
    *,
    partner: Partner,
    template: ScorecardTemplate,
    period: dt.date,
    evaluators: Iterable,
    opened_by=None,
    due_on: dt.date | None = None,
) -> tuple[Evaluation, bool]:
    """Open the evaluation of ``partner`` on ``template`` for the calendar period containing
    ``period``, with one sheet per evaluator. Returns (evaluation, created).

    Idempotent: the (partner, template, period start) key is unique in the database, so a
    second call (a double click, a retried task) returns the existing evaluation and
    changes nothing (get_or_create also covers two calls racing past the first lookup).
    ``opened_by`` None means the scheduler.
    """
    if opened_by is not None and not can_open_evaluation(opened_by, partner):
        raise PermissionDenied
    start, end = scoring.period_for(period, template.cadence)
    existing = Evaluation.objects.filter(partner=partner, template=template, period_start=start).first()
    if existing is not None:
        return existing, False
    evaluators = list({u.pk: u for u in evaluators}.values())
    problems = []
    if not template.is_active:
        problems.append(_("This template is retired."))
    if template.family != partner.family:
        problems.append(_("This template is for another family of partners."))
    if template.tier is not None and template.tier != partner.tier:
        problems.append(_("This template is for another tier."))
    if partner.archived_at is not None:
        problems.append(_("This partner is archived."))
    if not evaluators:
        problems.append(_("Assign at least one evaluator."))
    no_role = [_name(u) for u in evaluators if not (u.is_superuser or roles.has_write_role(u))]
    if no_role:
        problems.append(_("These people cannot score suppliers: %(names)s.") % {"names": ", ".join(no_role)})
    template_issues = template_problems(list(template.criteria.all()), [b.band() for b in template.bands.all()])
    if template_issues:
        problems.append(_("The template is incomplete: %(problems)s") % {"problems": " ".join(template_issues)})
    if problems:
        raise ValidationError(problems, code="cannot_open")

    if due_on is None:
        due_on = max(end, timezone.localdate()) + dt.timedelta(days=EVALUATION_GRACE_DAYS)
    evaluation, created = Evaluation.objects.get_or_create(
        partner=partner,
        template=template,
        period_start=start,
        defaults={"period_end": end, "due_on": due_on, "opened_by": opened_by},
    )
    if created:
        for user in evaluators:
            _stamp(EvaluatorSheet(evaluation=evaluation, evaluator=user), opened_by).save()
    return evaluation, created


@dataclass
class ScoreData:
    """One criterion on a sheet: a rating 1–5 (manual), a value (KPI) or N/A, with evidence."""

    rating: int | None = None
    kpi_value: Decimal | None = None
    is_na: bool = False
    evidence: str = ""


def _check_score(criterion: Criterion, data: ScoreData) -> str | None:
    """Why this input is refused for this criterion (None: accepted)."""
    name = criterion.name
    if len(data.evidence or "") > 5000:
        return _("%(criterion)s: the evidence note is too long.") % {"criterion": name}
    if data.is_na:
        if not criterion.allow_na:
            return _("%(criterion)s: N/A is not allowed.") % {"criterion": name}
        if data.rating is not None or data.kpi_value is not None:
            return _("%(criterion)s: N/A cannot have a value.") % {"criterion": name}
        return None
    if criterion.kind == scoring.KPI:
        if data.rating is not None:
            return _("%(criterion)s is a KPI: enter its value, not a rating.") % {"criterion": name}
        try:
            value = Decimal(data.kpi_value) if data.kpi_value is not None else None
        except (InvalidOperation, TypeError, ValueError):
            value = None
        if value is None or not value.is_finite():
            return _("%(criterion)s: enter the KPI value as a number.") % {"criterion": name}
        if problem := scoring.kpi_value_problem(value, criterion.kpi_unit):
            return f"{name}: {problem}"
        return None
    if data.kpi_value is not None:
        return _("%(criterion)s is rated 1–5, not a KPI value.") % {"criterion": name}
    if isinstance(data.rating, bool) or not isinstance(data.rating, int) or not 1 <= data.rating <= 5:
        return _("%(criterion)s: the rating must be a whole number from 1 to 5.") % {"criterion": name}
    return None


@transaction.atomic
def sheet_save(*, sheet: EvaluatorSheet, by, scores: Mapping[int, ScoreData]) -> EvaluatorSheet:
    """Save (part of) an evaluator's sheet, keyed by criterion id. A submitted sheet is locked."""
    sheet = EvaluatorSheet.objects.select_for_update().select_related("evaluation").get(pk=sheet.pk)
    if not can_score_sheet(by, sheet):
        raise PermissionDenied
    if sheet.is_submitted:
        raise ValidationError(_("This sheet was submitted and is locked."), code="sheet_locked")
    if sheet.evaluation.status != Evaluation.Status.OPEN:
        raise ValidationError(_("This evaluation is closed."), code="evaluation_closed")
    criteria = {c.pk: c for c in Criterion.objects.filter(template_id=sheet.evaluation.template_id)}
    problems = []
    for criterion_id, data in scores.items():
        criterion = criteria.get(criterion_id)
        if criterion is None:
            problems.append(_("A score names a criterion that is not on this scorecard."))
            continue
        problem = _check_score(criterion, data)
        if problem:
            problems.append(problem)
    if problems:
        raise ValidationError(problems, code="invalid_scores")
    existing = {s.criterion_id: s for s in sheet.scores.all()}
    for criterion_id, data in scores.items():
        row = existing.get(criterion_id) or CriterionScore(sheet=sheet, criterion_id=criterion_id)
        row.criterion = criteria[criterion_id]  # its unit bounds the value (no query in the guard)
        new = (
            None if data.is_na or data.kpi_value is not None else data.rating,
            None if data.is_na or data.kpi_value is None else Decimal(data.kpi_value),
            data.is_na,
            (data.evidence or "").strip(),
        )
        if row.pk and (row.rating, row.kpi_value, row.is_na, row.evidence) == new:
            continue
        row.rating, row.kpi_value, row.is_na, row.evidence = new
        _stamp(row, by).save()
    return sheet


@transaction.atomic
def sheet_submit(*, sheet: EvaluatorSheet, by) -> bool:
    """Lock a complete sheet. False when it already was submitted (a double click does nothing)."""
    sheet = EvaluatorSheet.objects.select_for_update().select_related("evaluation").get(pk=sheet.pk)
    if not can_score_sheet(by, sheet):
        raise PermissionDenied
    if sheet.is_submitted:
        return False
    if sheet.evaluation.status != Evaluation.Status.OPEN:
        raise ValidationError(_("This evaluation is closed."), code="evaluation_closed")
    scored = set(sheet.scores.values_list("criterion_id", flat=True))
    missing = [c.name for c in Criterion.objects.filter(template_id=sheet.evaluation.template_id) if c.pk not in scored]
    if missing:
        raise ValidationError(
            _("Score every criterion (or mark it N/A where allowed) before submitting: %(names)s.")
            % {"names": ", ".join(missing)},
            code="sheet_incomplete",
        )
    sheet.submitted_at = timezone.now()
    _stamp(sheet, by).save(update_fields=["submitted_at", "updated_at"])
    return True


# --- Closing and amending -----------------------------------------------------------------------


def _freeze(evaluation: Evaluation, sheets: list[EvaluatorSheet]) -> dict:
    """The snapshot: the template as it is now, every input, and the explained result."""
    template = evaluation.template
    criteria = list(template.criteria.all())
    bands = [b.band() for b in template.bands.all()]
    problems = template_problems(criteria, bands)
    if problems:
        raise ValidationError(problems, code="invalid_template")
    names = {s.pk: _name(s.evaluator) for s in sheets}
    inputs: dict[int, list[scoring.ScoreInput]] = {c.pk: [] for c in criteria}
    scores = CriterionScore.objects.filter(sheet__evaluation=evaluation).order_by("sheet_id", "criterion_id")
    for s in scores:
        inputs.setdefault(s.criterion_id, []).append(
            scoring.ScoreInput(
                rating=s.rating,
                kpi_value=s.kpi_value,
                is_na=s.is_na,
                evaluator=names.get(s.sheet_id, ""),
                evidence=s.evidence,
            )
        )
    explanation = scoring.explain_period(
        [c.spec() for c in criteria], inputs, min_scored_weight=template.min_scored_weight, bands=bands
    )
    for row, c in zip(explanation["criteria"], criteria, strict=True):
        row.update(
            description=c.description, anchors=c.anchors if c.kind == scoring.MANUAL else [], kpi_unit=c.kpi_unit
        )
    return {
        **explanation,
        "template": {"id": template.pk, "name": template.name, "purpose": template.purpose},
        "cadence": template.cadence,
        "period": scoring.period_label(evaluation.period_start, template.cadence),
        "pass_threshold": str(template.pass_threshold),
        "recency_periods": template.recency_periods,
        "evaluators": [names[s.pk] for s in sheets],
        "revision": evaluation.revision + 1,
    }


@transaction.atomic
def evaluation_close(*, evaluation: Evaluation, by, early_reason: str = "") -> Evaluation:
    """Close an evaluation (department managers): freeze the snapshot, score, standing (P4.1.1).

    Refused while any assigned sheet is unsubmitted; the message names whose. Refused before
    the evaluated period has ended (issue #12 §4), unless a manager overrides it with a
    written ``early_reason``, kept on the evaluation and in its history. The snapshot holds
    the template as it is now, so later template edits never change this result.
    """
    evaluation = Evaluation.objects.select_for_update().select_related("partner", "template").get(pk=evaluation.pk)
    if not may_decide_evaluation(by, evaluation.partner):
        raise PermissionDenied
    if evaluation.status != Evaluation.Status.OPEN:
        raise ValidationError(_("This evaluation is already closed."), code="already_closed")
    early_reason = (early_reason or "").strip()
    early = evaluation_period_not_ended(evaluation)
    if early and not early_reason:
        raise ValidationError(
            _(
                "The evaluated period ends on %(date)s: an evaluation is closed after its period has ended. "
                "A manager may close it earlier with a written reason."
            )
            % {"date": evaluation.period_end.isoformat()},
            code="period_not_ended",
        )
    if early and not may_close_early(by, evaluation.partner):
        raise PermissionDenied
    if len(early_reason) > EARLY_REASON_MAX:
        raise ValidationError(_("The reason is too long."), code="reason_too_long")
    sheets = list(evaluation.sheets.select_related("evaluator").order_by("pk"))
    if not sheets:
        raise ValidationError(_("No evaluator is assigned to this evaluation."), code="no_sheets")
    missing = [_name(s.evaluator) for s in sheets if not s.is_submitted]
    if missing:
        raise ValidationError(
            _("Cannot close yet: waiting for the sheets of %(names)s.") % {"names": ", ".join(missing)},
            code="missing_sheets",
        )
    evaluation.apply_snapshot(_freeze(evaluation, sheets), closed_at=timezone.now(), closed_by=by)
    # A close after the period ends (an amended evaluation closed again) clears an earlier
    # override; the history keeps it.
    evaluation.closed_early_reason = early_reason if early else ""
    _stamp(evaluation, by, evaluation.closed_early_reason).save(
        update_fields=[
            "closed_early_reason",
            "snapshot",
            "score",
            "scored_weight",
            "is_not_rated",
            "standing",
            "status",
            "revision",
            "closed_at",
            "closed_by",
            "updated_at",
        ]
    )
    partner_score_refresh(partner_id=evaluation.partner_id, template=evaluation.template)
    evaluation.refresh_from_db(fields=["overall_score", "overall_standing"])
    return evaluation


@transaction.atomic
def evaluation_amend(
    *, evaluation: Evaluation, by, reason: str, reopen_evaluators: Iterable | None = None
) -> EvaluationAmendment:
    """Reopen a closed evaluation to correct it (department managers, reason required).

    The previous snapshot and result are kept in an ``EvaluationAmendment`` (and in the
    history); the sheets of ``reopen_evaluators`` (default: all) are unlocked. Close again
    to freeze the next revision, then record its decision.
    """
    reason = _require_reason(reason)
    evaluation = Evaluation.objects.select_for_update().select_related("partner", "template").get(pk=evaluation.pk)
    if not may_decide_evaluation(by, evaluation.partner):
        raise PermissionDenied
    if evaluation.status != Evaluation.Status.CLOSED:
        raise ValidationError(_("Only a closed evaluation can be amended."), code="not_closed")
    sheets = list(evaluation.sheets.all())
    if reopen_evaluators is not None:
        wanted = {u.pk for u in reopen_evaluators}
        sheets = [s for s in sheets if s.evaluator_id in wanted]
        if len(sheets) != len(wanted):
            raise ValidationError(_("Some of these people have no sheet on this evaluation."), code="no_such_sheet")
    amendment = EvaluationAmendment.objects.create(
        evaluation=evaluation,
        revision=evaluation.revision,
        reason=reason,
        amended_by=by,
        previous_snapshot=evaluation.snapshot,
        previous_score=evaluation.score,
        previous_standing=evaluation.standing,
    )
    for sheet in sheets:
        if sheet.submitted_at is not None:
            sheet.submitted_at = None
            _stamp(sheet, by, reason).save(update_fields=["submitted_at", "updated_at"])
    evaluation.status = Evaluation.Status.OPEN
    _stamp(evaluation, by, reason).save(update_fields=["status", "updated_at"])
    partner_score_refresh(partner_id=evaluation.partner_id, template=evaluation.template)
    return amendment


def partner_score_refresh(*, partner_id: int, template: ScorecardTemplate) -> PartnerScore | None:
    """Recompute the overall score as of every closed period, and the current ``PartnerScore``.

    Each period's overall uses the N and the bands frozen in its own snapshot, so template
    edits never rewrite past results; amending or late-closing an older period updates the
    later ones. A handful of rows per (partner, template): cheap, and always consistent.
    """
    closed = list(
        Evaluation.objects.filter(partner_id=partner_id, template=template, status=Evaluation.Status.CLOSED)
        .order_by("period_start")
        .only("pk", "period_start", "score", "is_not_rated", "standing", "snapshot", "overall_score")
    )
    period_scores: list[Decimal | None] = []
    changed = []
    for e in closed:
        period_scores.append(None if e.is_not_rated else e.score)
        n = int(e.snapshot.get("recency_periods") or template.recency_periods)
        overall = scoring.overall_score(list(reversed(period_scores)), n=n)
        bands = [
            scoring.Band(b["code"], Decimal(b["lower_bound"]), b["label"], b["consequence"])
            for b in e.snapshot.get("bands", [])
        ]
        band = scoring.standing_for(overall, bands)
        standing = band.code if band else ""
        if (e.overall_score, e.overall_standing) != (overall, standing):
            e.overall_score, e.overall_standing = overall, standing
            changed.append(e)
    if changed:
        Evaluation.objects.bulk_update(changed, ["overall_score", "overall_standing"])
    if not closed:
        PartnerScore.objects.filter(partner_id=partner_id, template=template).update(
            overall_score=None,
            overall_standing="",
            previous_overall_score=None,
            latest_evaluation=None,
            latest_score=None,
            latest_standing="",
            rated_periods=0,
        )
        return None
    latest = closed[-1]
    score, _created = PartnerScore.objects.update_or_create(
        partner_id=partner_id,
        template=template,
        defaults={
            "overall_score": latest.overall_score,
            "overall_standing": latest.overall_standing,
            "previous_overall_score": closed[-2].overall_score if len(closed) > 1 else None,
            "latest_evaluation": latest,
            "latest_score": latest.score,
            "latest_standing": latest.standing,
            "rated_periods": sum(1 for s in period_scores if s is not None),
        },
    )
    return score
