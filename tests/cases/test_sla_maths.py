"""SLA clock maths (partners.cases.sla): targets, pauses, breach, time zones."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from partners.cases import sla

UTC = dt.UTC
SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")


def test_due_is_start_plus_hours():
    start = dt.datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    assert sla.due_at(start, 8) == dt.datetime(2026, 11, 27, 17, 0, tzinfo=UTC)
    assert sla.due_at(start, 0) == start


def test_due_is_the_same_instant_in_every_time_zone():
    # 23:30 in Shanghai is 15:30 UTC: an 8-hour target ends at 07:30 Shanghai / 23:30 UTC.
    local = dt.datetime(2026, 11, 27, 23, 30, tzinfo=SHANGHAI)
    due = sla.due_at(local, 8)
    assert due == dt.datetime(2026, 11, 27, 23, 30, tzinfo=UTC)
    assert due.astimezone(SHANGHAI).hour == 7


def test_daylight_saving_does_not_stretch_a_deadline():
    # New York falls back on 2026-11-01 at 02:00: 24 elapsed hours end at 23:00 local.
    start = dt.datetime(2026, 10, 31, 23, 0, tzinfo=NEW_YORK)
    due = sla.due_at(start, 24)
    assert (due - start).total_seconds() == 24 * 3600
    assert due.astimezone(NEW_YORK).hour == 22


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        sla.due_at(dt.datetime(2026, 11, 27, 9, 0), 8)
    with pytest.raises(ValueError):
        sla.due_at(dt.datetime(2026, 11, 27, 9, 0, tzinfo=UTC), -1)


def test_time_left_counts_down_and_goes_negative():
    due = dt.datetime(2026, 11, 27, 17, 0, tzinfo=UTC)
    assert sla.time_left(due, now=due - dt.timedelta(hours=2)) == dt.timedelta(hours=2)
    assert sla.time_left(due, now=due + dt.timedelta(minutes=30)) == -dt.timedelta(minutes=30)


def test_time_left_is_frozen_while_paused():
    due = dt.datetime(2026, 11, 27, 17, 0, tzinfo=UTC)
    paused = due - dt.timedelta(hours=3)
    for now in (paused, paused + dt.timedelta(hours=10), paused + dt.timedelta(days=5)):
        assert sla.time_left(due, now=now, paused_at=paused) == dt.timedelta(hours=3)


def test_resume_moves_the_deadline_by_the_pause():
    due = dt.datetime(2026, 11, 27, 17, 0, tzinfo=UTC)
    paused = dt.datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    new_due, seconds = sla.resume(due, paused_at=paused, resumed_at=paused + dt.timedelta(hours=26))
    assert new_due == due + dt.timedelta(hours=26)
    assert seconds == 26 * 3600
    # A clock going backwards never shortens the deadline.
    assert sla.resume(due, paused_at=paused, resumed_at=paused - dt.timedelta(hours=1)) == (due, 0)


def test_met_late_and_open():
    due = dt.datetime(2026, 11, 27, 17, 0, tzinfo=UTC)
    assert sla.met(due, due) is True
    assert sla.met(due, due + dt.timedelta(seconds=1)) is False
    assert sla.met(due, None) is None


@pytest.mark.parametrize(
    ("done", "offset_hours", "paused", "state"),
    [
        (True, -1, False, "met"),
        (True, 1, False, "late"),
        (False, 1, False, "breached"),
        (False, 0, False, "running"),
        (True, 0, False, "met"),
        (False, -1, False, "running"),
        (False, -1, True, "paused"),
    ],
)
def test_clock_states(done, offset_hours, paused, state):
    due = dt.datetime(2026, 11, 27, 17, 0, tzinfo=UTC)
    moment = due + dt.timedelta(hours=offset_hours)
    clock = sla.Clock(
        due=due,
        done_at=moment if done else None,
        left=sla.time_left(due, now=moment),
        paused=paused,
    )
    assert clock.state == state


def test_format_left():
    assert sla.format_left(dt.timedelta(days=2, hours=3, minutes=5)) == (2, 3, 5)
    assert sla.format_left(-dt.timedelta(hours=5, minutes=10)) == (0, 5, 10)


def test_breached_only_strictly_after_the_deadline():
    due = dt.datetime(2026, 11, 27, 17, 0, tzinfo=UTC)
    tick = dt.timedelta(microseconds=1)
    assert not sla.deadline_breached(due, done_at=None, now=due)
    assert sla.deadline_breached(due, done_at=None, now=due + tick)
    assert not sla.deadline_breached(due, done_at=due + tick, now=due + tick)  # done late: "late", not breached
    # Paused exactly at the deadline: frozen with no time left, not breached however long it waits.
    assert not sla.deadline_breached(due, done_at=None, now=due + dt.timedelta(days=9), paused_at=due)
    assert sla.deadline_breached(due, done_at=None, now=due + tick, paused_at=due + tick)
