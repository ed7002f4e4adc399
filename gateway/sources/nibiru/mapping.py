"""Pure mapping of Sai Keeper's JSON to schema objects: Sai fields unchanged, extensions derived.

Sai Keeper is the model of the public schema, so its values pass through as they are (64-bit
ints, RFC 3339 strings, ratios). The gateway's additions are computed from them only:
`sizeUsd` = collateral × leverage, and `collateralUsd` only for USD-stable collateral.
"""

from __future__ import annotations

from typing import Any

from gateway.model.time import Time
from gateway.model.types import (
    Block,
    PerpBorrowing,
    PerpBorrowingShortInfo,
    PerpLeaderboardEntry,
    PerpTrade,
    PerpTradeChangeType,
    PerpTradeHistoryItem,
    PerpTradeState,
    PerpTradeType,
    Token,
    TradingSchedule,
)
from gateway.sources.nibiru.venue import VENUE

USD_STABLE = frozenset({"USDC", "USDT", "USD", "UST"})
MICRO = 1_000_000

Json = dict[str, Any]


TOKEN_EXTRAS = ("id", "tradingViewSymbol", "permissionGroup", "description", "type")
SHORT_EXTRAS = ("isOpen", "price", "oiLong", "oiShort", "oiMax", "feesPerHourLong", "feesPerHourShort",
                "priceChangePct24Hrs", "minLeverage", "maxLeverage", "openFeePct", "closeFeePct")
BORROWING_EXTRAS = ("isOpen", "price24HrsAgo", "priceChangePct24Hrs", "minPrice24Hrs", "maxPrice24Hrs",
                    "volumeUsd", "priceImpactOiLongUsd", "priceImpactOiShortUsd",
                    "priceImpactOnePercentDepthAboveUsd", "priceImpactOnePercentDepthBelowUsd",
                    "priceImpactExponent")
HISTORY_EXTRAS = ("collateralPrice", "openingFeeUsd", "closingFeeUsd")


def extras(d: Json, names: tuple[str, ...]) -> dict[str, Any]:
    """Sai Keeper's fields that the model holds as they come (same name, same unit)."""
    return {name: d.get(name) for name in names}


def map_token(d: Json) -> Token:
    return Token(symbol=d.get("symbol"), name=d.get("name"), logoUrl=d.get("logoUrl"), **extras(d, TOKEN_EXTRAS))


def map_schedule(d: Json | None) -> TradingSchedule | None:
    if d is None:
        return None
    return TradingSchedule(name=d["name"], timezone=d["timezone"], startDayOfWeek=d.get("startDayOfWeek"),
                           startTimeOfDay=d.get("startTimeOfDay"), closeDayOfWeek=d.get("closeDayOfWeek"),
                           closeTimeOfDay=d.get("closeTimeOfDay"), holidays=d.get("holidays"))


def map_block(d: Json | None) -> Block | None:
    if d is None:
        return None
    return Block(block=d.get("block"), block_ts=Time(d["block_ts"]))


def map_short_info(d: Json) -> PerpBorrowingShortInfo:
    return PerpBorrowingShortInfo(
        marketId=d["marketId"], baseToken=map_token(d["baseToken"]), quoteToken=map_token(d["quoteToken"]),
        collateralToken=map_token(d["collateralToken"]), visible=d["visible"], venue=VENUE,
        tradingSchedule=map_schedule(d.get("tradingSchedule")), **extras(d, SHORT_EXTRAS),
    )


def map_state(d: Json | None) -> PerpTradeState | None:
    if d is None:
        return None
    return PerpTradeState(
        pnlCollateral=d["pnlCollateral"], pnlPct=d["pnlPct"],
        pnlCollateralAfterFees=d.get("pnlCollateralAfterFees"), positionValue=d.get("positionValue"),
        liquidationPrice=d.get("liquidationPrice"), borrowingFeeCollateral=d.get("borrowingFeeCollateral"),
        borrowingFeePct=d.get("borrowingFeePct"), closingFeeCollateral=d.get("closingFeeCollateral"),
        closingFeePct=d.get("closingFeePct"), remainingCollateralAfterFees=d.get("remainingCollateralAfterFees"),
    )


