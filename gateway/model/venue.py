"""Venues and the address rules that decide a venue when a caller does not name one."""

from __future__ import annotations

import enum
import re

import strawberry

from gateway import bech32
from gateway.errors import BadUserInput


@strawberry.enum(description="A perpetual-futures venue and the upstream that serves it.")
class Venue(enum.Enum):
    NIBIRU = "NIBIRU"
    JUPITER = "JUPITER"
    HYPERLIQUID = "HYPERLIQUID"


# Which upstream serves a venue: the `source` named in errors.
SOURCE_OF = {Venue.NIBIRU: "nibiru", Venue.JUPITER: "perpstracker", Venue.HYPERLIQUID: "nansen"}

_BASE58 = re.compile(r"^[1-9A-HJ-NP-Za-km-z]{32,44}$")
_EVM = re.compile(r"^0x[0-9a-fA-F]{40}$")


def venue_of_address(address: str) -> Venue | None:
    """The venue whose address format `address` has, or None."""
    if address.startswith("nibi1"):
        # a full checksum check, so a typo is an error rather than an empty answer
        return Venue.NIBIRU if bech32.is_valid(address, "nibi") else None
    if _EVM.match(address):
        return Venue.HYPERLIQUID
    if _BASE58.match(address):
        return Venue.JUPITER
    return None


def resolve_venue(address: str, venue: Venue | None) -> Venue:
    """The venue for a trader: the one named, checked against the address, or the inferred one."""
    inferred = venue_of_address(address)
    if venue is None:
        if inferred is None:
            raise BadUserInput(
                f"Cannot tell the venue of trader address {address[:64]!r}: expected nibi1… (NIBIRU), "
                "base58 of 32-44 characters (JUPITER) or 0x with 40 hex digits (HYPERLIQUID)"
            )
        return inferred
    if inferred is not venue:
        raise BadUserInput(f"{address[:64]!r} is not a valid {venue.value} trader address")
    return venue


def normalize_address(address: str, venue: Venue) -> str:
    """Hyperliquid addresses are case-insensitive hex; upstreams expect lower case."""
    return address.lower() if venue is Venue.HYPERLIQUID else address
