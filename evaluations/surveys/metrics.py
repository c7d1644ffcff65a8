"""Satisfaction formulas (P4.1.3, P4.2.3, P5.2), pure functions.

Each returns None when there is nothing to measure: "no data" is not a score of 0, and a
page must never divide by zero. The ``*_from_counts`` forms take what the database
aggregates (``Count`` with filters), the list forms are the definitions they must match.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

PROMOTER_MIN = 9  # NPS 9–10
DETRACTOR_MAX = 6  # NPS 0–6; 7–8 are passives
SATISFIED_MIN = 4  # CSAT 4–5 out of 1–5


def _pct(part: int, whole: int) -> Decimal:
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def nps_from_counts(*, n: int, promoters: int, detractors: int) -> Decimal | None:
    """Net Promoter Score, −100 … 100: % promoters − % detractors (one decimal)."""
    if n <= 0:
        return None
    if not 0 <= promoters + detractors <= n or promoters < 0 or detractors < 0:
        raise ValueError("promoters and detractors must be parts of n")
    return (Decimal(100) * (promoters - detractors) / n).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def nps(scores: Iterable[int]) -> Decimal | None:
    scores = list(scores)
    return nps_from_counts(
        n=len(scores),
        promoters=sum(s >= PROMOTER_MIN for s in scores),
        detractors=sum(s <= DETRACTOR_MAX for s in scores),
    )


def csat_from_counts(*, n: int, satisfied: int) -> Decimal | None:
    """Customer satisfaction, 0 … 100: share of answers 4 or 5 (one decimal)."""
    if n <= 0:
        return None
    if not 0 <= satisfied <= n:
        raise ValueError("satisfied must be a part of n")
    return _pct(satisfied, n)


def csat(scores: Iterable[int]) -> Decimal | None:
    scores = list(scores)
    return csat_from_counts(n=len(scores), satisfied=sum(s >= SATISFIED_MIN for s in scores))


def ces_from_total(*, n: int, total: int | None) -> Decimal | None:
    """Customer effort score: the mean of 1–7 answers (higher is easier), two decimals.

    Takes the sum rather than the database's AVG: integer sums are exact, a float mean
    can round 2.345 down on one backend and up on another.
    """
    if n <= 0 or total is None:
        return None
    return (Decimal(total) / n).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def ces(scores: Iterable[int]) -> Decimal | None:
    scores = list(scores)
    return ces_from_total(n=len(scores), total=sum(scores))


def response_rate(*, responses: int, invitations: int) -> Decimal | None:
    """Responses per invitation sent, in percent; None when nobody was invited."""
    if invitations <= 0:
        return None
    return _pct(min(responses, invitations), invitations)


# A score this low can open a case (SurveyTemplate.low_score_opens_case).
LOW_SCORE_MAX = {"nps": DETRACTOR_MAX, "csat": 2, "ces": 2}


def is_low_score(kind: str, score: int | None) -> bool:
    """NPS 0–6 (a detractor), CSAT 1–2, CES 1–2 (hard to get help); free text never."""
    return score is not None and kind in LOW_SCORE_MAX and score <= LOW_SCORE_MAX[kind]