def map_trade(d: Json) -> PerpTrade:
    info = map_short_info(d["perpBorrowing"])
    collateral = d.get("collateralAmount")
    leverage = d.get("leverage")
    stable = (info.collateralToken.symbol or "").upper() in USD_STABLE
    collateral_usd = collateral / MICRO if stable and collateral is not None else None
    open_block, close_block = map_block(d.get("openBlock")), map_block(d.get("closeBlock"))
    return PerpTrade(
        id=d["id"], trader=d["trader"], isOpen=d["isOpen"], isLong=d["isLong"],
        tradeType=PerpTradeType(d["tradeType"]), leverage=leverage, collateralAmount=collateral,
        openCollateralAmount=d.get("openCollateralAmount"), openPrice=d.get("openPrice"),
        closePrice=d.get("closePrice"), sl=d.get("sl"), tp=d.get("tp"), perpBorrowing=info,
        openBlock=open_block, closeBlock=close_block, state=map_state(d.get("state")),
        venue=VENUE, venueTradeId=str(d["id"]), market=info.baseToken.symbol or info.baseToken.name or "",
        sizeUsd=round(collateral_usd * leverage, 6) if collateral_usd is not None and leverage else None,
        collateralUsd=collateral_usd,
        openTime=open_block.block_ts if open_block else None,
        closeTime=close_block.block_ts if close_block else None,
    )


_SIZE_EVENTS = {PerpTradeChangeType.position_opened}
_CLOSE_EVENTS = {
    PerpTradeChangeType.position_closed_user, PerpTradeChangeType.position_closed_sl,
    PerpTradeChangeType.position_closed_tp, PerpTradeChangeType.position_liquidated,
}


def map_history_item(d: Json) -> PerpTradeHistoryItem:
    trade = map_trade(d["trade"])
    change = PerpTradeChangeType(d["tradeChangeType"])
    price: float | None = None
    size: float | None = None
    if change in _SIZE_EVENTS:
        price, size = trade.openPrice, trade.sizeUsd
    elif change in _CLOSE_EVENTS:
        price, size = trade.closePrice, trade.sizeUsd
    block = map_block(d["block"])
    assert block is not None
    return PerpTradeHistoryItem(
        id=d["id"], tradeChangeType=change, block=block, trade=trade,
        realizedPnlCollateral=d.get("realizedPnlCollateral"), realizedPnlPct=d.get("realizedPnlPct"),
        txHash=d.get("txHash"), evmTxHash=d.get("evmTxHash"), venue=VENUE, trader=trade.trader,
        market=trade.market, price=price, sizeDeltaUsd=size, **extras(d, HISTORY_EXTRAS),
    )


def map_borrowing(d: Json) -> PerpBorrowing:
    oi_long, oi_short = d.get("oiLong"), d.get("oiShort")
    return PerpBorrowing(
        marketId=d["marketId"], baseToken=map_token(d["baseToken"]), quoteToken=map_token(d["quoteToken"]),
        collateralToken=map_token(d["collateralToken"]), price=d["price"], oiLong=oi_long, oiShort=oi_short,
        oiMax=d.get("oiMax"), feesPerHourLong=d.get("feesPerHourLong"),
        feesPerHourShort=d.get("feesPerHourShort"), openFeePct=d.get("openFeePct"),
        closeFeePct=d.get("closeFeePct"), triggerOrderFeePct=d.get("triggerOrderFeePct"),
        maxLeverage=d.get("maxLeverage"), minLeverage=d.get("minLeverage"),
        minPositionSizeUSD=d.get("minPositionSizeUSD"), visible=d["visible"], venue=VENUE,
        oiTotal=oi_long + oi_short if oi_long is not None and oi_short is not None else None,
        fundingRatePerHour=None, tradingSchedule=map_schedule(d.get("tradingSchedule")),
        **extras(d, BORROWING_EXTRAS),
    )


def map_leaderboard_row(d: Json) -> PerpLeaderboardEntry:
    """A row of Sai's PnL board in the cross-venue leaderboard: Sai's own fields as they came, and
    the gateway's where Sai has the figure (pnl, volume); `roiTotal`'s unit (ratio or percent) is
    unknown, so `roi` (percent) is not derived from it, and Sai has no win rate, trade count or
    account value on the board."""
    return PerpLeaderboardEntry(
        venue=VENUE, rank=d["rank"], trader=d["trader"], label=None, pnl=d.get("realizedPnlTotalUsd"), roi=None,
        volume=d.get("volumeTotalUsd"), winRate=None, trades=None, accountValue=None, reward=d.get("reward"),
        traderEvmAddress=d.get("traderEvmAddress"), realizedPnlTotalUsd=d.get("realizedPnlTotalUsd"),
        roiTotal=d.get("roiTotal"), capitalUsedUsd=d.get("capitalUsedUsd"), volumeTotalUsd=d.get("volumeTotalUsd"))
