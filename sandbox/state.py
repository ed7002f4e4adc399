"""What the three simulators share: the market, the request log, injected faults, API keys.

Every simulator is a set of Starlette routes built from one `SandboxState`; `server.py` mounts
them under `/perpstracker`, `/nansen` and `/nibiru` and wraps each in the request log and
fault injection, so a simulator only speaks its wire format.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sandbox.market import DEFAULT_START, Market, TradeEvent

UPSTREAMS = ("perpstracker", "nansen", "nibiru")

# API keys the simulators accept: fixed demo values unless the process that starts the sandbox
# passes its own (`gateway serve` generates a pair, so an embedded sandbox on a shared host does not
# answer to well-known keys). Read once, at start-up; they are not secrets of any real upstream.
PERPSTRACKER_KEY = os.environ.get("SANDBOX_PERPSTRACKER_KEY") or "pt-sandbox-elite-key"
PERPSTRACKER_PRO_KEY = "pt-sandbox-pro-key"  # valid key on the Pro plan: no WebSocket alerts
NANSEN_KEY = os.environ.get("SANDBOX_NANSEN_KEY") or "nansen-sandbox-key"
# The keys by upstream, as `Settings.with_sandbox` takes them.
KEYS = {"perpstracker": PERPSTRACKER_KEY, "nansen": NANSEN_KEY}


@dataclass
class RequestRecord:
    upstream: str
    method: str
    path: str  # path below the upstream's mount, e.g. /api/perpetuals/leaderboard/24h
    query: str
    status: int
    ts: float  # wall-clock seconds when it was answered
    category: str | None  # PerpsTracker rate-limit category, where one applies
    # wall-clock seconds when it arrived: `/requests?since=` filters on this, so a slow request of
    # an earlier test (or a WebSocket closing late) never lands in a later test's window
    started: float = 0.0
    traceparent: str | None = None  # the caller's W3C trace context, to check propagation


@dataclass
class Fault:
    """What an upstream does instead of answering: `mode` is one of
    `error` (HTTP `status`, default 500), `slow` (answer after `delay` seconds),
    `down` (drop the connection without a response, close open WebSockets with 1011 and refuse
    new ones), or a 200 with a bad body: `html`, `truncated`, `wrong_shape`, `null`, `huge`
    (`size` bytes of padding), see `sandbox/faults.py`."""

    mode: str
    status: int = 500
    delay: float = 0.0
    size: int = 64 * 2**20
    retry_after: float = 1.0  # the `Retry-After` of an `error` fault with status 429


@dataclass
class SandboxState:
    market: Market
    requests: list[RequestRecord] = field(default_factory=list)
    faults: dict[str, Fault] = field(default_factory=dict)
    rate_limits: bool = True
    # Called with the new market after `reset`, so simulators can re-attach listeners.
    reset_hooks: list[Callable[[Market], None]] = field(default_factory=list)
    # Open WebSockets per upstream: a `down` fault calls these to close them with 1011.
    ws_killers: dict[str, set[Callable[[], None]]] = field(default_factory=dict)
    # Subscription operations started per Sai Keeper root field (tests: one upstream operation per topic).
    subscriptions: Counter[str] = field(default_factory=Counter)

    @classmethod
    def create(cls, seed: int = 7, start: datetime | None = None, **market_kw: object) -> SandboxState:
        return cls(market=Market(seed=seed, start=start or DEFAULT_START, **market_kw))  # type: ignore[arg-type]

    def reset(self, seed: int = 7, start: datetime | None = None, **market_kw: object) -> None:
        """Rebuild the market from a seed; listeners move to the new market."""
        old = self.market
        self.market = Market(seed=seed, start=start or DEFAULT_START, **market_kw)  # type: ignore[arg-type]
        self.market.listeners = old.listeners
        self.market.step_listeners = old.step_listeners
        self.requests.clear()
        self.subscriptions.clear()
        self.faults.clear()
        for hook in list(self.reset_hooks):
            hook(self.market)

    def kill_websockets(self, upstream: str) -> None:
        """Close every open WebSocket of `upstream` (code 1011), as a dead upstream would."""
        for kill in list(self.ws_killers.get(upstream, ())):
            kill()

    def record(self, rec: RequestRecord) -> None:
        self.requests.append(rec)
        if len(self.requests) > 200_000:  # a long-running sandbox must not grow without bound
            del self.requests[:100_000]

    def counters(self) -> dict[str, object]:
        out: dict[str, object] = {}
        for up in UPSTREAMS:
            recs = [r for r in self.requests if r.upstream == up]
            out[up] = {
                "total": len(recs),
                "by_path": dict(Counter(f"{r.method} {r.path}" for r in recs)),
                "by_status": {str(k): v for k, v in Counter(r.status for r in recs).items()},
                "by_category": dict(Counter(r.category for r in recs if r.category)),
            }
        out["nibiru_subscriptions"] = dict(self.subscriptions)
        return out

    def subscribe(self, listener: Callable[[TradeEvent], None]) -> None:
        """Attach a trade listener that survives `reset`."""
        self.market.subscribe(listener)
