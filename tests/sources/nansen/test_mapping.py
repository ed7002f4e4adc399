"""The docs' example payloads and recorded simulator answers, mapped to the schema's objects."""

from __future__ import annotations

import pytest

from gateway.model.ids import stable_id
from gateway.model.types import PerpTradeChangeType, PerpTradeType
from gateway.model.venue import Venue
from gateway.sources import markets
from gateway.sources.nansen import mapping
from gateway.sources.nansen.markets import MARKETS
from tests.sources.nansen.conftest import load
from tests.sources.nansen.factories import TRADER, fill, position

C = PerpTradeChangeType


def doc_positions():  # type: ignore[no-untyped-def]
    return [a["position"] for a in load("doc_profiler_perp_positions")["data"]["asset_positions"]]


def test_docs_position_is_an_open_short_with_exact_amounts() -> None:
    (trade,), history = mapping.map_book(TRADER, doc_positions(), [])
    assert history == []
    assert trade.isOpen and not trade.isLong  # size "-50367.0"
    assert trade.venue is Venue.HYPERLIQUID and trade.trader == TRADER
    assert trade.venueTradeId == "STBL" and trade.id == stable_id("STBL") and trade.market == "STBL"
    assert trade.tradeType is PerpTradeType.trade
    assert trade.leverage == 3.0
    assert trade.collateralAmount == 1_743_873_430 and trade.collateralUsd == 1743.87343
    assert trade.sizeUsd == 5231.62029
    assert trade.openPrice == 0.43499 and trade.closePrice is None
    assert trade.openCollateralAmount is None and trade.sl is None and trade.tp is None
    assert trade.openBlock is None and trade.openTime is None and trade.closeBlock is None
    state = trade.state
    assert state is not None
    assert state.pnlCollateral == 16_677_540_470.0
    assert state.pnlPct == 2.2836393396  # Hyperliquid's return on equity is already a ratio
    assert state.liquidationPrice == 66.817537196
    assert state.positionValue == 18_421_413_900.0  # (margin 1743.87343 + uPnL 16677.54047) × 10⁶
    assert state.pnlCollateralAfterFees is None and state.borrowingFeeCollateral is None
    assert state.remainingCollateralAfterFees is None and state.closingFeePct is None
    info = trade.perpBorrowing
    assert info.marketId == MARKETS.market_id("STBL") and info.venue is Venue.HYPERLIQUID
    assert (info.baseToken.symbol, info.quoteToken.symbol, info.collateralToken.symbol) == ("STBL", "USD", "USDC")


def test_docs_fill_is_an_add_to_a_short_opened_before_the_window() -> None:
    rows = load("doc_profiler_perp_trades")["data"]
    (trade,), (item,) = mapping.map_book(TRADER, [position("DOGE", "-7794000.0")], rows)
    assert trade.venueTradeId == "DOGE" and trade.isOpen and not trade.isLong
    assert item.tradeChangeType is C.position_increased and item.trade is trade
    assert item.id == stable_id("0x50cea34e7464d3055248042d1817780203b600340f67f1d7f4974ea13368acef:191284609448")
    assert item.txHash == rows[0]["transaction_hash"] and item.evmTxHash is None
    assert item.block.block == 756553592 and item.block.block_ts == "2025-10-08T18:46:11.452Z"
    assert item.price == 0.25884 and item.sizeDeltaUsd == 1553.04
    assert item.realizedPnlCollateral is None and item.realizedPnlPct is None  # an Add realizes nothing
    assert (item.venue, item.trader, item.market) == (Venue.HYPERLIQUID, TRADER, "DOGE")
    # an Add pays an opening fee: `fee_usd`; Hyperliquid's margin is USDC, priced 1
    assert item.openingFeeUsd == 0.434851 and item.closingFeeUsd is None and item.collateralPrice == 1.0
    assert trade.perpBorrowing.isOpen is True and trade.perpBorrowing.tradingSchedule is None


