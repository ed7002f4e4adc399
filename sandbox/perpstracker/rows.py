"""Pure renderers of leaderboard rows (stats.Row) in their several wire shapes."""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.market import JUPITER, Market
from sandbox.perpstracker.stats import TOKENS, Row


@dataclass
class OpenBook:
    """A trader's currently open JUPITER positions, summed."""

    count: int = 0
    size_usd: float = 0.0
    unrealized_pnl: float = 0.0


def open_books(market: Market) -> dict[str, OpenBook]:
    books: dict[str, OpenBook] = {}
    for p in market.open_positions[JUPITER]:
        b = books.setdefault(p.trader, OpenBook())
        b.count += 1
        b.size_usd += p.size_usd
        b.unrealized_pnl += p.unrealized_pnl(market.instrument(JUPITER, p.symbol).price)
    return books


def leaderboard_row(row: Row, book: OpenBook | None) -> dict[str, object]:
    """/leaderboard/{timeframe} `data[]` entry."""
    s = row.s
    book = book or OpenBook()
    return {
        "wallet_address": s.trader,
        "rank": s.rank,
        "score": row.score,
        "total_pnl": s.pnl,
        "total_volume": s.volume,
        "total_trades": s.trades,
        "win_rate": s.win_rate,
        "roi": s.roi,
        "risk_score": row.risk_score,
        "risk_level": row.risk_level,
        "max_drawdown": row.max_drawdown,
        "total_liquidations": s.liquidations,
        "sharpe_ratio": row.sharpe,
        "avg_leverage": s.avg_leverage,
        "avg_collateral": row.avg_collateral,
        "dominant_trade_type": row.dominant_side,
        "dominant_token_pair": row.dominant_token,
        "open_position_count": book.count,
        "open_unrealized_pnl": round(book.unrealized_pnl, 2),
    }


def profile_stats(row: Row, book: OpenBook | None) -> dict[str, object]:
    """/trader/{wallet} `data.{timeframe}`: the leaderboard row plus the per-trader detail fields."""
    s = row.s
    book = book or OpenBook()
    out = leaderboard_row(row, book)
    wins = [p for p in row.pnls if p > 0]
    losses = [p for p in row.pnls if p < 0]
    out.update({
        "long_pnl": s.long_pnl,
        "short_pnl": s.short_pnl,
        "open_position_size_usd": round(book.size_usd, 2),
        "closed_trades": s.closes,
        "winning_trades": s.wins,
        "losing_trades": row.losses,
        "long_trades": s.long_trades,
        "short_trades": s.trades - s.long_trades,
        "long_ratio": round(100 * s.long_trades / s.trades, 2) if s.trades else 0,
        "total_fees": s.fees,
        "net_pnl": round(s.pnl - s.fees, 2),
        "total_collateral": round(s.collateral_in, 2),
        "avg_trade_size": round(s.volume / s.trades, 2) if s.trades else 0,
        "avg_pnl_per_trade": round(s.pnl / len(row.pnls), 2) if row.pnls else 0,
        "largest_win": round(max(wins), 2) if wins else 0,
        "largest_loss": round(min(losses), 2) if losses else 0,
        "avg_win": round(sum(wins) / len(wins), 2) if wins else 0,
        "avg_loss": round(sum(losses) / len(losses), 2) if losses else 0,
        "profit_factor": round(sum(wins) / -sum(losses), 2) if losses else None,
    })
    for sym, token in TOKENS.items():
        out[f"volume_{token.lower()}"] = round(row.token_volume.get(sym, 0.0), 2)
    return out


def fixed_row(row: Row) -> dict[str, object]:
    """/leaderboard/fixed/{periodType} `data[]` entry (the trader is `owner` here)."""
    s = row.s
    return {
        "rank": s.rank,
        "owner": s.trader,
        "score": row.score,
        "pnl": s.pnl,
        "volume": s.volume,
        "win_rate": s.win_rate,
        "avg_leverage": s.avg_leverage,
    }


def snapshot_stats(row: Row) -> dict[str, object]:
    """/trader/{wallet} `data.snapshots.{daily|weekly|monthly}`."""
    s = row.s
    return {
        "rank": s.rank,
        "score": row.score,
        "total_pnl": s.pnl,
        "total_volume": s.volume,
        "total_trades": s.trades,
        "win_rate": s.win_rate,
        "avg_leverage": s.avg_leverage,
    }
