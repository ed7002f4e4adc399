"""Pure renderers: market events and positions to PerpsTracker's wire dicts, one per endpoint family.

The same fact is spelled differently per endpoint, as upstream does: `side` is "1"/"2" in
live-trades, long/short in most places, LONG/SHORT in history, alerts and webhooks, Long/Short in
the trading API; the token is WSOL in live-trades and SOL elsewhere; times are ISO (with or without
milliseconds), Unix seconds or Unix milliseconds. See docs/sandbox-perpstracker.md.

Liquidations: the documented enumerations (trade classification, alert action, history action)
have no liquidation value, so a liquidation is rendered as a full close (CLOSE / Close) and made
recognisable where the format has room: instruction_type `liquidateFullPosition4`, a non-zero
`liquidationFee`, and the webhook event `trade.liquidation`.
"""

from __future__ import annotations

from sandbox.market import Position, TradeEvent
from sandbox.perpstracker.stats import TOKENS
from sandbox.perpstracker.wire import iso_ms, iso_s, iso_s000, micro_usdc, money, short_wallet, unix_s

CLOSING = ("reduce", "close", "liquidation")
CLASSIFICATION = {
    "open": "OPEN", "increase": "INCREASE", "reduce": "REDUCE", "close": "CLOSE",
    "liquidation": "CLOSE", "set_tp": "SET_TP", "set_sl": "SET_SL",
}
ACTION_WORD = {"open": "Open", "increase": "Increase", "reduce": "Decrease", "close": "Close", "liquidation": "Close"}
WEBHOOK_EVENT = {"open": "trade.new", "increase": "trade.new", "reduce": "trade.close", "close": "trade.close",
                 "liquidation": "trade.liquidation"}
WEBHOOK_VERB = {"open": "Open", "increase": "Increase", "reduce": "Decrease", "close": "Close",
                "liquidation": "Liquidate"}


def side(is_long: bool) -> str:
    return "long" if is_long else "short"


def instruction(ev: TradeEvent) -> str:
    """The Jupiter Perpetuals instruction that would have produced the event."""
    if ev.action in ("set_tp", "set_sl"):
        return "instantCreateTpsl"
    if ev.action == "liquidation":
        return "liquidateFullPosition4"
    if ev.action in ("open", "increase"):
        return "instantIncreasePosition" if ev.order_type == "Market" else "increasePosition4"
    return "instantDecreasePosition" if ev.reason in ("user", "") else "decreasePosition4"


def _round_price(p: float) -> float:
    return round(p, 2) if p >= 1000 else round(p, 4)


def live_trade(ev: TradeEvent) -> dict[str, object]:
    """/live-trades row: token WSOL, side "1"/"2", micro-USDC strings, no leverage on closing trades."""
    closing = ev.action in CLOSING
    buying = ev.is_long != closing  # a long opens by buying; a short closes by buying back
    slippage = ev.price if ev.action in ("set_tp", "set_sl") else ev.price * (1.02 if buying else 0.98)
    amount_out: dict[str, object] | None = None
    if closing:
        usd_out = max(0.0, ev.collateral_delta_usd + ev.realized_pnl_usd - ev.fee_usd)
        amount_out = (
            {"amount": round(usd_out / ev.price, 4), "token": TOKENS[ev.symbol]} if ev.is_long
            else {"amount": money(usd_out), "token": "USDC"}
        )
    return {
        "wallet_address": ev.trader,
        "signature": ev.tx,
        "timestamp": iso_ms(ev.ts_ms),
        "instruction_type": instruction(ev),
        "trade_classification": CLASSIFICATION[ev.action],
        "position_pubkey": ev.position_key,
        "token": TOKENS[ev.symbol],
        "side": "1" if ev.is_long else "2",
        "is_long": 1 if ev.is_long else 0,
        "size": ev.size_delta_usd,
        "collateral_usd": 0 if closing else ev.collateral_delta_usd,
        "leverage": None if closing else ev.leverage,
        "price_slippage": _round_price(slippage),
        "collected_fee": micro_usdc(ev.fee_usd),
        "pnl_delta": micro_usdc(ev.realized_pnl_usd),
        "entry_exit_price": ev.price,
        "amount_out": amount_out,
        "entire_position": ev.action in ("close", "liquidation"),
    }


def alert_trade(ev: TradeEvent) -> dict[str, object]:
    """/watchlist/alerts/trades row: like live-trades but side long/short and whole-second ISO time."""
    return {
        "wallet_address": ev.trader,
        "signature": ev.tx,
        "timestamp": iso_s(ev.ts_ms),
        "instruction_type": instruction(ev),
        "trade_classification": CLASSIFICATION[ev.action],
        "token": TOKENS[ev.symbol],
        "side": side(ev.is_long),
        "size": ev.size_delta_usd,
        "collateral_usd": ev.collateral_delta_usd,
        "leverage": ev.leverage,
        "entry_exit_price": ev.price,
    }


def ws_trade(ev: TradeEvent) -> dict[str, object]:
    """The WebSocket `trade` alert: token SOL, LONG/SHORT, four actions, timestamp in ms."""
    return {
        "type": "trade",
        "wallet": ev.trader,
        "wallet_short": short_wallet(ev.trader),
        "token": ev.symbol,
        "side": "LONG" if ev.is_long else "SHORT",
        "action": "CLOSE" if ev.action == "liquidation" else ev.action.upper(),
        "size_usd": ev.size_delta_usd,
        "collateral_usd": ev.collateral_delta_usd,
        "leverage": ev.leverage,
        "price": ev.price,
        "pnl_usd": ev.realized_pnl_usd if ev.action in CLOSING else None,
        "tx_signature": ev.tx,
        "timestamp": ev.ts_ms,
    }


