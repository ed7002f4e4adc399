"""What a bridge tells the hub about itself: its state, its last error, and when it is primed.

Every bridge owns a `BridgeStatus`. The hub reads it for three things:

- **primed**: the bridge has taken its baseline (subscribed upstream and learned the upstream's
  position: newest history id, first poll, alert socket authenticated). `Hub.open` waits for it
  (bounded) before a subscription is accepted, so every event after the acceptance is one the
  bridge will send: nothing between "subscribed" and "the bridge knows where the upstream is"
  can fall into a gap. This uses no clock comparison between the gateway and the upstream.
- **state** for /readyz and /metrics: `starting | live | reconnecting | polling | failed`, with
  the last error's code, source and message.
- **lasting failure**: `trouble(error)` on every failed attempt; once attempts have failed without
  a success for `fail_after` seconds the state is `failed` and `on_failed` (the hub) ends every
  subscriber of the topic with that error (code and source), rather than leaving them silent.
  The bridge keeps trying; a later success makes it `live` (or `polling`) again.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from gateway.errors import GatewayError

STATES = ("starting", "live", "reconnecting", "polling", "failed")
FAIL_AFTER = 60.0


class BridgeStatus:
    def __init__(self, fail_after: float = FAIL_AFTER, clock: Callable[[], float] = time.monotonic) -> None:
        self.state = "starting"
        self.fail_after = fail_after
        self.primed = asyncio.Event()
        self.settled = asyncio.Event()  # primed, or failing: either way a subscriber need not wait
        self.last_error: GatewayError | None = None
        self.failing_since: float | None = None
        self.on_failed: Callable[[GatewayError], None] | None = None
        self._healthy = "live"  # what a success means: live, or polling for a fallback
        self._clock = clock

    def ok(self, mode: str | None = None) -> None:
        """An attempt succeeded (subscribed, polled): the bridge is primed and flowing."""
        if mode is not None:
            self._healthy = mode
        self.state = self._healthy
        self.failing_since = None
        self.primed.set()
        self.settled.set()

    def trouble(self, error: GatewayError) -> None:
        """An attempt failed; `failed` (and subscribers told) once failures last `fail_after` s.
        A bridge failing before its baseline is settled: the upstream is out, so waiting for the
        baseline would only delay the subscriber (it is then owed events from the first success)."""
        self.last_error = error
        self.settled.set()
        now = self._clock()
        if self.failing_since is None:
            self.failing_since = now
        if now - self.failing_since >= self.fail_after:
            self.fail(error)
        elif self.state != "failed":
            self.state = "reconnecting"

    def fail(self, error: GatewayError) -> None:
        """A lasting failure without a fallback: tell the hub now."""
        self.last_error = error
        first = self.state != "failed"
        self.state = "failed"
        self.settled.set()
        if first and self.on_failed is not None:
            self.on_failed(error)

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"state": self.state}
        if self.last_error is not None:
            out["last_error"] = {"code": self.last_error.code, "source": getattr(self.last_error, "source", None),
                                 "message": self.last_error.message}
        return out


def status_of(bridge: object) -> BridgeStatus | None:
    """A bridge's status, if it keeps one (test doubles may not)."""
    found = getattr(bridge, "status", None)
    return found if isinstance(found, BridgeStatus) else None
