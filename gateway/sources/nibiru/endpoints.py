"""Sai Keeper's operations for the policy chain: names and TTLs (no documented rate limits).

Operation names are those of `queries.py`; a batched document named with one of them as prefix
(GatewayTradesBatch) counts as that one. A market's borrowing moves by the block (10 s); the
market list changes rarely (60 s); trades 3 s and history 5 s, as for the other venues.
"""

from __future__ import annotations

from gateway.policy.endpoints import Endpoint, GraphQLTable

TABLE = GraphQLTable({
    "GatewayTrades": Endpoint("nibiru.trades", 3),
    "GatewayTrade": Endpoint("nibiru.trade", 3),
    "GatewayTradeHistory": Endpoint("nibiru.trade_history", 5),
    "GatewayBorrowings": Endpoint("nibiru.borrowings", 60),
    "GatewayBorrowing": Endpoint("nibiru.borrowing", 10),  # price and open interest move by the block
}, Endpoint("nibiru.query", 3))


