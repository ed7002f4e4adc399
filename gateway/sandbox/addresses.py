"""Deterministic, well-formed addresses and transaction ids for the three chains.

Real encodings, not look-alikes: Nibiru addresses are bech32 with a valid checksum, Solana keys
and signatures are base58 of 32/64 bytes, Hyperliquid addresses are 20 bytes of hex. The
gateway's venue inference is tested against these, so they must be the real shapes.
"""

from __future__ import annotations

import random

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def b58encode(data: bytes) -> str:
    """Base58 (Bitcoin alphabet) encoding, as Solana uses for keys and signatures."""
    n = int.from_bytes(data, "big")
    out = []
    while n:
        n, r = divmod(n, 58)
        out.append(_B58[r])
    pad = len(data) - len(data.lstrip(b"\0"))
    return "1" * pad + "".join(reversed(out))


def _polymod(values: list[int]) -> int:
    gen = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if (top >> i) & 1 else 0
    return chk


def bech32_encode(hrp: str, data: bytes) -> str:
    """Bech32 (BIP-173) encoding of raw bytes, with a valid checksum."""
    acc = bits = 0
    words: list[int] = []
    for byte in data:
        acc = (acc << 8) | byte
        bits += 8
        while bits >= 5:
            bits -= 5
            words.append((acc >> bits) & 31)
    if bits:
        words.append((acc << (5 - bits)) & 31)
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    polymod = _polymod(expanded + words + [0] * 6) ^ 1
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(_BECH32[w] for w in words + checksum)


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
