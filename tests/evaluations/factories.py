"""Builders for scorecard tests: templates go through the service (so they are valid)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from evaluations import scoring, services
from evaluations.models import Criterion, Evaluation, ScorecardTemplate

_names = itertools.count(1)

ANCHORS = ["poor", "weak", "fair", "good", "excellent"]


def manual(name: str, weight, *, allow_na: bool = False) -> services.CriterionData:
    return services.CriterionData(name=name, weight=Decimal(weight), anchors=ANCHORS, allow_na=allow_na)


def kpi(name: str, weight, lo, hi, *, higher_is_better: bool = True, allow_na: bool = False) -> services.CriterionData:
    return services.CriterionData(
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
    criteria: list[services.CriterionData] | None = None,
    purpose: str = "periodic",
    family: str = "supplier",
    cadence: str = "quarterly",
    **kwargs,
) -> ScorecardTemplate:
    """Default: Quality 50 (N/A allowed), Price 30, On-time % 20 (KPI 80→0 … 100→100)."""
    if criteria is None:
        criteria = [manual("Quality", 50, allow_na=True), manual("Price", 30), kpi("On-time", 20, 80, 100)]
    return services.template_create(
        name=f"Template {next(_names)}",
        purpose=purpose,
        family=family,
        cadence=cadence,
        criteria=criteria,
        **kwargs,
    )


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
