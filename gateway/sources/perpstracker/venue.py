"""JUPITER, and its address rule: a Solana wallet, base58 of 32-44 characters."""

from __future__ import annotations

import re

from gateway.model.venue import Venue

VENUE = Venue["JUPITER"]
ADDRESS_HINT = "base58 of 32-44 characters"
_BASE58 = re.compile(r"[1-9A-HJ-NP-Za-km-z]{32,44}")


def owns_address(address: str) -> bool:
    return _BASE58.fullmatch(address) is not None  # whole string: `$` would allow a trailing newline
