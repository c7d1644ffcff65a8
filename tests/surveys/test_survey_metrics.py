"""NPS, CSAT and CES formulas, edge cases and properties (P4.1.3, P4.2.3, P5.2)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evaluations.surveys import metrics

nps_scores = st.lists(st.integers(min_value=0, max_value=10), max_size=200)
csat_scores = st.lists(st.integers(min_value=1, max_value=5), max_size=200)
ces_scores = st.lists(st.integers(min_value=1, max_value=7), max_size=200)


def test_no_responses_is_no_data_not_zero():
    assert metrics.nps([]) is None
    assert metrics.csat([]) is None
    assert metrics.ces([]) is None
    assert metrics.nps_from_counts(n=0, promoters=0, detractors=0) is None
    assert metrics.csat_from_counts(n=0, satisfied=0) is None
    assert metrics.ces_from_total(n=0, total=None) is None
    assert metrics.response_rate(responses=0, invitations=0) is None


def test_all_promoters_is_nps_100_and_all_detractors_minus_100():
    assert metrics.nps([9, 10, 10]) == Decimal("100.0")
    assert metrics.nps([0, 6, 3]) == Decimal("-100.0")


def test_passives_count_in_n_but_not_in_the_score():
    assert metrics.nps([7, 8, 7, 8]) == Decimal("0.0")
    # 2 promoters, 1 detractor, 1 passive: 50% − 25%
    assert metrics.nps([10, 9, 6, 7]) == Decimal("25.0")


def test_boundaries_of_promoters_and_detractors():
    assert metrics.nps([9]) == Decimal("100.0")
    assert metrics.nps([8]) == Decimal("0.0")
    assert metrics.nps([7]) == Decimal("0.0")
    assert metrics.nps([6]) == Decimal("-100.0")


def test_nps_rounds_to_one_decimal():
    assert metrics.nps([10, 8, 8]) == Decimal("33.3")
    assert metrics.nps([10, 10, 8]) == Decimal("66.7")


def test_csat_is_share_of_four_and_five():
    assert metrics.csat([5, 4, 3, 1]) == Decimal("50.0")
    assert metrics.csat([3]) == Decimal("0.0")
    assert metrics.csat([4, 5]) == Decimal("100.0")


def test_ces_is_the_mean():
    assert metrics.ces([1, 7]) == Decimal("4.00")
    assert metrics.ces([5, 6, 6]) == Decimal("5.67")


def test_response_rate():
    assert metrics.response_rate(responses=1, invitations=3) == Decimal("33.3")
    assert metrics.response_rate(responses=3, invitations=3) == Decimal("100.0")


def test_counts_that_cannot_be_are_refused():
    with pytest.raises(ValueError):
        metrics.nps_from_counts(n=2, promoters=2, detractors=1)
    with pytest.raises(ValueError):
        metrics.csat_from_counts(n=1, satisfied=2)


@given(nps_scores)
def test_nps_is_within_bounds(scores):
    value = metrics.nps(scores)
    assert value is None if not scores else Decimal(-100) <= value <= Decimal(100)


@given(nps_scores)
def test_nps_from_counts_matches_the_definition(scores):
    expected = None
    if scores:
        promoters = sum(s >= 9 for s in scores) / len(scores) * 100
        detractors = sum(s <= 6 for s in scores) / len(scores) * 100
        expected = promoters - detractors
    value = metrics.nps(scores)
    assert (value is None) == (expected is None)
    if value is not None:
        assert abs(float(value) - expected) <= 0.05 + 1e-9


@given(nps_scores, nps_scores)
def test_adding_a_promoter_never_lowers_nps(scores, _other):
    if scores:
        assert metrics.nps([*scores, 10]) >= metrics.nps(scores)


@given(csat_scores)
def test_csat_is_a_percentage(scores):
    value = metrics.csat(scores)
    assert value is None if not scores else Decimal(0) <= value <= Decimal(100)


@given(ces_scores)
def test_ces_lies_between_min_and_max_answer(scores):
    value = metrics.ces(scores)
    if not scores:
        assert value is None
    else:
        assert Decimal(min(scores)) <= value <= Decimal(max(scores))
        assert value == metrics.ces_from_total(n=len(scores), total=sum(scores))
