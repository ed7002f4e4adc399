"""Sai Keeper's operations for the policy chain: names and TTLs (no documented rate limits).

Operation names are those of `queries.py`; a batched document named with one of them as prefix
(GatewayTradesBatch) counts as that one. A market's borrowing moves by the block (10 s); the
market list changes rarely (60 s); trades 3 s and history 5 s, as for the other venues; the
PnL leaderboard 30 s (its totals move only when trades close).
"""

from __future__ import annotations

from gateway.policy.endpoints import Endpoint, GraphQLTable
from gateway.sources.nibiru.validate import VALIDATORS


def _endpoint(name: str, ttl: float) -> Endpoint:
    """The operation's endpoint, with the validator of its answer's wire type (validate.py)."""
    return Endpoint(f"nibiru.{name}", ttl, validate=VALIDATORS.get(f"nibiru.{name}"))


TABLE = GraphQLTable({
    "GatewayTrades": _endpoint("trades", 3),
    "GatewayTrade": _endpoint("trade", 3),
    "GatewayTradeHistory": _endpoint("trade_history", 5),
    "GatewayBorrowings": _endpoint("borrowings", 60),
    "GatewayBorrowing": _endpoint("borrowing", 10),  # price and open interest move by the block
    "GatewayLeaderboard": _endpoint("leaderboard", 30),  # totals move with closed trades only
}, Endpoint("nibiru.query", 3))


