"""One parser for integer and date query parameters (issue #9 §6): whatever the query string
holds, a number in range or None, never an exception."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from crm.forms import EARLIEST_DATE, ID_MAX, latest_date, query_date, query_int

anything = st.one_of(st.none(), st.text(), st.integers(), st.booleans(), st.floats(), st.binary())


@given(anything)
def test_query_int_returns_an_id_in_range_or_none(value):
    number = query_int(value)
    assert number is None or (type(number) is int and 1 <= number <= ID_MAX)


@given(st.integers(min_value=1, max_value=ID_MAX), st.sampled_from(["", " ", "+", "0"]))
def test_query_int_reads_every_id_back(number, prefix):
    text = f"{prefix.strip()}{number}" if prefix.strip() else f"{prefix}{number}"
    assert query_int(text) == number


@given(st.integers().filter(lambda n: n < 1 or n > ID_MAX))
def test_query_int_refuses_ids_out_of_range(number):
    assert query_int(str(number)) is None


@given(st.text(), st.integers(min_value=-1000, max_value=0), st.integers(min_value=0, max_value=1000))
def test_query_int_keeps_to_any_bounds(value, low, high):
    number = query_int(value, low=low, high=high)
    assert number is None or low <= number <= high


@pytest.mark.parametrize(
    "value", ["", "abc", "1.5", "1e3", "0x10", "1_000", "١٢", "9" * 19, "9" * 5000, "12 34", "--1", "0"]
)
def test_query_int_refuses_garbage_huge_and_zero(value):
    assert query_int(value) is None


@given(anything)
def test_query_date_returns_a_date_in_bounds_or_none(value):
    day = query_date(value)
    assert day is None or EARLIEST_DATE <= day <= latest_date()


@given(st.dates(min_value=EARLIEST_DATE, max_value=dt.date.today()))
def test_query_date_reads_every_iso_date_back(day):
    assert query_date(day.isoformat()) == day


@pytest.mark.parametrize("value", ["1999-12-31", "9999-12-31", "0001-01-01", "2026-02-30", "2026-1-5", "20260105", "x"])
def test_query_date_refuses_far_impossible_and_other_shapes(value):
    assert query_date(value) is None


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("cases:case_list", {"partner": "9" * 40}),
        ("cases:case_create", {"partner": "9" * 40}),
        ("cases:sla_report", {"months": "1e9"}),
        ("customers:care_calendar", {"days": "9" * 5000}),
        ("surveys:results", {"survey": "-1"}),
        ("evaluations:overview", {"template": "9" * 40, "department": "x", "tier": "99999999999999999999"}),
        ("customers:needs_summary", {"start": "9999-01-01", "end": "0001-01-01"}),
    ],
)
def test_pages_read_garbage_parameters_as_not_given(client, manager, url, params):
    client.force_login(manager)
    assert client.get(reverse(url), params).status_code == 200