def test_docs_fill_without_a_position_is_a_life_that_ended_unseen() -> None:
    (trade,), (item,) = mapping.map_book(TRADER, [], load("doc_profiler_perp_trades")["data"])
    assert not trade.isOpen and trade.venueTradeId == "DOGE:191284609448"
    assert trade.closePrice is None and trade.closeBlock is None and trade.openPrice is None
    assert trade.sizeUsd == round(7794000 * 0.25884, 6)  # the position after the add, at its price


def test_simulator_fills_map_to_lives_and_history() -> None:
    rows = load("sim_profiler_perp_trades")["data"]  # newest first: Close BTC, Close SOL, Open SOL
    trades, history = mapping.map_book(TRADER, [], rows)
    btc, sol = trades  # BTC was opened before the recorded page: it sorts first
    assert btc.venueTradeId == "BTC:191285058108" and btc.openPrice is None and btc.openBlock is None
    assert btc.closePrice == 109976.98 and btc.closeTime == "2025-12-15T22:51:23.278Z"
    assert sol.venueTradeId == "SOL:191285052492" and not sol.isLong and not sol.isOpen
    assert sol.openPrice == 167.9874 and sol.closePrice == 163.7606
    assert sol.openTime == "2025-12-15T20:40:17.368Z" and sol.openBlock is not None
    assert sol.openBlock.block == 1640445962 and sol.closeBlock is not None
    assert sol.closeBlock.block == 1640538360
    assert sol.sizeUsd == round(2870.327953 * 167.9874, 6)
    assert sol.leverage is None and sol.collateralAmount is None and sol.state is None
    assert sol.collateralUsd is None
    assert [(h.tradeChangeType, h.trade.venueTradeId) for h in history] == [
        (C.position_opened, "SOL:191285052492"), (C.position_closed_user, "SOL:191285052492"),
        (C.position_closed_user, "BTC:191285058108"),
    ]
    assert [h.realizedPnlCollateral for h in history] == [None, 12_132_300_000.0, -2_248_350_000.0]


def test_simulator_positions_map_sides_from_signed_size() -> None:
    positions = [a["position"] for a in load("sim_profiler_perp_positions")["data"]["asset_positions"]]
    trades, _ = mapping.map_book(TRADER, positions, [])
    assert {(t.market, t.isLong) for t in trades} == {("ETH", True), ("HYPE", False), ("DOGE", True)}
    eth = next(t for t in trades if t.market == "ETH")
    assert eth.collateralAmount == 3_899_947_807 and eth.perpBorrowing.marketId == 1
    assert eth.state is not None and eth.state.pnlPct == -0.051387


def test_history_maps_every_action() -> None:
    rows = [fill("Open", 2, 0, crossed=False, oid=901), fill("Add", 1, 2), fill("Reduce", 1, 3, pnl=5.5),
            fill("Close", 2, 2, pnl=-1.25), fill("Open", 1, 0, coin="ETH"), fill("Reduce", 1, 1, coin="ETH"),
            fill("Open", 1, 0, coin="SOL", side="Short"), fill("Liquidation", 1, -1, coin="SOL", pnl=-80)]
    trades, history = mapping.map_book(TRADER, [], rows)
    assert [h.tradeChangeType for h in history] == [
        C.position_opened, C.position_increased, C.position_reduced, C.position_closed_user,
        C.position_opened, C.position_closed_user,  # a Reduce of the whole position closes it
        C.position_opened, C.position_liquidated,
    ]
    assert [h.realizedPnlCollateral for h in history] == [
        None, None, 5_500_000.0, -1_250_000.0, None, 0.0, None, -80_000_000.0]
    btc = next(t for t in trades if t.market == "BTC")
    assert btc.tradeType is PerpTradeType.limit  # the opening order rested on the book
    assert all(t.tradeType is PerpTradeType.trade for t in trades if t.market != "BTC")


def test_unknown_actions_stay_in_their_life_but_out_of_history() -> None:
    trades, history = mapping.map_book(TRADER, [], [fill("Open", 1, 0), fill("Funding", 0, 1)])
    assert len(trades) == 1 and [h.tradeChangeType for h in history] == [C.position_opened]


def test_repeated_rows_count_once() -> None:
    rows = [fill("Open", 1, 0), fill("Close", 1, 1)]
    _, history = mapping.map_book(TRADER, [], rows + [rows[1]])
    assert len(history) == 2


