"""The source over a fake Nansen (MockTransport): paging, windows, filters and unreadable payloads."""

from __future__ import annotations

import datetime
import json
from typing import Any

import httpx
import pytest

from gateway.errors import BadUserInput, UpstreamError
from gateway.model.source import BorrowingsQuery, HistoryQuery, LeaderboardQuery, Page, TradesQuery
from gateway.model.types import PerpTradeChangeType
from gateway.settings import Secret
from gateway.sources.nansen import source as nansen_source
from gateway.sources.nansen.client import NansenClient
from gateway.sources.nansen.source import NansenSource, leaderboard_dates, page_plan, window
from tests.sources.nansen.conftest import load
from tests.sources.nansen.factories import TRADER, fill, position

TODAY = datetime.datetime.now(datetime.UTC).date()


class FakeNansen:
    """Answers per path from a function of the JSON body; records the bodies."""

    def __init__(self, **routes: Any) -> None:
        self.routes = routes
        self.bodies: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        name = request.url.path.rsplit("/api/v1/", 1)[1].replace("/", "_").replace("-", "_")
        body = json.loads(request.content)
        self.bodies.append((name, body))
        return httpx.Response(200, json=self.routes[name](body))

    def source(self) -> NansenSource:
        return NansenSource(NansenClient("http://nansen.test", Secret("k"), transport=httpx.MockTransport(self)))


def paged(rows: list[Any], body: dict[str, Any]) -> dict[str, Any]:
    """Nansen's paging over a full list, as the simulator's `listing.paginate` does it."""
    page, per_page = body["pagination"]["page"], body["pagination"]["per_page"]
    start = (page - 1) * per_page
    return {"data": rows[start:start + per_page],
            "pagination": {"page": page, "per_page": per_page, "is_last_page": start + per_page >= len(rows)}}


def book(positions: list[Any], rows: list[Any]) -> FakeNansen:
    newest_first = sorted(rows, key=lambda r: r["timestamp"], reverse=True)
    return FakeNansen(
        profiler_perp_positions=lambda body: {"data": {"asset_positions": [
            {"position": p, "position_type": "oneWay"} for p in positions]}},
        profiler_perp_trades=lambda body: paged(newest_first, body),
    )


ROWS = [fill("Open", 1, 0, coin="ETH", minute=1, oid=1), fill("Close", 1, 1, coin="ETH", minute=2, oid=2),
        fill("Open", 2, 0, coin="BTC", minute=3, oid=3), fill("Add", 1, 2, coin="BTC", minute=4, oid=4)]


async def test_trades_combine_positions_and_fills_and_filter() -> None:
    fake = book([position("BTC", "3.0")], ROWS)
    src = fake.source()
    every = await src.trades(TradesQuery(trader=TRADER))
    assert [(t.venueTradeId, t.isOpen) for t in every] == [("ETH:1", False), ("BTC:3", True)]
    assert [t.venueTradeId for t in await src.trades(TradesQuery(trader=TRADER, is_open=True))] == ["BTC:3"]
    assert [t.venueTradeId for t in await src.trades(TradesQuery(trader=TRADER, market_id=1))] == ["ETH:1"]
    assert await src.trades(TradesQuery(trader=TRADER, collateral_id=2)) == []
    assert len(await src.trades(TradesQuery(trader=TRADER, collateral_id=1))) == 2
    desc = await src.trades(TradesQuery(trader=TRADER, page=Page(limit=1, desc=True)))
    assert [t.venueTradeId for t in desc] == ["BTC:3"]
    found = await src.trade(TRADER, every[0].id)
    assert found is not None and found.venueTradeId == "ETH:1"
    assert await src.trade(TRADER, 12345) is None
    await src.aclose()
    start, end = window(TODAY)
    trades_bodies = [b for name, b in fake.bodies if name == "profiler_perp_trades"]
    assert trades_bodies[0]["date"] == {"from": start.isoformat(), "to": end.isoformat()}
    assert end - start == datetime.timedelta(days=nansen_source.LOOKBACK_DAYS)
    assert {b["address"] for _, b in fake.bodies} == {TRADER}


