"""Venues and the address rules that decide a venue when a caller does not name one."""

from __future__ import annotations

import enum
import re

import strawberry

from gateway.errors import BadUserInput


@strawberry.enum(description="A perpetual-futures venue and the upstream that serves it.")
class Venue(enum.Enum):
    NIBIRU = "NIBIRU"
    JUPITER = "JUPITER"
    HYPERLIQUID = "HYPERLIQUID"


# Which upstream serves a venue: the `source` named in errors.
SOURCE_OF = {Venue.NIBIRU: "nibiru", Venue.JUPITER: "perpstracker", Venue.HYPERLIQUID: "nansen"}

_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BASE58 = re.compile(r"^[1-9A-HJ-NP-Za-km-z]{32,44}$")
_EVM = re.compile(r"^0x[0-9a-fA-F]{40}$")


def _bech32_valid(address: str) -> bool:
    """A full bech32 check (charset, lower case, checksum), so a typo is an error, not a miss."""
    if address.lower() != address or "1" not in address:
        return False
    hrp, _, data = address.rpartition("1")
    if hrp != "nibi" or len(data) < 7 or any(c not in _BECH32 for c in data):
        return False
    values = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp] + [_BECH32.index(c) for c in data]
    gen = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if (top >> i) & 1 else 0
    return chk == 1


def venue_of_address(address: str) -> Venue | None:
    """The venue whose address format `address` has, or None."""
    if address.startswith("nibi1"):
        return Venue.NIBIRU if _bech32_valid(address) else None
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
