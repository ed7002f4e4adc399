"""JUPITER's markets: its three custodies, numbered in the order PerpsTracker lists them."""

from __future__ import annotations

from gateway.sources.markets import MarketTable
from gateway.sources.perpstracker.venue import VENUE

MARKETS = MarketTable(VENUE, {"SOL": 1, "ETH": 2, "BTC": 3})
