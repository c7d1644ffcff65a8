"""Scorecard templates: criteria whose weights total 100, bands that tile 0–100."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .. import scoring
from ..models import (
    Consequence,
    Criterion,
    ScorecardTemplate,
    StandingBand,
    StandingCode,
)
from ._common import _stamp

DEFAULT_BANDS = (
    # code, label, lower bound, consequence (issue #3 §1)
    (StandingCode.A, "Excellent", Decimal(85), Consequence.INCENTIVE_ELIGIBLE),
    (StandingCode.B, "Good", Decimal(70), Consequence.NONE),
    (StandingCode.C, "Needs improvement", Decimal(50), Consequence.CORRECTIVE_ACTION),
    (StandingCode.D, "Unacceptable", Decimal(0), Consequence.PROBATION_OR_EXIT_REVIEW),
)


# --- Templates --------------------------------------------------------------------------------


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


def template_problems(criteria: Sequence, bands: Sequence[scoring.Band]) -> list[str]:
    """Every reason the template cannot score (weights, anchors, KPI ranges, bands)."""
    problems = scoring.weight_problems([c.weight for c in criteria])
    for c in criteria:
        if c.kind == scoring.KPI:
            if c.kpi_min is None or c.kpi_max is None or Decimal(c.kpi_max) <= Decimal(c.kpi_min):
                problems.append(
                    _("%(criterion)s: a KPI needs a minimum and a greater maximum.") % {"criterion": c.name}
                )
        else:
            anchors = list(c.anchors)
            if len(anchors) != 5 or not all(str(a).strip() for a in anchors):
                problems.append(_("%(criterion)s: describe what each level from 1 to 5 means.") % {"criterion": c.name})
    names = [c.name.strip().lower() for c in criteria]
    if len(set(names)) != len(names):
        problems.append(_("Two criteria have the same name."))
    problems += scoring.band_problems(bands)
    return problems


def template_validate(*, template: ScorecardTemplate) -> None:
    """Raise ValidationError listing what is wrong: weights ≠ 100, bands not tiling 0–100, … ."""
    criteria = list(template.criteria.all())
    bands = [b.band() for b in template.bands.all()]
    problems = template_problems(criteria, bands)
    if problems:
        raise ValidationError(problems, code="invalid_template")


@transaction.atomic
def template_create(
    *,
    name: str,
    purpose: str,
    family: str,
    cadence: str,
    criteria: Sequence[CriterionData],
    bands: Sequence[scoring.Band] | None = None,
    tier: int | None = None,
    pass_threshold: Decimal = Decimal(70),
    min_scored_weight: Decimal = Decimal(60),
    recency_periods: int = 4,
    by=None,
) -> ScorecardTemplate:
    """A template with its criteria and bands (default A/B/C/D), validated before anything is saved."""
    if bands is None:
        bands = [scoring.Band(code, lower, label, consequence) for code, label, lower, consequence in DEFAULT_BANDS]
    problems = template_problems(criteria, bands)
    if ScorecardTemplate.objects.filter(name__iexact=name.strip()).exists():
        problems.insert(0, _("A template with this name already exists."))
    if problems:
        raise ValidationError(problems, code="invalid_template")
    template = _stamp(
        ScorecardTemplate(
            name=name.strip(),
            purpose=purpose,
            family=family,
            cadence=cadence,
            tier=tier,
            pass_threshold=pass_threshold,
            min_scored_weight=min_scored_weight,
            recency_periods=recency_periods,
        ),
        by,
    )
    template.full_clean()
    template.save()
    for order, c in enumerate(criteria, start=1):
        anchors = list(c.anchors) + [""] * (5 - len(c.anchors))
        _stamp(
            Criterion(
                template=template,
                order=order,
                name=c.name.strip(),
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
            ),
            by,
        ).save()
    for b in bands:
        _stamp(
            StandingBand(
                template=template, code=b.code, label=b.label, lower_bound=b.lower_bound, consequence=b.consequence
            ),
            by,
        ).save()
    return template
