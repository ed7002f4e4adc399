"""Pure mapping of Nansen's payloads to the schema's objects (no I/O, no clock).

Trades are position lives (`lives.py`) with, for the open ones, the state of
/profiler/perp-positions; history items are the fills themselves. USD is USDC here, so USD
amounts become micro-units of the collateral directly. docs/mapping-hyperliquid.md has the table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from gateway.model.ids import stable_id
from gateway.model.time import Time, format_time
from gateway.model.types import (
    Block,
    PerpBorrowing,
    PerpLeaderboardEntry,
    PerpTrade,
    PerpTradeChangeType,
    PerpTradeHistoryItem,
    PerpTradeState,
    PerpTradeType,
)
from gateway.sources import markets
from gateway.sources.nansen import wire
from gateway.sources.nansen.lives import (
    ADD,
    LIQUIDATION,
    REDUCE,
    SHRINKING,
    Fill,
    Life,
    attach,
    fill_order,
    group,
)
from gateway.sources.nansen.markets import MARKETS
from gateway.sources.nansen.venue import VENUE
from gateway.sources.units import dec, micro, number, opt_number, utc

HL = VENUE


def fill_block(f: Fill) -> Block:
    return Block(block=f.block, block_ts=Time(format_time(f.at)))


def map_state(pos: wire.Position) -> PerpTradeState:
    upnl = dec(pos["unrealized_pnl_usd"])
    return PerpTradeState(
        pnlCollateral=float(micro(upnl)), pnlPct=number(pos["return_on_equity"]),
        pnlCollateralAfterFees=None,
        positionValue=float(micro(dec(pos["margin_used_usd"]) + upnl)),
        liquidationPrice=opt_number(pos.get("liquidation_price_usd")),
        borrowingFeeCollateral=None, borrowingFeePct=None, closingFeeCollateral=None, closingFeePct=None,
        remainingCollateralAfterFees=None,
    )


def trade_type(life: Life) -> PerpTradeType:
    """`limit` when the opening order rested on the book (a maker fill, `crossed` false)."""
    if life.opening is not None and life.opening.raw.get("crossed") is False:
        return PerpTradeType.limit
    return PerpTradeType.trade


def map_trade(trader: str, life: Life, pos: wire.Position | None) -> PerpTrade:
    """A closed life (pos None) from its fills; an open one from its position, fills for the opening."""
    info = MARKETS.short_info(life.coin)
    open_block = fill_block(life.opening) if life.opening else None
    close_block = fill_block(life.closing) if life.closing else None
    if pos is None:
        peak = life.peak_notional
        leverage, collateral, collateral_usd, state = None, None, None, None
        open_price, close_price = life.open_price, life.closing.price if life.closing else None
        size_usd = round(peak, 6) if peak is not None else None
    else:
        leverage, state = float(pos["leverage_value"]), map_state(pos)
        collateral, collateral_usd = micro(pos["margin_used_usd"]), number(pos["margin_used_usd"])
        open_price, close_price = number(pos["entry_price_usd"]), None
        size_usd = number(pos["position_value_usd"])
    return PerpTrade(
        id=stable_id(life.key), trader=trader, isOpen=pos is not None, isLong=life.is_long,
        tradeType=trade_type(life), leverage=leverage, collateralAmount=collateral, openCollateralAmount=None,
        openPrice=open_price, closePrice=close_price, sl=None, tp=None, perpBorrowing=info,
        openBlock=open_block, closeBlock=close_block, state=state, venue=HL, venueTradeId=life.key,
        market=info.baseToken.symbol or "", sizeUsd=size_usd, collateralUsd=collateral_usd,
        openTime=open_block.block_ts if open_block else None,
        closeTime=close_block.block_ts if close_block else None,
    )


_CHANGES = {
    ADD: PerpTradeChangeType.position_increased,
    REDUCE: PerpTradeChangeType.position_reduced,
}


def change_type(f: Fill, life: Life) -> PerpTradeChangeType | None:
    """What a fill did to its life; None for an action Nansen may add that the gateway does not know."""
    if f is life.opening:
        return PerpTradeChangeType.position_opened
    if f is life.closing:
        if f.action == LIQUIDATION:
            return PerpTradeChangeType.position_liquidated
        return PerpTradeChangeType.position_closed_user
    return _CHANGES.get(f.action)


def map_history_item(trader: str, f: Fill, change: PerpTradeChangeType, trade: PerpTrade) -> PerpTradeHistoryItem:
    tx = f.raw["transaction_hash"]
    closing = f.action in SHRINKING
    return PerpTradeHistoryItem(
        id=stable_id(f"{tx}:{f.oid}"), tradeChangeType=change, block=fill_block(f), trade=trade,
        realizedPnlCollateral=float(micro(f.raw["closed_pnl"])) if closing else None, realizedPnlPct=None,
        txHash=tx, evmTxHash=None, venue=HL, trader=trader, market=trade.market, price=f.price,
        sizeDeltaUsd=number(f.raw["value_usd"]), collateralPrice=markets.COLLATERAL_PRICE,
        **markets.fees_usd(change, opt_number(f.raw.get("fee_usd"))),
    )


def map_book(
    trader: str, positions: Sequence[wire.Position], rows: Sequence[wire.Fill]
) -> tuple[list[PerpTrade], list[PerpTradeHistoryItem]]:
    """A trader's trades in open order and fills in time order, from both profiler answers."""
    fills = _unique(Fill.parse(r) for r in rows)
    pairs = attach(group(fills), list(positions))
    pairs.sort(key=lambda p: p[0].sort_key())
    trades: list[PerpTrade] = []
    trade_of: dict[int, tuple[Life, PerpTrade]] = {}
    for life, pos in pairs:
        trade = map_trade(trader, life, pos)
        trades.append(trade)
        for f in life.fills:
            trade_of[id(f)] = (life, trade)
    history: list[PerpTradeHistoryItem] = []
    for f in sorted(fills, key=fill_order):
        life, trade = trade_of[id(f)]
        change = change_type(f, life)
        if change is not None:
            history.append(map_history_item(trader, f, change, trade))
    return trades, history


