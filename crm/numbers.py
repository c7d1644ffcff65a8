"""Percentages as every report shows them: one decimal, half up, and None for "no data"."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def share(*, part: int, whole: int) -> Decimal | None:
    """``part`` of ``whole`` in percent (one decimal); None when there is no whole."""
    if whole <= 0:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
