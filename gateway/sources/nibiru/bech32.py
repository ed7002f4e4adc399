"""Bech32 (BIP-173), as Nibiru addresses use it: encoding, and a full checksum check."""

from __future__ import annotations

CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_GEN = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


def polymod(values: list[int]) -> int:
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= _GEN[i] if (top >> i) & 1 else 0
    return chk


def _expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def encode(hrp: str, data: bytes) -> str:
    """Raw bytes as a bech32 string with a valid checksum."""
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
    mod = polymod(_expand(hrp) + words + [0] * 6) ^ 1
    checksum = [(mod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(CHARSET[w] for w in words + checksum)


def is_valid(address: str, hrp: str) -> bool:
    """Lower case, the expected prefix, the charset, and a checksum that verifies."""
    if address.lower() != address or "1" not in address:
        return False
    prefix, _, data = address.rpartition("1")
    if prefix != hrp or len(data) < 7 or any(c not in CHARSET for c in data):
        return False
    return polymod(_expand(prefix) + [CHARSET.index(c) for c in data]) == 1
