"""NIBIRU, and its address rule: bech32 with the `nibi` prefix and a valid checksum."""

from __future__ import annotations

from gateway.model.venue import Venue
from gateway.sources.nibiru import bech32

VENUE = Venue["NIBIRU"]
ADDRESS_HINT = "nibi1…"


def owns_address(address: str) -> bool:
    # a full checksum check, so a typo is an error rather than an empty answer
    return address.startswith("nibi1") and bech32.is_valid(address, "nibi")
