"""HYPERLIQUID's markets: Hyperliquid's own asset index where it is a known constant, and a
stable id derived from the symbol for any other coin."""

from __future__ import annotations

from gateway.sources.markets import MarketTable
from gateway.sources.nansen.venue import VENUE

# Hyperliquid asset indexes (the exchange's own numbering) for the coins most traded.
ASSETS = {"BTC": 0, "ETH": 1, "ATOM": 2, "MATIC": 3, "DYDX": 4, "SOL": 5, "AVAX": 6, "BNB": 7,
          "APE": 8, "OP": 9, "LTC": 10, "ARB": 11, "DOGE": 12, "SUI": 14, "XRP": 25, "HYPE": 159}
MARKETS = MarketTable(VENUE, ASSETS)
