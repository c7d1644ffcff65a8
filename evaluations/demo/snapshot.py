"""The template read once, and the snapshot exactly as evaluation_close freezes it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from partners.models import Family

from .. import scoring
from ..models import Cadence, Criterion, Purpose, ScorecardTemplate
from .data import TEMPLATE_NAME


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


def periodic_template() -> ScorecardTemplate | None:
    """The shipped quarterly supplier template, else any active periodic supplier template."""
    candidates = ScorecardTemplate.objects.filter(
        purpose=Purpose.PERIODIC, family=Family.SUPPLIER, is_active=True
    ).order_by("pk")
    return candidates.filter(name=TEMPLATE_NAME).first() or candidates.filter(cadence=Cadence.QUARTERLY).first()
