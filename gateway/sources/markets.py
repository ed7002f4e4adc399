"""Markets and tokens of the venues that do not describe them the way Sai Keeper does.

A venue's market ids come from its own `MarketTable`: known symbols keep a fixed id (the
venue's own numbering where it has one), any other symbol gets a stable id derived from it.
Collateral is USDC (id 1) where a venue's USD figures are settled in USDC: micro-units of USDC
are micro-dollars, and the collateral's price is 1 USD by that convention (`COLLATERAL_PRICE`).
These venues' perps are crypto markets that trade around the clock: `isOpen` is true and there is
no `tradingSchedule` (Sai Keeper's meaning: null for 24/7 markets).
"""

from __future__ import annotations

from collections.abc import Mapping

from gateway.model.ids import stable_id
from gateway.model.types import PerpBorrowing, PerpBorrowingShortInfo, PerpTradeChangeType, Token
from gateway.model.venue import Venue

USDC_ID = 1
USD = Token(symbol="USD", name=None, logoUrl=None)
USDC = Token(symbol="USDC", name=None, logoUrl=None)
COLLATERAL_PRICE = 1.0  # USD per unit of the collateral: these venues' collateral figures are USD

# The figures PerpBorrowingShortInfo shares with PerpBorrowing (a `borrowings` row carries them too).
SHORT_FIGURES = ("isOpen", "tradingSchedule", "price", "oiLong", "oiShort", "oiMax", "feesPerHourLong",
                 "feesPerHourShort", "priceChangePct24Hrs", "minLeverage", "maxLeverage", "openFeePct",
                 "closeFeePct")


def short_of(market: PerpBorrowing) -> PerpBorrowingShortInfo:
    """A market in brief, with every figure the full market has that the short type carries."""
    return PerpBorrowingShortInfo(
        marketId=market.marketId, baseToken=market.baseToken, quoteToken=market.quoteToken,
        collateralToken=market.collateralToken, visible=market.visible, venue=market.venue,
        **{name: getattr(market, name) for name in SHORT_FIGURES})

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
            quoteToken=USD, collateralToken=USDC, visible=True, venue=self.venue, isOpen=True,
        )


OPENING_CHANGES = frozenset((PerpTradeChangeType.position_opened, PerpTradeChangeType.position_increased))
CLOSING_CHANGES = frozenset((PerpTradeChangeType.position_reduced, PerpTradeChangeType.position_closed_user,
                             PerpTradeChangeType.position_closed_sl, PerpTradeChangeType.position_closed_tp,
                             PerpTradeChangeType.position_liquidated))


def fees_usd(change: PerpTradeChangeType, fee: float | None) -> dict[str, float | None]:
    """Sai Keeper's `openingFeeUsd` / `closingFeeUsd` of one event: the fee of an event that opens
    or adds to a position is an opening fee, of one that reduces, closes or liquidates it a closing
    fee; other events carry neither."""
    return {"openingFeeUsd": fee if change in OPENING_CHANGES else None,
            "closingFeeUsd": fee if change in CLOSING_CHANGES else None}
