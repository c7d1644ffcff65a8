"""Survey periods: a month, a quarter or a year, as a real date range (P4.1.3, P4.2.3, P5.2).

Pure values, no ORM: the models store a period as ``period_kind``, ``period_start`` and
``period_end`` (models.PeriodFields), everything else about it is decided here.

- ``Period.label`` is canonical and language-neutral ("2026-Q4", "2026", "2026-12"): titles,
  exports, the demo. ``str(period)`` is the label in the active language ("2026年第四季度").
- ``parse`` reads what people typed before periods were dates ("2025-Q4", "2025 Q4",
  "Q4 2025", "2025Q4", "2025年第四季度", "2025", "2025-12" …), strictly: anything else raises
  ``ValueError`` (the data migration then falls back to the creation date's quarter).
- ``quarter_of``, ``year_of``, ``year_range``, ``quarters_of_year`` and ``previous_year``
  (the same period a year earlier, for the year-over-year comparison).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

# A survey about a year outside these is a typing mistake (crm.forms.EARLIEST_DATE is 2000
# too; crm.cleaning refuses dates after 2100).
YEAR_MIN = 2000
YEAR_MAX = 2100


class PeriodKind(models.TextChoices):
    MONTH = "month", pgettext_lazy("period kind", "Month")
    QUARTER = "quarter", pgettext_lazy("period kind", "Quarter")
    YEAR = "year", pgettext_lazy("period kind", "Year")


MONTHS = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}

# One message per quarter: Chinese writes the quarter's number as a word (第四季度).
QUARTER_LABELS = {
    1: _("%(year)d-Q1"),
    2: _("%(year)d-Q2"),
    3: _("%(year)d-Q3"),
    4: _("%(year)d-Q4"),
}


def _check_year(year: int) -> None:
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise ValueError(f"year {year} is outside {YEAR_MIN}–{YEAR_MAX}")


@dataclass(frozen=True, order=True)
class Period:
    """A calendar month, quarter or year. Ordered by start, then kind."""

    start: dt.date
    kind: str

    def __post_init__(self) -> None:
        if self.kind not in MONTHS:
            raise ValueError(f"unknown period kind {self.kind!r}")
        _check_year(self.start.year)
        months = MONTHS[self.kind]
        if self.start.day != 1 or (self.start.month - 1) % months:
            raise ValueError(f"{self.start} does not start a {self.kind}")

    # --- Constructors --------------------------------------------------------------------

    @classmethod
    def of_year(cls, year: int) -> Period:
        _check_year(year)
        return cls(dt.date(year, 1, 1), PeriodKind.YEAR)

    @classmethod
    def of_quarter(cls, year: int, quarter: int) -> Period:
        if not 1 <= quarter <= 4:
            raise ValueError(f"quarter {quarter} is not 1–4")
        _check_year(year)
        return cls(dt.date(year, quarter * 3 - 2, 1), PeriodKind.QUARTER)

    @classmethod
    def of_month(cls, year: int, month: int) -> Period:
        if not 1 <= month <= 12:
            raise ValueError(f"month {month} is not 1–12")
        _check_year(year)
        return cls(dt.date(year, month, 1), PeriodKind.MONTH)

    # --- Properties ------------------------------------------------------------------------

    @property
    def end(self) -> dt.date:
        """The last day (inclusive)."""
        last_month = self.start.month + MONTHS[self.kind] - 1
        return dt.date(self.start.year, last_month, calendar.monthrange(self.start.year, last_month)[1])

    @property
    def year(self) -> int:
        return self.start.year

    @property
    def quarter(self) -> int:
        """The quarter the period starts in (1–4)."""
        return (self.start.month - 1) // 3 + 1

    @property
    def label(self) -> str:
        """Canonical and language-neutral: 2026-12, 2026-Q4, 2026."""
        if self.kind == PeriodKind.MONTH:
            return f"{self.year}-{self.start.month:02d}"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.year}-Q{self.quarter}"
        return str(self.year)

    def display(self) -> str:
        """The label in the active language: 2026-Q4 / 2026年第四季度."""
        if self.kind == PeriodKind.MONTH:
            return pgettext("period", "%(year)d-%(month)02d") % {"year": self.year, "month": self.start.month}
        if self.kind == PeriodKind.QUARTER:
            return gettext(QUARTER_LABELS[self.quarter]) % {"year": self.year}
        return pgettext("period", "%(year)d") % {"year": self.year}

    def __str__(self) -> str:
        return self.display()

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def previous_year(self) -> Period:
        """The same period one year earlier (year-over-year comparison)."""
        return Period(self.start.replace(year=self.year - 1), self.kind)


# --- Helpers ---------------------------------------------------------------------------------


def quarter_of(day: dt.date) -> Period:
    return Period.of_quarter(day.year, (day.month - 1) // 3 + 1)


def year_of(day: dt.date) -> Period:
    return Period.of_year(day.year)


def year_range(year: int) -> tuple[dt.date, dt.date]:
    """First and last day of ``year``: the filter of the results page and the annual report."""
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def quarters_of_year(year: int) -> list[Period]:
    return [Period.of_quarter(year, q) for q in range(1, 5)]


# --- Parsing ---------------------------------------------------------------------------------

_CN_DIGITS = {"一": "1", "二": "2", "三": "3", "四": "4", "1": "1", "2": "2", "3": "3", "4": "4"}
_SEP = r"[\s\-/._]*"
_YEAR = r"(?P<year>\d{4})"
_Q = r"(?P<quarter>\d)"
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    # 2025-Q4, 2025 Q4, 2025Q4, 2025/Q4
    (PeriodKind.QUARTER, re.compile(rf"{_YEAR}{_SEP}Q{_Q}", re.ASCII)),
    # Q4 2025, Q4-2025, Q4/2025
    (PeriodKind.QUARTER, re.compile(rf"Q{_Q}{_SEP}{_YEAR}", re.ASCII)),
    # 2025年第四季度, 2025年第4季度, 2025年四季度, 2025年Q4 (Q handled above once 年 is gone)
    (PeriodKind.QUARTER, re.compile(rf"{_YEAR}\s*年?\s*第?\s*(?P<quarter>[一二三四1-9])\s*季度?", re.ASCII)),
    # 2025, 2025年, FY2025
    (PeriodKind.YEAR, re.compile(rf"(?:FY\s*)?{_YEAR}\s*年?(?:度)?", re.ASCII)),
    # 2025-12, 2025/12, 2025.1, 2025年12月
    (PeriodKind.MONTH, re.compile(rf"{_YEAR}\s*(?:[\-/.]|年)\s*(?P<month>\d{{1,2}})\s*月?", re.ASCII)),
    # 12/2025, 12-2025
    (PeriodKind.MONTH, re.compile(r"(?P<month>\d{1,2})\s*[\-/.]\s*(?P<year>\d{4})", re.ASCII)),
]


def parse(text: str) -> Period:
    """The period a person meant by ``text``, or ValueError. Full-width characters and case
    do not matter; a quarter outside 1–4, a month outside 1–12 or a year outside
    ``YEAR_MIN``–``YEAR_MAX`` is an error, never a guess."""
    if not isinstance(text, str):
        raise ValueError("not text")
    cleaned = unicodedata.normalize("NFKC", text).strip().upper()
    if len(cleaned) > 40:
        raise ValueError("too long to be a period")
    for kind, pattern in _PATTERNS:
        match = pattern.fullmatch(cleaned)
        if match is None:
            continue
        year = int(match["year"])
        if kind == PeriodKind.QUARTER:
            quarter = int(_CN_DIGITS.get(match["quarter"], match["quarter"]))
            return Period.of_quarter(year, quarter)
        if kind == PeriodKind.MONTH:
            return Period.of_month(year, int(match["month"]))
        return Period.of_year(year)
    raise ValueError(f"not a period: {text!r}")
