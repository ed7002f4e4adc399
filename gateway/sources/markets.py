"""Markets and tokens of the venues that do not describe them the way Sai Keeper does.

A venue's market ids come from its own `MarketTable`: known symbols keep a fixed id (the
venue's own numbering where it has one), any other symbol gets a stable id derived from it.
Collateral is USDC (id 1) where a venue's USD figures are settled in USDC: micro-units of USDC
are micro-dollars.
"""

from __future__ import annotations

from collections.abc import Mapping

from gateway.model.ids import stable_id
from gateway.model.types import PerpBorrowingShortInfo, Token
from gateway.model.venue import Venue

USDC_ID = 1
USD = Token(symbol="USD", name=None, logoUrl=None)
USDC = Token(symbol="USDC", name=None, logoUrl=None)

# Some answers name custodies by their wrapped token (WSOL).
WRAPPED = {"WSOL": "SOL", "WETH": "ETH", "WBTC": "BTC"}


def base_symbol(token: str) -> str:
    """SOL for WSOL, and so on; the base symbol as the schema's `market` shows it.

    Other symbols keep their case: some venues' coins are case-sensitive (kPEPE)."""
    return WRAPPED.get(token.upper(), token)


class MarketTable:
    """One venue's markets: symbol <-> market id, and the short market info of a symbol."""

    def __init__(self, venue: Venue, known: Mapping[str, int]) -> None:
        self.venue = venue
        self.known = dict(known)
        self._symbols = {mid: symbol for symbol, mid in self.known.items()}

    def market_id(self, symbol: str) -> int:
        symbol = base_symbol(symbol)
        return self.known.get(symbol, stable_id(f"{self.venue.value}:{symbol}"))

    def symbol_of(self, market: int) -> str | None:
        """The symbol of a known market id (derived ids cannot be reversed)."""
        return self._symbols.get(market)

    def short_info(self, symbol: str) -> PerpBorrowingShortInfo:
        symbol = base_symbol(symbol)
        return PerpBorrowingShortInfo(
            marketId=self.market_id(symbol), baseToken=Token(symbol=symbol, name=None, logoUrl=None),
            quoteToken=USD, collateralToken=USDC, visible=True, venue=self.venue,
        )
