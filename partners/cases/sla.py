"""Service-level clock maths for cases (P4.1.2, P4.2.2), pure functions.

Targets are calendar hours (24×7) counted on aware datetimes, so a deadline is the same
instant in every time zone and daylight-saving changes do not move it. Business hours and
public holidays are not applied: a team that works office hours sets longer targets (for
example 24 hours for "next working day").

The resolution clock stops while a case waits on the partner: the deadline moves later by
the length of each pause. The response clock never stops: answering first is always ours.

"Breached" is decided here once (``past_deadline``): a deadline not done is breached only
once the clock is strictly past it. At the deadline instant itself it is not yet breached,
because work done at that instant is on time (``met`` counts ``done_at <= due``).
``partners.cases.selectors.case_breached_q`` is the same rule as a queryset filter
(``due < now``); the escalation scan, the case list's filter and badges, the dashboard
counter and the SLA report all use one or the other.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# Used when an administrator deleted a family × priority target (hours: response, resolution).
# Keys are Priority values (1 low … 4 urgent).
DEFAULT_TARGETS: dict[int, tuple[int, int]] = {
    4: (1, 8),
    3: (4, 24),
    2: (8, 72),
    1: (24, 168),
}


def _aware(value: dt.datetime) -> dt.datetime:
    """The same instant in UTC. Python adds hours to a zoned datetime on the wall clock
    (24 hours across a daylight-saving change would be 23 or 25 real hours); in UTC they
    are real hours."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("SLA maths needs aware datetimes")
    return value.astimezone(dt.UTC)


def due_at(start: dt.datetime, hours: int) -> dt.datetime:
    """The deadline ``hours`` after ``start``."""
    if hours < 0:
        raise ValueError("a target cannot be negative")
    return _aware(start) + dt.timedelta(hours=hours)


def resume(due: dt.datetime, *, paused_at: dt.datetime, resumed_at: dt.datetime) -> tuple[dt.datetime, int]:
    """The deadline after a pause, and the pause's length in seconds."""
    pause = max(_aware(resumed_at) - _aware(paused_at), dt.timedelta(0))
    return _aware(due) + pause, int(pause.total_seconds())


def time_left(due: dt.datetime, *, now: dt.datetime, paused_at: dt.datetime | None = None) -> dt.timedelta:
    """Time until the deadline (negative once breached); frozen while paused."""
    reference = paused_at if paused_at is not None else now
    return _aware(due) - _aware(reference)


def past_deadline(left: dt.timedelta) -> bool:
    """Strictly past the deadline: with no time left at all (``left == 0``) it is not breached."""
    return left < dt.timedelta(0)


def deadline_breached(
    due: dt.datetime, *, done_at: dt.datetime | None, now: dt.datetime, paused_at: dt.datetime | None = None
) -> bool:
    """Not done and past the deadline; a paused clock is judged at the moment it was paused."""
    return done_at is None and past_deadline(time_left(due, now=now, paused_at=paused_at))


RESPONSE, RESOLUTION = "response", "resolution"
DEADLINES = (RESPONSE, RESOLUTION)


def case_deadline_breached(case, which: str, *, now: dt.datetime) -> bool:
    """One of a case's deadlines (``"response"`` or ``"resolution"``) is breached."""
    if which == RESPONSE:
        return deadline_breached(case.response_due_at, done_at=case.first_response_at, now=now)
    if which == RESOLUTION:
        return deadline_breached(case.resolution_due_at, done_at=case.resolved_at, now=now, paused_at=case.paused_at)
    raise ValueError(f"unknown deadline {which!r}")


def case_breached(case, *, now: dt.datetime) -> bool:
    """An open case past either deadline (what the list's "Past a deadline" filter shows)."""
    return case.is_open and any(case_deadline_breached(case, which, now=now) for which in DEADLINES)


def met(due: dt.datetime, done_at: dt.datetime | None) -> bool | None:
    """True when done by the deadline, False when done late, None while not done."""
    if done_at is None:
        return None
    return _aware(done_at) <= _aware(due)


@dataclass(frozen=True)
class Clock:
    """What a case page shows for one deadline."""

    due: dt.datetime
    done_at: dt.datetime | None
    left: dt.timedelta
    paused: bool

    @property
    def state(self) -> str:
        """ "met", "late", "breached" (not done, past due), "paused" or "running"."""
        outcome = met(self.due, self.done_at)
        if outcome is not None:
            return "met" if outcome else "late"
        if past_deadline(self.left):
            return "breached"
        return "paused" if self.paused else "running"


def response_clock(case, *, now: dt.datetime) -> Clock:
    return Clock(
        due=case.response_due_at,
        done_at=case.first_response_at,
        left=time_left(case.response_due_at, now=now),
        paused=False,
    )


def resolution_clock(case, *, now: dt.datetime) -> Clock:
    return Clock(
        due=case.resolution_due_at,
        done_at=case.resolved_at,
        left=time_left(case.resolution_due_at, now=now, paused_at=case.paused_at),
        paused=case.paused_at is not None,
    )


def format_left(left: dt.timedelta) -> tuple[int, int, int]:
    """(days, hours, minutes) of the absolute value, for "2 d 3 h left" / "… overdue"."""
    seconds = abs(int(left.total_seconds()))
    days, seconds = divmod(seconds, 86400)
    hours, seconds = divmod(seconds, 3600)
    return days, hours, seconds // 60
