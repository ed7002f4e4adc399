"""The JUPITER source against an in-process PerpsTracker double (httpx.MockTransport).

These check what the source asks the upstream for (paths, paging, the history cap), local
filtering and paging, and the client boundary: every transport failure mapped into the error
tree, the key only ever in the Authorization header. Integration over sockets is in
tests/api/test_jupiter_*.py.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.errors import (
    BadUserInput,
    GatewayError,
    UpstreamError,
    UpstreamRateLimited,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from gateway.model.ids import stable_id
from gateway.model.source import BorrowingsQuery, HistoryQuery, LeaderboardQuery, Page, TradesQuery
from gateway.model.types import PerpTradeChangeType as C
from gateway.settings import Secret, Settings, SettingsError
from gateway.sources.descriptor import Built
from gateway.sources.perpstracker.client import PerpsTrackerClient
from gateway.sources.perpstracker.settings import PerpsTrackerSettings
from gateway.sources.perpstracker.source import PerpsTrackerSource, build

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "perpstracker"
KEY = "pt-test-key-do-not-leak"
WALLET = "DRVRvzf8pSiMJi5BY1NmZu5STahBYKMVcfkPp3vxPump"
BASE = "https://perpstracker.test/api"


def doc(name: str) -> Any:
    return json.loads((FIXTURES / f"doc_{name}.json").read_text())


def history_row(i: int, key: str, action: str, *, entire: bool = False, market: str = "SOL") -> dict[str, Any]:
    return {"market": market, "positionPubkey": key, "side": "LONG", "action": action, "orderType": "Market",
            "size": 1000.0, "price": 100.0 + i, "collateralDelta": 100.0, "leverage": None,
            "entirePosition": entire, "pnl": 10.0 if action in ("Decrease", "Close") else None,
            "pnlPercent": 10.0 if action in ("Decrease", "Close") else None, "liquidationFee": 0,
            "txHash": f"tx{i}", "createdTime": 1_765_000_000 + i}


def sample_history() -> list[dict[str, Any]]:
    """Newest first: a closed SOL long (t 0..2), a still-open BTC long (t 3), a closed ETH one (t 4..5)."""
    closed, btc, eth = "A" * 44, "B" * 44, "C" * 44
    rows = [history_row(0, closed, "Open"), history_row(1, closed, "Decrease"),
            history_row(2, closed, "Close", entire=True), history_row(3, btc, "Open", market="BTC"),
            history_row(4, eth, "Open", market="ETH"), history_row(5, eth, "Close", entire=True, market="ETH")]
    return rows[::-1]


OPEN_BTC = {"position_key": "B" * 44, "market": "BTC", "side": "long", "size_usd": 1000.0,
            "collateral_usd": 100.0, "leverage": 10.0, "entry_price": 103.0, "liquidation_price": 93.0,
            "unrealized_pnl": 5.0, "open_time": 1_765_000_003, "last_updated": 1_765_000_003}

Handler = Callable[[httpx.Request], httpx.Response]


class Upstream:
    """A PerpsTracker double: answers by path, records every request."""

    def __init__(self, history: list[dict[str, Any]] | None = None,
                 positions: list[dict[str, Any]] | None = None) -> None:
        self.history = sample_history() if history is None else history
        self.positions = [OPEN_BTC] if positions is None else positions
        self.requests: list[httpx.Request] = []
        self.overrides: dict[str, Handler] = {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        assert request.headers["Authorization"] == f"Bearer {KEY}"
        path = request.url.path.removeprefix("/api")
        if path in self.overrides:
            return self.overrides[path](request)
        q = request.url.params
        if path == f"/perpetuals/trader/{WALLET}/positions":
            return httpx.Response(200, json={"positions": self.positions, "wallet": WALLET})
        if path == f"/perpetuals/trader/{WALLET}/history":
            start, limit = int(q["start"]), int(q["limit"])
            page = self.history[start:start + limit]
            return httpx.Response(200, json={"trades": page, "count": len(page), "totalCount": len(self.history),
                                             "hasMore": start + limit < len(self.history)})
        if path == "/perpetuals/live-trades":
            return httpx.Response(200, json=doc("live_trades"))
        if path == "/prices":
            return httpx.Response(200, json=doc("prices"))
        if path == "/trading/markets":
            return httpx.Response(200, json=doc("trading_markets"))
        if path.startswith("/perpetuals/leaderboard/fixed/"):
            return httpx.Response(200, json=doc("leaderboard_fixed"))
        if path.startswith("/perpetuals/leaderboard/"):
            return httpx.Response(200, json=doc("leaderboard"))
        return httpx.Response(404, json={"error": "Not found", "code": "NOT_FOUND"})

    def paths(self) -> list[str]:
        return [r.url.path.removeprefix("/api") for r in self.requests]


def source_for(handler: Handler) -> PerpsTrackerSource:
    return PerpsTrackerSource(PerpsTrackerClient(BASE, Secret(KEY), transport=httpx.MockTransport(handler)))


@pytest.fixture
def upstream() -> Upstream:
    return Upstream()


@pytest.fixture
async def source(upstream: Upstream) -> Any:
    src = source_for(upstream)
    yield src
    await src.aclose()


# ---- trades --------------------------------------------------------------------------------


async def test_trades_merge_positions_and_history_in_opening_order(source: PerpsTrackerSource) -> None:
    trades = await source.trades(TradesQuery(trader=WALLET))
    assert [(t.market, t.isOpen) for t in trades] == [("SOL", False), ("BTC", True), ("ETH", False)]
    assert trades[1].state is not None and trades[1].venueTradeId == "B" * 44
    assert trades[0].closePrice == 102.0 and trades[0].openPrice == 100.0


async def test_trades_filters_and_paging(source: PerpsTrackerSource) -> None:
    assert [t.market for t in await source.trades(TradesQuery(trader=WALLET, is_open=False))] == ["SOL", "ETH"]
    assert [t.market for t in await source.trades(TradesQuery(trader=WALLET, market_id=3))] == ["BTC"]
    assert await source.trades(TradesQuery(trader=WALLET, market_id=99)) == []
    assert len(await source.trades(TradesQuery(trader=WALLET, collateral_id=1))) == 3
    assert await source.trades(TradesQuery(trader=WALLET, collateral_id=2)) == []
    page = Page(limit=2, offset=0, desc=True)
    assert [t.market for t in await source.trades(TradesQuery(trader=WALLET, page=page))] == ["ETH", "BTC"]
    page = Page(limit=1, offset=1)
    assert [t.market for t in await source.trades(TradesQuery(trader=WALLET, page=page))] == ["BTC"]


async def test_trade_by_id(source: PerpsTrackerSource) -> None:
    found = await source.trade(WALLET, stable_id("C" * 44))
    assert found is not None and found.market == "ETH"
    assert await source.trade(WALLET, 12345) is None


async def test_history_is_paged_by_100_and_capped_at_500_records() -> None:
    rows = [history_row(i, "A" * 44, "Increase") for i in range(730, 0, -1)]
    upstream = Upstream(history=rows, positions=[])
    src = source_for(upstream)
    try:
        await src.trades(TradesQuery(trader=WALLET))
    finally:
        await src.aclose()
    pages = [(int(r.url.params["start"]), int(r.url.params["limit"])) for r in upstream.requests
             if r.url.path.endswith("/history")]
    assert pages == [(0, 100), (100, 100), (200, 100), (300, 100), (400, 100)]


async def test_history_paging_stops_when_the_upstream_has_no_more(source: PerpsTrackerSource,
                                                                  upstream: Upstream) -> None:
    await source.trades(TradesQuery(trader=WALLET))
    assert upstream.paths().count(f"/perpetuals/trader/{WALLET}/history") == 1


# ---- trade history -------------------------------------------------------------------------


async def test_trade_history_of_a_trader(source: PerpsTrackerSource) -> None:
    items = await source.trade_history(HistoryQuery(trader=WALLET))
    assert [i.tradeChangeType for i in items] == [
        C.position_opened, C.position_reduced, C.position_closed_user, C.position_opened,
        C.position_opened, C.position_closed_user]
    assert [i.txHash for i in items] == [f"tx{i}" for i in range(6)]
    assert items[2].trade.venueTradeId == "A" * 44 and not items[2].trade.isOpen
    assert items[3].trade.isOpen and items[3].trade.state is not None
    assert items[2].realizedPnlCollateral == 10_000_000.0 and items[2].realizedPnlPct == 0.1
    closes = await source.trade_history(HistoryQuery(trader=WALLET, change_types=(C.position_closed_user,),
                                                     page=Page(desc=True)))
    assert [i.txHash for i in closes] == ["tx5", "tx2"]
    by_trade = await source.trade_history(HistoryQuery(trader=WALLET, page=Page(order_by="trade_id")))
    ids = [i.trade.id for i in by_trade]
    assert ids == sorted(ids)


async def test_trade_history_without_a_trader_reads_live_trades(source: PerpsTrackerSource,
                                                                upstream: Upstream) -> None:
    (item,) = await source.trade_history(HistoryQuery(trader=None))
    assert item.tradeChangeType is C.position_closed_user and item.market == "SOL"
    assert item.trader == "HtXuYvqtALGkJjrHPqz8VPRPcmkdJ9fV7sJpRPiT2D4m"
    (request,) = upstream.requests
    assert request.url.path == "/api/perpetuals/live-trades" and request.url.params["limit"] == "500"


# ---- markets -------------------------------------------------------------------------------


async def test_borrowing_reads_prices_and_the_markets_list(source: PerpsTrackerSource,
                                                           upstream: Upstream) -> None:
    b = await source.borrowing(1, 1)
    assert b is not None and b.price == 187.45 and b.oiLong == 125_000_000_000_000 and b.maxLeverage == 250
    assert sorted(upstream.paths()) == ["/prices", "/trading/markets"]
    assert await source.borrowing(2, 1) is None
    assert await source.borrowing(1, 7) is None


@pytest.mark.parametrize("status", [404, 500, 400])
async def test_borrowing_without_the_markets_list_has_null_open_interest(
        source: PerpsTrackerSource, upstream: Upstream, status: int) -> None:
    upstream.overrides["/trading/markets"] = lambda r: httpx.Response(status, json={"error": "x"})
    b = await source.borrowing(1, 2)
    assert b is not None and b.price == 3245.67
    assert b.oiLong is None and b.oiShort is None and b.maxLeverage is None


async def test_borrowing_fails_when_prices_fail(source: PerpsTrackerSource, upstream: Upstream) -> None:
    upstream.overrides["/prices"] = lambda r: httpx.Response(500, json={"error": "x"})
    with pytest.raises(UpstreamError) as info:
        await source.borrowing(1, 1)
    assert info.value.source == "perpstracker"


async def test_borrowing_without_a_price_for_the_market(source: PerpsTrackerSource, upstream: Upstream) -> None:
    upstream.overrides["/prices"] = lambda r: httpx.Response(200, json={"SOL": 1.0, "timestamp": 1})
    with pytest.raises(UpstreamError, match="no price for BTC"):
        await source.borrowing(1, 3)


async def test_borrowings_carry_the_figures_of_prices_and_the_markets_list(
    source: PerpsTrackerSource, upstream: Upstream
) -> None:
    assert await source.borrowings(BorrowingsQuery(collateral_id=2)) == []
    assert await source.borrowings(BorrowingsQuery(market_id=9)) == []
    assert upstream.requests == []  # no market asked for: nothing read
    infos = await source.borrowings(BorrowingsQuery())
    assert [(i.price, i.maxLeverage, i.isOpen) for i in infos] == [(187.45, 250, True), (3245.67, 200, True),
                                                                    (97234.5, 200, True)]
    assert infos[0].oiLong == 125_000_000_000_000 and infos[1].oiLong is None
    assert [(i.marketId, i.baseToken.symbol) for i in infos] == [(1, "SOL"), (2, "ETH"), (3, "BTC")]
    by_name = await source.borrowings(BorrowingsQuery(page=Page(order_by="base_token_name")))
    assert [i.baseToken.symbol for i in by_name] == ["BTC", "ETH", "SOL"]
    by_name_desc = await source.borrowings(BorrowingsQuery(page=Page(order_by="base_token_name", desc=True)))
    assert [i.baseToken.symbol for i in by_name_desc] == ["SOL", "ETH", "BTC"]
    assert [i.marketId for i in await source.borrowings(BorrowingsQuery(market_id=2))] == [2]
    assert all(i.visible and i.collateralToken.symbol == "USDC" for i in infos)
    assert sorted(set(upstream.paths())) == ["/prices", "/trading/markets"]


async def test_borrowings_without_prices_list_the_markets_without_figures(
    source: PerpsTrackerSource, upstream: Upstream
) -> None:
    upstream.overrides["/prices"] = lambda r: httpx.Response(503, json={"error": "x"})
    infos = await source.borrowings(BorrowingsQuery())
    assert [(i.marketId, i.price, i.oiLong, i.maxLeverage, i.isOpen) for i in infos] == [
        (1, None, None, None, True), (2, None, None, None, True), (3, None, None, None, True)]


# ---- leaderboards --------------------------------------------------------------------------


def lq(days: int | None = None, start: datetime.date | None = None, end: datetime.date | None = None,
       token: str | None = None, limit: int = 10, offset: int = 0) -> LeaderboardQuery:
    return LeaderboardQuery(days=days, start=start, end=end, token=token, limit=limit, offset=offset)


@pytest.mark.parametrize(("days", "timeframe"), [(1, "24h"), (7, "7d"), (30, "30d"), (365, "365d")])
async def test_rolling_leaderboards(source: PerpsTrackerSource, upstream: Upstream, days: int,
                                    timeframe: str) -> None:
    (entry,) = await source.leaderboard(lq(days=days, limit=25, offset=50))
    assert entry.trader == "46XavcvseUFgENwWTct2ztncdayNNx7YBJ8rNWZpC8qM"
    (request,) = upstream.requests
    assert request.url.path == f"/api/perpetuals/leaderboard/{timeframe}"
    assert dict(request.url.params) == {"limit": "25", "offset": "50"}


async def test_a_fixed_leaderboard_is_asked_for_offset_plus_limit_and_cut(source: PerpsTrackerSource,
                                                                         upstream: Upstream) -> None:
    month = (datetime.date(2025, 11, 1), datetime.date(2025, 11, 30))
    (entry,) = await source.leaderboard(lq(start=month[0], end=month[1], limit=5))
    assert entry.trader == "7osRjdFqLm8NvT3xPwKcHgY5Rn2VbJsZeQd4WfXhPikD"
    assert await source.leaderboard(lq(start=month[0], end=month[1], limit=5, offset=1)) == []
    first, second = upstream.requests
    assert first.url.path == "/api/perpetuals/leaderboard/fixed/monthly"
    assert dict(first.url.params) == {"month": "2025-11", "limit": "5"}
    assert dict(second.url.params) == {"month": "2025-11", "limit": "6"}


async def test_leaderboard_input_jupiter_cannot_serve(source: PerpsTrackerSource, upstream: Upstream) -> None:
    with pytest.raises(BadUserInput, match="cannot be filtered by token"):
        await source.leaderboard(lq(days=1, token="SOL"))
    with pytest.raises(BadUserInput, match="ISO week"):
        await source.leaderboard(lq(start=datetime.date(2025, 11, 3), end=datetime.date(2025, 11, 5)))
    with pytest.raises(BadUserInput):
        await source.leaderboard(lq(days=3))
    assert upstream.requests == []


# ---- the client boundary -------------------------------------------------------------------


def raising(exc: Exception) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc
    return handler


@pytest.mark.parametrize(("failure", "expected"), [
    (httpx.ReadTimeout("read timed out"), UpstreamTimeout),
    (httpx.ConnectTimeout("connect timed out"), UpstreamTimeout),
    (httpx.ConnectError("connection refused"), UpstreamUnavailable),
    (httpx.RemoteProtocolError("server disconnected"), UpstreamUnavailable),
])
async def test_transport_failures_are_mapped(failure: Exception, expected: type[GatewayError]) -> None:
    src = source_for(raising(failure))
    try:
        with pytest.raises(expected) as info:
            await src.leaderboard(lq(days=1))
    finally:
        await src.aclose()
    assert info.value.extensions()["source"] == "perpstracker"
    assert KEY not in info.value.message and "perpstracker.test" not in info.value.message


@pytest.mark.parametrize(("status", "expected", "code"), [
    (500, UpstreamError, "UPSTREAM_ERROR"), (401, UpstreamError, "UPSTREAM_ERROR"),
    (503, UpstreamUnavailable, "UPSTREAM_UNAVAILABLE"), (429, UpstreamRateLimited, "RATE_LIMITED")])
async def test_status_failures_are_mapped(status: int, expected: type[GatewayError], code: str) -> None:
    src = source_for(lambda r: httpx.Response(status, json={"error": "x"}, headers={"Retry-After": "2"}))
    try:
        with pytest.raises(expected) as info:
            await src.trades(TradesQuery(trader=WALLET))
    finally:
        await src.aclose()
    assert info.value.code == code and KEY not in info.value.message


@pytest.mark.parametrize("body", [
    {"positions": "nope"}, ["a list"], {"trades": [{"positionPubkey": 1}]}, {"trades": [{"txHash": "x"}]}])
async def test_payloads_of_the_wrong_shape_are_upstream_errors(body: Any) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/positions"):
            return httpx.Response(200, json={"positions": []} if "trades" in str(body) else body)
        return httpx.Response(200, json=body)

    src = source_for(handler)
    try:
        with pytest.raises(UpstreamError, match="perpstracker"):
            await src.trade_history(HistoryQuery(trader=WALLET))
    finally:
        await src.aclose()


async def test_a_body_that_is_not_json_is_an_upstream_error() -> None:
    src = source_for(lambda r: httpx.Response(200, content=b"<html>"))
    try:
        with pytest.raises(UpstreamError, match="not JSON"):
            await src.borrowing(1, 1)
    finally:
        await src.aclose()


# ---- build ---------------------------------------------------------------------------------


def section(**env: str) -> PerpsTrackerSettings:
    return PerpsTrackerSettings.from_env(lambda name: env.get(name))


async def test_build_reads_the_markets_path_from_the_environment() -> None:
    built = Built(Settings(), httpx.AsyncHTTPTransport())
    src = build(section(PERPSTRACKER_API_KEY=KEY, PERPSTRACKER_API_URL=BASE, PERPSTRACKER_MARKETS_PATH="/v2/markets"),
                built)
    assert src is not None and src.client.markets_path == "/v2/markets" and src.name == "perpstracker"
    await src.aclose()
    src = build(section(PERPSTRACKER_API_KEY=KEY), built)
    assert src is not None and src.client.markets_path == "/trading/markets"
    await src.aclose()


@pytest.mark.parametrize("path", ["https://elsewhere.example/markets", "//elsewhere.example/x", "markets"])
def test_the_markets_path_cannot_point_elsewhere(path: str) -> None:
    with pytest.raises(SettingsError, match="PERPSTRACKER_MARKETS_PATH"):
        section(PERPSTRACKER_API_KEY=KEY, PERPSTRACKER_MARKETS_PATH=path)


def test_without_the_key_there_is_no_source() -> None:
    assert build(section(), Built(Settings(), httpx.AsyncHTTPTransport())) is None


async def test_a_fixed_leaderboard_never_asks_beyond_the_top_1000(source: PerpsTrackerSource,
                                                                   upstream: Upstream) -> None:
    day = datetime.date(2025, 12, 1)
    await source.leaderboard(lq(start=day, end=day, limit=100, offset=950))
    assert await source.leaderboard(lq(start=day, end=day, limit=100, offset=1000)) == []
    assert await source.leaderboard(lq(days=1, limit=0)) == []
    (request,) = upstream.requests
    assert dict(request.url.params) == {"date": "2025-12-01", "limit": "1000"}
