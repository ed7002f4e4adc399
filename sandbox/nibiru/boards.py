"""Sai Keeper's per-trader figures: leaderboards, portfolio, fee tiers, referral, points.

Sums over the NIBIRU history rows of the market simulation (volume: the USD size of opening
events; realized PnL: the closing events'), so they agree with `perp.tradeHistory`. Referral:
the first trader (address order) referred every other one, code `SAI` + the end of its address.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sandbox.nibiru import render
from sandbox.nibiru.namespaces import RANGE_DAYS, _env
from sandbox.nibiru.resolvers import Info, SaiEnv, page

Wire = dict[str, Any]
TIERS = [6e6, 2e7, 5e7, 1e8, 2.5e8, 4e8, 1e9, 2e9]
MULTIPLIERS = [0.975, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.6]
EVM = "0x{:040x}"


def totals(env: SaiEnv) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = defaultdict(lambda: {"volume": 0.0, "pnl": 0.0, "collateral": 0.0,
                                                            "trades": 0.0, "positive": 0.0})
    for row in env.index.rows:
        t, ev = out[row.event.trader], row.event
        if row.change_type in render.OPENING:
            t["volume"] += abs(ev.size_delta_usd)
            t["collateral"] += abs(ev.collateral_delta_usd)
            t["trades"] += 1
        if row.change_type in render.REALIZING:
            t["pnl"] += ev.realized_pnl_usd
            t["positive"] += max(0.0, ev.realized_pnl_usd)
    return out


def _evm(trader: str) -> str:
    return EVM.format(int.from_bytes(trader.encode()[-20:], "big"))


def _ranked(env: SaiEnv, key: str) -> list[tuple[int, str, dict[str, float]]]:
    rows = sorted(totals(env).items(), key=lambda kv: (-kv[1][key], kv[0]))
    return [(i + 1, trader, t) for i, (trader, t) in enumerate(rows)]


def _reward(rank: int) -> float:
    return float(max(0, 1000 - 100 * (rank - 1)))


def resolve_leaderboard(_root: Any, info: Info, **args: Any) -> list[Wire]:
    return page([{"rank": r, "reward": _reward(r), "trader": tr, "traderEvmAddress": _evm(tr),
                  "realizedPnlTotalUsd": round(t["pnl"], 6),
                  "roiTotal": round(t["pnl"] / t["collateral"], 8) if t["collateral"] else 0.0,
                  "capitalUsedUsd": round(t["collateral"], 6), "volumeTotalUsd": round(t["volume"], 6)}
                 for r, tr, t in _ranked(_env(info), "pnl")], args)


def resolve_volume_leaderboard(_root: Any, info: Info) -> list[Wire]:
    env = _env(info)
    market = env.state.market
    return [{"rank": r, "reward": _reward(r), "trader": tr, "traderEvmAddress": _evm(tr),
             "volumeTotalUsd": round(t["volume"], 6), "thresholdBlock": 1,
             "thresholdBlockTs": render.rfc3339nano(market._genesis_ms)}
            for r, tr, t in _ranked(env, "volume")][:100]


def resolve_marathon(_root: Any, info: Info) -> list[Wire]:
    return [{"rank": r, "reward": _reward(r), "trader": tr, "traderEvmAddress": _evm(tr),
             "volumeTotalUsd": round(t["volume"], 6)} for r, tr, t in _ranked(_env(info), "volume")][:100]


def resolve_cookout(_root: Any, info: Info, **args: Any) -> list[Wire]:
    return page([{"rank": r, "reward": _reward(r), "trader": tr, "traderEvmAddress": _evm(tr),
                  "positivePnlUsd": round(t["positive"], 6), "netPnlUsd": round(t["pnl"], 6),
                  "volumeUsd": round(t["volume"], 6), "totalCollateralUsd": round(t["collateral"], 6),
                  "totalTradesCount": int(t["trades"]), "daysOfActivity": 1}
                 for r, tr, t in _ranked(_env(info), "positive")], args)


def resolve_portfolio(_root: Any, info: Info, trader: str, range: str) -> list[Wire]:  # noqa: A002
    env = _env(info)
    now = env.state.market.now_ms
    days = RANGE_DAYS.get(range)
    start = now - days * render.DAY_MS if days else 0
    buckets: dict[int, dict[str, float]] = defaultdict(lambda: {"pnl": 0.0, "volume": 0.0, "trades": 0.0})
    for row in env.index.rows_by_trader.get(trader, ()):
        if row.event.ts_ms < start:
            continue
        b = buckets[row.event.ts_ms // render.DAY_MS]
        if row.change_type in render.OPENING:
            b["volume"] += abs(row.event.size_delta_usd)
            b["trades"] += 1
        if row.change_type in render.REALIZING:
            b["pnl"] += row.event.realized_pnl_usd
    out, pnl, volume, trades = [], 0.0, 0.0, 0
    for day in sorted(buckets):
        b = buckets[day]
        pnl, volume, trades = pnl + b["pnl"], volume + b["volume"], trades + int(b["trades"])
        out.append({"trader": trader, "timestamp": render.rfc3339nano(day * render.DAY_MS),
                    "realizedPnlUSD": round(b["pnl"], 6), "realizedPnlUSDCumulative": round(pnl, 6),
                    "pendingPnlUSDCumulative": 0.0, "volumeUSD": round(b["volume"], 6),
                    "volumeUSDCumulative": round(volume, 6), "tradesCount": int(b["trades"]),
                    "tradesCountCumulative": trades})
    return out


def resolve_fee_tier(_root: Any, info: Info, trader: str) -> Wire | None:
    env = _env(info)
    t = totals(env).get(trader)
    if t is None:
        return None
    points = t["volume"]
    level = sum(1 for x in TIERS if points >= x)
    nxt = TIERS[level] if level < len(TIERS) else None
    prev = TIERS[level - 1] if level else 0.0
    return {"trader": trader, "currentDay": env.state.market.now_ms // render.DAY_MS, "trailingPoints": points,
            "currentTierLevel": level, "currentTierFeeMultiplier": MULTIPLIERS[level - 1] if level else 1.0,
            "currentTierPointsThreshold": prev, "nextTierLevel": level + 1 if nxt else None,
            "nextTierPointsThreshold": nxt, "pointsToNextTier": (nxt - points) if nxt else None,
            "progressWithinTierPct": ((points - prev) / (nxt - prev)) if nxt else None,
            "tradesCountWindow": int(t["trades"]),
            "avgPointsPerTrade": points / t["trades"] if t["trades"] else None,
            "estTradesToNextTier": int((nxt - points) / (points / t["trades"])) + 1 if nxt and points else None,
            "tierDropAt": None, "dropToTierLevel": None, "pointsAtRisk": None}


PERP = {"leaderboard": resolve_leaderboard, "volumeLeaderboard": resolve_volume_leaderboard,
        "volumeMarathonLeaderboard": resolve_marathon, "cookoutLeaderboard": resolve_cookout,
        "statsUserPortfolio": resolve_portfolio, "traderFeeTierProgress": resolve_fee_tier}


# ---- referral, points, versions ---------------------------------------------------------------

def _referral(env: SaiEnv) -> tuple[str, list[str]]:
    traders = sorted(env.index.trades_by_trader)
    return (traders[0], traders[1:]) if traders else ("", [])


def _code(referrer: str) -> str:
    return "SAI" + referrer[-6:].upper()


def resolve_codes(_root: Any, info: Info, referrer: str) -> list[Wire]:
    env = _env(info)
    who, referred = _referral(env)
    if referrer != who:
        return []
    t = totals(env)
    volume = sum(t[x]["volume"] for x in referred)
    return [{"code": _code(who), "active": True, "uniqueTraders": len(referred),
             "earningsUSD": round(volume * 0.0001, 6), "volumeUSD": round(volume, 6)}]


def resolve_referral_trades(_root: Any, info: Info, referrer: str, limit: int | None = None) -> list[Wire]:
    env = _env(info)
    who, referred = _referral(env)
    if referrer != who:
        return []
    rows = [r for r in env.index.rows if r.event.trader in referred and r.change_type in render.OPENING]
    return [{"code": _code(who), "trader": r.event.trader, "tradeId": r.event.position_index,
             "volumeUSD": abs(r.event.size_delta_usd), "earningsUSD": abs(r.event.size_delta_usd) * 0.0001,
             "block": render.block(r.event.block, r.event.ts_ms), "txHash": r.event.tx or None,
             "evmTxHash": r.event.evm_tx or None} for r in rows][: limit or 100]


def resolve_redemption_trader(_root: Any, info: Info, trader: str) -> list[Wire]:
    env = _env(info)
    who, referred = _referral(env)
    if trader not in referred:
        return []
    return [{"referrer": who, "trader": trader, "code": _code(who), "active": True,
             "block": render.block(1, env.state.market._genesis_ms), "txHash": None}]


def resolve_redemption(_root: Any, info: Info, referrer: str) -> list[Wire]:
    env = _env(info)
    who, referred = _referral(env)
    if referrer != who:
        return []
    return [{"referrer": who, "trader": t, "code": _code(who), "active": True,
             "block": render.block(1, env.state.market._genesis_ms), "txHash": None} for t in referred]


REFERRAL = {"referralCodes": resolve_codes, "referralTrades": resolve_referral_trades,
            "referralClaims": lambda _r, _i, referrer, limit=None: [],
            "referralStats": lambda _r, _i, referrer, range: [],
            "referralRedemptionTrader": resolve_redemption_trader, "referralRedemption": resolve_redemption}
SAI_POINTS = {"summary": lambda _r, _i: {"totalPoints": 0, "season": 1}, "tasks": lambda _r, _i: [],
              "taskCompletions": lambda _r, _i: [], "redemptions": lambda _r, _i: []}
APP_VERSION = {"dev": lambda _r, _i: "sandbox-dev", "prod": lambda _r, _i: "sandbox"}
