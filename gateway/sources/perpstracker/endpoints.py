"""PerpsTracker's endpoints for the policy chain: names, TTLs and rate-limit buckets.

TTLs follow how fresh each kind of data is, never more than a caller would notice:

- prices, market stats: 30 s. The docs say `/prices` is "cached for 30 seconds" upstream; asking
  more often returns the same answer and spends the budget.
- markets / custodies and a wallet's Trading API history: 60 s, the docs' own "cached for 60 seconds".
- a trader's positions: 3 s; a trader's trades and history: 5 s; the live tape: 2 s; whale
  trades, liquidations, position overviews: 5 s.
- leaderboards, rankings, comparisons: 60 s (recomputed "by the minute" upstream).
- a trader's profile (stats over 24h..365d): 30 s.
- per-account state (account, watchlist, webhooks, backtests): never cached; it is the API key
  owner's own data and changes when they change it.

Every TTL can be overridden by endpoint name (`GATEWAY_CACHE_TTLS=perpstracker.leaderboard=120,...`).

The rate-limit categories are this module's reading of the docs' table ("Leaderboard queries",
"Live trades", "Trader profiles", "Historical data"; the docs do not list endpoints per row):
rankings and aggregates over traders are leaderboard queries, market-wide streams and prices are
live trades, one trader's (or one account's) current data is a trader profile, and anything over
past periods is historical. An unknown path is put in the strictest bucket (historical).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from gateway.policy.endpoints import Endpoint, RestTable, Route
from gateway.policy.ratelimit import windows_of
from gateway.policy.windowlog import Window
from gateway.settings import SettingsError
from gateway.sources.perpstracker.validate import VALIDATORS

LEADERBOARD, LIVE_TRADES, TRADER_PROFILES, HISTORICAL = "leaderboard", "live_trades", "trader_profiles", "historical"
# The docs' table: (burst per second, sustained per minute). PERPSTRACKER_RATE_LIMITS overrides.
LIMITS: dict[str, tuple[int, int]] = {
    LEADERBOARD: (5, 100),  # "Leaderboard queries"
    LIVE_TRADES: (10, 200),  # "Live trades"
    TRADER_PROFILES: (5, 150),  # "Trader profiles"
    HISTORICAL: (3, 50),  # "Historical data"
}
DOCS_CATEGORY = {LEADERBOARD: "Leaderboard queries", LIVE_TRADES: "Live trades",
                 TRADER_PROFILES: "Trader profiles", HISTORICAL: "Historical data"}


def _pt(name: str, ttl: float, bucket: str, method: str = "GET") -> Endpoint:
    full = f"perpstracker.{name}"  # with the validator of its wire type, for the reads the gateway makes
    return Endpoint(full, ttl, bucket, read=method == "GET", validate=VALIDATORS.get(full))


_P, _W, _T = "/perpetuals", "/perpetuals/watchlist", "/trading"
ROUTES = [
    Route("GET", "/prices", _pt("prices", 30, LIVE_TRADES)),
    Route("GET", f"{_P}/market/overview", _pt("market.overview", 60, LEADERBOARD)),
    Route("GET", f"{_P}/leaderboard/periods", _pt("leaderboard.periods", 300, HISTORICAL)),
    Route("GET", f"{_P}/leaderboard/fixed/{{period}}", _pt("leaderboard.fixed", 60, HISTORICAL)),
    Route("GET", f"{_P}/leaderboard/{{timeframe}}", _pt("leaderboard", 60, LEADERBOARD)),
    Route("GET", f"{_P}/compare", _pt("compare", 60, LEADERBOARD)),
    Route("GET", f"{_P}/consistent-traders", _pt("consistent_traders", 60, LEADERBOARD)),
    Route("GET", f"{_P}/new-traders", _pt("new_traders", 60, LEADERBOARD)),
    Route("GET", f"{_P}/active-traders", _pt("active_traders", 60, LEADERBOARD)),
    Route("GET", f"{_P}/snapshot-frequency", _pt("snapshot_frequency", 60, HISTORICAL)),
    Route("GET", f"{_P}/live-trades", _pt("live_trades", 2, LIVE_TRADES)),
    Route("GET", f"{_P}/whale-trades", _pt("whale_trades", 5, LIVE_TRADES)),
    Route("GET", f"{_P}/liquidations", _pt("liquidations", 5, LIVE_TRADES)),
    Route("GET", f"{_P}/positions/all", _pt("positions.all", 5, LIVE_TRADES)),
    Route("GET", f"{_P}/positions/summary", _pt("positions.summary", 5, LIVE_TRADES)),
    Route("GET", f"{_P}/positions/recent-activity", _pt("positions.recent_activity", 5, LIVE_TRADES)),
    Route("GET", f"{_P}/chart-positions", _pt("chart_positions", 5, LIVE_TRADES)),
    Route("GET", f"{_P}/trader/{{wallet}}/trades", _pt("trader.trades", 5, TRADER_PROFILES)),
    Route("GET", f"{_P}/trader/{{wallet}}/positions", _pt("trader.positions", 3, TRADER_PROFILES)),
    Route("GET", f"{_P}/trader/{{wallet}}/history", _pt("trader.history", 5, HISTORICAL)),
    Route("GET", f"{_P}/trader/{{wallet}}", _pt("trader.profile", 30, TRADER_PROFILES)),
    Route("GET", f"{_P}/account", _pt("account", 0, TRADER_PROFILES)),
    # the watchlist: the key owner's own list (fixed paths before `{wallet}` ones)
    Route("GET", _W, _pt("watchlist", 0, TRADER_PROFILES)),
    Route("POST", f"{_W}/add", _pt("watchlist.add", 0, TRADER_PROFILES, "POST")),
    Route("POST", f"{_W}/alerts/bulk", _pt("watchlist.alerts.bulk", 0, TRADER_PROFILES, "POST")),
    Route("GET", f"{_W}/alerts/trades", _pt("watchlist.alerts.trades", 0, LIVE_TRADES)),
    Route("GET", f"{_W}/positions-summary", _pt("watchlist.positions_summary", 0, LIVE_TRADES)),
    Route("GET", f"{_W}/positions-with-simulation", _pt("watchlist.positions_with_simulation", 0, LIVE_TRADES)),
    Route("GET", f"{_W}/simulation/settings", _pt("watchlist.simulation", 0, TRADER_PROFILES)),
    Route("POST", f"{_W}/simulation/settings", _pt("watchlist.simulation.save", 0, TRADER_PROFILES, "POST")),
    Route("GET", f"{_W}/backtest", _pt("watchlist.backtest", 0, HISTORICAL)),
    Route("GET", f"{_W}/check/{{wallet}}", _pt("watchlist.check", 0, TRADER_PROFILES)),
    Route("PATCH", f"{_W}/{{wallet}}/notes", _pt("watchlist.notes", 0, TRADER_PROFILES, "PATCH")),
    Route("PATCH", f"{_W}/{{wallet}}/label", _pt("watchlist.label", 0, TRADER_PROFILES, "PATCH")),
    Route("POST", f"{_W}/{{wallet}}/alerts", _pt("watchlist.alerts", 0, TRADER_PROFILES, "POST")),
    Route("DELETE", f"{_W}/{{wallet}}", _pt("watchlist.remove", 0, TRADER_PROFILES, "DELETE")),
    # the Trading API's reads (paths assumed, see docs/sandbox-perpstracker.md)
    Route("GET", f"{_T}/markets", _pt("trading.markets", 60, LIVE_TRADES)),
    Route("GET", f"{_T}/market-stats", _pt("trading.market_stats", 30, LIVE_TRADES)),
    Route("GET", f"{_T}/fee-info", _pt("trading.fee_info", 60, LIVE_TRADES)),
    Route("GET", f"{_T}/pool-info", _pt("trading.pool_info", 60, LIVE_TRADES)),
    Route("GET", f"{_T}/positions", _pt("trading.positions", 3, LIVE_TRADES)),
    Route("GET", f"{_T}/history", _pt("trading.history", 60, HISTORICAL)),
    Route("GET", f"{_T}/trade-history", _pt("trading.trade_history", 60, HISTORICAL)),
    Route("GET", f"{_T}/expired-orders", _pt("trading.expired_orders", 5, LIVE_TRADES)),
    Route("GET", f"{_T}/collateral-limits", _pt("trading.collateral_limits", 5, LIVE_TRADES)),
    # webhook management (the key owner's hooks)
    Route("GET", "/webhooks", _pt("webhooks", 0, TRADER_PROFILES)),
    Route("POST", "/webhooks", _pt("webhooks.create", 0, TRADER_PROFILES, "POST")),
    Route("DELETE", "/webhooks/{id}", _pt("webhooks.delete", 0, TRADER_PROFILES, "DELETE")),
    Route("POST", "/webhooks/{id}/test", _pt("webhooks.test", 0, TRADER_PROFILES, "POST")),
]
TABLE = RestTable(ROUTES, _pt("other", 0, HISTORICAL))



def _norm(name: str) -> str:
    return re.sub(r"[^a-z]+", "_", name.lower()).strip("_")


_ALIASES = {**{_norm(c): c for c in LIMITS}, **{_norm(d): c for c, d in DOCS_CATEGORY.items()}}


def limits(overrides: Mapping[str, tuple[int, int]]) -> dict[str, tuple[Window, ...]]:
    """The documented (burst/s, sustained/min) per category, with the operator's overrides.

    Override keys may be the ids (`historical`) or the docs' names (`Historical data`)."""
    merged = dict(LIMITS)
    for name, pair in overrides.items():
        category = _ALIASES.get(_norm(name))
        if category is None:
            raise SettingsError(f"PERPSTRACKER_RATE_LIMITS: unknown category {name!r}; one of {sorted(merged)}")
        merged[category] = pair
    return {category: windows_of(*pair) for category, pair in merged.items()}
