"""Helpers of the pipeline's tests: a prospective partner, and its partner assessment closed
through the scorecard services, as people do it."""

from __future__ import annotations

from django.utils import timezone

from evaluations.models import Criterion, Evaluation, Purpose, ScorecardTemplate
from evaluations.services import ScoreData, evaluation_close, evaluation_open, sheet_save, sheet_submit
from partners.models import Family, Partner, Status
from tests.factories import PartnerFactory


def prospect(owner, **kwargs) -> Partner:
    """A candidate of the partner family in Procurement, owned by ``owner``."""
    kwargs.setdefault("status", Status.CANDIDATE)
    return PartnerFactory(owner=owner, family=Family.PARTNER, **kwargs)


def assessment_template() -> ScorecardTemplate:
    return ScorecardTemplate.objects.get(purpose=Purpose.PARTNER_ASSESSMENT, family=Family.PARTNER)


def assess(partner: Partner, evaluator, closer, *, rating: int = 4, close: bool = True) -> Evaluation:
    """The partner's assessment scored ``rating`` on every criterion by ``evaluator``, submitted
    and (unless ``close`` is False) closed by ``closer``."""
    template = assessment_template()
    evaluation, _created = evaluation_open(
        partner=partner, template=template, period=timezone.localdate(), evaluators=[evaluator], opened_by=evaluator
    )
    sheet = evaluation.sheets.get(evaluator=evaluator)
    scores = {c.pk: ScoreData(rating=rating, evidence="Seen") for c in Criterion.objects.filter(template=template)}
    sheet_save(sheet=sheet, by=evaluator, scores=scores)
    if not close:
        return evaluation
    sheet_submit(sheet=sheet, by=evaluator)
    return evaluation_close(evaluation=evaluation, by=closer)
