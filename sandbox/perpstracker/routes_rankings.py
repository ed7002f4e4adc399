"""Rankings derived from several leaderboards: consistent, new, most active, most frequent traders."""

from __future__ import annotations

from sandbox.perpstracker import stats
from sandbox.perpstracker.errors import TIMEFRAMES
from sandbox.perpstracker.http import Ctx, Result, Spec
from sandbox.perpstracker.limits import HISTORICAL, LEADERBOARD
from sandbox.perpstracker.params import int_param, opt_float, pick

ALL = "all"


async def consistent_traders(ctx: Ctx) -> Result:
    tf = pick(ctx.request, "timeframe", (ALL, *TIMEFRAMES), ALL)
    limit = int_param(ctx.request, "limit", 50, lo=1, hi=1000)
    boards = {t: stats.rolling(ctx.market, t) for t in TIMEFRAMES}
    if tf == ALL:
        wallets = set.intersection(*(set(b.by_trader) for b in boards.values()))
    else:
        wallets = set(boards[tf].by_trader)
    traders = []
    for w in wallets:
        rows = {t: boards[t].by_trader.get(w) for t in TIMEFRAMES}
        present = [r for r in rows.values() if r is not None]
        entry: dict[str, object] = {
            "wallet": w,
            "avg_rank": round(sum(r.s.rank for r in present) / len(present), 2),
            "avg_score": round(sum(r.score for r in present) / len(present), 1),
            "total_pnl": round(sum(r.s.pnl for r in present), 2),
        }
        for t, r in rows.items():
            entry[f"rank_{t}"] = r.s.rank if r else None
        entry["timeframes"] = {
            t: ({"rank": r.s.rank, "pnl": r.s.pnl, "volume": r.s.volume, "win_rate": r.s.win_rate,
                 "trades": r.s.trades} if r else None)
            for t, r in rows.items()
        }
        traders.append(entry)
    traders.sort(key=lambda e: (e["avg_rank"], e["wallet"]))
    return {"tier": ctx.plan, "timeframe": tf, "count": min(limit, len(traders)), "traders": traders[:limit]}


async def new_traders(ctx: Ctx) -> Result:
    kind = pick(ctx.request, "period", stats.KINDS, "daily")
    limit = int_param(ctx.request, "limit", 20, lo=1, hi=50)
    min_pnl = opt_float(ctx.request, "min_pnl")
    sort = pick(ctx.request, "sort", ("pnl", "volume", "rank"), "pnl")
    m = ctx.market
    labels = stats.periods(m, kind)
    latest = stats.fixed(m, kind, labels[0])
    seen: set[str] = set()
    for label in labels[1:]:
        seen.update(stats.fixed(m, kind, label).by_trader)
    rows = [r for r in latest.rows if r.s.trader not in seen and (min_pnl is None or r.s.pnl >= min_pnl)]
    if sort == "pnl":
        rows.sort(key=lambda r: -r.s.pnl)
    elif sort == "volume":
        rows.sort(key=lambda r: -r.s.volume)
    return {
        "tier": ctx.plan,
        "period": kind,
        "latest_period": labels[0],
        "previous_periods_compared": len(labels) - 1,
        "new_traders_count": len(rows),
        "traders": [
            {"wallet_address": r.s.trader, "rank": r.s.rank, "pnl": r.s.pnl, "volume": r.s.volume,
             "win_rate": r.s.win_rate, "avg_leverage": r.s.avg_leverage, "trades": r.s.trades}
            for r in rows[:limit]
        ],
    }


async def active_traders(ctx: Ctx) -> Result:
    tf = pick(ctx.request, "timeframe", (ALL, *TIMEFRAMES), ALL)
    sort = pick(ctx.request, "sort", ("total", *TIMEFRAMES, "pnl", "win_rate"), "total")
    limit = int_param(ctx.request, "limit", 50, lo=1, hi=100)
    min_trades = int_param(ctx.request, "min_trades", 1, lo=0)
    boards = {t: stats.rolling(ctx.market, t) for t in TIMEFRAMES}
    wallets = set(boards[tf].by_trader) if tf != ALL else set().union(*(b.by_trader for b in boards.values()))
    basis = boards["365d" if tf == ALL else tf]  # where total_pnl and win_rate come from
    sort_field = {"total": "total_trades", "pnl": "total_pnl", "win_rate": "win_rate"}.get(sort, f"trades_{sort}")
    keyed: list[tuple[float, str, dict[str, object]]] = []
    for w in wallets:
        rows = {t: boards[t].by_trader.get(w) for t in TIMEFRAMES}
        entry: dict[str, object] = {"wallet_address": w}
        for t, r in rows.items():
            entry[f"trades_{t}"] = r.s.trades if r else 0
        total = sum(r.s.trades for r in rows.values() if r)
        if total < min_trades:
            continue
        b = basis.by_trader.get(w)
        entry.update({
            "total_trades": total,
            "total_pnl": b.s.pnl if b else 0,
            "win_rate": b.s.win_rate if b else 0,
            "best_rank": min(r.s.rank for r in rows.values() if r),
            "timeframe_appearances": [t for t, r in rows.items() if r],
        })
        value = entry[sort_field]
        keyed.append((-value if isinstance(value, int | float) else 0.0, w, entry))
    traders = [entry for *_, entry in sorted(keyed, key=lambda k: (k[0], k[1]))]
    return {"tier": ctx.plan, "timeframe": tf, "sort": sort, "count": min(limit, len(traders)),
            "traders": traders[:limit]}


async def snapshot_frequency(ctx: Ctx) -> Result:
    limit = int_param(ctx.request, "limit", 50, lo=1, hi=100)
    min_app = int_param(ctx.request, "min_appearances", 3, lo=0)
    m = ctx.market
    counts: dict[str, dict[str, int]] = {}
    best: dict[str, int] = {}
    latest_pnl: dict[str, float] = {}
    n_periods: dict[str, int] = {}
    for kind in stats.KINDS:
        labels = stats.periods(m, kind)
        n_periods[kind] = len(labels)
        for label in labels:  # newest first: the first daily appearance is the latest
            for row in stats.fixed(m, kind, label).rows:
                w = row.s.trader
                c = counts.setdefault(w, {k: 0 for k in stats.KINDS})
                c[kind] += 1
                best[w] = min(best.get(w, row.s.rank), row.s.rank)
                if kind == "daily":
                    latest_pnl.setdefault(w, row.s.pnl)
    order = sorted((w for w, c in counts.items() if sum(c.values()) >= min_app),
                   key=lambda w: (-sum(counts[w].values()), best[w], w))
    traders = [
        {"wallet_address": w, "daily_count": counts[w]["daily"], "weekly_count": counts[w]["weekly"],
         "monthly_count": counts[w]["monthly"], "total_appearances": sum(counts[w].values()),
         "best_rank": best[w], "latest_pnl": latest_pnl.get(w, 0)}
        for w in order
    ]
    return {
        "tier": ctx.plan,
        "count": min(limit, len(traders)),
        "periods": {**n_periods, "total": sum(n_periods.values())},
        "traders": traders[:limit],
    }


PREFIX = "/api/perpetuals"
SPECS = [
    Spec("GET", f"{PREFIX}/consistent-traders", LEADERBOARD, consistent_traders),
    Spec("GET", f"{PREFIX}/new-traders", LEADERBOARD, new_traders),
    Spec("GET", f"{PREFIX}/active-traders", LEADERBOARD, active_traders),
    Spec("GET", f"{PREFIX}/snapshot-frequency", HISTORICAL, snapshot_frequency),
]
