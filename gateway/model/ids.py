"""Stable integer ids for venues whose own keys are strings.

Sai Keeper's `id: Int!` is a per-trader index. Jupiter keys positions by a base58 pubkey and
Hyperliquid by coin and order id, so the gateway derives a non-negative 31-bit integer from the
upstream key: stable across requests, processes and versions (BLAKE2b, not Python's salted
`hash`). Two keys of one trader colliding has odds of about n²/2³² (n keys) and is not handled.
"""

from __future__ import annotations

import hashlib


def stable_id(key: str) -> int:
    digest = hashlib.blake2b(key.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") & 0x7FFF_FFFF
