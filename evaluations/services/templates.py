"""Scorecard templates: criteria whose weights total 100, bands that tile 0–100.

Templates are shipped by migrations and configured in the admin (whose formsets check weights
and bands); an evaluation refuses to open or close on a template with problems."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.utils.translation import gettext as _

from .. import scoring


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
