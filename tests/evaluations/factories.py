"""Builders for scorecard tests. Templates are checked with ``template_problems`` before they are
saved (so they are valid), as the admin checks them; the application itself creates none."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError

from evaluations import scoring, services
from evaluations.models import Consequence, Criterion, Evaluation, ScorecardTemplate, StandingBand, StandingCode

_names = itertools.count(1)

ANCHORS = ["poor", "weak", "fair", "good", "excellent"]

DEFAULT_BANDS = (
    # code, label, lower bound, consequence (issue #3 §1)
    (StandingCode.A, "Excellent", Decimal(85), Consequence.INCENTIVE_ELIGIBLE),
    (StandingCode.B, "Good", Decimal(70), Consequence.NONE),
    (StandingCode.C, "Needs improvement", Decimal(50), Consequence.CORRECTIVE_ACTION),
    (StandingCode.D, "Unacceptable", Decimal(0), Consequence.PROBATION_OR_EXIT_REVIEW),
)


@dataclass
class CriterionData:
    name: str
    weight: Decimal
    kind: str = scoring.MANUAL
    description: str = ""
    anchors: Sequence[str] = ()
    kpi_min: Decimal | None = None
    kpi_max: Decimal | None = None
    kpi_higher_is_better: bool = True
    kpi_unit: str = ""
    allow_na: bool = False


def manual(name: str, weight, *, allow_na: bool = False) -> CriterionData:
    return CriterionData(name=name, weight=Decimal(weight), anchors=ANCHORS, allow_na=allow_na)


def kpi(name: str, weight, lo, hi, *, higher_is_better: bool = True, allow_na: bool = False) -> CriterionData:
    return CriterionData(
        name=name,
        weight=Decimal(weight),
        kind=scoring.KPI,
        kpi_min=Decimal(lo),
        kpi_max=Decimal(hi),
        kpi_higher_is_better=higher_is_better,
        allow_na=allow_na,
    )


def make_template(
    *,
    criteria: list[CriterionData] | None = None,
    purpose: str = "periodic",
    family: str = "supplier",
    cadence: str = "quarterly",
    bands: Sequence[scoring.Band] | None = None,
    **kwargs,
) -> ScorecardTemplate:
    """Default: Quality 50 (N/A allowed), Price 30, On-time % 20 (KPI 80→0 … 100→100)."""
    if criteria is None:
        criteria = [manual("Quality", 50, allow_na=True), manual("Price", 30), kpi("On-time", 20, 80, 100)]
    if bands is None:
        bands = [scoring.Band(code, lower, label, consequence) for code, label, lower, consequence in DEFAULT_BANDS]
    problems = services.template_problems(criteria, bands)
    if problems:
        raise ValidationError(problems, code="invalid_template")
    template = ScorecardTemplate.objects.create(
        name=f"Template {next(_names)}", purpose=purpose, family=family, cadence=cadence, **kwargs
    )
    for order, c in enumerate(criteria, start=1):
        anchors = list(c.anchors) + [""] * (5 - len(c.anchors))
        Criterion.objects.create(
            template=template,
            order=order,
            name=c.name,
            description=c.description,
            weight=c.weight,
            kind=c.kind,
            anchor_1=anchors[0],
            anchor_2=anchors[1],
            anchor_3=anchors[2],
            anchor_4=anchors[3],
            anchor_5=anchors[4],
            kpi_min=c.kpi_min,
            kpi_max=c.kpi_max,
            kpi_higher_is_better=c.kpi_higher_is_better,
            kpi_unit=c.kpi_unit,
            allow_na=c.allow_na,
        )
    for b in bands:
        StandingBand.objects.create(
            template=template, code=b.code, label=b.label, lower_bound=b.lower_bound, consequence=b.consequence
        )
    return template


def template_problems_of(template: ScorecardTemplate) -> list[str]:
    return services.template_problems(list(template.criteria.all()), [b.band() for b in template.bands.all()])


def criteria_of(template: ScorecardTemplate) -> dict[str, Criterion]:
    return {c.name: c for c in template.criteria.all()}


def open_eval(partner, template, evaluators, *, period=dt.date(2025, 5, 10), by=None) -> Evaluation:
    evaluation, _created = services.evaluation_open(
        partner=partner, template=template, period=period, evaluators=evaluators, opened_by=by
    )
    return evaluation


def uniform_scores(template: ScorecardTemplate, rating: int, kpi_value=None) -> dict[int, services.ScoreData]:
    """Every manual criterion rated ``rating``; KPIs get ``kpi_value`` (default: the same 0–100 score)."""
    out = {}
    for c in template.criteria.all():
        if c.kind == scoring.KPI:
            value = kpi_value
            if value is None:
                value = c.kpi_min + (c.kpi_max - c.kpi_min) * Decimal(rating - 1) / 4
            out[c.pk] = services.ScoreData(kpi_value=Decimal(value))
        else:
            out[c.pk] = services.ScoreData(rating=rating, evidence=f"rated {rating}")
    return out


def score_and_submit(evaluation: Evaluation, user, scores: dict[int, services.ScoreData]) -> None:
    sheet = evaluation.sheets.get(evaluator=user)
    services.sheet_save(sheet=sheet, by=user, scores=scores)
    services.sheet_submit(sheet=sheet, by=user)


def closed_eval(partner, template, evaluator, manager, *, rating: int, period=dt.date(2025, 5, 10)) -> Evaluation:
    """An evaluation scored uniformly by one evaluator and closed by ``manager``."""
    evaluation = open_eval(partner, template, [evaluator], period=period)
    score_and_submit(evaluation, evaluator, uniform_scores(template, rating))
    return services.evaluation_close(evaluation=evaluation, by=manager)
