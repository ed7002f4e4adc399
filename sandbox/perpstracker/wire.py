"""Small wire-format helpers: the timestamp spellings, money encodings and JSON bytes PerpsTracker uses.

The upstream is inconsistent between endpoints (ISO with or without milliseconds, Unix seconds,
Unix milliseconds, USD as floats or as integer micro-USDC strings); each helper names one spelling
so renderers say which one an endpoint uses.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

DAY_MS = 86_400_000
_B58 = re.compile(r"^[1-9A-HJ-NP-Za-km-z]{32,44}$")


def iso_ms(ts_ms: int) -> str:
    """`2025-12-16T05:08:02.466Z` (live-trades, overview `updatedAt`, webhook timestamps)."""
    dt = datetime.fromtimestamp(ts_ms / 1000, tz=UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts_ms % 1000:03d}Z"


def iso_s(ts_ms: int) -> str:
    """`2025-12-15T14:30:00Z` (whale trades, liquidations, trader trades, alert trades)."""
    return datetime.fromtimestamp(ts_ms // 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_s000(ts_ms: int) -> str:
    """`2025-12-11T19:59:59.000Z`: whole seconds written with a zero millisecond part (history)."""
    return datetime.fromtimestamp(ts_ms // 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def unix_s(ts_ms: int) -> int:
    return ts_ms // 1000


def micro_usdc(usd: float) -> str:
    """USD as an integer count of micro-USDC in a string (`collected_fee`, `pnl_delta`)."""
    return str(round(usd * 1_000_000))


def short_wallet(wallet: str) -> str:
    """`HtXu...RPiT`: first and last four characters."""
    return f"{wallet[:4]}...{wallet[-4:]}"


def is_solana_address(value: str) -> bool:
    """Base58 text of the length a 32-byte key encodes to."""
    return bool(_B58.match(value))


def money(x: float) -> float:
    return round(x, 2)


def ratio(part: float, whole: float, digits: int = 2) -> float:
    """`part / whole` as a percentage; 0 when there is nothing to divide by."""
    return round(100.0 * part / whole, digits) if whole else 0.0


def js_number(value: object) -> object:
    """Integral floats as integers, recursively: what `JSON.stringify` writes for 25000.00."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, dict):
        return {k: js_number(v) for k, v in value.items()}
    if isinstance(value, list):
        return [js_number(v) for v in value]
    return value


def js_dumps(payload: object) -> bytes:
    """Compact JSON exactly as Node's `JSON.stringify(payload)` would write it.

    The docs verify webhook signatures by re-stringifying the parsed body, so the raw body must be
    byte-identical to what JSON.stringify produces: no spaces, raw UTF-8, integral numbers without
    a fractional part.
    """
    return json.dumps(js_number(payload), separators=(",", ":"), ensure_ascii=False).encode()
