"""Pure mapping of PerpsTracker payloads to schema objects (venue JUPITER). No I/O, no clock.

Units (docs/mapping-jupiter.md has the field-by-field table): PerpsTracker gives USD floats (or
numeric strings), percents, and Unix seconds; the schema wants micro-units of the collateral
(USDC, so micro-dollars) as integers, ratios, and RFC 3339 times. Where the upstream has no value
the field is None; the only derived figure is leverage = size / collateral, as PerpsTracker
itself defines leverage.

Positions from history: the history endpoint lists actions (Open, Increase, Decrease, Close), not
positions. Records are grouped by `positionPubkey`, and one key's records are cut into lives: a
life ends with a record that closes the position entirely (`entirePosition`, action Close, or a
liquidation), and an Open starts a new one. Jupiter derives a position account from (owner,
market, side), so one key can have several lives; the latest keeps the bare key as its
venueTradeId and earlier ones get `<key>:<first txHash>`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from gateway.errors import BadUserInput
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
from gateway.sources import markets, units
from gateway.sources.perpstracker.markets import MARKETS
from gateway.sources.perpstracker.venue import VENUE
from gateway.sources.perpstracker.wire import (
    Custody,
    FixedLeaderboardRow,
    HistoryRow,
    LeaderboardRow,
    LiveTradeRow,
    Num,
    PositionRow,
    PricesResponse,
)

MICRO = 1_000_000
JUPITER = VENUE
_MS_THRESHOLD = 100_000_000_000  # a "seconds" value above this (year 5138) is really milliseconds

# ---- scalars -------------------------------------------------------------------------------


def num(value: Num | bool | None) -> float | None:
    """A number from a JSON number or a numeric string; None for null or an empty string."""
    return units.opt_number(value)  # booleans are refused there


def micro(usd: float | None) -> int | None:
    """USD (= USDC) to integer micro-units, exactly: $2,377,788.35 → 2377788350000."""
    return None if usd is None else units.micro(usd)


def micro_float(usd: float | None) -> float | None:
    """Micro-units for the schema's float fields (PnL), without binary-fraction noise."""
    m = micro(usd)
    return None if m is None else float(m)


def unix_time(value: Num | None) -> datetime.datetime | None:
    """Unix seconds (as PerpsTracker documents these fields); a millisecond value is accepted too."""
    n = num(value)
    if n is None:
        return None
    if abs(n) >= _MS_THRESHOLD:
        n /= 1000
    return datetime.datetime.fromtimestamp(n, tz=datetime.UTC)


iso_time = units.utc


def time_of(when: datetime.datetime | None) -> Time | None:
    return None if when is None else Time(format_time(when))


def block_of(when: datetime.datetime | None) -> Block | None:
    """Solana slots are not in these payloads: only the time is known."""
    return None if when is None else Block(block=None, block_ts=Time(format_time(when)))


def is_long_side(side: str | None, is_long: int | bool | None = None) -> bool:
    """long/LONG/Long, or live-trades' "1" (long) / "2" (short) and `is_long` 1/0."""
    if is_long is not None:
        return bool(is_long)
    text = (side or "").strip().lower()
    if text in ("long", "1", "buy"):
        return True
    if text in ("short", "2", "sell"):
        return False
    raise ValueError(f"unknown side {side!r}")


def market_symbol(market: str | None, position_name: str | None = None) -> str:
    """The base symbol (SOL, not WSOL, not SOL-PERP)."""
    text = market or (position_name or "").split("-")[0]
    if not text:
        raise ValueError("record names no market")
    return markets.base_symbol(text)


def round_leverage(size: float | None, collateral: float | None) -> float | None:
    """size / collateral, to PerpsTracker's own two decimals; None unless both are known."""
    if size is None or not collateral:
        return None
    return round(size / collateral, 2)


# ---- history records -----------------------------------------------------------------------

def _action(row: HistoryRow) -> str:
    return str(row.get("action") or row.get("tradeType") or "").strip().lower()


def is_liquidation(row: HistoryRow) -> bool:
    fee = num(row.get("liquidationFee"))
    return (fee is not None and fee > 0) or "liquidat" in _action(row)


def closes_entirely(row: HistoryRow) -> bool:
    return bool(row.get("entirePosition")) or _action(row) == "close" or is_liquidation(row)


def _order_kind(row: HistoryRow) -> str | None:
    """`tp` or `sl` when the record's orderType names a take-profit or a stop-loss."""
    text = str(row.get("orderType") or "").lower().replace("-", "").replace("_", "").replace(" ", "")
    if "takeprofit" in text or text == "tp":
        return "tp"
    if "stoploss" in text or text == "sl":
        return "sl"
    return None


