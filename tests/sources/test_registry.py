"""Venue inference from trader addresses."""

from __future__ import annotations

import random

import pytest

from gateway.errors import BadUserInput
from gateway.model.venue import Venue
from gateway.sources.registry import normalize_address, resolve_venue, venue_of_address
from sandbox import addresses

RNG = random.Random(99)
NIBI = addresses.nibiru_address(RNG)
SOL = "DRVRvzf8pSiMJi5BY1NmZu5STahBYKMVcfkPp3vxPump"
EVM = "0xa312114b5795dff9b8db50474dd57701aa78ad1e"


@pytest.mark.parametrize(("address", "venue"), [
    (NIBI, Venue.NIBIRU), (SOL, Venue.JUPITER), (EVM, Venue.HYPERLIQUID),
    (EVM.upper().replace("0X", "0x"), Venue.HYPERLIQUID),
    (addresses.solana_address(RNG), Venue.JUPITER),
])
def test_address_decides_the_venue(address: str, venue: Venue) -> None:
    assert venue_of_address(address) is venue
    assert resolve_venue(address, None) is venue


@pytest.mark.parametrize("address", [
    "", "nibi1abc...", NIBI[:-1] + ("q" if NIBI[-1] != "q" else "p"),  # bad checksum
    "0x1234", "0x" + "g" * 40, "hello world", "DRVR0000", "x" * 45, NIBI.upper(),
    SOL + "\n", EVM + "\n", " " + SOL,  # matched whole: `$` would let a trailing newline through
])
def test_anything_else_is_bad_user_input(address: str) -> None:
    with pytest.raises(BadUserInput) as info:
        resolve_venue(address, None)
    assert info.value.code == "BAD_USER_INPUT"


def test_named_venue_must_match_the_address() -> None:
    assert resolve_venue(SOL, Venue.JUPITER) is Venue.JUPITER
    with pytest.raises(BadUserInput, match="not a valid NIBIRU"):
        resolve_venue(SOL, Venue.NIBIRU)


def test_hyperliquid_addresses_are_lowercased_for_upstreams() -> None:
    assert normalize_address("0xABCDEF" + "0" * 34, Venue.HYPERLIQUID) == "0xabcdef" + "0" * 34
    assert normalize_address(SOL, Venue.JUPITER) == SOL


@pytest.mark.parametrize("address", [EVM + "\n", SOL + "\n", NIBI + "\n", " " + EVM])
def test_address_with_a_trailing_newline_is_not_an_address(address: str) -> None:
    """Matched whole (fullmatch): `$` would match before the final newline."""
    assert venue_of_address(address) is None
    with pytest.raises(BadUserInput):
        resolve_venue(address, None)
