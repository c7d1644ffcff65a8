"""Demo partner assessments of the pipeline's prospects (P4.3.1), for ``seed_demo`` (order 35).

The prospects are ``partners.partnerships.demo.PROSPECTS`` (registered at order 20). Each one
with ratings is assessed on the partner assessment scorecard through the services, the way a
person would: opened with its owner as the evaluator, scored with evidence in the prospect's
language, submitted and closed by a manager of its department (a superuser where it has none);
then moved along the pipeline to its stage, each move gated on that assessment. One prospect
keeps an assessment in progress (a draft sheet). Idempotent: a prospect that reached its stage,
or already has its assessment, is not assessed again.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth.models import User

from crm.demo import DemoOptions
from partners.models import Family, Partner
from partners.partnerships.demo import PROSPECTS, Prospect, backdate_steps, prospect_mover, step_moments
from partners.partnerships.models import MAIN_LINE, Stage
from partners.partnerships.selectors import partner_stage, partnership_for
from partners.partnerships.services import partnership_move

from ..models import Criterion, Evaluation, EvaluatorSheet, Purpose, ScorecardTemplate
from ..services import ScoreData, evaluation_close, evaluation_open, sheet_save, sheet_submit


def _scores(template: ScorecardTemplate, spec: Prospect) -> dict[int, ScoreData]:
    criteria = list(Criterion.objects.filter(template=template).order_by("order", "pk"))
    return {
        c.pk: ScoreData(rating=rating, evidence=evidence)
        for c, rating, evidence in zip(criteria, spec.ratings, spec.evidence, strict=False)
    }


def _assess(partner: Partner, template: ScorecardTemplate, spec: Prospect, mover: User, now: dt.datetime) -> int:
    """Open, score and (unless it stays in progress) close the prospect's assessment; 1 if it
    closed one now."""
    evaluator = partner.owner
    evaluation, _created = evaluation_open(
        partner=partner, template=template, period=now.date(), evaluators=[evaluator], opened_by=evaluator
    )
    if evaluation.status == Evaluation.Status.CLOSED:
        return 0
    sheet = evaluation.sheets.get(evaluator=evaluator)
    if not sheet.is_submitted:
        sheet_save(sheet=sheet, by=evaluator, scores=_scores(template, spec))
    if spec.assessment_open:
        return 0  # a draft: the evaluator has scored part of it
    sheet_submit(sheet=sheet, by=evaluator)
    evaluation_close(evaluation=evaluation, by=mover)
    return 1


def _backdate_assessment(partner: Partner, closed_at: dt.datetime) -> None:
    evaluations = Evaluation.objects.filter(partner=partner, template__purpose=Purpose.PARTNER_ASSESSMENT)
    EvaluatorSheet.objects.filter(evaluation__in=evaluations).update(submitted_at=closed_at - dt.timedelta(hours=2))
    evaluations.update(closed_at=closed_at)


def seed(*, rng: random.Random, now: dt.datetime, options: DemoOptions) -> dict[str, int]:
    """Registered with crm.demo (evaluations/apps.py)."""
    template = ScorecardTemplate.objects.filter(
        purpose=Purpose.PARTNER_ASSESSMENT, family=Family.PARTNER, is_active=True
    ).first()
    if template is None:
        return {"assessments": 0}
    assessed = moved = 0
    for spec in PROSPECTS:
        if not spec.ratings:
            continue
        partner = Partner.objects.filter(name__iexact=spec.name, family=Family.PARTNER).select_related("owner").first()
        mover = prospect_mover(partner) if partner else None
        if partner is None or mover is None:
            continue
        current = partner_stage(partner, partnership_for(partner))
        if current != Stage.IDENTIFIED or (spec.stage == Stage.IDENTIFIED and not spec.assessment_open):
            continue  # moved on already (a second run), or not assessed in the demo
        closed = _assess(partner, template, spec, mover, now)
        assessed += closed
        if spec.assessment_open:
            continue
        # Along the main line to its stage; a rejected one is rejected once assessed.
        target = spec.stage if spec.stage in MAIN_LINE else Stage.ASSESSED
        path = list(MAIN_LINE[1 : MAIN_LINE.index(target) + 1])
        notes = list(spec.notes)
        for stage in path:
            partnership_move(partner_id=partner.pk, to_stage=stage, by=mover, note=notes.pop(0) if notes else "")
            moved += 1
        if spec.stage == Stage.REJECTED:
            partnership_move(partner_id=partner.pk, to_stage=Stage.REJECTED, by=mover, reason=spec.reason)
            path.append(Stage.REJECTED)
            moved += 1
        moments = step_moments(spec, now, len(path))
        backdate_steps(partner, moments)
        if closed:
            # Scored and closed the day before the prospect was marked assessed.
            _backdate_assessment(partner, moments[1] - dt.timedelta(days=1))
    return {"assessments": assessed, "pipeline moves": moved}
