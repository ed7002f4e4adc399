"""Stream payloads survive JSON: every schema type decodes to an equal object."""

from __future__ import annotations

import json

from gateway.model.time import Time
from gateway.model.types import (
    Block,
    PerpBorrowing,
    PerpTrade,
    PerpTradeChangeType,
    PerpTradeHistoryItem,
    PerpTradeState,
    PerpTradeType,
    Token,
)
from gateway.model.venue import Venue
from gateway.sources.perpstracker.markets import MARKETS
from gateway.streams.codec import decode, encode
from gateway.streams.types import Topic

TRADE = PerpTrade(
    id=772849799, trader="J83ZtxeoHLwMNvjVrsD4gQw5nE8PKXUV9Ph6tW2dVamK", isOpen=True, isLong=True,
    tradeType=PerpTradeType.trade, leverage=1.81, collateralAmount=2377788350000,
    openCollateralAmount=2377788350000, openPrice=232.42, closePrice=None, sl=None, tp=None,
    perpBorrowing=MARKETS.short_info("SOL"), openBlock=Block(block=None, block_ts=Time("2025-10-06T17:41:22Z")),
    closeBlock=None, state=PerpTradeState(pnlCollateral=-1.5e12, pnlPct=-0.44, pnlCollateralAfterFees=None,
                                          positionValue=None, liquidationPrice=116.87, borrowingFeeCollateral=None,
                                          borrowingFeePct=None, closingFeeCollateral=None, closingFeePct=None,
                                          remainingCollateralAfterFees=None),
    venue=Venue.JUPITER, venueTradeId="BD5tKkWiJxT8gH4KwPvRM5nL2sYbVcXdKpQhzkqdryTnF", market="SOL",
    sizeUsd=4304456.77, collateralUsd=2377788.35, openTime=Time("2025-10-06T17:41:22Z"), closeTime=None,
)


def roundtrip(obj: object) -> object:
    return decode(json.loads(json.dumps(encode(obj))), type(obj))


def test_a_trade_survives_json_exactly() -> None:
    assert roundtrip(TRADE) == TRADE
    assert encode(TRADE)["collateralAmount"] == 2377788350000 and encode(TRADE)["venue"] == "JUPITER"


def test_history_items_and_borrowings_survive() -> None:
    item = PerpTradeHistoryItem(
        id=7, tradeChangeType=PerpTradeChangeType.position_liquidated,
        block=Block(block=123, block_ts=Time("2025-12-16T11:59:58.452Z")), trade=TRADE,
        realizedPnlCollateral=-2.0e9, realizedPnlPct=None, txHash="5GHq", evmTxHash=None, venue=Venue.JUPITER,
        trader=TRADE.trader, market="SOL", price=116.0, sizeDeltaUsd=4304456.77)
    assert roundtrip(item) == item
    usd = Token(symbol="USD", name=None, logoUrl=None)
    borrowing = PerpBorrowing(
        marketId=1, baseToken=Token(symbol="BTC", name="Bitcoin", logoUrl=None), quoteToken=usd, collateralToken=usd,
        price=97000.0, oiLong=10, oiShort=None, oiMax=None, feesPerHourLong=None, feesPerHourShort=None,
        openFeePct=None, closeFeePct=None, triggerOrderFeePct=None, maxLeverage=None, minLeverage=None,
        minPositionSizeUSD=None, visible=True, venue=Venue.NIBIRU, oiTotal=None, fundingRatePerHour=None)
    assert roundtrip(borrowing) == borrowing


def test_whole_floats_sent_as_ints_come_back_as_floats() -> None:
    data = encode(TRADE)
    data["openPrice"] = 232
    assert decode(data, PerpTrade).openPrice == 232.0 and isinstance(decode(data, PerpTrade).openPrice, float)


def test_topics_name_and_parse() -> None:
    topic = Topic("trades", Venue.NIBIRU, "nibi1abc")
    assert topic.name == "trades:NIBIRU:nibi1abc" and Topic.parse(topic.name) == topic
    assert Topic.parse("borrowing:NIBIRU:1:1") == Topic("borrowing", Venue.NIBIRU, "1:1")


def test_a_state_event_stays_a_state_across_redis() -> None:
    from gateway.streams import messages
    from gateway.streams.types import StreamEvent

    event = StreamEvent("forward:NIBIRU:lpVaults { address }", "d1", {"data": [{"address": "a"}]}, state=True)
    assert messages.loads(messages.dumps(event)) == event
    change = StreamEvent("forward:NIBIRU:lpVaults { address }", "d2", {"data": []})
    assert messages.loads(messages.dumps(change)).state is False
