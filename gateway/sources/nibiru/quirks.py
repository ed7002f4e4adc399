"""Sai Keeper's known faults, absorbed so that callers see what Sai Keeper's docs promise.

- **Page cap.** The live server clamps `limit` to 100 rows silently (Sai-PnL: "batch size 100
  (API hard limit)"; with 1000 its offset stepping skipped rows). A larger `limit` is split into
  pages of 100 with consecutive offsets (`split`), sent as aliases of one document through the
  policy chain like any load, and joined back, stopping at the first short page (`join`).
  Splitting is right whatever the real cap is (100 or more), because each page asks for at most 100.
- **Unknown trade.** `perp.trade` for an unknown index raises "perp trade not found" instead of the
  documented null: such an error at a load's own path is that load's null (`per_load`).
- **`perpMarketId`.** The filter fails in SQL (`pt.market_id` does not exist, SQLSTATE 42703), so
  the whole answer fails; source.py then fetches the trader's trades without it and filters by
  `perpBorrowing.marketId` itself (`MarketScan`), keeping offset and limit over the filtered list.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from gateway.errors import GatewayError, UpstreamError
from gateway.sources.nibiru.client import SOURCE, QueryRejected

T = TypeVar("T")
PAGE_CAP = 100  # rows Sai Keeper returns per request, whatever `limit` asks
NOT_FOUND = "not found"  # "perp trade not found": the documented answer is null
SCAN_ROWS = 1000  # rows per round when the gateway filters by market itself (10 pages, one document)
SCAN_ROUNDS = 20  # at most 20,000 of a trader's trades are scanned for one market


def split(variables: dict[str, Any]) -> list[dict[str, Any]]:
    """The variables of each upstream page for one load; a limit within the cap is sent unchanged."""
    limit = variables.get("limit")
    if limit is None or limit <= PAGE_CAP:
        return [variables]
    offset = variables.get("offset") or 0
    return [{**variables, "limit": min(PAGE_CAP, limit - start), "offset": offset + start}
            for start in range(0, limit, PAGE_CAP)]


def join(pages: Sequence[list[Any] | GatewayError], asked: Sequence[dict[str, Any]]) -> list[Any] | GatewayError:
    """One load's rows from its pages, in order; a short page ends the list (later pages are empty
    anyway, unless rows arrived between pages, which must not appear as a gap)."""
    rows: list[Any] = []
    for page, variables in zip(pages, asked, strict=True):
        if isinstance(page, GatewayError):
            return page
        rows.extend(page)
        limit = variables.get("limit")
        if limit is not None and len(page) < limit:
            break
    return rows


def per_load(exc: QueryRejected, keys: Sequence[str], pick: Callable[[Any], T],
             missing_is_null: bool) -> list[T | None | GatewayError]:
    """A rejected batch document, load by load: a load whose own path (`perp.<alias>`) carries no
    error keeps its data; "not found" at its path is null where the field's docs promise null; any
    other error is that load's. An error outside every load's path, or no data, fails them all."""
    perp = exc.data.get("perp") if isinstance(exc.data, dict) else None
    at: dict[str, list[str]] = {}
    for error in exc.errors:
        path = error.get("path")
        key = path[1] if isinstance(path, list) and len(path) >= 2 and path[0] == "perp" else None
        if key not in keys:
            return [exc] * len(keys)
        at.setdefault(str(key), []).append(str(error.get("message", "")))
    if not isinstance(perp, dict):
        return [exc] * len(keys)
    out: list[T | None | GatewayError] = []
    for key in keys:
        messages = at.get(key)
        if not messages:
            out.append(pick(perp.get(key)))
        elif missing_is_null and all(NOT_FOUND in m.lower() for m in messages):
            out.append(None)
        else:
            out.append(UpstreamError(SOURCE, f"Sai Keeper rejected the query: {messages[0]}"))
    return out


def refused_filter(result: object) -> bool:
    """A load that Sai Keeper failed (GraphQL error or HTTP 5xx answer), not one it could not reach:
    with `perpMarketId` in it, the filter is the known cause and the gateway filters instead."""
    return isinstance(result, UpstreamError)


class ScanTooLong(UpstreamError):
    def __init__(self) -> None:
        super().__init__(SOURCE, f"Sai Keeper cannot filter trades by market and the trader has more than "
                                 f"{SCAN_ROWS * SCAN_ROUNDS} trades for the gateway to filter; "
                                 "narrow the query with isOpen or perpCollateralId")
