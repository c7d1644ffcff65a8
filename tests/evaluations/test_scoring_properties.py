"""Properties of the scoring engine that must hold for every input (hypothesis)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from hypothesis import assume, given
from hypothesis import strategies as st

from evaluations import scoring
from evaluations.scoring import Band

scores = st.decimals(min_value=0, max_value=100, places=2)
weights = st.decimals(min_value=D("0.5"), max_value=100, places=2)
weighted_rows = st.lists(st.tuples(weights, st.one_of(st.none(), scores)), min_size=1, max_size=8)


@given(weighted_rows)
def test_period_score_lies_between_the_criterion_scores(rows):
    result = scoring.period_score(rows, min_scored_weight=D(0))
    present = [s for _w, s in rows if s is not None]
    if not present:
        assert result.not_rated and result.score is None
    else:
        assert min(present) <= result.score <= max(present)


@given(weighted_rows, st.integers(min_value=2, max_value=50))
def test_renormalisation_is_invariant_to_scaling_the_weights(rows, factor):
    once = scoring.period_score(rows, min_scored_weight=D(60))
    scaled = scoring.period_score([(w * factor, s) for w, s in rows], min_scored_weight=D(60))
    assert once.not_rated == scaled.not_rated
    # Decimal division rounds the exact quotient, and k·a / k·b is the same rational as a / b.
    assert once.score == scaled.score
    assert once.scored_weight == scaled.scored_weight


@given(weighted_rows, st.decimals(min_value=0, max_value=100, places=2))
def test_not_rated_exactly_when_scored_weight_below_minimum(rows, minimum):
    result = scoring.period_score(rows, min_scored_weight=minimum)
    assert result.not_rated == (result.scored_weight < minimum or all(s is None for _w, s in rows))
    assert (result.score is None) == result.not_rated


@st.composite
def tiling_bands(draw):
    """0 plus up to five distinct bounds in (0, 100]."""
    inner = draw(st.lists(st.decimals(min_value="0.01", max_value=100, places=2), unique=True, max_size=5))
    bounds = sorted([D(0), *inner])
    codes = "DCBAEF"
    return [Band(codes[i], b) for i, b in enumerate(bounds)]


@given(tiling_bands(), scores)
def test_bands_that_pass_validation_give_every_score_exactly_one_band(bands, score):
    assert scoring.band_problems(bands) == []
    containing = [
        b
        for i, b in enumerate(sorted(bands, key=lambda b: b.lower_bound))
        if b.lower_bound <= score
        and (i == len(bands) - 1 or score < sorted(bands, key=lambda b: b.lower_bound)[i + 1].lower_bound)
    ]
    assert len(containing) == 1
    assert scoring.standing_for(score, bands) == containing[0]


@given(st.lists(st.one_of(st.none(), scores), min_size=1, max_size=12), st.integers(min_value=1, max_value=8))
def test_overall_lies_between_the_used_period_scores(periods, n):
    rated = [s for s in periods if s is not None][:n]
    result = scoring.overall_score(periods, n=n)
    if not rated:
        assert result is None
    else:
        assert min(rated) <= result <= max(rated)


@given(st.lists(scores, min_size=2, max_size=6), st.integers(min_value=2, max_value=6))
def test_a_better_newest_period_never_lowers_the_overall(periods, n):
    assume(periods[0] < 100)
    better = [min(periods[0] + 10, D(100)), *periods[1:]]
    assert scoring.overall_score(better, n=n) >= scoring.overall_score(periods, n=n)


@given(
    st.decimals(min_value=-1000, max_value=1000, places=2),
    st.decimals(min_value=-100, max_value=100, places=2),
    st.decimals(min_value="0.01", max_value=100, places=2),
    st.booleans(),
)
def test_kpi_score_is_within_0_100_and_inversion_mirrors(value, lo, span, higher):
    hi = lo + span
    s = scoring.kpi_score(value, lo, hi, higher_is_better=higher)
    assert D(0) <= s <= D(100)
    mirrored = scoring.kpi_score(value, lo, hi, higher_is_better=not higher)
    assert abs((s + mirrored) - 100) <= D("0.01")


@given(
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)),
    st.sampled_from(list(scoring.CADENCE_MONTHS)),
)
def test_periods_contain_the_day_and_follow_each_other(day, cadence):
    start, end = scoring.period_for(day, cadence)
    assert start <= day <= end
    assert start.day == 1 and (start.month - 1) % scoring.CADENCE_MONTHS[cadence] == 0
    nxt_start, _nxt_end = scoring.next_period(start, cadence)
    assert nxt_start == end + dt.timedelta(days=1)
    assert scoring.previous_period(nxt_start, cadence) == (start, end)