def _unique(fills: Iterable[Fill]) -> list[Fill]:
    """Drop repeated rows (a row can show twice when new fills shift the pages between requests)."""
    seen: set[tuple[str, int, str]] = set()
    out: list[Fill] = []
    for f in fills:
        key = (f.raw["transaction_hash"], f.oid, f.coin)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


_TOKEN_TRADE_CHANGES = {
    "Open": PerpTradeChangeType.position_opened, "Add": PerpTradeChangeType.position_increased,
    "Reduce": PerpTradeChangeType.position_reduced, "Close": PerpTradeChangeType.position_closed_user,
    "Liquidation": PerpTradeChangeType.position_liquidated,
}


def map_token_trade(row: wire.TokenTrade) -> PerpTradeHistoryItem | None:
    """A /tgm/perp-trades row (any trader's fill of one coin), for the live feed.

    The row has no order id, block number, PnL or margin, so the item says only what the fill
    says: its `id` derives from the transaction and the trader, and its `trade` is the position the
    fill changed keyed by the coin alone (Hyperliquid holds one position per coin and account), with
    the fill's price and value where the fill opens or closes it. docs/mapping-hyperliquid.md lists
    how this differs from the trader's own history. None for an action the gateway does not know.
    """
    change = _TOKEN_TRADE_CHANGES.get(row["action"])
    if change is None:
        return None
    coin, trader, tx = row["token_symbol"], row["trader_address"].lower(), row["transaction_hash"]
    info = MARKETS.short_info(coin)
    block = Block(block=None, block_ts=Time(format_time(utc(row["block_timestamp"]))))
    opens = row["action"] == "Open"
    closes = row["action"] in ("Close", "Liquidation")
    price, value = number(row["price_usd"]), number(row["value_usd"])
    trade = PerpTrade(
        id=stable_id(coin), trader=trader, isOpen=not closes, isLong=row["side"] == "Long",
        tradeType=PerpTradeType.limit if opens and row.get("type") == "LIMIT" else PerpTradeType.trade,
        leverage=None, collateralAmount=None, openCollateralAmount=None, openPrice=price if opens else None,
        closePrice=price if closes else None, sl=None, tp=None, perpBorrowing=info,
        openBlock=block if opens else None, closeBlock=block if closes else None, state=None, venue=HL,
        venueTradeId=coin, market=info.baseToken.symbol or "", sizeUsd=value if opens else None, collateralUsd=None,
        openTime=block.block_ts if opens else None, closeTime=block.block_ts if closes else None,
    )
    return PerpTradeHistoryItem(
        id=stable_id(f"{tx}:{trader}:{coin}"), tradeChangeType=change, block=block, trade=trade,
        realizedPnlCollateral=None, realizedPnlPct=None, txHash=tx, evmTxHash=None, venue=HL, trader=trader,
        market=info.baseToken.symbol or "", price=price, sizeDeltaUsd=value, collateralPrice=markets.COLLATERAL_PRICE,
    )


