"""HYPERLIQUID, and its address rule: an EVM address, 0x and 40 hex digits (any case)."""

from __future__ import annotations

import re

from gateway.model.venue import Venue

VENUE = Venue["HYPERLIQUID"]
ADDRESS_HINT = "0x with 40 hex digits"
_EVM = re.compile(r"0x[0-9a-fA-F]{40}")


def owns_address(address: str) -> bool:
    return _EVM.fullmatch(address) is not None  # whole string: `$` would allow a trailing newline


def normalize_address(address: str) -> str:
    """Hyperliquid addresses are case-insensitive hex; Nansen expects lower case."""
    return address.lower()
