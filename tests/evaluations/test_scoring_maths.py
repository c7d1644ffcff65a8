"""The scoring engine's formulas, by hand-computed examples (no database)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from evaluations import scoring
from evaluations.scoring import Band, CriterionSpec, ScoreInput

BANDS = [
    Band("A", D(85), "Excellent", "incentive_eligible"),
    Band("B", D(70), "Good", "none"),
    Band("C", D(50), "Needs improvement", "corrective_action"),
    Band("D", D(0), "Unacceptable", "probation_or_exit_review"),
]


@pytest.mark.parametrize(("rating", "expected"), [(1, "0.00"), (2, "25.00"), (3, "50.00"), (4, "75.00"), (5, "100.00")])
def test_manual_rating_maps_linearly_to_0_100(rating, expected):
    assert scoring.manual_score(rating) == D(expected)


@pytest.mark.parametrize("bad", [0, 6, -1, 2.5, True, None, "3"])
def test_manual_rating_outside_1_to_5_is_refused(bad):
    with pytest.raises(ValueError):
        scoring.manual_score(bad)


@pytest.mark.parametrize(
    ("value", "higher_is_better", "expected"),
    [
        (D(80), True, "0.00"),
        (D(90), True, "50.00"),
        (D(100), True, "100.00"),
        (D(95.5), True, "77.50"),
        (D(60), True, "0.00"),  # clamped below
        (D(120), True, "100.00"),  # clamped above
        (D(80), False, "100.00"),  # lower is better: the minimum scores 100
        (D(85), False, "75.00"),
        (D(100), False, "0.00"),
        (D(150), False, "0.00"),
        (D(0), False, "100.00"),
    ],
)
def test_kpi_maps_min_max_with_direction_and_clamps(value, higher_is_better, expected):
    assert scoring.kpi_score(value, D(80), D(100), higher_is_better=higher_is_better) == D(expected)


def test_kpi_needs_max_above_min():
    with pytest.raises(ValueError):
        scoring.kpi_score(D(1), D(5), D(5))


def test_criterion_score_na_is_none_and_kpi_uses_spec():
    spec = CriterionSpec(key=1, name="Defects", weight=D(20), kind=scoring.KPI, kpi_min=D(0), kpi_max=D(5))
    inverted = CriterionSpec(
        key=2,
        name="Defect rate",
        weight=D(20),
        kind=scoring.KPI,
        kpi_min=D(0),
        kpi_max=D(5),
        kpi_higher_is_better=False,
    )
    assert scoring.criterion_score(spec, ScoreInput(is_na=True)) is None
    assert scoring.criterion_score(spec, ScoreInput(kpi_value=D(1))) == D("20.00")
    assert scoring.criterion_score(inverted, ScoreInput(kpi_value=D(1))) == D("80.00")
    assert scoring.criterion_score(CriterionSpec(3, "Q", D(1)), ScoreInput(rating=4)) == D("75.00")


def test_criterion_mean_ignores_na_and_all_na_is_none():
    assert scoring.criterion_mean([D(50), None, D(100)]) == D("75.00")
    assert scoring.criterion_mean([D(0), D(25), D(100)]) == D("41.67")  # 125/3, half up
    assert scoring.criterion_mean([None, None]) is None
    assert scoring.criterion_mean([]) is None


def test_period_score_is_weighted_mean():
    result = scoring.period_score([(D(50), D(100)), (D(30), D(50)), (D(20), D(0))], min_scored_weight=D(60))
    # (50·100 + 30·50 + 20·0) / 100 = 65
    assert result.score == D("65.00")
    assert result.scored_weight == D("100.00")
    assert not result.not_rated


def test_na_criterion_drops_out_and_weights_renormalise():
    result = scoring.period_score([(D(30), None), (D(50), D(100)), (D(20), D(50))], min_scored_weight=D(60))
    # (50·100 + 20·50) / 70 = 85.714… → 85.71
    assert result.score == D("85.71")
    assert result.scored_weight == D("70.00")


def test_below_min_scored_weight_is_not_rated_not_zero_or_hundred():
    result = scoring.period_score([(D(50), None), (D(30), D(100)), (D(20), D(100))], min_scored_weight=D(60))
    assert result.not_rated
    assert result.score is None
    assert result.scored_weight == D("50.00")
    # Exactly the minimum is rated.
    at_min = scoring.period_score([(D(40), None), (D(60), D(0))], min_scored_weight=D(60))
    assert not at_min.not_rated and at_min.score == D("0.00")


def test_everything_na_is_not_rated():
    assert scoring.period_score([(D(100), None)], min_scored_weight=D(0)).not_rated


def test_overall_weights_recent_periods_linearly():
    # N = 4, newest first: 80, 60, 40, 20 → (4·80 + 3·60 + 2·40 + 1·20) / 10 = 60
    assert scoring.overall_score([D(80), D(60), D(40), D(20)], n=4) == D("60.00")
    # Older than N are ignored.
    assert scoring.overall_score([D(80), D(60), D(40), D(20), D(0)], n=4) == D("60.00")


def test_overall_skips_not_rated_periods():
    # The None is skipped, so 60 is the 2nd most recent rated period (weight 3).
    assert scoring.overall_score([D(80), None, D(60)], n=4) == D("71.43")  # (320 + 180) / 7
    assert scoring.overall_score([None, None], n=4) is None


def test_overall_with_fewer_periods_than_n_and_n_one():
    assert scoring.overall_score([D(90)], n=4) == D("90.00")
    assert scoring.overall_score([D(90), D(10)], n=1) == D("90.00")
    assert scoring.recency_weights(2, 4) == [4, 3]
    with pytest.raises(ValueError):
        scoring.overall_score([D(1)], n=0)


@pytest.mark.parametrize(
    ("score", "code"),
    [
        (D(0), "D"),
        (D("49.99"), "D"),
        (D(50), "C"),
        (D("69.99"), "C"),
        (D(70), "B"),
        (D("84.99"), "B"),
        (D(85), "A"),
        (D(100), "A"),
    ],
)
def test_band_edges(score, code):
    assert scoring.standing_for(score, BANDS).code == code


def test_not_rated_has_no_standing():
    assert scoring.standing_for(None, BANDS) is None


def test_default_bands_tile():
    assert scoring.band_problems(BANDS) == []


def test_band_problems_name_gaps_overlaps_and_range():
    gap = scoring.band_problems([Band("A", D(85)), Band("B", D(10))])
    assert any("start at 0" in p for p in gap)
    overlap = scoring.band_problems([Band("A", D(50)), Band("B", D(50)), Band("D", D(0))])
    assert any("overlap" in p for p in overlap)
    out_of_range = scoring.band_problems([Band("A", D(101)), Band("D", D(0))])
    assert any("between 0 and 100" in p for p in out_of_range)
    duplicate_code = scoring.band_problems([Band("A", D(50)), Band("A", D(0))])
    assert any("more than once" in p for p in duplicate_code)
    assert scoring.band_problems([])


def test_weight_problems():
    assert scoring.weight_problems([D(50), D(50)]) == []
    assert "they total 95" in scoring.weight_problems([D(50), D(45)])[0]
    assert scoring.weight_problems([D(100), D(0)])
    assert scoring.weight_problems([])


def test_explain_period_shows_inputs_contributions_and_renormalisation():
    specs = [
        CriterionSpec(key=1, name="Quality", weight=D(50), allow_na=True),
        CriterionSpec(key=2, name="Price", weight=D(30)),
        CriterionSpec(key=3, name="On-time", weight=D(20), kind=scoring.KPI, kpi_min=D(80), kpi_max=D(100)),
    ]
    inputs = {
        1: [ScoreInput(is_na=True, evaluator="ann"), ScoreInput(is_na=True, evaluator="bob")],
        2: [ScoreInput(rating=5, evaluator="ann", evidence="cheap"), ScoreInput(rating=3, evaluator="bob")],
        3: [ScoreInput(kpi_value=D(90), evaluator="ann"), ScoreInput(kpi_value=D(100), evaluator="bob")],
    }
    out = scoring.explain_period(specs, inputs, min_scored_weight=D(50), bands=BANDS)
    quality, price, ontime = out["criteria"]
    assert quality["mean"] is None and quality["contribution"] is None
    assert price["mean"] == "75.00" and [i["score"] for i in price["inputs"]] == ["100.00", "50.00"]
    assert price["inputs"][0]["evidence"] == "cheap"
    assert ontime["mean"] == "75.00"
    assert price["weight_share"] == "60.00" and ontime["weight_share"] == "40.00"
    assert out["scored_weight"] == "50.00" and out["renormalised"] is True
    assert out["score"] == "75.00" and out["standing"] == "B" and out["not_rated"] is False
    assert D(price["contribution"]) + D(ontime["contribution"]) == D(out["score"])


def test_explain_overall_lists_weights_and_skips():
    out = scoring.explain_overall([("2025-Q3", D(80)), ("2025-Q2", None), ("2025-Q1", D(60))], n=2)
    assert [r["weight"] for r in out["periods"]] == [2, 0, 1]
    assert out["periods"][1]["skipped"] == "not_rated"
    assert out["result"] == "73.33"  # (160 + 60) / 3


@pytest.mark.parametrize(
    ("day", "cadence", "start", "end"),
    [
        (dt.date(2025, 2, 14), "monthly", dt.date(2025, 2, 1), dt.date(2025, 2, 28)),
        (dt.date(2024, 2, 14), "monthly", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        (dt.date(2025, 5, 10), "quarterly", dt.date(2025, 4, 1), dt.date(2025, 6, 30)),
        (dt.date(2025, 12, 31), "quarterly", dt.date(2025, 10, 1), dt.date(2025, 12, 31)),
        (dt.date(2025, 1, 1), "quarterly", dt.date(2025, 1, 1), dt.date(2025, 3, 31)),
        (dt.date(2025, 7, 1), "half_yearly", dt.date(2025, 7, 1), dt.date(2025, 12, 31)),
        (dt.date(2025, 6, 30), "half_yearly", dt.date(2025, 1, 1), dt.date(2025, 6, 30)),
        (dt.date(2025, 9, 9), "yearly", dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
    ],
)
def test_period_for_is_calendar_aligned(day, cadence, start, end):
    assert scoring.period_for(day, cadence) == (start, end)


def test_next_and_previous_period_cross_years():
    assert scoring.next_period(dt.date(2025, 10, 1), "quarterly") == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert scoring.previous_period(dt.date(2025, 1, 1), "half_yearly") == (dt.date(2024, 7, 1), dt.date(2024, 12, 31))
    assert scoring.period_label(dt.date(2025, 4, 1), "quarterly") == "2025-Q2"
    assert scoring.period_label(dt.date(2025, 7, 1), "half_yearly") == "2025-H2"