async def test_fills_are_read_page_by_page_until_the_last(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nansen_source, "FILLS_PER_PAGE", 1)
    fake = book([position("BTC", "3.0")], ROWS)
    src = fake.source()
    trades = await src.trades(TradesQuery(trader=TRADER))
    await src.aclose()
    assert [t.venueTradeId for t in trades] == ["ETH:1", "BTC:3"]
    assert [b["pagination"]["page"] for name, b in fake.bodies if name == "profiler_perp_trades"] == [1, 2, 3, 4]


async def test_the_page_cap_keeps_the_newest_fills(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nansen_source, "FILLS_PER_PAGE", 1)
    monkeypatch.setattr(nansen_source, "MAX_FILL_PAGES", 2)
    src = book([position("BTC", "3.0")], ROWS).source()
    trades = await src.trades(TradesQuery(trader=TRADER))
    await src.aclose()
    # The newest two fills (BTC open and add) are read; the ETH life is beyond the cap.
    assert [t.venueTradeId for t in trades] == ["BTC:3"]


async def test_history_filters_orders_and_needs_a_trader() -> None:
    src = book([position("BTC", "3.0")], ROWS).source()
    items = await src.trade_history(HistoryQuery(trader=TRADER))
    assert [h.tradeChangeType.value for h in items] == [
        "position_opened", "position_closed_user", "position_opened", "position_increased"]
    opened = await src.trade_history(HistoryQuery(
        trader=TRADER, change_types=(PerpTradeChangeType.position_opened,), page=Page(desc=True)))
    assert [h.trade.venueTradeId for h in opened] == ["BTC:3", "ETH:1"]
    by_trade = await src.trade_history(HistoryQuery(trader=TRADER, page=Page(order_by="trade_id")))
    assert [h.trade.id for h in by_trade] == sorted(h.trade.id for h in items)
    with pytest.raises(BadUserInput, match="needs a trader"):
        await src.trade_history(HistoryQuery(trader=None))
    await src.aclose()


SCREENER = load("doc_perp_screener")["data"] + load("sim_perp_screener")["data"]


async def test_markets_from_the_screener() -> None:
    fake = FakeNansen(perp_screener=lambda body: paged(SCREENER, body))
    src = fake.source()
    every = await src.borrowings(BorrowingsQuery())
    assert [(b.marketId, b.baseToken.symbol) for b in every][:2] == [(0, "BTC"), (1, "ETH")]
    assert {b.baseToken.symbol for b in every} == {"BTC", "ETH", "ARK"}
    by_name = await src.borrowings(BorrowingsQuery(page=Page(order_by="base_token_name")))
    assert [b.baseToken.symbol for b in by_name] == ["ARK", "BTC", "ETH"]
    assert [b.marketId for b in await src.borrowings(BorrowingsQuery(market_id=1))] == [1]
    assert await src.borrowings(BorrowingsQuery(collateral_id=2)) == []
    eth = await src.borrowing(1, 1)
    assert eth is not None and eth.price == 3000.0
    assert await src.borrowing(2, 1) is None
    assert await src.borrowing(1, 424242) is None
    await src.aclose()
    (_, body), *_ = fake.bodies
    since = datetime.datetime.fromisoformat(body["date"]["from"])
    until = datetime.datetime.fromisoformat(body["date"]["to"])
    assert until - since == datetime.timedelta(hours=24)
    assert body["pagination"]["per_page"] == 1000


RANKED = [{"trader_address": f"0x{i:040x}", "trader_address_label": "", "total_pnl": 1000.0 - i,
           "roi": 1.5, "account_value": 10.0} for i in range(1, 26)]


