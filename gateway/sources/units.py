"""Upstream numbers and times, read exactly (shared by the REST sources).

Decimal strings ("5231.62029") and JSON numbers both go through `Decimal(str(x))`, so a value
converts to micro-units without binary-float drift: "1743.87343" is 1743873430, not …0.0000002.
Times without a zone (Nansen's "2025-10-08T18:46:11.452000") are UTC.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

MICRO = Decimal(1_000_000)

Number = str | float | int


def dec(value: Number) -> Decimal:
    """The exact decimal an upstream number spells; ValueError if it is not one."""
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    try:
        d = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {value!r}") from exc
    if not d.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return d


def number(value: Number) -> float:
    return float(dec(value))


def opt_number(value: Number | None) -> float | None:
    return None if value is None or value == "" else number(value)


def micro(value: Number | Decimal) -> int:
    """USD (USDC) to integer micro-units, rounding half to even."""
    d = value if isinstance(value, Decimal) else dec(value)
    return int((d * MICRO).to_integral_value(rounding=ROUND_HALF_EVEN))


def utc(text: str) -> datetime.datetime:
    """An ISO 8601 time from Nansen; without a zone it is UTC."""
    parsed = datetime.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.UTC)
    return parsed.astimezone(datetime.UTC)