def test_trades_are_in_open_order() -> None:
    rows = [fill("Open", 1, 0, coin="ETH", minute=30, oid=2), fill("Open", 1, 0, coin="SOL", minute=10, oid=3),
            fill("Reduce", 1, 5, coin="BTC", minute=20, oid=4)]
    trades, _ = mapping.map_book(TRADER, [position("HYPE", "1.0")], rows)
    assert [t.venueTradeId for t in trades] == ["HYPE", "BTC:4", "SOL:3", "ETH:2"]


def test_screener_row_is_a_market() -> None:
    ark, eth = (mapping.map_borrowing(r) for r in load("doc_perp_screener")["data"])
    assert ark.marketId == MARKETS.market_id("ARK") and ark.baseToken.symbol == "ARK"
    assert ark.price == 0.3301 and ark.fundingRatePerHour == 0.0000125
    assert ark.oiTotal == 261_310_461_000 and ark.oiLong is None and ark.oiShort is None
    assert ark.visible and ark.venue is Venue.HYPERLIQUID and ark.collateralToken.symbol == "USDC"
    assert ark.maxLeverage is None and ark.openFeePct is None and ark.feesPerHourLong is None
    assert ark.oiMax is None and ark.minPositionSizeUSD is None
    assert eth.marketId == 1 and eth.price == 3000.0 and eth.fundingRatePerHour == -0.0001
    assert eth.oiTotal == 2_000_000_000_000
    # the window is the last 24 hours: `previous_price_usd` is the price 24 hours ago, the change in
    # percent points (Sai Keeper's unit for priceChangePct24Hrs)
    assert ark.price24HrsAgo == 0.4155 and ark.priceChangePct24Hrs == pytest.approx((0.3301 - 0.4155) / 0.4155 * 100)
    assert eth.price24HrsAgo == 2900 and eth.priceChangePct24Hrs == pytest.approx(100 / 29)
    assert ark.isOpen is True and ark.tradingSchedule is None and ark.minPrice24Hrs is None
    assert ark.maxPrice24Hrs is None and ark.volumeUsd is None and ark.priceImpactOiLongUsd is None
    short = markets.short_of(eth)
    assert (short.price, short.priceChangePct24Hrs, short.isOpen, short.oiLong) == (
        3000.0, eth.priceChangePct24Hrs, True, None)
    (btc,) = (mapping.map_borrowing(r) for r in load("sim_perp_screener")["data"])
    assert btc.marketId == 0 and btc.fundingRatePerHour == -6.31749e-05 and btc.oiTotal == 354_820_320_000


def test_leaderboard_rows() -> None:
    (entry,) = mapping.map_leaderboard(load("doc_perp_leaderboard")["data"], offset=4)
    assert entry.rank == 5 and entry.venue is Venue.HYPERLIQUID
    assert entry.trader == "0x28c6c06298d514db089934071355e5743bf21d60"
    assert entry.label == "Binance 14 [0x28c6c0]"
    assert (entry.pnl, entry.roi, entry.accountValue) == (1250.5, 15.5, 10000.0)
    assert (entry.volume, entry.winRate, entry.trades) == (None, None, None)
    sim = mapping.map_leaderboard(load("sim_perp_leaderboard")["data"], offset=0)
    assert [e.rank for e in sim] == [1, 2, 3] and sim[0].label == "Public Figure" and sim[1].label is None


def test_token_leaderboard_rows() -> None:
    (entry,) = mapping.map_token_leaderboard(load("doc_tgm_perp_pnl_leaderboard")["data"], offset=0)
    assert entry.rank == 1 and entry.pnl == 1350.75 and entry.roi == 15.5 and entry.trades == 25
    assert entry.accountValue is None and entry.volume is None and entry.winRate is None
    sim = mapping.map_token_leaderboard(load("sim_tgm_perp_pnl_leaderboard")["data"], offset=10)
    assert [e.rank for e in sim] == [11, 12, 13] and sim[0].trades == 3 and sim[0].pnl == 52975.06