def map_borrowing(row: wire.ScreenerRow) -> PerpBorrowing:
    """A screener row over the last 24 hours: `previous_price_usd` is the price at the window's
    start, so the price 24 hours ago; the change is derived from it in percent points (Sai's unit)."""
    info = MARKETS.short_info(row["token_symbol"])
    oi = row.get("open_interest")
    funding = row.get("funding")
    price = number(row["mark_price"])
    before = opt_number(row.get("previous_price_usd"))
    change = (price - before) / before * 100 if before else None
    return PerpBorrowing(
        isOpen=info.isOpen, price24HrsAgo=before, priceChangePct24Hrs=change,
        marketId=info.marketId, baseToken=info.baseToken, quoteToken=info.quoteToken,
        collateralToken=info.collateralToken, price=price, oiLong=None, oiShort=None,
        oiMax=None, feesPerHourLong=None, feesPerHourShort=None, openFeePct=None, closeFeePct=None,
        triggerOrderFeePct=None, maxLeverage=None, minLeverage=None, minPositionSizeUSD=None, visible=True,
        venue=HL, oiTotal=micro(oi) if oi is not None else None,
        fundingRatePerHour=number(funding) if funding is not None else None,
    )


def _label(row: wire.LeaderboardRow | wire.TokenLeaderboardRow) -> str | None:
    return row.get("trader_address_label") or None


def map_leaderboard(rows: Sequence[wire.LeaderboardRow], offset: int) -> list[PerpLeaderboardEntry]:
    return [
        PerpLeaderboardEntry(
            venue=HL, rank=offset + i + 1, trader=r["trader_address"], label=_label(r),
            pnl=opt_number(r.get("total_pnl")), roi=opt_number(r.get("roi")), volume=None, winRate=None,
            trades=None, accountValue=opt_number(r.get("account_value")),
        )
        for i, r in enumerate(rows)
    ]


def map_token_leaderboard(rows: Sequence[wire.TokenLeaderboardRow], offset: int) -> list[PerpLeaderboardEntry]:
    return [
        PerpLeaderboardEntry(
            venue=HL, rank=offset + i + 1, trader=r["trader_address"], label=_label(r),
            pnl=opt_number(r.get("pnl_usd_total")), roi=opt_number(r.get("roi_percent_total")), volume=None,
            winRate=None, trades=int(r["nof_trades"]) if r.get("nof_trades") is not None else None,
            accountValue=None, unrealizedPnl=opt_number(r.get("pnl_usd_unrealised")),
        )
        for i, r in enumerate(rows)
    ]
