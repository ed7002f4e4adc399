"""Deterministic, well-formed addresses and transaction ids for the three chains.

Real encodings, not look-alikes: Nibiru addresses are bech32 with a valid checksum, Solana keys
and signatures are base58 of 32/64 bytes, Hyperliquid addresses are 20 bytes of hex. The
gateway's venue inference is tested against these, so they must be the real shapes.
"""

from __future__ import annotations

import random

from gateway.sources.nibiru import bech32

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58encode(data: bytes) -> str:
    """Base58 (Bitcoin alphabet) encoding, as Solana uses for keys and signatures."""
    n = int.from_bytes(data, "big")
    out = []
    while n:
        n, r = divmod(n, 58)
        out.append(_B58[r])
    pad = len(data) - len(data.lstrip(b"\0"))
    return "1" * pad + "".join(reversed(out))


def bech32_encode(hrp: str, data: bytes) -> str:
    """Bech32 (BIP-173) encoding of raw bytes, with a valid checksum."""
    return bech32.encode(hrp, data)


def _bytes(rng: random.Random, n: int) -> bytes:
    return bytes(rng.getrandbits(8) for _ in range(n))


def nibiru_address(rng: random.Random) -> str:
    return bech32_encode("nibi", _bytes(rng, 20))


def solana_address(rng: random.Random) -> str:
    return b58encode(_bytes(rng, 32))


def solana_signature(rng: random.Random) -> str:
    return b58encode(_bytes(rng, 64))


def evm_address(rng: random.Random) -> str:
    return "0x" + _bytes(rng, 20).hex()


def evm_tx_hash(rng: random.Random) -> str:
    return "0x" + _bytes(rng, 32).hex()


def cosmos_tx_hash(rng: random.Random) -> str:
    return _bytes(rng, 32).hex().upper()