def change_type(row: HistoryRow) -> PerpTradeChangeType | None:
    """The schema's change type of one history record; None for actions it has no type for."""
    action = _action(row)
    if is_liquidation(row):
        return PerpTradeChangeType.position_liquidated
    if action == "open":
        return PerpTradeChangeType.position_opened
    if action == "increase":
        return PerpTradeChangeType.position_increased
    if action in ("decrease", "close"):
        if not closes_entirely(row):
            return PerpTradeChangeType.position_reduced
        kind = _order_kind(row)
        if kind == "tp":
            return PerpTradeChangeType.position_closed_tp
        if kind == "sl":
            return PerpTradeChangeType.position_closed_sl
        return PerpTradeChangeType.position_closed_user
    return None


def chronological(rows: Sequence[HistoryRow]) -> list[HistoryRow]:
    """Oldest first. The upstream lists newest first; ties keep the upstream's relative order."""
    items = list(rows)
    if len(items) > 1 and int(num(items[0]["createdTime"]) or 0) > int(num(items[-1]["createdTime"]) or 0):
        items.reverse()
    return sorted(items, key=lambda r: num(r["createdTime"]) or 0.0)


@dataclass(frozen=True)
class Life:
    """One position's life as the history shows it: its records, oldest first."""

    venue_trade_id: str
    key: str
    records: tuple[HistoryRow, ...]

    @property
    def opening(self) -> HistoryRow | None:
        first = self.records[0]
        return first if _action(first) == "open" else None

    @property
    def closing(self) -> HistoryRow | None:
        last = self.records[-1]
        return last if closes_entirely(last) else None


def split_lives(rows: Iterable[HistoryRow], open_keys: frozenset[str] = frozenset()) -> list[Life]:
    """Group chronological records by position key and cut each key's records into lives.

    The bare key names the key's latest life, unless that life is closed while the positions
    endpoint lists the key as open (a new life whose records are not in the history yet): then
    the open position is the one that keeps the bare key.
    """
    by_key: dict[str, list[list[HistoryRow]]] = {}
    for row in rows:
        lives = by_key.setdefault(row["positionPubkey"], [])
        current = lives[-1] if lives else None
        if current is None or closes_entirely(current[-1]) or (_action(row) == "open" and current):
            lives.append([row])
        else:
            current.append(row)
    out: list[Life] = []
    for key, lives in by_key.items():
        for i, records in enumerate(lives):
            latest = i == len(lives) - 1 and not (key in open_keys and closes_entirely(records[-1]))
            vid = key if latest else f"{key}:{records[0]['txHash']}"
            out.append(Life(venue_trade_id=vid, key=key, records=tuple(records)))
    return out


def _running(records: Sequence[HistoryRow], field: str) -> float | None:
    """Size or collateral after the records, when the life's opening record is among them."""
    if not records or _action(records[0]) != "open":
        return None
    total = 0.0
    for r in records:
        value = num(r.get(field)) or 0.0  # type: ignore[arg-type]
        total += -value if _action(r) in ("decrease", "close") else value
    return round(max(total, 0.0), 2)


def _trade_type(opening: HistoryRow | None) -> PerpTradeType:
    order = str(opening.get("orderType") or "").lower() if opening else ""
    return PerpTradeType.limit if "limit" in order else PerpTradeType.trade


def _last_leverage(records: Iterable[HistoryRow]) -> float | None:
    found: float | None = None
    for r in records:
        lev = num(r.get("leverage"))
        if lev is not None:
            found = lev
    return found


# ---- trades --------------------------------------------------------------------------------


def map_state(collateral: float, row: PositionRow) -> PerpTradeState | None:
    """Live PnL of an open position from PerpsTracker's `unrealized_pnl` (USD)."""
    pnl = num(row.get("unrealized_pnl"))
    if pnl is None or not collateral:
        return None
    return PerpTradeState(
        pnlCollateral=float(round(pnl * MICRO)), pnlPct=pnl / collateral,
        pnlCollateralAfterFees=None, positionValue=float(round((collateral + pnl) * MICRO)),
        liquidationPrice=num(row.get("liquidation_price")), borrowingFeeCollateral=None,
        borrowingFeePct=None, closingFeeCollateral=None, closingFeePct=None,
        remainingCollateralAfterFees=None,
    )


