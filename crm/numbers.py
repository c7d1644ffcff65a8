"""Numbers as every page shows them: percentages (one decimal, half up, None for "no data")
and stored decimals with the precision they need (80, 87.5, 87.25; never 80.0000)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import formats

MAX_PLACES = 4  # the most any stored number of ours has (a KPI value)


def share(*, part: int, whole: int) -> Decimal | None:
    """``part`` of ``whole`` in percent (one decimal); None when there is no whole."""
    if whole <= 0:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def number_text(value, places: int | None = None, *, empty: str = "—") -> str:
    """``value`` in the active language's number format, with as many decimals as it needs
    (at most MAX_PLACES) or exactly ``places`` (money: 120.00). Safe on any stored value:
    None or "" shows ``empty``; text, NaN or infinity show as they are."""
    if value is None or value == "":
        return empty
    if isinstance(value, bool):
        return str(value)
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if not number.is_finite():
        return str(value)
    if places is None:
        places = min(max(-number.normalize().as_tuple().exponent, 0), MAX_PLACES)
    try:  # number_format cuts extra decimals off: round them instead
        number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    except InvalidOperation:  # more digits than a Decimal context holds: shown as it is
        pass
    return formats.number_format(number, decimal_pos=places, use_l10n=True)


def percent_text(value, *, empty: str = "—") -> str:
    """A percentage (0–100) with at most one decimal: 33.33 → 33.3, 50.00 → 50 (half up).
    Safe on any stored value, as ``number_text``."""
    try:
        number = Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return number_text(value, empty=empty)
    return number_text(number, empty=empty)
