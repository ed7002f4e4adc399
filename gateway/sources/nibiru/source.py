"""NIBIRU: Sai Keeper's answers passed through, with the caller's paging pushed down.

The `*_many` methods are the per-operation DataLoaders' batch functions (gateway/api/loaders.py):
several `trades`, `trade` or `tradeHistory` loads become one upstream document with one alias
per load, each alias's answer mapped exactly as the single call maps it. A lone load sends the
single document, unchanged. If the upstream fails the document, every load in it gets the error,
except where Sai Keeper's known faults are absorbed (quirks.py): a `limit` above its page cap
becomes several pages (aliases of the same document), an unknown trade's error is that load's
null, and a refused `perpMarketId` filter is applied by the gateway.

Answers are checked against their wire type before they reach here (gateway/sources/nibiru/
validate.py, run by the policy chain); `_safe` is the last line: a payload the mapping still
cannot read is the upstream's `UPSTREAM_ERROR`, never an internal error.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, TypeVar

from gateway.errors import BadUserInput, GatewayError, UpstreamError
from gateway.model.forwarded import wrap
from gateway.model.source import (
    DEFAULT_LIMIT,
    BorrowingsQuery,
    HistoryQuery,
    LeaderboardQuery,
    Page,
    TradesQuery,
)
from gateway.model.types import (
    PerpBorrowing,
    PerpBorrowingShortInfo,
    PerpLeaderboardEntry,
    PerpTrade,
    PerpTradeHistoryItem,
)
from gateway.sources.nibiru import forward, mapping, queries, quirks
from gateway.sources.nibiru.client import SOURCE, NibiruClient, QueryRejected
from gateway.sources.nibiru.venue import VENUE

T = TypeVar("T")
log = logging.getLogger(__name__)
# the gateway's leaderboard fields, for Sai's rows: the Sai field each is read from (None: null for NIBIRU)
LEADERBOARD_FROM_SAI: dict[str, str | None] = {
    "venue": None, "label": None, "pnl": "realizedPnlTotalUsd", "volume": "volumeTotalUsd", "roi": None,
    "winRate": None, "trades": None, "accountValue": None, "score": None, "avgLeverage": None,
    "liquidations": None, "openPositions": None, "unrealizedPnl": None,
}
MAX_BATCH = 25  # aliases per upstream document; more loads are split into several documents
FILTER_RETRY = 600.0  # seconds after a refused `perpMarketId` filter before asking Sai Keeper again


UNREADABLE = (KeyError, TypeError, ValueError, AttributeError, IndexError)


def _unreadable() -> UpstreamError:
    return UpstreamError(SOURCE, "Sai Keeper sent an answer the gateway cannot read")


def _safe(pick: Callable[[Any], T]) -> Callable[[Any], T | GatewayError]:
    """A payload the mapping cannot read (a missing key, a wrong type) is Sai Keeper's error, per load."""

    def read(value: Any) -> T | GatewayError:
        try:
            return pick(value)
        except UNREADABLE:
            return _unreadable()

    return read


def _read(read: Callable[[list[Any]], list[T]], rows: list[Any]) -> list[T] | GatewayError:
    return _safe(read)(rows)