def map_open_position(trader: str, row: PositionRow, records: Sequence[HistoryRow] = ()) -> PerpTrade:
    """An open position (positions endpoint), with its current life's history records if known."""
    symbol = market_symbol(row["market"])
    size, collateral = num(row["size_usd"]), num(row["collateral_usd"])
    opening = records[0] if records and _action(records[0]) == "open" else None
    opened = unix_time(row.get("open_time")) or (unix_time(opening["createdTime"]) if opening else None)
    leverage = num(row.get("leverage"))
    return PerpTrade(
        id=stable_id(row["position_key"]), trader=trader, isOpen=True, isLong=is_long_side(row["side"]),
        tradeType=_trade_type(opening),
        leverage=leverage if leverage is not None else round_leverage(size, collateral),
        collateralAmount=micro(collateral),
        openCollateralAmount=micro(num(opening.get("collateralDelta"))) if opening else None,
        openPrice=num(row.get("entry_price")), closePrice=None,
        sl=num(row.get("stop_loss")), tp=num(row.get("take_profit")),
        perpBorrowing=MARKETS.short_info(symbol), openBlock=block_of(opened), closeBlock=None,
        state=map_state(collateral or 0.0, row), venue=JUPITER,
        venueTradeId=row["position_key"], market=symbol, sizeUsd=size, collateralUsd=collateral,
        openTime=time_of(opened), closeTime=None,
    )


def map_closed_life(trader: str, life: Life) -> PerpTrade:
    """A position no longer open, from its history records alone."""
    first, opening, closing = life.records[0], life.opening, life.closing
    symbol = market_symbol(first.get("market"), first.get("positionName"))
    if closing is not None:
        size, collateral = num(closing.get("size")), num(closing.get("collateralDelta"))
    else:  # the close is not in the history yet: what the records add up to
        size, collateral = _running(life.records, "size"), _running(life.records, "collateralDelta")
    opened = unix_time(opening["createdTime"]) if opening else None
    closed = unix_time(closing["createdTime"]) if closing else None
    leverage = round_leverage(size, collateral)
    return PerpTrade(
        id=stable_id(life.venue_trade_id), trader=trader, isOpen=False, isLong=is_long_side(first["side"]),
        tradeType=_trade_type(opening),
        leverage=leverage if leverage is not None else _last_leverage(life.records),
        collateralAmount=micro(collateral),
        openCollateralAmount=micro(num(opening.get("collateralDelta"))) if opening else None,
        openPrice=num(opening.get("price")) if opening else None,
        closePrice=num(closing.get("price")) if closing else None, sl=None, tp=None,
        perpBorrowing=MARKETS.short_info(symbol), openBlock=block_of(opened),
        closeBlock=block_of(closed), state=None, venue=JUPITER, venueTradeId=life.venue_trade_id,
        market=symbol, sizeUsd=size, collateralUsd=collateral, openTime=time_of(opened),
        closeTime=time_of(closed),
    )


@dataclass(frozen=True)
class TraderBook:
    """A trader's positions and history records, each record with the position it belongs to."""

    trades: list[PerpTrade]  # oldest opening first (the `sequence` order)
    records: list[tuple[HistoryRow, PerpTrade]]  # oldest first


def _opened_at(trade: PerpTrade, fallback: float) -> float:
    return iso_time(trade.openTime).timestamp() if trade.openTime else fallback


def build_book(trader: str, positions: Sequence[PositionRow], history: Sequence[HistoryRow]) -> TraderBook:
    """Open positions and history records → one PerpTrade per position life."""
    rows = chronological(history)
    open_rows = {p["position_key"]: p for p in positions}
    keyed: list[tuple[float, str, PerpTrade]] = []
    records: list[tuple[HistoryRow, PerpTrade]] = []
    merged: set[str] = set()
    for life in split_lives(rows, frozenset(open_rows)):
        position = open_rows.get(life.key)
        if position is not None and life.venue_trade_id == life.key and life.closing is None:
            trade = map_open_position(trader, position, life.records)
            merged.add(life.key)
        else:
            trade = map_closed_life(trader, life)
        first_seen = num(life.records[0]["createdTime"]) or 0.0
        keyed.append((_opened_at(trade, first_seen), trade.venueTradeId, trade))
        records.extend((r, trade) for r in life.records)
    for key, position in open_rows.items():
        if key not in merged:  # open, but none of its records are in the fetched history
            trade = map_open_position(trader, position)
            keyed.append((_opened_at(trade, 0.0), key, trade))
    keyed.sort(key=lambda k: (k[0], k[1]))
    records.sort(key=lambda rt: num(rt[0]["createdTime"]) or 0.0)
    return TraderBook(trades=[t for _, _, t in keyed], records=records)


