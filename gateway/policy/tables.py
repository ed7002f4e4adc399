"""The three upstreams' endpoint tables: names, TTLs, rate-limit buckets, and the documented limits.

TTLs follow how fresh each kind of data is, never more than a caller would notice:

- prices, market stats: 30 s. PerpsTracker's docs say `/prices` is "cached for 30 seconds"
  upstream; asking more often returns the same answer and spends the budget.
- markets / custodies and a wallet's Trading API history: 60 s, the docs' own "cached for 60
  seconds". Sai Keeper's and Nansen's market lists (borrowings, screener) change as rarely: 60 s.
- a trader's positions: 3 s. They change by the second (prices move PnL, trades open and close),
  but a dashboard refreshing them every second should cost one call per 3 s, not one per viewer.
- a trader's trades, history and fills: 5 s. Only a new trade changes them, and a trade also shows
  in positions, which are fresher; 5 s bounds how late a closed trade appears.
- the live tape (live-trades): 2 s; whale trades, liquidations, position overviews: 5 s.
- leaderboards, trader rankings, comparisons, screener: 60 s. They are recomputed "by the minute"
  from windows of a day or more; a minute-old board is the board.
- a trader's profile (`/trader/{wallet}`, stats over 24h..365d): 30 s, between the two.
- per-account state (account, watchlist, webhooks, copy settings, backtests): never cached; it is
  the API key owner's own data and changes when they change it.

Every TTL can be overridden by endpoint name (`GATEWAY_CACHE_TTLS=nansen.leaderboard=120,...`).

PerpsTracker's rate-limit categories are this module's reading of the docs' table ("Leaderboard
queries", "Live trades", "Trader profiles", "Historical data"; the docs do not list endpoints per
row): rankings and aggregates over traders are leaderboard queries, market-wide streams and prices
are live trades, one trader's (or one account's) current data is a trader profile, and anything
over past periods is historical. An unknown path is put in the strictest bucket (historical).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from gateway.policy.endpoints import Endpoint, GraphQLTable, RestTable, Route

# ---- PerpsTracker ---------------------------------------------------------------------------

LEADERBOARD, LIVE_TRADES, TRADER_PROFILES, HISTORICAL = "leaderboard", "live_trades", "trader_profiles", "historical"
# The docs' table: (burst per second, sustained per minute). PERPSTRACKER_RATE_LIMITS overrides.
PERPSTRACKER_LIMITS: dict[str, tuple[int, int]] = {
    LEADERBOARD: (5, 100),  # "Leaderboard queries"
    LIVE_TRADES: (10, 200),  # "Live trades"
    TRADER_PROFILES: (5, 150),  # "Trader profiles"
    HISTORICAL: (3, 50),  # "Historical data"
}
DOCS_CATEGORY = {LEADERBOARD: "Leaderboard queries", LIVE_TRADES: "Live trades",
                 TRADER_PROFILES: "Trader profiles", HISTORICAL: "Historical data"}


def _pt(name: str, ttl: float, bucket: str, method: str = "GET") -> Endpoint:
    return Endpoint(f"perpstracker.{name}", ttl, bucket, read=method == "GET")


_P, _W, _T = "/perpetuals", "/perpetuals/watchlist", "/trading"
PERPSTRACKER_ROUTES = [
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
PERPSTRACKER = RestTable(PERPSTRACKER_ROUTES, _pt("other", 0, HISTORICAL))

# ---- Nansen ---------------------------------------------------------------------------------

NANSEN_BUCKET = "requests"
# docs/sandbox-nansen.md: Nansen enforces 20 requests per second and 300 per minute per key
# (the public docs give the headers, not the numbers). NANSEN_RATE_LIMITS overrides.
NANSEN_LIMITS = (20, 300)


def _screener_key(body: Any) -> Any:
    """The screener asks for "the last 24 h", a window ending now: key it by its length, so one
    answer serves the whole TTL instead of missing every second."""
    if isinstance(body, dict) and isinstance(body.get("date"), dict):
        try:
            span = (datetime.fromisoformat(body["date"]["to"].replace("Z", "+00:00"))
                    - datetime.fromisoformat(body["date"]["from"].replace("Z", "+00:00")))
        except (KeyError, TypeError, ValueError, AttributeError):
            return body
        return {**body, "date": {"span_s": span.total_seconds()}}
    return body


def _nansen(name: str, ttl: float) -> Endpoint:
    return Endpoint(f"nansen.{name}", ttl, NANSEN_BUCKET, read=True,
                    key_body=_screener_key if name == "screener" else None)


_V = "/api/v1"
NANSEN = RestTable([
    Route("POST", f"{_V}/profiler/perp-positions", _nansen("profiler.positions", 3)),
    Route("POST", f"{_V}/profiler/perp-trades", _nansen("profiler.trades", 5)),
    Route("POST", f"{_V}/perp-leaderboard", _nansen("leaderboard", 60)),
    Route("POST", f"{_V}/tgm/perp-pnl-leaderboard", _nansen("token_leaderboard", 60)),
    Route("POST", f"{_V}/perp-screener", _nansen("screener", 60)),
    Route("POST", f"{_V}/smart-money/perp-trades", _nansen("smart_money.trades", 10)),
    Route("POST", f"{_V}/tgm/perp-positions", _nansen("token.positions", 10)),
    Route("POST", f"{_V}/tgm/perp-trades", _nansen("token.trades", 10)),
], _nansen("other", 0), reads=("POST",))

# ---- Sai Keeper -----------------------------------------------------------------------------
# No documented limits: no bucket. Operation names are those of gateway/sources/nibiru/queries.py;
# a batched document named with one of them as prefix (GatewayTradesBatch) counts as that one.

NIBIRU_TABLE = GraphQLTable({
    "GatewayTrades": Endpoint("nibiru.trades", 3),
    "GatewayTrade": Endpoint("nibiru.trade", 3),
    "GatewayTradeHistory": Endpoint("nibiru.trade_history", 5),
    "GatewayBorrowings": Endpoint("nibiru.borrowings", 60),
    "GatewayBorrowing": Endpoint("nibiru.borrowing", 10),  # price and open interest move by the block
}, Endpoint("nibiru.query", 3))


def endpoint_names() -> list[str]:
    """Every endpoint name of the three tables (for `GATEWAY_CACHE_TTLS` and the operator docs)."""
    names = [r.endpoint.name for t in (PERPSTRACKER, NANSEN) for r in t.routes]
    names += [e.name for e in NIBIRU_TABLE.operations.values()]
    names += [PERPSTRACKER.fallback.name, NANSEN.fallback.name, NIBIRU_TABLE.fallback.name]
    return list(dict.fromkeys(names))
