"""JUPITER trader statistics from `/perpetuals/compare`: the call plan and the pure mapping.

`/compare` answers up to five wallets for one rolling timeframe, so the loads of an operation are
grouped by timeframe and cut into calls of five distinct wallets. Figures pass through as the
venue gives them (USD, percent). PerpsTracker answers a wallet it does not rank in the window
with `rank: null` and zeros; those zeros are placeholders (the wallet is not on that board), not
measurements, so the gateway answers the trader with rank and every figure null rather than
claim a 0% win rate. A wallet missing from the answer is treated the same way.
"""

from __future__ import annotations

from collections.abc import Sequence

from gateway.model.types import PerpTimeframe, PerpTraderStats
from gateway.sources import units
from gateway.sources.perpstracker.client import COMPARE_MAX
from gateway.sources.perpstracker.venue import VENUE
from gateway.sources.perpstracker.wire import CompareRow

TIMEFRAMES = {PerpTimeframe.DAY: "24h", PerpTimeframe.WEEK: "7d", PerpTimeframe.MONTH: "30d",
              PerpTimeframe.YEAR: "365d"}

StatsKey = tuple[str, PerpTimeframe]  # (wallet, timeframe)


def plan(keys: Sequence[StatsKey]) -> list[tuple[PerpTimeframe, list[str]]]:
    """The `/compare` calls that answer `keys`: per timeframe, distinct wallets in fives, in the
    order they were first asked for."""
    wallets: dict[PerpTimeframe, list[str]] = {}
    for wallet, timeframe in keys:
        listed = wallets.setdefault(timeframe, [])
        if wallet not in listed:
            listed.append(wallet)
    return [(tf, listed[i:i + COMPARE_MAX]) for tf, listed in wallets.items()
            for i in range(0, len(listed), COMPARE_MAX)]


def unranked(wallet: str, timeframe: PerpTimeframe) -> PerpTraderStats:
    return PerpTraderStats(venue=VENUE, trader=wallet, timeframe=timeframe, rank=None, pnl=None,
                           roi=None, winRate=None, trades=None)


def map_compare_row(row: CompareRow, timeframe: PerpTimeframe) -> PerpTraderStats:
    rank = row.get("rank")
    if rank is None:
        return unranked(row["wallet"], timeframe)
    trades = units.opt_number(row.get("total_trades"))
    return PerpTraderStats(
        venue=VENUE, trader=row["wallet"], timeframe=timeframe, rank=int(rank),
        pnl=units.opt_number(row.get("total_pnl")), roi=units.opt_number(row.get("roi")),
        winRate=units.opt_number(row.get("win_rate")), trades=int(trades) if trades is not None else None,
    )


def map_compare(rows: Sequence[CompareRow], timeframe: PerpTimeframe) -> dict[str, PerpTraderStats]:
    """The answer's rows by wallet."""
    return {row["wallet"]: map_compare_row(row, timeframe) for row in rows}