# ---- trade history -------------------------------------------------------------------------


def map_history_item(row: HistoryRow, trade: PerpTrade, change: PerpTradeChangeType) -> PerpTradeHistoryItem:
    when = unix_time(row["createdTime"])
    assert when is not None
    pct = num(row.get("pnlPercent"))
    return PerpTradeHistoryItem(
        id=stable_id(row["txHash"] + row["positionPubkey"]), tradeChangeType=change,
        block=Block(block=None, block_ts=Time(format_time(when))), trade=trade,
        realizedPnlCollateral=micro_float(num(row.get("pnl"))),
        realizedPnlPct=pct / 100 if pct is not None else None, txHash=row["txHash"], evmTxHash=None,
        venue=JUPITER, trader=trade.trader, market=trade.market, price=num(row.get("price")),
        sizeDeltaUsd=num(row.get("size")), collateralPrice=markets.COLLATERAL_PRICE,
        **markets.fees_usd(change, trading_fee(row)),
    )


def trading_fee(row: HistoryRow) -> float | None:
    """The record's trading fee in USD: `fee` (base + borrow + liquidation, PerpsTracker says) less
    the borrow fee it settles, which Sai Keeper reports apart (borrowingFee*), not as an opening or
    closing fee. Null where the record gives no `fee`."""
    fee = num(row.get("fee"))
    if fee is None:
        return None
    return fee - (num(row.get("borrowFee")) or 0.0)



_LIVE_TYPES = {
    "OPEN": PerpTradeChangeType.position_opened,
    "INCREASE": PerpTradeChangeType.position_increased,
    "REDUCE": PerpTradeChangeType.position_reduced,
    "CLOSE": PerpTradeChangeType.position_closed_user,
    "SET_TP": PerpTradeChangeType.tp_updated,
    "SET_SL": PerpTradeChangeType.sl_updated,
}
_LIVE_CLOSING = ("REDUCE", "CLOSE")


def live_change_type(row: LiveTradeRow) -> PerpTradeChangeType | None:
    kind = str(row.get("trade_classification") or "").upper()
    if kind in _LIVE_CLOSING and "liquidat" in str(row.get("instruction_type") or "").lower():
        return PerpTradeChangeType.position_liquidated
    return _LIVE_TYPES.get(kind)


def map_live_trade(row: LiveTradeRow, change: PerpTradeChangeType) -> PerpTradeHistoryItem:
    """A live-trades record; its `trade` holds only what this one record says about the position."""
    symbol = market_symbol(row["token"])
    when = iso_time(row["timestamp"])
    kind = str(row["trade_classification"]).upper()
    opens, ends = kind == "OPEN", bool(row.get("entire_position")) or kind == "CLOSE"
    size, price = num(row.get("size")), num(row.get("entry_exit_price"))
    collateral = num(row.get("collateral_usd")) if opens else None
    trade = PerpTrade(
        id=stable_id(row["position_pubkey"]), trader=row["wallet_address"], isOpen=not ends,
        isLong=is_long_side(row.get("side"), row.get("is_long")), tradeType=PerpTradeType.trade,
        leverage=num(row.get("leverage")) if opens else None, collateralAmount=micro(collateral),
        openCollateralAmount=micro(collateral), openPrice=price if opens else None,
        closePrice=price if ends else None, sl=None, tp=None,
        perpBorrowing=MARKETS.short_info(symbol), openBlock=block_of(when) if opens else None,
        closeBlock=block_of(when) if ends else None, state=None, venue=JUPITER,
        venueTradeId=row["position_pubkey"], market=symbol, sizeUsd=size if opens or ends else None,
        collateralUsd=collateral, openTime=time_of(when) if opens else None,
        closeTime=time_of(when) if ends else None,
    )
    pnl = num(row.get("pnl_delta")) if kind in _LIVE_CLOSING else None  # already micro-USDC
    return PerpTradeHistoryItem(
        id=stable_id(row["signature"] + row["position_pubkey"]), tradeChangeType=change,
        block=Block(block=None, block_ts=Time(format_time(when))), trade=trade,
        realizedPnlCollateral=float(round(pnl)) if pnl is not None else None, realizedPnlPct=None,
        txHash=row["signature"], evmTxHash=None, venue=JUPITER, trader=row["wallet_address"],
        market=symbol, price=price, sizeDeltaUsd=size, collateralPrice=markets.COLLATERAL_PRICE,
        **markets.fees_usd(change, _usd_of_micro(num(row.get("collected_fee")))),
    )