@pytest.mark.parametrize(("offset", "limit"), [(0, 10), (3, 4), (8, 5), (20, 10), (0, 25), (24, 1), (30, 5)])
async def test_leaderboard_slices_the_ranking(offset: int, limit: int) -> None:
    fake = FakeNansen(perp_leaderboard=lambda body: paged(RANKED, body))
    src = fake.source()
    entries = await src.leaderboard(LeaderboardQuery(days=7, start=None, end=None, token=None,
                                                     limit=limit, offset=offset))
    await src.aclose()
    expected = RANKED[offset:offset + limit]
    assert [e.trader for e in entries] == [r["trader_address"] for r in expected]
    assert [e.rank for e in entries] == list(range(offset + 1, offset + 1 + len(expected)))
    assert len(fake.bodies) <= 2
    body = fake.bodies[0][1]
    assert body["date"] == {"from": (TODAY - datetime.timedelta(days=7)).isoformat(), "to": TODAY.isoformat()}
    assert body["order_by"] == [{"field": "total_pnl", "direction": "DESC"}]


async def test_token_leaderboard_uses_the_token_endpoint() -> None:
    rows = load("sim_tgm_perp_pnl_leaderboard")["data"]
    fake = FakeNansen(tgm_perp_pnl_leaderboard=lambda body: paged(rows, body))
    src = fake.source()
    start, end = datetime.date(2025, 12, 1), datetime.date(2025, 12, 10)
    entries = await src.leaderboard(LeaderboardQuery(days=None, start=start, end=end, token="BTC",
                                                     limit=2, offset=1))
    await src.aclose()
    assert [(e.rank, e.trader) for e in entries] == [(2, rows[1]["trader_address"]), (3, rows[2]["trader_address"])]
    (name, body), = fake.bodies
    assert body["token_symbol"] == "BTC" and body["date"] == {"from": "2025-12-01", "to": "2025-12-10"}
    assert body["order_by"] == [{"field": "pnl_usd_total", "direction": "DESC"}]


async def test_leaderboard_of_zero_asks_nothing() -> None:
    fake = FakeNansen()
    src = fake.source()
    assert await src.leaderboard(LeaderboardQuery(days=1, start=None, end=None, token=None,
                                                  limit=0, offset=0)) == []
    await src.aclose()
    assert fake.bodies == []


def test_page_plan_covers_the_slice_in_at_most_two_pages() -> None:
    assert page_plan(0, 100) == (100, 1, 1)
    assert page_plan(900, 100) == (1000, 1, 1)
    assert page_plan(950, 100) == (100, 10, 11)
    assert page_plan(5000, 1000) == (1000, 6, 6)
    assert page_plan(0, 3000) == (1000, 1, 3)  # several venues ask for offset + limit from rank 1


def test_leaderboard_dates() -> None:
    today = datetime.date(2025, 12, 16)
    rolling = LeaderboardQuery(days=30, start=None, end=None, token=None, limit=1, offset=0)
    assert leaderboard_dates(rolling, today) == (datetime.date(2025, 11, 16), today)
    fixed = LeaderboardQuery(days=None, start=datetime.date(2025, 1, 1), end=datetime.date(2025, 2, 1),
                             token=None, limit=1, offset=0)
    assert leaderboard_dates(fixed, today) == (datetime.date(2025, 1, 1), datetime.date(2025, 2, 1))


@pytest.mark.parametrize("payload", [
    {"data": {"asset_positions": [{"position": {"size": "abc", "token_symbol": "BTC"}}]}},
    {"data": {"asset_positions": [{"nope": 1}]}},
    {"unexpected": True},
    [],
])
async def test_an_unreadable_payload_is_an_upstream_error(payload: Any) -> None:
    fake = FakeNansen(profiler_perp_positions=lambda body: payload,
                      profiler_perp_trades=lambda body: paged([], body))
    src = fake.source()
    with pytest.raises(UpstreamError, match="cannot read"):
        await src.trades(TradesQuery(trader=TRADER))
    await src.aclose()
