"""PerpsTracker answers checked against their wire types (wire.py) before the gateway keeps them.

`VALIDATORS` maps the policy table's endpoint names to a validator of a 2xx body; the table
attaches them (`Endpoint.validate`), and the upstream policy chain refuses, never caches, and lets
a stale copy stand in for, any answer that fails its check (gateway/policy/transport.py). An
endpoint the gateway reads but has no wire type for is checked to be a JSON object with the list
its client reads; writes are not checked (their answers are not kept).
"""

from __future__ import annotations

from typing import Any, TypedDict

from gateway.sources.perpstracker import wire
from gateway.sources.shape import validator


class _AlertTrades(TypedDict):
    """GET /perpetuals/watchlist/alerts/trades: rows are mapped by alert_mapping, row by row."""

    trades: list[dict[str, Any]]


class _Watchlist(TypedDict):
    watchlist: list[dict[str, Any]]


VALIDATORS = {
    "perpstracker.prices": validator(wire.PricesResponse),
    "perpstracker.leaderboard": validator(wire.LeaderboardResponse),
    "perpstracker.leaderboard.fixed": validator(wire.FixedLeaderboardResponse),
    "perpstracker.compare": validator(wire.CompareResponse),
    "perpstracker.live_trades": validator(wire.LiveTradesResponse),
    "perpstracker.trader.positions": validator(wire.PositionsResponse),
    "perpstracker.trader.history": validator(wire.HistoryResponse),
    "perpstracker.trading.markets": validator(wire.MarketsResponse),
    "perpstracker.account": validator(dict),
    "perpstracker.watchlist": validator(_Watchlist),
    "perpstracker.watchlist.alerts.trades": validator(_AlertTrades),
}
