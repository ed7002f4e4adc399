"""Pure mapping of PerpsTracker payloads (the docs' own examples and made-up edge cases)."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest

from gateway.errors import BadUserInput
from gateway.model.ids import stable_id
from gateway.model.types import PerpTradeChangeType as C
from gateway.model.types import PerpTradeType
from gateway.model.venue import Venue
from gateway.sources import markets
from gateway.sources.perpstracker import mapping

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "perpstracker"
WALLET = "DRVRvzf8pSiMJi5BY1NmZu5STahBYKMVcfkPp3vxPump"


def doc(name: str) -> Any:
    return json.loads((FIXTURES / f"doc_{name}.json").read_text())


# ---- the docs' examples ------------------------------------------------------------------


def test_the_docs_whale_position_maps_exactly() -> None:
    row = doc("positions_all")["positions"][0]
    t = mapping.map_open_position(row["wallet"], row)
    assert t.collateralAmount == 2377788350000  # $2,377,788.35 in micro-units, exactly
    assert isinstance(t.collateralAmount, int)
    assert t.collateralUsd == 2377788.35 and t.sizeUsd == 4304456.77 and t.leverage == 1.81
    assert t.id == stable_id("BD5tKkWiJxT8gH4KwPvRM5nL2sYbVcXdKpQhzkqdryTnF")
    assert t.venueTradeId == "BD5tKkWiJxT8gH4KwPvRM5nL2sYbVcXdKpQhzkqdryTnF"
    assert (t.isOpen, t.isLong, t.market, t.venue) == (True, True, "SOL", Venue.JUPITER)
    assert t.perpBorrowing.marketId == 1 and t.perpBorrowing.collateralToken.symbol == "USDC"
    assert t.openPrice == 232.42 and t.closePrice is None
    assert t.openTime == "2025-10-06T17:41:22Z" and t.closeTime is None
    assert t.openBlock is not None and t.openBlock.block is None and t.openBlock.block_ts == t.openTime
    assert t.state is not None
    assert t.state.pnlCollateral == -1981582650000.0
    assert t.state.pnlPct == pytest.approx(-1981582.65 / 2377788.35)
    assert t.state.positionValue == 396205700000.0  # (collateral + unrealized PnL) in micro-units
    assert t.state.liquidationPrice == 106.35
    assert t.state.borrowingFeeCollateral is None and t.state.closingFeePct is None


def test_the_docs_trader_positions_map_to_one_open_trade() -> None:
    body = doc("trader_positions")
    book = mapping.build_book(body["wallet"], body["positions"], [])
    (t,) = book.trades
    assert t.trader == WALLET and t.isOpen and t.tradeType is PerpTradeType.trade
    assert t.collateralAmount == 5_000_000_000 and t.openCollateralAmount is None
    assert t.openTime == "2024-11-28T11:15:00Z"
    assert t.state is not None and t.state.pnlPct == pytest.approx(0.14)
    assert book.records == []


def test_the_docs_history_record_with_null_leverage_maps() -> None:
    body = doc("trader_history")
    (row,) = body["trades"]
    book = mapping.build_book(body["wallet"], [], body["trades"])
    (t,) = book.trades
    # Only a partial Decrease is visible and the position is not open: closed, with unknown figures.
    assert not t.isOpen and t.venueTradeId == row["positionPubkey"] and t.market == "BTC" and t.isLong
    assert t.leverage is None and t.sizeUsd is None and t.openTime is None and t.closeTime is None
    ((r, trade),) = book.records
    change = mapping.change_type(r)
    assert change is C.position_reduced
    item = mapping.map_history_item(r, trade, change)
    assert item.id == stable_id(row["txHash"] + row["positionPubkey"])
    assert item.realizedPnlCollateral == 8644390000.0
    assert item.realizedPnlPct == pytest.approx(0.3585)
    assert item.block.block is None and item.block.block_ts == "2025-12-11T19:59:59Z"
    assert (item.price, item.sizeDeltaUsd, item.txHash) == (90846.06, 963047.43, row["txHash"])
    assert item.trade is trade and item.venue is Venue.JUPITER and item.evmTxHash is None
    # Sai Keeper's newer fields: a Decrease pays a closing fee, `fee` less the borrow fee it settles
    # (1061.69 - 194.95); the collateral figures are USD, so the collateral's price is 1
    assert item.closingFeeUsd == pytest.approx(866.74) and item.openingFeeUsd is None
    assert item.collateralPrice == 1.0
    assert trade.perpBorrowing.isOpen is True and trade.perpBorrowing.tradingSchedule is None
    assert trade.perpBorrowing.price is None  # a trade's market in brief carries no figures


def test_the_docs_live_trade_maps_side_1_wsol_and_string_micro_units() -> None:
    (row,) = doc("live_trades")["trades"]
    change = mapping.live_change_type(row)
    assert change is C.position_closed_user
    item = mapping.map_live_trade(row, change)
    assert item.market == "SOL" and item.trade.market == "SOL"  # WSOL → SOL
    assert item.trade.isLong  # side "1"
    assert item.realizedPnlCollateral == 37092254.0  # "pnl_delta" is already micro-USDC
    assert item.realizedPnlPct is None
    assert item.block.block_ts == "2025-12-16T05:08:02.466Z"
    assert (item.price, item.sizeDeltaUsd) == (126.225, 8306.33)
    t = item.trade
    assert t.venueTradeId == row["position_pubkey"] and t.id == stable_id(row["position_pubkey"])
    assert not t.isOpen and t.closePrice == 126.225 and t.closeTime == "2025-12-16T05:08:02.466Z"
    assert t.sizeUsd == 8306.33 and t.leverage is None and t.collateralAmount is None
    assert t.openPrice is None and t.openTime is None and t.state is None
    # "collected_fee": "5849676" micro-USDC on a close is a closing fee of $5.849676
    assert item.closingFeeUsd == 5.849676 and item.openingFeeUsd is None and item.collateralPrice == 1.0


def test_the_docs_rolling_leaderboard_row() -> None:
    (row,) = doc("leaderboard")["data"]
    e = mapping.map_leaderboard_row(row)
    assert (e.venue, e.rank, e.trader, e.label) == (Venue.JUPITER, 1, row["wallet_address"], None)
    assert (e.pnl, e.roi, e.volume, e.winRate, e.trades, e.accountValue) == (
        9861.45, 124.4, 568651.37, 100.0, 7, None)


def test_the_docs_fixed_leaderboard_row() -> None:
    (row,) = doc("leaderboard_fixed")["data"]
    e = mapping.map_fixed_row(row)
    assert (e.rank, e.trader, e.pnl, e.volume, e.winRate) == (1, row["owner"], 80901.14, 790417.82, 100.0)
    assert e.roi is None and e.trades is None and e.accountValue is None


def test_the_docs_prices_and_markets_map_to_borrowings() -> None:
    prices, custodies = doc("prices"), doc("trading_markets")["custodies"]
    sol = mapping.map_borrowing("SOL", mapping.price_of(prices, "SOL") or 0, mapping.find_custody(custodies, "SOL"))
    assert sol.price == 187.45 and sol.marketId == 1 and sol.visible and sol.venue is Venue.JUPITER
    assert sol.oiLong == 125_000_000_000_000 and sol.oiShort == 45_000_000_000_000  # "125000000" USD
    assert sol.oiTotal == 170_000_000_000_000 and sol.maxLeverage == 250.0
    assert sol.feesPerHourLong is None and sol.openFeePct is None and sol.minLeverage is None
    assert sol.oiMax is None and sol.minPositionSizeUSD is None and sol.fundingRatePerHour is None
    eth = mapping.map_borrowing("ETH", 3245.67, mapping.find_custody(custodies, "ETH"))
    assert eth.oiLong is None and eth.oiShort is None and eth.oiTotal is None and eth.maxLeverage == 200.0
    btc = mapping.map_borrowing("BTC", 97234.5, None)
    assert btc.maxLeverage is None and btc.marketId == 3
    # Sai Keeper's newer market fields: open around the clock; PerpsTracker has no 24-hour price,
    # all-time volume, price impact or token index
    assert sol.isOpen is True and sol.tradingSchedule is None
    assert (sol.price24HrsAgo, sol.priceChangePct24Hrs, sol.minPrice24Hrs, sol.maxPrice24Hrs) == (None,) * 4
    assert sol.volumeUsd is None and sol.priceImpactExponent is None and sol.baseToken.id is None
    short = markets.short_of(sol)  # a `borrowings` row carries the figures its market has
    assert (short.price, short.oiLong, short.oiShort, short.maxLeverage, short.isOpen) == (
        187.45, 125_000_000_000_000, 45_000_000_000_000, 250.0, True)
    assert short.minLeverage is None and short.priceChangePct24Hrs is None and short.feesPerHourLong is None


# ---- positions built from history ----------------------------------------------------------

KEY = "5GHqt7RvPnL2cYsW9xTmKjN8bDfVhXzQgE4wJpmK3dZr"
OTHER = "DatNgd2eJxT8gH4KwPvRM5nL2sYbVcXdKpScazNHmTnF"


def rec(action: str, t: int, *, key: str = KEY, size: object = 1000.0, col: object = 100.0,
        price: object = 100.0, order: str = "Market", entire: bool = False, pnl: object = None,
        pct: object = None, liq: object = 0, side: str = "LONG", lev: object = None,
        market: str = "SOL") -> Any:
    return {"market": market, "positionName": f"{market}-PERP", "positionPubkey": key, "side": side,
            "action": action, "tradeType": action, "orderType": order, "size": size, "price": price,
            "collateralDelta": col, "leverage": lev, "entirePosition": entire, "pnl": pnl,
            "pnlPercent": pct, "fee": 1.0, "liquidationFee": liq, "txHash": f"tx{action}{t}{key[:4]}",
            "createdTime": t}


def test_a_position_life_is_grouped_from_its_records_newest_first() -> None:
    history = [  # newest first, as the upstream lists them
        rec("Close", 400, size="1100", col="110", price=120.0, entire=True, pnl=200.0, pct=181.82),
        rec("Decrease", 300, size=400.0, col=40.0, price=115.0, pnl=60.0, pct=150.0),
        rec("Increase", 200, size=500.0, col=50.0, price=110.0, lev=10.0),
        rec("Open", 100, size=1000.0, col=100.0, price=100.0, order="Limit", lev=10.0),
    ]
    book = mapping.build_book(WALLET, [], history)
    (t,) = book.trades
    assert (t.venueTradeId, t.id, t.isOpen, t.tradeType) == (KEY, stable_id(KEY), False, PerpTradeType.limit)
    assert t.sizeUsd == 1100.0 and t.collateralUsd == 110.0 and t.collateralAmount == 110_000_000
    assert t.leverage == 10.0  # derived: size / collateral at the close
    assert t.openCollateralAmount == 100_000_000 and t.openPrice == 100.0 and t.closePrice == 120.0
    assert t.openTime == "1970-01-01T00:01:40Z" and t.closeTime == "1970-01-01T00:06:40Z"
    assert t.closeBlock is not None and t.closeBlock.block_ts == t.closeTime and t.state is None
    changes = [mapping.change_type(r) for r, _ in book.records]
    assert changes == [C.position_opened, C.position_increased, C.position_reduced, C.position_closed_user]
    assert all(tr is t for _, tr in book.records)


def test_an_open_position_takes_its_trade_type_and_open_collateral_from_history() -> None:
    pos: Any = {"position_key": KEY, "market": "SOL", "side": "Long", "size_usd": "1500", "collateral_usd": "150",
           "leverage": None, "entry_price": 103.3, "liquidation_price": 94.0, "unrealized_pnl": "-15",
           "open_time": 100}
    history = [rec("Increase", 200, size=500.0, col=50.0), rec("Open", 100, order="Limit")]
    (t,) = mapping.build_book(WALLET, [pos], history).trades
    assert t.isOpen and t.tradeType is PerpTradeType.limit and t.openCollateralAmount == 100_000_000
    assert t.leverage == 10.0  # leverage: null → size / collateral
    assert t.sizeUsd == 1500.0 and t.collateralAmount == 150_000_000
    assert t.state is not None and t.state.pnlCollateral == -15_000_000.0 and t.state.pnlPct == -0.1


@pytest.mark.parametrize(("row", "expected"), [
    (rec("Open", 1), C.position_opened),
    (rec("Increase", 1), C.position_increased),
    (rec("Decrease", 1), C.position_reduced),
    (rec("Decrease", 1, entire=True), C.position_closed_user),
    (rec("Close", 1), C.position_closed_user),
    (rec("Close", 1, entire=True, order="TakeProfit"), C.position_closed_tp),
    (rec("Decrease", 1, entire=True, order="take_profit"), C.position_closed_tp),
    (rec("Close", 1, entire=True, order="Stop Loss"), C.position_closed_sl),
    (rec("Decrease", 1, order="TakeProfit"), C.position_reduced),  # a partial TP only reduces
    (rec("Close", 1, entire=True, liq=12.5), C.position_liquidated),
    (rec("Close", 1, entire=True, liq="3.1"), C.position_liquidated),
    (rec("Liquidation", 1), C.position_liquidated),
    (rec("Swap", 1), None),
])
def test_history_change_types(row: Any, expected: C | None) -> None:
    assert mapping.change_type(row) is expected


def test_one_key_with_two_lives_gives_two_trades_with_distinct_ids() -> None:
    history = [
        rec("Open", 500, price=130.0), rec("Close", 400, entire=True, pnl=-5.0, liq=1.0),
        rec("Increase", 200), rec("Open", 100),
    ]
    trades = mapping.build_book(WALLET, [], history).trades
    assert [t.venueTradeId for t in trades] == [f"{KEY}:txOpen100{KEY[:4]}", KEY]
    assert len({t.id for t in trades}) == 2
    first, second = trades
    assert not first.isOpen and first.closeTime is not None
    # The second life is not listed as open by the positions endpoint: closed, close not yet seen.
    assert not second.isOpen and second.closeTime is None and second.openPrice == 130.0
    assert second.sizeUsd == 1000.0 and second.collateralUsd == 100.0


def test_a_reused_key_that_is_open_again_keeps_the_bare_key_for_the_open_position() -> None:
    history = [rec("Close", 400, entire=True, pnl=5.0), rec("Open", 100)]
    pos: Any = {"position_key": KEY, "market": "SOL", "side": "short", "size_usd": 10.0, "collateral_usd": 5.0,
           "entry_price": 99.0, "unrealized_pnl": 0, "open_time": 450}
    trades = mapping.build_book(WALLET, [pos], history).trades
    assert [(t.venueTradeId, t.isOpen) for t in trades] == [(f"{KEY}:txOpen100{KEY[:4]}", False), (KEY, True)]
    assert not trades[1].isLong


def test_trades_are_in_opening_order() -> None:
    history = [rec("Open", 300, key=OTHER, market="BTC", side="SHORT"), rec("Open", 100)]
    pos: Any = {"position_key": "9" * 44, "market": "ETH", "side": "long", "size_usd": 10, "collateral_usd": 5,
           "open_time": 200}
    trades = mapping.build_book(WALLET, [pos], history).trades
    assert [t.market for t in trades] == ["SOL", "ETH", "BTC"]
    assert [t.perpBorrowing.marketId for t in trades] == [1, 2, 3]
    assert not trades[2].isLong


@pytest.mark.parametrize(("value", "expected"), [
    (1.5, 1.5), (2, 2.0), ("2377788.35", 2377788.35), ("37092254", 37092254.0), (None, None), ("", None)])
def test_numbers_come_as_numbers_or_strings(value: Any, expected: float | None) -> None:
    assert mapping.num(value) == expected


@pytest.mark.parametrize("value", [True, "abc", "nan", "inf"])
def test_junk_is_not_a_number(value: Any) -> None:
    with pytest.raises(ValueError):
        mapping.num(value)


@pytest.mark.parametrize(("side", "is_long", "expected"), [
    ("long", None, True), ("LONG", None, True), ("Short", None, False), ("1", None, True), ("2", None, False),
    (None, 1, True), ("1", 0, False)])
def test_sides(side: str | None, is_long: int | None, expected: bool) -> None:
    assert mapping.is_long_side(side, is_long) is expected


def test_millisecond_times_are_recognised() -> None:
    assert mapping.unix_time(1765483199000) == mapping.unix_time(1765483199)


@pytest.mark.parametrize(("kind", "expected"), [
    ("OPEN", C.position_opened), ("INCREASE", C.position_increased), ("REDUCE", C.position_reduced),
    ("CLOSE", C.position_closed_user), ("SET_TP", C.tp_updated), ("SET_SL", C.sl_updated), ("OTHER", None)])
def test_live_trade_classifications(kind: str, expected: C | None) -> None:
    row: Any = {**doc("live_trades")["trades"][0], "trade_classification": kind}
    assert mapping.live_change_type(row) is expected


def test_a_live_liquidation_and_a_live_open() -> None:
    base: Any = doc("live_trades")["trades"][0]
    liq: Any = {**base, "instruction_type": "liquidateFullPosition4"}
    assert mapping.live_change_type(liq) is C.position_liquidated
    opened: Any = {**base, "trade_classification": "OPEN", "side": "2", "is_long": 0, "collateral_usd": 1000,
              "leverage": 8.3, "entire_position": False, "pnl_delta": "0", "token": "WBTC"}
    item = mapping.map_live_trade(opened, C.position_opened)
    t = item.trade
    assert t.isOpen and not t.isLong and t.market == "BTC" and t.perpBorrowing.marketId == 3
    assert t.collateralAmount == 1_000_000_000 and t.openCollateralAmount == 1_000_000_000
    assert t.leverage == 8.3 and t.openPrice == 126.225 and t.openTime == "2025-12-16T05:08:02.466Z"
    assert t.closePrice is None and item.realizedPnlCollateral is None


# ---- leaderboard periods -------------------------------------------------------------------

D = datetime.date


@pytest.mark.parametrize(("start", "end", "expected"), [
    (D(2025, 11, 28), D(2025, 11, 28), ("daily", {"date": "2025-11-28"})),
    (D(2025, 11, 24), D(2025, 11, 30), ("weekly", {"week": "2025-W48"})),
    (D(2024, 12, 30), D(2025, 1, 5), ("weekly", {"week": "2025-W01"})),  # ISO year differs
    (D(2025, 11, 1), D(2025, 11, 30), ("monthly", {"month": "2025-11"})),
    (D(2024, 2, 1), D(2024, 2, 29), ("monthly", {"month": "2024-02"})),
])
def test_fixed_periods(start: D, end: D, expected: tuple[str, dict[str, str]]) -> None:
    assert mapping.fixed_period(start, end) == expected


@pytest.mark.parametrize(("start", "end"), [
    (D(2025, 11, 25), D(2025, 12, 1)),  # seven days, not Monday to Sunday
    (D(2025, 11, 1), D(2025, 11, 29)),
    (D(2024, 2, 1), D(2024, 2, 28)),
    (D(2025, 11, 1), D(2025, 12, 31)),
    (D(2025, 11, 28), D(2025, 11, 29)),
])
def test_other_ranges_are_refused_with_what_jupiter_accepts(start: D, end: D) -> None:
    with pytest.raises(BadUserInput, match="one day.*ISO week.*calendar month"):
        mapping.fixed_period(start, end)


def test_rolling_timeframes() -> None:
    assert [mapping.rolling_timeframe(d) for d in (1, 7, 30, 365)] == ["24h", "7d", "30d", "365d"]
    with pytest.raises(BadUserInput):
        mapping.rolling_timeframe(90)


# ---- the simulator's recorded payloads -----------------------------------------------------


def sim(name: str) -> Any:
    return json.loads((FIXTURES / f"sim_{name}.json").read_text())


def test_the_simulators_trader_positions_and_history_make_one_book() -> None:
    positions, history = sim("trader_positions"), sim("trader_history")
    assert positions["wallet"] == history["wallet"] == WALLET
    book = mapping.build_book(WALLET, positions["positions"], history["trades"])
    open_keys = {p["position_key"] for p in positions["positions"]}
    assert {t.venueTradeId for t in book.trades if t.isOpen} == open_keys
    assert len({t.id for t in book.trades}) == len(book.trades)  # ids unique within the trader
    assert len(book.records) == len(history["trades"])
    times = [r["createdTime"] for r, _ in book.records]
    assert times == sorted(times)
    for row, trade in book.records:
        assert row["positionPubkey"] == trade.venueTradeId.split(":")[0]
        change = mapping.change_type(row)
        assert change is not None
        item = mapping.map_history_item(row, trade, change)
        assert item.market == trade.market == row["market"]
        if row["pnl"] is not None:
            assert item.realizedPnlCollateral == round(row["pnl"] * 1_000_000)
    for t in book.trades:
        assert t.venue is Venue.JUPITER and t.trader == WALLET
        if not t.isOpen and t.closeTime is not None:
            assert t.closePrice is not None and t.sizeUsd is not None
            if t.collateralUsd:
                assert t.leverage == round(t.sizeUsd / t.collateralUsd, 2)
        if t.isOpen:
            assert t.state is not None and t.collateralAmount == round((t.collateralUsd or 0) * 1_000_000)


def test_the_simulators_positions_include_the_docs_whale() -> None:
    trades = [mapping.map_open_position(p["wallet"], p) for p in sim("positions_all")["positions"]]
    whale = next(t for t in trades if t.venueTradeId == "BD5tKkWiJxT8gH4KwPvRM5nL2sYbVcXdKpQhzkqdryTnF")
    assert whale.collateralAmount == 2377788350000
    assert all(isinstance(t.collateralAmount, int) for t in trades)


def test_the_simulators_live_trades_all_map() -> None:
    rows = sim("live_trades")["trades"]
    items = []
    for row in rows:
        change = mapping.live_change_type(row)
        assert change is not None, row["trade_classification"]
        items.append(mapping.map_live_trade(row, change))
    assert all(i.market in ("SOL", "ETH", "BTC") for i in items)
    for row, item in zip(rows, items, strict=True):
        assert item.trade.isLong is (row["side"] == "1")
        if "liquidat" in row["instruction_type"].lower():
            assert item.tradeChangeType is C.position_liquidated
        if row["trade_classification"] in ("REDUCE", "CLOSE"):
            assert item.realizedPnlCollateral == int(row["pnl_delta"])


def test_the_simulators_leaderboards_map() -> None:
    rolling = [mapping.map_leaderboard_row(r) for r in sim("leaderboard")["data"]]
    assert [e.rank for e in rolling] == list(range(1, len(rolling) + 1))
    assert all(e.trades is not None and e.roi is not None for e in rolling)
    fixed = [mapping.map_fixed_row(r) for r in sim("leaderboard_fixed")["data"]]
    assert fixed and all(e.trader and e.roi is None for e in fixed)


def test_the_simulators_prices_and_markets_map() -> None:
    prices, custodies = sim("prices"), sim("trading_markets")["custodies"]
    for symbol, market_id in (("SOL", 1), ("ETH", 2), ("BTC", 3)):
        custody = mapping.find_custody(custodies, symbol)
        assert custody is not None
        b = mapping.map_borrowing(symbol, mapping.price_of(prices, symbol) or 0, custody)
        assert b.marketId == market_id and b.price == prices[symbol]
        assert b.oiLong == int(custody["guaranteedUsd"]) * 1_000_000
        assert b.oiShort == int(custody["globalShortSizes"]) * 1_000_000