def _rows(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError("expected a list")
    return value


def _one(answers: Sequence[T | GatewayError]) -> T:
    """The answer of a lone load, its error raised."""
    answer = answers[0]
    if isinstance(answer, GatewayError):
        raise answer
    return answer


def _page_vars(page: Page) -> dict[str, Any]:
    return {"limit": page.limit, "offset": page.offset, "order_by": page.order_by, "order_desc": page.desc}


def _compact(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def _trades_vars(q: TradesQuery) -> dict[str, Any]:
    where = _compact({"trader": q.trader, "isOpen": q.is_open, "perpMarketId": q.market_id,
                      "perpCollateralId": q.collateral_id})
    return {"where": where, **_page_vars(q.page)}


def _history_vars(q: HistoryQuery) -> dict[str, Any]:
    types = [t.value for t in q.change_types] if q.change_types else None
    return {"where": _compact({"trader": q.trader, "tradeChangeType": types}) or None, **_page_vars(q.page)}


def _map_trades(rows: list[dict[str, Any]]) -> list[PerpTrade]:
    return [mapping.map_trade(t) for t in rows]


def _map_one(row: dict[str, Any] | None) -> PerpTrade | None:
    return mapping.map_trade(row) if row is not None else None


def _map_history(rows: list[dict[str, Any]]) -> list[PerpTradeHistoryItem]:
    return [mapping.map_history_item(h) for h in rows]


class NibiruSource:
    venue = VENUE
    name = SOURCE

    def __init__(self, client: NibiruClient, clock: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.clock = clock
        # when Sai Keeper last failed a `perpMarketId` filter: for FILTER_RETRY seconds after it the
        # gateway filters by market itself without asking (quirks.py; local filtering is right
        # either way), then asks again, so a fixed server is used again without a restart
        self.market_filter_refused_at: float | None = None

    @property
    def market_filter_refused(self) -> bool:
        refused = self.market_filter_refused_at
        return refused is not None and self.clock() - refused < FILTER_RETRY

    async def trades(self, q: TradesQuery) -> list[PerpTrade]:
        return _one(await self.trades_many([q]))

    async def trade(self, trader: str, trade_id: int) -> PerpTrade | None:
        return _one(await self.trade_many([(trader, trade_id)]))

    async def trade_history(self, q: HistoryQuery) -> list[PerpTradeHistoryItem]:
        return _one(await self.trade_history_many([q]))

    async def trades_many(self, qs: Sequence[TradesQuery]) -> list[list[PerpTrade] | GatewayError]:
        """Loads with a market filter go in documents of their own: when Sai Keeper fails the
        filter, the whole document fails, and that must not fail the operation's other loads."""
        out: list[list[PerpTrade] | GatewayError] = [UpstreamError(SOURCE, "not loaded")] * len(qs)
        plain = [i for i, q in enumerate(qs) if q.market_id is None]
        asked = [] if self.market_filter_refused else [i for i, q in enumerate(qs) if q.market_id is not None]
        groups = await asyncio.gather(*(self._lists(queries.TRADES_FIELD, [_trades_vars(qs[i]) for i in g],
                                                    _map_trades) for g in (plain, asked)))
        for group, answers in zip((plain, asked), groups, strict=True):
            for i, answer in zip(group, answers, strict=True):
                out[i] = answer
        if any(quirks.refused_filter(out[i]) for i in asked):
            self.market_filter_refused_at = self.clock()
            log.info("Sai Keeper failed a perpMarketId filter: the gateway filters trades by market itself "
                     "for %d s", FILTER_RETRY)
        local = [i for i, q in enumerate(qs) if q.market_id is not None and (i not in asked or
                                                                             quirks.refused_filter(out[i]))]
        for i, answer in zip(local, await asyncio.gather(*(self._trades_by_market(qs[i]) for i in local)),
                             strict=True):
            out[i] = answer
        return out

    async def _trades_by_market(self, q: TradesQuery) -> list[PerpTrade] | GatewayError:
        """`q` without its market filter, scanned in rounds of SCAN_ROWS and filtered here; the
        caller's offset and limit apply to the filtered list, in Sai Keeper's order."""
        offset = q.page.offset or 0
        limit = DEFAULT_LIMIT if q.page.limit is None else q.page.limit
        matches: list[PerpTrade] = []
        for n in range(quirks.SCAN_ROUNDS):
            scan = replace(q, market_id=None, page=replace(q.page, limit=quirks.SCAN_ROWS, offset=n * quirks.SCAN_ROWS))
            rows = (await self._lists(queries.TRADES_FIELD, [_trades_vars(scan)], _map_trades))[0]
            if isinstance(rows, GatewayError):
                return rows
            matches.extend(t for t in rows if t.perpBorrowing.marketId == q.market_id)
            if len(rows) < quirks.SCAN_ROWS or len(matches) >= offset + limit:
                return matches[offset:offset + limit]
        return quirks.ScanTooLong()

    async def trade_many(self, keys: Sequence[tuple[str, int]]) -> list[PerpTrade | None | GatewayError]:
        return await self._batch(queries.TRADE_FIELD, [{"id": i, "trader": t} for t, i in keys], _map_one,
                                 missing_is_null=True)

    async def trade_history_many(
        self, qs: Sequence[HistoryQuery]
    ) -> list[list[PerpTradeHistoryItem] | GatewayError]:
        return await self._lists(queries.HISTORY_FIELD, [_history_vars(q) for q in qs], _map_history)

    async def _lists(
        self, field: queries.RootField, variables: list[dict[str, Any]], read: Callable[[list[Any]], list[T]],
    ) -> list[list[T] | GatewayError]:
        """List loads, each split into pages of Sai Keeper's cap (quirks.split), all pages batched,
        then each load's pages joined and mapped."""
        pages = [quirks.split(v) for v in variables]
        raw = await self._batch(field, [p for load in pages for p in load], _rows)
        out: list[list[T] | GatewayError] = []
        at = 0
        for load in pages:
            joined = quirks.join([r if r is not None else [] for r in raw[at:at + len(load)]], load)
            at += len(load)
            out.append(joined if isinstance(joined, GatewayError) else _read(read, joined))
        return out

    async def _batch(
        self, field: queries.RootField, variables: list[dict[str, Any]], pick: Callable[[Any], T],
        missing_is_null: bool = False,
    ) -> list[T | None | GatewayError]:
        """One aliased document per MAX_BATCH loads, sent concurrently; answers in load order."""
        chunks = [range(i, min(i + MAX_BATCH, len(variables))) for i in range(0, len(variables), MAX_BATCH)]
        answers = await asyncio.gather(*(self._document(field, variables, c, pick, missing_is_null)
                                         for c in chunks))
        return [answer for chunk in answers for answer in chunk]

    async def _document(
        self, field: queries.RootField, variables: list[dict[str, Any]], indices: range,
        pick: Callable[[Any], T], missing_is_null: bool,
    ) -> list[T | None | GatewayError]:
        if len(indices) == 1:  # the single document, exactly as without batching
            document, keys, values = field.single, [field.name], variables[indices[0]]
        else:
            document, keys = queries.aliased(field, len(indices)), [queries.alias(j) for j in range(len(indices))]
            values = queries.aliased_variables([variables[i] for i in indices])
        safe = _safe(pick)
        try:
            data = await self.client.execute(document, values)
        except QueryRejected as exc:
            return quirks.per_load(exc, keys, safe, missing_is_null)
        except GatewayError as exc:
            return [exc] * len(indices)
        perp = data.get("perp")
        if not isinstance(perp, dict):
            return [_unreadable()] * len(indices)
        return [safe(perp.get(k)) for k in keys]

    async def borrowing(self, collateral_id: int, market_id: int) -> PerpBorrowing | None:
        try:
            data = await self.client.execute(
                queries.BORROWING_ONE, {"collateralId": collateral_id, "marketId": market_id})
            found = data["perp"]["borrowing"]
            return mapping.map_borrowing(found) if found is not None else None
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            raise _unreadable() from exc

    async def borrowings(self, q: BorrowingsQuery) -> list[PerpBorrowingShortInfo]:
        where = _compact({"marketId": q.market_id, "collateralId": q.collateral_id}) or None
        return _one(await self._lists(queries.BORROWINGS_FIELD, [{"where": where, **_page_vars(q.page)}],
                                      lambda rows: [mapping.map_short_info(b) for b in rows]))

    async def leaderboard(self, q: LeaderboardQuery) -> list[PerpLeaderboardEntry]:
        """NIBIRU in the cross-venue leaderboard: Sai Keeper's PnL board, paged like any list.
        Sai's board has no window (its figures are totals) and no market filter."""
        if q.token is not None:
            raise BadUserInput("NIBIRU leaderboards cannot be filtered by token: Sai Keeper ranks all markets")
        return _one(await self._lists(queries.LEADERBOARD_FIELD, [{"limit": q.limit, "offset": q.offset}],
                                      lambda rows: [mapping.map_leaderboard_row(r) for r in rows]))

    async def native_leaderboard(self, info: Any) -> list[PerpLeaderboardEntry]:
        """`perp.leaderboard` without `where`: Sai Keeper's PnL board for the caller's selection; the
        gateway's own entry fields are filled from Sai's (docs/sai-keeper-compat.md)."""
        rows = await forward.forward_raw(info, "perp", rename=LEADERBOARD_FROM_SAI)
        for row in rows:
            row["venue"] = VENUE.value
            row["pnl"] = row.get("realizedPnlTotalUsd")
            row["volume"] = row.get("volumeTotalUsd")
        result: list[PerpLeaderboardEntry] = wrap(rows)
        return result

    async def forward_many(self, keys: Sequence[forward.Key]) -> list[Any]:
        """NIBIRU-only fields, forwarded to Sai Keeper in one document (forward.py)."""
        return await forward.forward_many(self.client.execute, keys)

    async def aclose(self) -> None:
        await self.client.aclose()
