"""JUPITER through the gateway, over real sockets, against the PerpsTracker simulator.

Every root field for the venue, venue inference from a base58 address, input the venue refuses,
upstream failures mapped to error codes, and injected trades coming back mapped right. Every
response body is collected and checked for the sandbox's API key.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from gateway.model.ids import stable_id
from gateway.model.time import format_time
from sandbox.state import PERPSTRACKER_KEY
from tests.api.helpers import without_request_id

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
WHALE = "J83ZtxeoHLwMNvjVrsD4gQw5nE8PKXUV9Ph6tW2dVamK"
WHALE_KEY = "BD5tKkWiJxT8gH4KwPvRM5nL2sYbVcXdKpQhzkqdryTnF"
BODIES: list[str] = []  # every gateway response body of this module

TOKEN = "symbol name logoUrl"
INFO = f"marketId baseToken {{ {TOKEN} }} quoteToken {{ {TOKEN} }} collateralToken {{ {TOKEN} }} visible venue"
TRADE = (
    "id trader isOpen isLong tradeType leverage collateralAmount openCollateralAmount openPrice closePrice "
    f"sl tp perpBorrowing {{ {INFO} }} openBlock {{ block block_ts }} closeBlock {{ block block_ts }} "
    "state { pnlCollateral pnlPct pnlCollateralAfterFees positionValue liquidationPrice "
    "borrowingFeeCollateral borrowingFeePct closingFeeCollateral closingFeePct remainingCollateralAfterFees } "
    "venue venueTradeId market sizeUsd collateralUsd openTime closeTime"
)
HISTORY = (
    f"id tradeChangeType block {{ block block_ts }} trade {{ {TRADE} }} realizedPnlCollateral realizedPnlPct "
    "txHash evmTxHash venue trader market price sizeDeltaUsd"
)
TRADES = (
    "query($where: PerpTradesFilter!, $limit: Int, $offset: Int, $desc: Boolean) { perp { "
    f"trades(where: $where, limit: $limit, offset: $offset, order_desc: $desc) {{ {TRADE} }} }} }}"
)
ONE_TRADE = (
    "query($id: Int!, $trader: String!, $venue: Venue) { perp { "
    f"trade(id: $id, trader: $trader, venue: $venue) {{ {TRADE} }} }} }}"
)
TRADE_HISTORY = (
    "query($where: PerpTradeHistoryFilter, $limit: Int, $desc: Boolean) { perp { "
    f"tradeHistory(where: $where, limit: $limit, order_desc: $desc) {{ {HISTORY} }} }} }}"
)
BORROWING = (
    "query($c: Int!, $m: Int!, $venue: Venue) { perp { borrowing(collateralId: $c, marketId: $m, venue: $venue) { "
    f"marketId baseToken {{ {TOKEN} }} quoteToken {{ {TOKEN} }} collateralToken {{ {TOKEN} }} price oiLong "
    "oiShort oiMax feesPerHourLong feesPerHourShort openFeePct closeFeePct triggerOrderFeePct maxLeverage "
    "minLeverage minPositionSizeUSD visible venue oiTotal fundingRatePerHour } } }"
)
BORROWINGS = (
    "query($where: PerpBorrowingsFilter, $order: PerpBorrowingsOrder, $desc: Boolean, $limit: Int) { perp { "
    f"borrowings(where: $where, order_by: $order, order_desc: $desc, limit: $limit) {{ {INFO} }} }} }}"
)
LEADERBOARD = (
    "query($where: PerpLeaderboardFilter!, $limit: Int, $offset: Int) { perp { "
    "leaderboard(where: $where, limit: $limit, offset: $offset) { venue rank trader label pnl roi volume "
    "winRate trades accountValue } } }"
)


def fresh_wallet() -> str:
    """A base58 address no other test (or the simulation) uses."""
    return "".join(secrets.choice(B58) for _ in range(44))


async def gql(gateway: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    response = await gateway.post("/graphql", json={"query": query, "variables": variables or {}})
    BODIES.append(response.text)
    body: dict[str, Any] = response.json()
    return body


def ok(body: dict[str, Any]) -> Any:
    assert "errors" not in body, body["errors"]
    return body["data"]["perp"]


def error(body: dict[str, Any]) -> dict[str, Any]:
    assert body.get("errors"), body
    return without_request_id(body["errors"][0]["extensions"])


@pytest.fixture(autouse=True)
def no_key_in_any_body() -> Iterator[None]:
    seen = len(BODIES)
    yield
    for text in BODIES[seen:]:
        assert PERPSTRACKER_KEY not in text
        assert "/perpstracker/api" not in text  # no upstream URL either


@pytest.fixture
async def control(live_control: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    """The sandbox's control client with PerpsTracker's rate limits off (the gateway has no
    client-side limiter yet; these tests are about mapping, not budgets)."""
    await live_control.post("/ratelimits", json={"enabled": False})
    yield live_control


async def inject(control: httpx.AsyncClient, trader: str, symbol: str, action: str, **kw: Any) -> dict[str, Any]:
    body = {"venue": "JUPITER", "trader": trader, "symbol": symbol, "action": action, **kw}
    response = await control.post("/inject", json=body)
    assert response.status_code == 200, response.text
    events: list[dict[str, Any]] = response.json()["events"]
    return events[-1]


async def step(control: httpx.AsyncClient, seconds: float = 2.0) -> None:
    assert (await control.post("/step", json={"seconds": seconds})).status_code == 200


def ts(event: dict[str, Any]) -> str:
    """The RFC 3339 time the gateway gives an event (PerpsTracker sends whole seconds)."""
    return format_time(datetime.datetime.fromtimestamp(event["ts_ms"] // 1000, tz=datetime.UTC))


@pytest.fixture
async def book(control: httpx.AsyncClient) -> dict[str, Any]:
    """A fresh trader: an open SOL long, an ETH short reduced then closed, a liquidated BTC long."""
    wallet = fresh_wallet()
    ev: dict[str, Any] = {"wallet": wallet}
    ev["sol_open"] = await inject(control, wallet, "SOL", "open", is_long=True, size_usd=10_000, collateral_usd=1_000)
    await step(control)
    ev["eth_open"] = await inject(control, wallet, "ETH", "open", is_long=False, size_usd=5_000, collateral_usd=500)
    await step(control)
    ev["eth_reduce"] = await inject(control, wallet, "ETH", "reduce", size_usd=2_000)
    await step(control)
    ev["eth_close"] = await inject(control, wallet, "ETH", "close")
    await step(control)
    ev["btc_open"] = await inject(control, wallet, "BTC", "open", is_long=True, size_usd=3_000, collateral_usd=300)
    await step(control)
    ev["btc_liq"] = await inject(control, wallet, "BTC", "liquidation")
    return ev


# ---- trades ----------------------------------------------------------------------------------


async def test_trades_infer_jupiter_from_a_base58_address_and_map_right(
        gateway: httpx.AsyncClient, book: dict[str, Any]) -> None:
    trades = ok(await gql(gateway, TRADES, {"where": {"trader": book["wallet"]}}))["trades"]
    assert [(t["market"], t["isOpen"]) for t in trades] == [("SOL", True), ("ETH", False), ("BTC", False)]
    sol, eth, btc = trades
    o = book["sol_open"]
    assert sol["venue"] == "JUPITER" and sol["trader"] == book["wallet"]
    assert sol["venueTradeId"] == o["position_key"] and sol["id"] == stable_id(o["position_key"])
    assert sol["isLong"] and sol["tradeType"] == ("limit" if o["order_type"] == "Limit" else "trade")
    assert sol["collateralAmount"] == 1_000_000_000 and sol["openCollateralAmount"] == 1_000_000_000
    assert sol["sizeUsd"] == 10_000 and sol["collateralUsd"] == 1_000 and sol["leverage"] == 10
    assert sol["openPrice"] == o["price"] and sol["closePrice"] is None and sol["closeBlock"] is None
    assert sol["openTime"] == ts(o) and sol["openBlock"] == {"block": None, "block_ts": ts(o)}
    assert sol["perpBorrowing"] == {
        "marketId": 1, "baseToken": {"symbol": "SOL", "name": None, "logoUrl": None},
        "quoteToken": {"symbol": "USD", "name": None, "logoUrl": None},
        "collateralToken": {"symbol": "USDC", "name": None, "logoUrl": None}, "visible": True, "venue": "JUPITER"}
    state = sol["state"]
    assert state is not None and state["liquidationPrice"] > 0
    assert state["pnlPct"] == pytest.approx(state["pnlCollateral"] / 1e6 / 1_000)
    assert state["positionValue"] == pytest.approx(1_000_000_000 + state["pnlCollateral"])
    assert state["borrowingFeeCollateral"] is None and state["pnlCollateralAfterFees"] is None

    c = book["eth_close"]
    assert not eth["isLong"] and eth["state"] is None and eth["venueTradeId"] == c["position_key"]
    assert eth["openPrice"] == book["eth_open"]["price"] and eth["closePrice"] == c["price"]
    assert eth["sizeUsd"] == c["size_delta_usd"] == 3_000
    assert eth["collateralAmount"] == round(c["collateral_delta_usd"] * 1e6)
    assert eth["openCollateralAmount"] == 500_000_000
    assert eth["leverage"] == round(c["size_delta_usd"] / c["collateral_delta_usd"], 2)
    assert eth["openTime"] == ts(book["eth_open"]) and eth["closeTime"] == ts(c)
    assert eth["closeBlock"] == {"block": None, "block_ts": ts(c)} and eth["perpBorrowing"]["marketId"] == 2
    assert btc["closePrice"] == book["btc_liq"]["price"] and btc["perpBorrowing"]["marketId"] == 3


async def test_trades_filters_and_paging(gateway: httpx.AsyncClient, book: dict[str, Any]) -> None:
    async def markets(**kw: Any) -> list[str]:
        where = {"trader": book["wallet"], **kw.pop("where", {})}
        return [t["market"] for t in ok(await gql(gateway, TRADES, {"where": where, **kw}))["trades"]]

    assert await markets(where={"isOpen": True}) == ["SOL"]
    assert await markets(where={"isOpen": False}) == ["ETH", "BTC"]
    assert await markets(where={"perpMarketId": 2}) == ["ETH"]
    assert await markets(where={"perpCollateralId": 1}) == ["SOL", "ETH", "BTC"]
    assert await markets(where={"perpCollateralId": 2}) == []
    assert await markets(where={"venue": "JUPITER"}, limit=2) == ["SOL", "ETH"]
    assert await markets(limit=1, offset=1) == ["ETH"]
    assert await markets(desc=True) == ["BTC", "ETH", "SOL"]
    assert await markets(desc=True, limit=1, offset=2) == ["SOL"]


async def test_trade_by_id_with_and_without_venue(gateway: httpx.AsyncClient, book: dict[str, Any]) -> None:
    key = book["eth_close"]["position_key"]
    for venue in (None, "JUPITER"):
        found = ok(await gql(gateway, ONE_TRADE, {"id": stable_id(key), "trader": book["wallet"],
                                                  "venue": venue}))["trade"]
        assert found["venueTradeId"] == key and found["market"] == "ETH" and not found["isOpen"]
    missing = ok(await gql(gateway, ONE_TRADE, {"id": 1, "trader": book["wallet"]}))["trade"]
    assert missing is None


async def test_the_docs_whale_position_comes_back_exact(gateway: httpx.AsyncClient,
                                                        control: httpx.AsyncClient) -> None:
    trades = ok(await gql(gateway, TRADES, {"where": {"trader": WHALE, "isOpen": True}}))["trades"]
    whale = next(t for t in trades if t["venueTradeId"] == WHALE_KEY)
    assert whale["collateralAmount"] == 2377788350000  # beyond 32 bits, exact, no error
    assert whale["sizeUsd"] == 4304456.77 and whale["openPrice"] == 232.42
    assert whale["openTime"] == "2025-10-06T17:41:22Z" and whale["leverage"] == 1.81


# ---- trade history ---------------------------------------------------------------------------


async def test_trade_history_of_a_trader(gateway: httpx.AsyncClient, book: dict[str, Any]) -> None:
    items = ok(await gql(gateway, TRADE_HISTORY, {"where": {"trader": book["wallet"]}}))["tradeHistory"]
    assert [i["tradeChangeType"] for i in items] == [
        "position_opened", "position_opened", "position_reduced", "position_closed_user",
        "position_opened", "position_liquidated"]
    names = ["sol_open", "eth_open", "eth_reduce", "eth_close", "btc_open", "btc_liq"]
    for item, name in zip(items, names, strict=True):
        ev = book[name]
        assert item["txHash"] == ev["tx"] and item["id"] == stable_id(ev["tx"] + ev["position_key"])
        assert item["block"] == {"block": None, "block_ts": ts(ev)} and item["evmTxHash"] is None
        assert item["price"] == ev["price"] and item["sizeDeltaUsd"] == ev["size_delta_usd"]
        assert item["trade"]["venueTradeId"] == ev["position_key"] and item["venue"] == "JUPITER"
        assert item["trader"] == book["wallet"] and item["market"] == ev["symbol"]
    opened, reduced = items[0], items[2]
    assert opened["realizedPnlCollateral"] is None and opened["realizedPnlPct"] is None
    assert opened["trade"]["isOpen"] and opened["trade"]["state"] is not None
    r = book["eth_reduce"]
    assert reduced["realizedPnlCollateral"] == round(r["realized_pnl_usd"] * 1e6)
    assert reduced["realizedPnlPct"] == pytest.approx(round(100 * r["realized_pnl_usd"] / r["collateral_delta_usd"], 2)
                                                      / 100)
    assert reduced["trade"]["closePrice"] == book["eth_close"]["price"]  # the whole position's trade


async def test_trade_history_filter_and_order(gateway: httpx.AsyncClient, book: dict[str, Any]) -> None:
    where = {"trader": book["wallet"], "venue": "JUPITER", "tradeChangeType": ["position_liquidated"]}
    (liq,) = ok(await gql(gateway, TRADE_HISTORY, {"where": where}))["tradeHistory"]
    assert liq["txHash"] == book["btc_liq"]["tx"] and liq["trade"]["market"] == "BTC"
    assert liq["realizedPnlCollateral"] == round(book["btc_liq"]["realized_pnl_usd"] * 1e6)
    latest = ok(await gql(gateway, TRADE_HISTORY, {"where": {"trader": book["wallet"]}, "desc": True,
                                                   "limit": 1}))["tradeHistory"]
    assert [i["txHash"] for i in latest] == [book["btc_liq"]["tx"]]


async def test_trade_history_without_a_trader_reads_jupiters_live_trades(
        gateway: httpx.AsyncClient, book: dict[str, Any]) -> None:
    items = ok(await gql(gateway, TRADE_HISTORY, {"where": {"venue": "JUPITER"}, "limit": 1000}))["tradeHistory"]
    assert items and all(i["venue"] == "JUPITER" for i in items)
    times = [i["block"]["block_ts"] for i in items]
    assert times == sorted(times, key=lambda t: datetime.datetime.fromisoformat(t.replace("Z", "+00:00")))
    mine = {i["txHash"]: i for i in items if i["trader"] == book["wallet"]}
    close = mine[book["eth_close"]["tx"]]
    assert close["tradeChangeType"] == "position_closed_user" and close["market"] == "ETH"
    assert close["realizedPnlCollateral"] == round(book["eth_close"]["realized_pnl_usd"] * 1e6)
    assert close["trade"]["venueTradeId"] == book["eth_close"]["position_key"]
    assert not close["trade"]["isOpen"] and not close["trade"]["isLong"]
    assert close["trade"]["closePrice"] == book["eth_close"]["price"]
    assert close["trade"]["collateralAmount"] is None and close["trade"]["leverage"] is None
    opened = mine[book["sol_open"]["tx"]]
    assert opened["tradeChangeType"] == "position_opened" and opened["trade"]["isLong"]
    assert opened["trade"]["collateralAmount"] == 1_000_000_000 and opened["trade"]["leverage"] == 10
    assert mine[book["btc_liq"]["tx"]]["tradeChangeType"] == "position_liquidated"


# ---- markets -------------------------------------------------------------------------------


async def test_borrowing(gateway: httpx.AsyncClient, live_sandbox_url: str, control: httpx.AsyncClient) -> None:
    b = ok(await gql(gateway, BORROWING, {"c": 1, "m": 1, "venue": "JUPITER"}))["borrowing"]
    async with httpx.AsyncClient(base_url=f"{live_sandbox_url}/perpstracker/api",
                                 headers={"Authorization": f"Bearer {PERPSTRACKER_KEY}"}) as upstream:
        prices = (await upstream.get("/prices")).json()
        custodies = (await upstream.get("/trading/markets")).json()["custodies"]
    sol = next(c for c in custodies if c["symbol"] == "SOL")
    assert b["venue"] == "JUPITER" and b["marketId"] == 1 and b["baseToken"]["symbol"] == "SOL"
    assert b["price"] == prices["SOL"]
    assert b["oiLong"] == round(float(sol["guaranteedUsd"]) * 1e6)
    assert b["oiShort"] == round(float(sol["globalShortSizes"]) * 1e6)
    assert b["oiTotal"] == b["oiLong"] + b["oiShort"] and b["maxLeverage"] == sol["maxLeverage"]
    assert b["visible"] and b["collateralToken"]["symbol"] == "USDC" and b["quoteToken"]["symbol"] == "USD"
    for absent in ("oiMax", "feesPerHourLong", "feesPerHourShort", "openFeePct", "closeFeePct",
                   "triggerOrderFeePct", "minLeverage", "minPositionSizeUSD", "fundingRatePerHour"):
        assert b[absent] is None, absent
    assert ok(await gql(gateway, BORROWING, {"c": 2, "m": 1, "venue": "JUPITER"}))["borrowing"] is None
    assert ok(await gql(gateway, BORROWING, {"c": 1, "m": 42, "venue": "JUPITER"}))["borrowing"] is None


async def test_borrowings(gateway: httpx.AsyncClient) -> None:
    infos = ok(await gql(gateway, BORROWINGS, {"where": {"venue": "JUPITER"}}))["borrowings"]
    assert [(i["marketId"], i["baseToken"]["symbol"]) for i in infos] == [(1, "SOL"), (2, "ETH"), (3, "BTC")]
    assert all(i["venue"] == "JUPITER" and i["visible"] for i in infos)
    by_name = ok(await gql(gateway, BORROWINGS, {"where": {"venue": "JUPITER"}, "order": "base_token_name",
                                                 "desc": True, "limit": 2}))["borrowings"]
    assert [i["baseToken"]["symbol"] for i in by_name] == ["SOL", "ETH"]
    one = ok(await gql(gateway, BORROWINGS, {"where": {"venue": "JUPITER", "marketId": 3}}))["borrowings"]
    assert [i["baseToken"]["symbol"] for i in one] == ["BTC"]
    assert ok(await gql(gateway, BORROWINGS, {"where": {"venue": "JUPITER", "collateralId": 2}}))["borrowings"] == []


# ---- leaderboards --------------------------------------------------------------------------


@pytest.mark.parametrize("timeframe", ["DAY", "WEEK", "MONTH", "YEAR"])
async def test_rolling_leaderboards(gateway: httpx.AsyncClient, control: httpx.AsyncClient, timeframe: str) -> None:
    entries = ok(await gql(gateway, LEADERBOARD, {"where": {"venue": "JUPITER", "timeframe": timeframe},
                                                  "limit": 5}))["leaderboard"]
    assert entries and len(entries) <= 5
    assert [e["rank"] for e in entries] == sorted(e["rank"] for e in entries)
    for e in entries:
        assert e["venue"] == "JUPITER" and len(e["trader"]) >= 32 and e["label"] is None
        assert e["accountValue"] is None and isinstance(e["trades"], int) and e["pnl"] is not None
    second = ok(await gql(gateway, LEADERBOARD, {"where": {"venue": "JUPITER", "timeframe": timeframe},
                                                 "limit": 1, "offset": 1}))["leaderboard"]
    if len(entries) > 1:
        assert second == entries[1:2]


async def test_fixed_leaderboards_from_a_date_range(gateway: httpx.AsyncClient, control: httpx.AsyncClient) -> None:
    today = datetime.datetime.now(datetime.UTC).date()
    yesterday = today - datetime.timedelta(days=1)
    day = ok(await gql(gateway, LEADERBOARD, {"where": {"venue": "JUPITER", "from": str(yesterday),
                                                        "to": str(yesterday)}, "limit": 3}))["leaderboard"]
    assert day and all(e["roi"] is None and e["trades"] is None and e["venue"] == "JUPITER" for e in day)
    assert [e["rank"] for e in day] == list(range(1, len(day) + 1))
    monday = today - datetime.timedelta(days=today.weekday() + 7)
    week = {"venue": "JUPITER", "from": str(monday), "to": str(monday + datetime.timedelta(days=6))}
    assert isinstance(ok(await gql(gateway, LEADERBOARD, {"where": week}))["leaderboard"], list)
    first = today.replace(day=1) - datetime.timedelta(days=1)
    month = {"venue": "JUPITER", "from": str(first.replace(day=1)), "to": str(first)}
    assert isinstance(ok(await gql(gateway, LEADERBOARD, {"where": month}))["leaderboard"], list)


@pytest.mark.parametrize(("where", "message"), [
    ({"timeframe": "DAY", "token": "SOL"}, "cannot be filtered by token"),
    ({"from": "2025-11-03", "to": "2025-11-05"}, "ISO week"),
])
async def test_leaderboard_input_jupiter_refuses(gateway: httpx.AsyncClient, where: dict[str, Any],
                                                 message: str) -> None:
    body = await gql(gateway, LEADERBOARD, {"where": {"venue": "JUPITER", **where}})
    assert error(body)["code"] == "BAD_USER_INPUT" and message in body["errors"][0]["message"]


# ---- failures ------------------------------------------------------------------------------


@pytest.mark.parametrize(("query", "variables"), [
    (TRADES, {"where": {"trader": "not-a-wallet"}}),
    (TRADES, {"where": {"trader": "0OIl" * 11, "venue": "JUPITER"}}),  # not base58
    (TRADES, {"where": {"trader": "0x" + "ab" * 20, "venue": "JUPITER"}}),
    (ONE_TRADE, {"id": 1, "trader": "abc"}),
    (TRADE_HISTORY, {"where": {"trader": "short"}}),
])
async def test_a_malformed_address_is_bad_user_input(gateway: httpx.AsyncClient, query: str,
                                                     variables: dict[str, Any]) -> None:
    assert error(await gql(gateway, query, variables))["code"] == "BAD_USER_INPUT"


FIELDS = [
    (TRADES, {"where": {"trader": WHALE}}),
    (TRADE_HISTORY, {"where": {"trader": WHALE}}),
    (TRADE_HISTORY, {"where": {"venue": "JUPITER"}}),
    (BORROWING, {"c": 1, "m": 1, "venue": "JUPITER"}),
    (LEADERBOARD, {"where": {"venue": "JUPITER", "timeframe": "WEEK"}}),
]


@pytest.mark.parametrize(("query", "variables"), FIELDS)
async def test_upstream_5xx_is_upstream_error(gateway: httpx.AsyncClient, control: httpx.AsyncClient,
                                              query: str, variables: dict[str, Any]) -> None:
    await control.post("/faults", json={"upstream": "perpstracker", "mode": "error", "status": 500})
    body = await gql(gateway, query, variables)
    assert error(body) == {"code": "UPSTREAM_ERROR", "source": "perpstracker"}
    # A non-null list field nulls `perp` (so `data`); the nullable `borrowing` is null itself.
    assert body["data"] is None or list(body["data"]["perp"].values()) == [None]


@pytest.mark.parametrize(("query", "variables"), FIELDS)
async def test_upstream_down_is_upstream_unavailable(gateway: httpx.AsyncClient, control: httpx.AsyncClient,
                                                     query: str, variables: dict[str, Any]) -> None:
    await control.post("/faults", json={"upstream": "perpstracker", "mode": "down"})
    assert error(await gql(gateway, query, variables)) == {"code": "UPSTREAM_UNAVAILABLE", "source": "perpstracker"}


async def test_upstream_503_is_upstream_unavailable(gateway: httpx.AsyncClient, control: httpx.AsyncClient) -> None:
    await control.post("/faults", json={"upstream": "perpstracker", "mode": "error", "status": 503})
    body = await gql(gateway, TRADES, {"where": {"trader": WHALE}})
    assert error(body) == {"code": "UPSTREAM_UNAVAILABLE", "source": "perpstracker"}


async def test_a_fault_elsewhere_does_not_touch_jupiter(gateway: httpx.AsyncClient, control: httpx.AsyncClient) -> None:
    await control.post("/faults", json={"upstream": "nansen", "mode": "down"})
    infos = ok(await gql(gateway, BORROWINGS, {"where": {"venue": "JUPITER"}}))["borrowings"]
    assert len(infos) == 3
    assert ok(await gql(gateway, TRADES, {"where": {"trader": WHALE}, "limit": 1}))["trades"]


def test_the_api_key_is_in_no_response_body() -> None:
    """Runs last in this module: every body collected above, errors included."""
    assert len(BODIES) > 40
    assert not [b for b in BODIES if PERPSTRACKER_KEY in b]
    assert any('"UPSTREAM_ERROR"' in b for b in BODIES) and any('"BAD_USER_INPUT"' in b for b in BODIES)
