"""What every list endpoint shares: date ranges, range filters, `order_by`, pagination."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sandbox.nansen.validation import Error

Row = dict[str, Any]
Getter = Callable[[Row, str], Any]


class Invalid(Exception):
    """A request that passed the schema but not the endpoint's own checks (422, pydantic style)."""

    def __init__(self, errors: list[Error]) -> None:
        super().__init__(errors)
        self.errors = errors


def _parse_moment(text: str, *, end: bool) -> int:
    """ms since epoch. A bare date covers its whole day: `to: "2025-10-10"` includes all of it."""
    text = text.strip()
    if len(text) == 10:
        day = date.fromisoformat(text)
        moment = datetime.combine(day, time(), tzinfo=UTC)
        if end:
            return int((moment + timedelta(days=1)).timestamp() * 1000) - 1
        return int(moment.timestamp() * 1000)
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)  # zone-less times are UTC, as everywhere in the API
    ms = int(parsed.timestamp() * 1000)
    # "to": "...T23:59:59Z" means through the end of that second, not its first millisecond.
    return ms + 999 if end and parsed.microsecond == 0 else ms


def date_range(body: dict[str, Any], now_ms: int) -> tuple[int, int]:
    """The request's `date` as inclusive ms bounds; an absent bound is open (history start / now)."""
    rng = body.get("date") or {}
    bounds: list[int] = []
    for key, end, default in (("from", False, 0), ("to", True, now_ms)):
        text = rng.get(key)
        if text is None:
            bounds.append(default)
            continue
        try:
            bounds.append(_parse_moment(text, end=end))
        except ValueError as exc:
            raise Invalid([{
                "type": "value_error", "loc": ["body", "date", key],
                "msg": f"Value error, invalid ISO 8601 date or date-time: {text!r}",
                "input": text, "ctx": {"error": str(exc)},
            }]) from exc
    return bounds[0], bounds[1]


def in_range(value: float | None, rng: dict[str, Any] | None) -> bool:
    """NumericRangeFilter / IntegerRangeFilter: both bounds inclusive, either may be absent."""
    if not rng:
        return True
    if value is None:
        return False
    lo, hi = rng.get("min"), rng.get("max")
    return (lo is None or value >= lo) and (hi is None or value <= hi)


def text_matches(value: str | None, wanted: str | None, *, contains: bool = False) -> bool:
    """String filters ignore case; label filters match a substring ("Smart" finds "Smart Money")."""
    if wanted is None:
        return True
    have, want = (value or "").lower(), wanted.lower()
    return want in have if contains else have == want


def as_number(value: Any) -> Any:
    """Sort key for a value that may be a decimal string (perp-positions) or a real string."""
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def sort_rows(rows: list[Row], order_by: Sequence[dict[str, str]] | None, get: Getter) -> list[Row]:
    """Apply `order_by` (first entry most significant) on top of the default order; nulls last."""
    out = list(rows)
    for order in reversed(order_by or []):
        name, desc = order["field"], order["direction"] == "DESC"
        present = [r for r in out if get(r, name) is not None]
        missing = [r for r in out if get(r, name) is None]
        present.sort(key=lambda r: as_number(get(r, name)), reverse=desc)
        out = present + missing
    return out


def field_of(row: Row, name: str) -> Any:
    return row.get(name)


def fill_field_of(row: Row, name: str) -> Any:
    """Fills in one block share a timestamp: the hidden event sequence `_seq` breaks the tie."""
    if name in ("timestamp", "block_timestamp"):
        return (row[name], row["_seq"])
    return row.get(name)


def paginate(rows: list[Row], body: dict[str, Any]) -> dict[str, Any]:
    """`{"data": page_rows, "pagination": {page, per_page, is_last_page}}`."""
    pag = body.get("pagination") or {"page": 1, "per_page": 10}
    page, per_page = int(pag["page"]), int(pag["per_page"])
    start = (page - 1) * per_page
    return {
        "data": [{k: v for k, v in r.items() if k != "_seq"} for r in rows[start:start + per_page]],
        "pagination": {"page": page, "per_page": per_page, "is_last_page": start + per_page >= len(rows)},
    }