def _usd_of_micro(value: float | None) -> float | None:
    return value / MICRO if value is not None else None


# ---- markets -------------------------------------------------------------------------------


def price_of(prices: PricesResponse, symbol: str) -> float | None:
    value = prices.get(symbol)
    return num(value) if isinstance(value, int | float | str) else None


def find_custody(custodies: Iterable[Custody], symbol: str) -> Custody | None:
    for c in custodies:
        if markets.base_symbol(str(c.get("symbol") or "")) == symbol:
            return c
    return None


def map_borrowing(symbol: str, price: float, custody: Custody | None) -> PerpBorrowing:
    """A JUPITER market: price from /prices; OI and max leverage from the Trading API's custody."""
    info = MARKETS.short_info(symbol)
    c: Custody = custody if custody is not None else {"symbol": symbol}
    oi_long, oi_short = micro(num(c.get("guaranteedUsd"))), micro(num(c.get("globalShortSizes")))
    return PerpBorrowing(
        marketId=info.marketId, baseToken=info.baseToken, quoteToken=info.quoteToken, isOpen=info.isOpen,
        collateralToken=info.collateralToken, price=price, oiLong=oi_long, oiShort=oi_short, oiMax=None,
        feesPerHourLong=None, feesPerHourShort=None, openFeePct=None, closeFeePct=None,
        triggerOrderFeePct=None, maxLeverage=num(c.get("maxLeverage")), minLeverage=None,
        minPositionSizeUSD=None, visible=True, venue=JUPITER,
        oiTotal=oi_long + oi_short if oi_long is not None and oi_short is not None else None,
        fundingRatePerHour=None,
    )


# ---- leaderboards --------------------------------------------------------------------------

ROLLING = {1: "24h", 7: "7d", 30: "30d", 365: "365d"}


def rolling_timeframe(days: int) -> str:
    if days not in ROLLING:
        raise BadUserInput("JUPITER leaderboards cover 1, 7, 30 or 365 days (timeframe DAY, WEEK, MONTH, YEAR)")
    return ROLLING[days]


def fixed_period(start: datetime.date, end: datetime.date) -> tuple[str, dict[str, str]]:
    """The fixed leaderboard for a date range that is exactly one day, ISO week or calendar month."""
    if start == end:
        return "daily", {"date": start.isoformat()}
    if start.isoweekday() == 1 and end - start == datetime.timedelta(days=6):
        year, week, _ = start.isocalendar()
        return "weekly", {"week": f"{year}-W{week:02d}"}
    next_month = (end + datetime.timedelta(days=1))
    if start.day == 1 and next_month.day == 1 and (start.year, start.month) == (end.year, end.month):
        return "monthly", {"month": f"{start.year}-{start.month:02d}"}
    raise BadUserInput(
        "JUPITER leaderboards for a date range cover exactly one day (from = to), one ISO week "
        "(Monday to Sunday) or one calendar month (the 1st to its last day); otherwise use timeframe")


def map_leaderboard_row(row: LeaderboardRow) -> PerpLeaderboardEntry:
    trades = row.get("total_trades")
    return PerpLeaderboardEntry(
        venue=JUPITER, rank=int(row["rank"]), trader=row["wallet_address"], label=None,
        pnl=num(row.get("total_pnl")), roi=num(row.get("roi")), volume=num(row.get("total_volume")),
        winRate=num(row.get("win_rate")), trades=int(trades) if trades is not None else None,
        accountValue=None, score=num(row.get("score")), avgLeverage=num(row.get("avg_leverage")),
        liquidations=_opt_int(row.get("total_liquidations")), openPositions=_opt_int(row.get("open_position_count")),
        unrealizedPnl=num(row.get("open_unrealized_pnl")),
    )


def map_fixed_row(row: FixedLeaderboardRow) -> PerpLeaderboardEntry:
    return PerpLeaderboardEntry(
        venue=JUPITER, rank=int(row["rank"]), trader=row["owner"], label=None, pnl=num(row.get("pnl")),
        roi=None, volume=num(row.get("volume")), winRate=num(row.get("win_rate")), trades=None,
        accountValue=None, score=num(row.get("score")), avgLeverage=num(row.get("avg_leverage")),
    )


def _opt_int(value: Num | None) -> int | None:
    n = num(value)
    return None if n is None else int(n)
