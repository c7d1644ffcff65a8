"""The scoring engine: pure functions, no ORM (P4.1.1, P4.3.1).

Everything here takes and returns plain values so it can be tested exhaustively and reused
by services (to freeze a snapshot on close), selectors (to explain a stored score) and a
later UI ("expand every score to show how it was computed").

Numbers
    All scores are ``Decimal`` on a 0–100 scale, rounded to 2 places with ROUND_HALF_UP at
    each *stored* step: an evaluator's criterion score, the criterion mean, the period score
    and the overall score. Each step computes from the rounded value of the step before, so
    what the UI shows is exactly what the next step used (an explanation adds up on screen).
    In JSON (snapshots, explanations) Decimals are written as strings ("87.50").

Formulas (also in each function's docstring)
    manual rating r ∈ 1..5         s = (r − 1) / 4 · 100                   → 0, 25, 50, 75, 100
    KPI value x, range [lo, hi]    s = clamp((x − lo) / (hi − lo), 0, 1) · 100
                                   (lower is better: s = 100 − that)
    KPI value x itself             within its unit's scale (``kpi_bounds``): a percentage in
                                   0–100, any other unit within ±KPI_LIMIT
    N/A                            no score (None)
    criterion mean                 mean of the evaluators' scores, N/A ignored; all N/A → None
    period score                   Σ wᵢ·sᵢ / Σ wᵢ over criteria with a score (N/A renormalises)
    scored weight                  Σ wᵢ (scored) / Σ wᵢ (all) · 100; below the template's
                                   minimum → NOT RATED (None), never 0 or 100
    overall score                  recency-weighted mean of the last N rated periods: the k-th
                                   most recent rated period (k = 1 newest) weighs N − k + 1
                                   (linear decay N, N−1, …, 1); not-rated periods are skipped
    standing                       the band with the highest lower bound ≤ score
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

TWO_PLACES = Decimal("0.01")
ZERO = Decimal(0)
HUNDRED = Decimal(100)

MANUAL = "manual_1_5"
KPI = "kpi"

# No KPI is larger in size (CriterionScore.kpi_value holds 10 whole digits and 4 places).
KPI_LIMIT = Decimal(1_000_000_000)
PERCENT_UNITS = frozenset({"%", "％", "percent", "pct", "百分比"})

CADENCE_MONTHS = {"monthly": 1, "quarterly": 3, "half_yearly": 6, "yearly": 12}


def q2(value: Decimal) -> Decimal:
    """Round to 2 places, half up (87.125 → 87.13)."""
    return Decimal(value).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def plain(value: Decimal) -> str:
    """A Decimal for a message: 80, 12.5 (no exponent, no trailing zeros)."""
    return format(Decimal(value).normalize(), "f")


def _s(value: Decimal | None) -> str | None:
    """A Decimal as JSON-safe text ("87.50"), None stays None."""
    return None if value is None else str(value)


# --- One criterion -------------------------------------------------------------------------


def manual_score(rating: int) -> Decimal:
    """s = (r − 1) / 4 · 100 for a rating r in 1..5 (1 → 0, 3 → 50, 5 → 100)."""
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValueError(f"a manual rating is an integer from 1 to 5, not {rating!r}")
    return q2(Decimal(rating - 1) / 4 * HUNDRED)


def kpi_score(value: Decimal, lo: Decimal, hi: Decimal, *, higher_is_better: bool = True) -> Decimal:
    """s = clamp((x − lo) / (hi − lo), 0, 1) · 100; inverted (100 − s) when lower is better.

    ``lo`` and ``hi`` are the values that score 0 and 100 (for a lower-is-better KPI, ``lo``
    scores 100 and ``hi`` scores 0); values outside the range are clamped, so a KPI can
    never score below 0 or above 100.
    """
    value, lo, hi = Decimal(value), Decimal(lo), Decimal(hi)
    if hi <= lo:
        raise ValueError("the KPI maximum must be greater than its minimum")
    fraction = min(max((value - lo) / (hi - lo), ZERO), Decimal(1))
    if not higher_is_better:
        fraction = 1 - fraction
    return q2(fraction * HUNDRED)


def kpi_bounds(unit: str) -> tuple[Decimal, Decimal]:
    """The values a KPI measured in ``unit`` can take: a percentage lies in 0–100 (an on-time
    delivery rate of 150 % is a typo, issue #12 §4); any other unit within ±KPI_LIMIT."""
    if (unit or "").strip().lower() in PERCENT_UNITS:
        return ZERO, HUNDRED
    return -KPI_LIMIT, KPI_LIMIT


def kpi_value_problem(value: Decimal, unit: str) -> str:
    """Why ``value`` is no possible KPI value in ``unit`` ("" when it is)."""
    lo, hi = kpi_bounds(unit)
    if Decimal(value).is_finite() and lo <= Decimal(value) <= hi:
        return ""
    return _("Enter a value between %(min)s and %(max)s.") % {"min": plain(lo), "max": plain(hi)}


@dataclass(frozen=True)
class CriterionSpec:
    """What the engine needs to know about one criterion (frozen into the snapshot)."""

    key: int | str
    name: str
    weight: Decimal
    kind: str = MANUAL
    kpi_min: Decimal | None = None
    kpi_max: Decimal | None = None
    kpi_higher_is_better: bool = True
    allow_na: bool = False

    def as_json(self) -> dict:
        return {
            "key": self.key,
            "name": self.name,
            "weight": _s(self.weight),
            "kind": self.kind,
            "kpi_min": _s(self.kpi_min),
            "kpi_max": _s(self.kpi_max),
            "kpi_higher_is_better": self.kpi_higher_is_better,
            "allow_na": self.allow_na,
        }


@dataclass(frozen=True)
class ScoreInput:
    """One evaluator's input for one criterion: a rating (manual), a value (KPI) or N/A."""

    rating: int | None = None
    kpi_value: Decimal | None = None
    is_na: bool = False
    evaluator: str = ""
    evidence: str = ""


def criterion_score(spec: CriterionSpec, given: ScoreInput) -> Decimal | None:
    """0–100 for one evaluator's input; None for N/A (see ``manual_score``, ``kpi_score``)."""
    if given.is_na:
        return None
    if spec.kind == KPI:
        if given.kpi_value is None:
            return None
        return kpi_score(given.kpi_value, spec.kpi_min, spec.kpi_max, higher_is_better=spec.kpi_higher_is_better)
    if given.rating is None:
        return None
    return manual_score(given.rating)


def criterion_mean(scores: Iterable[Decimal | None]) -> Decimal | None:
    """Mean of the evaluators' scores for one criterion, N/A (None) ignored; all N/A → None."""
    present = [s for s in scores if s is not None]
    if not present:
        return None
    return q2(sum(present, ZERO) / len(present))


# --- One period ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodResult:
    score: Decimal | None  # None when not rated
    scored_weight: Decimal  # % of the template's total weight that has a score
    total_weight: Decimal
    not_rated: bool


def period_score(weighted: Sequence[tuple[Decimal, Decimal | None]], *, min_scored_weight: Decimal) -> PeriodResult:
    """Σ wᵢ·sᵢ / Σ wᵢ over the (weight, score) pairs that have a score.

    Criteria without a score drop out and the remaining weights renormalise. The scored
    weight is Σ wᵢ(scored) / Σ wᵢ(all) · 100; when it is below ``min_scored_weight`` the
    period is NOT RATED (score None): too little was scored to say anything, and a 0 or a
    100 would be a lie.
    """
    total = sum((Decimal(w) for w, _s in weighted), ZERO)
    scored = [(Decimal(w), s) for w, s in weighted if s is not None]
    scored_total = sum((w for w, _s in scored), ZERO)
    scored_pct = q2(scored_total / total * HUNDRED) if total else ZERO
    if not scored or scored_pct < Decimal(min_scored_weight):
        return PeriodResult(score=None, scored_weight=scored_pct, total_weight=total, not_rated=True)
    score = q2(sum((w * s for w, s in scored), ZERO) / scored_total)
    return PeriodResult(score=score, scored_weight=scored_pct, total_weight=total, not_rated=False)


# --- Standings ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Band:
    code: str
    lower_bound: Decimal
    label: str = ""
    consequence: str = ""

    def as_json(self) -> dict:
        return {
            "code": self.code,
            "lower_bound": _s(self.lower_bound),
            "label": self.label,
            "consequence": self.consequence,
        }


def band_problems(bands: Sequence[Band]) -> list[str]:
    """Why these bands do not tile 0–100 (empty list: they do).

    A band covers [its lower bound, the next band's lower bound); the top band also covers
    100. So the bands tile 0–100 exactly when the lowest starts at 0, every bound lies in
    0–100 and no two bands share a bound (a shared bound is an overlap).
    """
    problems: list[str] = []
    if not bands:
        return [_("Add at least one standing band.")]
    codes = [b.code for b in bands]
    for code in sorted({c for c in codes if codes.count(c) > 1}):
        problems.append(_("Band %(code)s appears more than once.") % {"code": code})
    for b in bands:
        if b.lower_bound is None or not ZERO <= Decimal(b.lower_bound) <= HUNDRED:
            problems.append(_("Band %(code)s: the lower bound must be between 0 and 100.") % {"code": b.code})
    bounds = sorted(Decimal(b.lower_bound) for b in bands if b.lower_bound is not None)
    if bounds and bounds[0] != ZERO:
        problems.append(
            _("The lowest band must start at 0; scores below %(bound)s would have no standing.")
            % {"bound": plain(bounds[0])}
        )
    for bound in sorted({x for x in bounds if bounds.count(x) > 1}):
        problems.append(_("Two bands start at %(bound)s: they overlap.") % {"bound": plain(bound)})
    return problems


def standing_for(score: Decimal | None, bands: Sequence[Band]) -> Band | None:
    """The band with the highest lower bound ≤ score (100 → top band, 0 → bottom band).

    None for a not-rated score (None) or when no band starts at or below it.
    """
    if score is None:
        return None
    fitting = [b for b in bands if Decimal(b.lower_bound) <= Decimal(score)]
    return max(fitting, key=lambda b: Decimal(b.lower_bound)) if fitting else None


# --- Several periods ----------------------------------------------------------------------


def recency_weights(count: int, n: int) -> list[int]:
    """Weights of the ``count`` newest rated periods used, newest first: N, N−1, …"""
    return [n - k + 1 for k in range(1, min(count, n) + 1)]


def overall_score(period_scores_newest_first: Sequence[Decimal | None], *, n: int) -> Decimal | None:
    """Recency-weighted mean of the last N rated periods.

    Not-rated periods (None) are skipped; of the rest the k-th most recent (k = 1 for the
    newest) weighs N − k + 1, so with N = 4 the weights are 4, 3, 2, 1. With fewer rated
    periods than N the newest still weighs N (weights N, N−1, … for as many as exist).
    No rated period → None.
    """
    if n < 1:
        raise ValueError("N must be at least 1")
    rated = [Decimal(s) for s in period_scores_newest_first if s is not None][:n]
    if not rated:
        return None
    weights = recency_weights(len(rated), n)
    return q2(sum((w * s for w, s in zip(weights, rated, strict=True)), ZERO) / sum(weights))


def explain_overall(periods_newest_first: Sequence[tuple[str, Decimal | None]], *, n: int) -> dict:
    """The overall score as data: which periods counted, with which weight, and the result."""
    rows, used = [], 0
    for label, score in periods_newest_first:
        if score is None:
            rows.append({"period": label, "score": None, "weight": 0, "skipped": "not_rated"})
        elif used < n:
            used += 1
            rows.append({"period": label, "score": _s(score), "weight": n - used + 1, "skipped": None})
        else:
            rows.append({"period": label, "score": _s(score), "weight": 0, "skipped": "older_than_n"})
    result = overall_score([s for _label, s in periods_newest_first], n=n)
    return {
        "formula": "Σ weight·score / Σ weight; weight of the k-th most recent rated period = N − k + 1",
        "n": n,
        "periods": rows,
        "weight_total": sum(r["weight"] for r in rows),
        "result": _s(result),
    }


# --- Explaining one period (this is what a snapshot freezes) ------------------------------


def explain_period(
    specs: Sequence[CriterionSpec],
    inputs: Mapping[int | str, Sequence[ScoreInput]],
    *,
    min_scored_weight: Decimal,
    bands: Sequence[Band],
) -> dict:
    """The whole computation of a period as JSON-safe data.

    For each criterion: its definition, every evaluator's input and 0–100 score, the mean,
    the weight, the renormalised weight share and the contribution (share · mean) to the
    period score; then the scored weight, whether the period is rated, the score and the
    standing. Contributions add up to the score up to rounding of each contribution.
    """
    per_criterion = []
    weighted: list[tuple[Decimal, Decimal | None]] = []
    for spec in specs:
        given = list(inputs.get(spec.key, ()))
        scores = [criterion_score(spec, g) for g in given]
        mean = criterion_mean(scores)
        weighted.append((Decimal(spec.weight), mean))
        per_criterion.append(
            {
                **spec.as_json(),
                "inputs": [
                    {
                        "evaluator": g.evaluator,
                        "rating": g.rating,
                        "kpi_value": _s(None if g.kpi_value is None else Decimal(g.kpi_value)),
                        "is_na": g.is_na,
                        "evidence": g.evidence,
                        "score": _s(s),
                    }
                    for g, s in zip(given, scores, strict=True)
                ],
                "mean": _s(mean),
            }
        )
    result = period_score(weighted, min_scored_weight=min_scored_weight)
    scored_total = sum((w for w, s in weighted if s is not None), ZERO)
    for row, (weight, mean) in zip(per_criterion, weighted, strict=True):
        share = weight / scored_total if (mean is not None and scored_total) else None
        row["weight_share"] = _s(None if share is None else q2(share * HUNDRED))
        row["contribution"] = _s(None if share is None or result.not_rated else q2(share * mean))
    band = standing_for(result.score, bands)
    return {
        "formula": "Σ weight·score / Σ weight over the criteria with a score",
        "criteria": per_criterion,
        "total_weight": _s(result.total_weight),
        "scored_weight": _s(result.scored_weight),
        "min_scored_weight": _s(Decimal(min_scored_weight)),
        "renormalised": result.scored_weight < HUNDRED,
        "not_rated": result.not_rated,
        "score": _s(result.score),
        "standing": band.code if band else None,
        "consequence": band.consequence if band else None,
        "bands": [b.as_json() for b in sorted(bands, key=lambda b: Decimal(b.lower_bound), reverse=True)],
    }


# The explanation the UI expands under a period score (the snapshot frozen on close holds it).
explain = explain_period


def weight_problems(weights: Sequence[Decimal]) -> list[str]:
    """Why these criterion weights are not acceptable (empty list: they are)."""
    if not weights:
        return [_("Add at least one criterion.")]
    problems = []
    if any(Decimal(w) <= 0 for w in weights):
        problems.append(_("Every criterion weight must be greater than 0."))
    total = sum((Decimal(w) for w in weights), ZERO)
    if total != HUNDRED:
        problems.append(_("Criterion weights must total 100; they total %(total)s.") % {"total": plain(total)})
    return problems


# --- Periods ---------------------------------------------------------------------------


def period_for(day: dt.date, cadence: str) -> tuple[dt.date, dt.date]:
    """(first day, last day) of the calendar-aligned period containing ``day``.

    Monthly: the month; quarterly: Jan–Mar, Apr–Jun, Jul–Sep, Oct–Dec; half-yearly:
    Jan–Jun, Jul–Dec; yearly: the calendar year.
    """
    months = CADENCE_MONTHS[cadence]
    start_month = (day.month - 1) // months * months + 1
    start = dt.date(day.year, start_month, 1)
    end_month = start_month + months - 1
    end = dt.date(day.year, end_month, calendar.monthrange(day.year, end_month)[1])
    return start, end


def next_period(start: dt.date, cadence: str) -> tuple[dt.date, dt.date]:
    """The period right after the one containing ``start``."""
    _start, end = period_for(start, cadence)
    return period_for(end + dt.timedelta(days=1), cadence)


def previous_period(start: dt.date, cadence: str) -> tuple[dt.date, dt.date]:
    """The period right before the one containing ``start``."""
    first, _end = period_for(start, cadence)
    return period_for(first - dt.timedelta(days=1), cadence)


def period_label(start: dt.date, cadence: str) -> str:
    """Short, language-neutral label: 2025-03, 2025-Q2, 2025-H1, 2025."""
    months = CADENCE_MONTHS[cadence]
    if months == 1:
        return f"{start.year}-{start.month:02d}"
    if months == 3:
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    if months == 6:
        return f"{start.year}-H{(start.month - 1) // 6 + 1}"
    return str(start.year)