def webhook_payload(ev: TradeEvent) -> dict[str, object]:
    """The webhook body for a trade; `created_at` and `data.timestamp` are the event's time."""
    direction = "Long" if ev.is_long else "Short"
    return {
        "event": WEBHOOK_EVENT[ev.action],
        "created_at": iso_ms(ev.ts_ms),
        "data": {
            "wallet": ev.trader,
            "token": ev.symbol,
            "side": "LONG" if ev.is_long else "SHORT",
            "action": f"{WEBHOOK_VERB[ev.action]} {direction}",
            "size_usd": ev.size_delta_usd,
            "collateral_usd": ev.collateral_delta_usd,
            "leverage": ev.leverage,
            "entry_price": ev.price,
            "pnl_usd": ev.realized_pnl_usd if ev.action in CLOSING else None,
            "transaction_signature": ev.tx,
            "timestamp": iso_ms(ev.ts_ms),
        },
    }


def trader_trade(ev: TradeEvent) -> dict[str, object]:
    """/trader/{wallet}/trades row."""
    return {
        "signature": ev.tx,
        "timestamp": iso_s(ev.ts_ms),
        "action_type": instruction(ev),
        "token": ev.symbol,
        "side": side(ev.is_long),
        "size_usd_delta": ev.size_delta_usd,
        "leverage": ev.leverage,
        "collateral_usd_delta": ev.collateral_delta_usd,
    }


def history_trade(ev: TradeEvent) -> dict[str, object]:
    """/trader/{wallet}/history row: LONG/SHORT, createdTime in seconds, createdAt ISO."""
    closing = ev.action in CLOSING
    liq = ev.action == "liquidation"
    word = ACTION_WORD[ev.action]
    return {
        "market": ev.symbol,
        "positionName": f"{ev.symbol}-PERP",
        "positionPubkey": ev.position_key,
        "side": "LONG" if ev.is_long else "SHORT",
        "action": word,
        "tradeType": word,
        "orderType": ev.order_type,
        "size": ev.size_delta_usd,
        "price": ev.price,
        "collateralDelta": ev.collateral_delta_usd,
        "leverage": None if closing else ev.leverage,
        "entirePosition": ev.action in ("close", "liquidation"),
        "pnl": ev.realized_pnl_usd if closing else None,
        "pnlPercent": (round(100 * ev.realized_pnl_usd / ev.collateral_delta_usd, 2)
                       if closing and ev.collateral_delta_usd else None),
        "fee": ev.fee_usd,
        "baseFee": 0 if liq else ev.fee_usd,
        "borrowFee": 0,
        "liquidationFee": ev.fee_usd if liq else 0,
        "txHash": ev.tx,
        "createdTime": unix_s(ev.ts_ms),
        "createdAt": iso_s000(ev.ts_ms),
    }


def whale_trade(ev: TradeEvent) -> dict[str, object]:
    closing = ev.action in CLOSING
    return {
        "wallet_address": ev.trader,
        "tx_hash": ev.tx,
        "market": ev.symbol,
        "side": side(ev.is_long),
        "action": ACTION_WORD[ev.action],
        "order_type": ev.order_type,
        "size_usd": ev.size_delta_usd,
        "collateral_usd": ev.collateral_delta_usd,
        "price": ev.price,
        "pnl": ev.realized_pnl_usd if closing else None,
        "fee": ev.fee_usd,
        "timestamp": iso_s(ev.ts_ms),
    }


def liquidation(ev: TradeEvent) -> dict[str, object]:
    """The simulation charges one liquidation fee, so `total_fee` and `liquidation_fee` agree."""
    return {
        "wallet_address": ev.trader,
        "tx_hash": ev.tx,
        "market": ev.symbol,
        "side": side(ev.is_long),
        "size_usd": ev.size_delta_usd,
        "price": ev.price,
        "pnl": ev.realized_pnl_usd,
        "total_fee": ev.fee_usd,
        "liquidation_fee": ev.fee_usd,
        "timestamp": iso_s(ev.ts_ms),
    }


def position(pos: Position, price: float, *, wallet: bool = True) -> dict[str, object]:
    """/positions/all and /trader/{wallet}/positions row (times in Unix seconds)."""
    out: dict[str, object] = {"wallet": pos.trader} if wallet else {}
    out.update({
        "position_key": pos.key,
        "market": pos.symbol,
        "side": side(pos.is_long),
        "size_usd": pos.size_usd,
        "collateral_usd": pos.collateral_usd,
        "leverage": pos.leverage,
        "entry_price": pos.entry_price,
        "liquidation_price": pos.liquidation_price(),
        "unrealized_pnl": pos.unrealized_pnl(price),
        "open_time": unix_s(pos.open_ts),
        "last_updated": unix_s(pos.last_updated_ts),
    })
    return out


def pnl_percent(pos: Position, price: float, digits: int = 1) -> float:
    return round(100 * pos.unrealized_pnl(price) / pos.collateral_usd, digits) if pos.collateral_usd else 0.0
