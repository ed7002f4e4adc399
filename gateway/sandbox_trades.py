"""`gateway sandbox-trade`: make trades happen in a running sandbox, so a subscription visibly works.

The sandbox under `make run` follows the wall clock, and a given trader trades every few minutes
at most: a newcomer who starts `perpLiveTrades` in GraphiQL would watch a spinner. This asks the
sandbox's `/_control` surface (the one the tests use) to open positions for traders it already
has, on every venue, through the same code path as its simulated trades, so they reach the
gateway exactly as upstream events would. Plain HTTP: the gateway imports nothing from the
sandbox package.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import httpx

VENUES = ("NIBIRU", "JUPITER", "HYPERLIQUID")
SYMBOLS = ("BTC", "SOL")  # markets every venue of the sandbox lists


class SandboxUnreachable(RuntimeError):
    """No sandbox answers at the given URL (not running, or on another port)."""


@dataclass(frozen=True)
class Trade:
    venue: str
    trader: str
    symbol: str
    is_long: bool
    size_usd: float


def plan(traders: Mapping[str, Sequence[str]], count: int, rng: random.Random) -> list[Trade]:
    """`count` trades per venue by traders the sandbox already has (so their histories make sense)."""
    out = []
    for venue in VENUES:
        for _ in range(count):
            out.append(Trade(venue, rng.choice(traders[venue]), rng.choice(SYMBOLS), rng.random() < 0.5,
                             float(rng.randrange(15_000, 120_000, 500))))
    return out


def make_trades(sandbox: str, count: int = 1, seed: int | None = None) -> list[Trade]:
    """Open `count` positions per venue in the sandbox at `sandbox` (its base URL); returns them."""
    rng = random.Random(seed)
    try:
        with httpx.Client(base_url=f"{sandbox.rstrip('/')}/_control", timeout=10) as control:
            traders = {v: [t["address"] for t in control.get("/traders", params={"venue": v}).json()]
                       for v in VENUES}
            trades = plan(traders, count, rng)
            for t in trades:
                r = control.post("/inject", json={
                    "venue": t.venue, "trader": t.trader, "symbol": t.symbol, "action": "open",
                    "is_long": t.is_long, "size_usd": t.size_usd, "collateral_usd": round(t.size_usd / 5, 2)})
                r.raise_for_status()
    except httpx.TransportError as exc:
        raise SandboxUnreachable(f"no sandbox answers at {sandbox} ({exc.__class__.__name__}); "
                                 "start one with `make run` or `gateway sandbox`") from exc
    return trades
