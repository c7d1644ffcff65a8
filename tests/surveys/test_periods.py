"""Survey periods as date ranges (evaluations/surveys/periods.py): parsing, labels, ranges."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from evaluations.surveys.periods import (
    YEAR_MAX,
    YEAR_MIN,
    Period,
    PeriodKind,
    parse,
    quarter_of,
    quarters_of_year,
    year_of,
    year_range,
)

Q4_2025 = Period(dt.date(2025, 10, 1), PeriodKind.QUARTER)


@pytest.mark.parametrize(
    "text",
    ["2025-Q4", "2025 Q4", "Q4 2025", "2025Q4", "2025q4", "q4-2025", "2025/Q4", " 2025-Q4 ", "２０２５－Ｑ４"]
    + ["2025年第四季度", "2025年第4季度", "2025年四季度"],
)
def test_every_spelling_of_a_quarter_is_the_same_period(text):
    assert parse(text) == Q4_2025
    assert (parse(text).start, parse(text).end) == (dt.date(2025, 10, 1), dt.date(2025, 12, 31))


@pytest.mark.parametrize("text", ["2025", "2025年", "FY2025", "2025年度"])
def test_years(text):
    assert parse(text) == Period.of_year(2025)
    assert (parse(text).start, parse(text).end) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2025-12", dt.date(2025, 12, 1), dt.date(2025, 12, 31)),
        ("2024/2", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        ("2025.2", dt.date(2025, 2, 1), dt.date(2025, 2, 28)),
        ("2025年12月", dt.date(2025, 12, 1), dt.date(2025, 12, 31)),
        ("12/2025", dt.date(2025, 12, 1), dt.date(2025, 12, 31)),
    ],
)
def test_months(text, start, end):
    period = parse(text)
    assert (period.kind, period.start, period.end) == (PeriodKind.MONTH, start, end)


@pytest.mark.parametrize(
    "text",
    ["2025-Q5", "2025-Q0", "Q5 2025", "2025年第五季度", "1800", "3000", "1999-Q4", "2101", "2025-13", "2025-00"]
    + ["Spring 2025", "2025-H1", "", "   ", "Q4", "25-Q4", "2025-Q4-Q1", "2" * 100],
)
def test_what_is_not_a_period_is_refused_never_guessed(text):
    with pytest.raises(ValueError):
        parse(text)


def test_parse_refuses_what_is_not_text():
    with pytest.raises(ValueError):
        parse(None)  # type: ignore[arg-type]


def test_labels_are_canonical_and_translated():
    month = Period.of_month(2026, 3)
    assert [p.label for p in (Period.of_quarter(2026, 4), Period.of_year(2026), month)] == [
        "2026-Q4",
        "2026",
        "2026-03",
    ]
    with translation.override("en"):
        assert [str(p) for p in (Period.of_quarter(2026, 4), Period.of_year(2026), month)] == [
            "2026-Q4",
            "2026",
            "2026-03",
        ]
    with translation.override("zh-hans"):
        assert [str(p) for p in (Period.of_quarter(2026, 4), Period.of_year(2026), month)] == [
            "2026年第四季度",
            "2026年",
            "2026年03月",
        ]
        assert [str(p) for p in quarters_of_year(2026)] == [
            "2026年第一季度",
            "2026年第二季度",
            "2026年第三季度",
            "2026年第四季度",
        ]


def test_helpers():
    assert quarter_of(dt.date(2026, 2, 28)) == Period.of_quarter(2026, 1)
    assert quarter_of(dt.date(2026, 12, 31)).label == "2026-Q4"
    assert year_of(dt.date(2026, 7, 1)) == Period.of_year(2026)
    assert year_range(2026) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert Period.of_quarter(2026, 4).previous_year() == Period.of_quarter(2025, 4)
    assert Period.of_year(2026).previous_year() == Period.of_year(2025)


@pytest.mark.parametrize(
    "make",
    [
        lambda: Period.of_quarter(2026, 5),
        lambda: Period.of_quarter(2026, 0),
        lambda: Period.of_month(2026, 13),
        lambda: Period.of_year(1800),
        lambda: Period.of_year(3000),
        lambda: Period(dt.date(2026, 2, 1), PeriodKind.QUARTER),  # not a quarter's first day
        lambda: Period(dt.date(2026, 1, 2), PeriodKind.MONTH),
        lambda: Period(dt.date(2026, 1, 1), "week"),
    ],
)
def test_impossible_periods_are_refused(make):
    with pytest.raises(ValueError):
        make()


# --- Properties --------------------------------------------------------------------------------

years = st.integers(min_value=YEAR_MIN, max_value=YEAR_MAX)
quarters = st.builds(Period.of_quarter, years, st.integers(min_value=1, max_value=4))
months = st.builds(Period.of_month, years, st.integers(min_value=1, max_value=12))
periods = st.one_of(quarters, months, st.builds(Period.of_year, years))


@given(periods)
def test_the_label_reads_back_as_the_same_period(period):
    assert parse(period.label) == period
    with translation.override("zh-hans"):
        assert parse(str(period)) == period  # the Chinese label too


@given(quarters, st.sampled_from(["{y}-Q{q}", "{y} Q{q}", "Q{q} {y}", "{y}Q{q}", "q{q}/{y}", "{y}年第{q}季度"]))
def test_every_spelling_of_any_quarter_is_that_quarter(period, spelling):
    assert parse(spelling.format(y=period.year, q=period.quarter)) == period


@given(periods)
def test_a_period_is_a_range_of_whole_days_in_its_year(period):
    assert period.start <= period.end and period.start.year == period.end.year
    assert period.contains(period.start) and period.contains(period.end)
    assert not period.contains(period.start - dt.timedelta(days=1))
    assert not period.contains(period.end + dt.timedelta(days=1))
    if period.kind != PeriodKind.YEAR:
        assert quarter_of(period.end).start <= period.start


@given(st.dates(min_value=dt.date(YEAR_MIN, 1, 1), max_value=dt.date(YEAR_MAX, 12, 31)))
def test_every_day_lies_in_its_quarter_and_year(day):
    assert quarter_of(day).contains(day) and year_of(day).contains(day)


@given(st.one_of(st.text(max_size=30), st.text(alphabet="0123456789Qq -/.年第季度月一二三四五FY", max_size=12)))
def test_any_text_is_a_valid_period_or_a_value_error(text):
    try:
        period = parse(text)
    except ValueError:
        return
    assert YEAR_MIN <= period.year <= YEAR_MAX and period.start <= period.end
    assert parse(period.label) == period
