"""Markets and tokens of the venues that do not describe them the way Sai Keeper does.

Market ids: JUPITER numbers its three custodies in the order PerpsTracker lists them (SOL 1,
ETH 2, BTC 3); HYPERLIQUID uses Hyperliquid's own asset index where it is a known constant, and
for any other coin a stable id derived from the symbol. Collateral is USDC (id 1) on both, as
their USD figures are settled in USDC: micro-units of USDC are micro-dollars.
"""

from __future__ import annotations

from gateway.model.ids import stable_id
from gateway.model.types import PerpBorrowingShortInfo, Token
from gateway.model.venue import Venue

USDC_ID = 1
USD = Token(symbol="USD", name=None, logoUrl=None)
USDC = Token(symbol="USDC", name=None, logoUrl=None)

JUPITER_MARKETS = {"SOL": 1, "ETH": 2, "BTC": 3}
# Hyperliquid asset indexes (the exchange's own numbering) for the coins most traded.
HYPERLIQUID_ASSETS = {"BTC": 0, "ETH": 1, "ATOM": 2, "MATIC": 3, "DYDX": 4, "SOL": 5, "AVAX": 6, "BNB": 7,
                      "APE": 8, "OP": 9, "LTC": 10, "ARB": 11, "DOGE": 12, "SUI": 14, "XRP": 25,
                      "HYPE": 159}

# PerpsTracker names Jupiter custodies by their wrapped token in some answers (WSOL).
WRAPPED = {"WSOL": "SOL", "WETH": "ETH", "WBTC": "BTC"}


def base_symbol(token: str) -> str:
    """SOL for WSOL, and so on; the base symbol as the schema's `market` shows it.

    Other symbols keep their case: Hyperliquid coins are case-sensitive (kPEPE)."""
    return WRAPPED.get(token.upper(), token)


def market_id(venue: Venue, symbol: str) -> int:
    symbol = base_symbol(symbol)
    if venue is Venue.JUPITER:
        return JUPITER_MARKETS.get(symbol, stable_id(f"JUPITER:{symbol}"))
    if venue is Venue.HYPERLIQUID:
        return HYPERLIQUID_ASSETS.get(symbol, stable_id(f"HYPERLIQUID:{symbol}"))
    raise ValueError("NIBIRU markets come from Sai Keeper")


def symbol_of(venue: Venue, market: int) -> str | None:
    table = JUPITER_MARKETS if venue is Venue.JUPITER else HYPERLIQUID_ASSETS
    for symbol, mid in table.items():
        if mid == market:
            return symbol
    return None


def short_info(venue: Venue, symbol: str) -> PerpBorrowingShortInfo:
    symbol = base_symbol(symbol)
    return PerpBorrowingShortInfo(
        marketId=market_id(venue, symbol), baseToken=Token(symbol=symbol, name=None, logoUrl=None),
        quoteToken=USD, collateralToken=USDC, visible=True, venue=venue,
    )
