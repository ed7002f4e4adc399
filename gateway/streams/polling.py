"""Pollers for upstreams (or kinds) without a stream: an interval that follows the rate budget.

The rule (docs/operations-bridges.md): pollers of one upstream bucket share a `PollBudget`.
With pollers p₁…pₙ running in this process, each costing cᵢ requests per poll, every one of them
waits

    interval = clamp(max(min_interval, Σcᵢ · 60 / (share · per_minute)) · penalty, max_interval)

between polls, so together they spend at most `share` of the bucket's per-minute limit and leave
the rest for queries; a new poller lengthens everyone's interval, a stopped one shortens it. A
RATE_LIMITED answer (the upstream's 429, or the gateway's own limiter refusing a slot) doubles
`penalty` (up to ×16) and holds every poller of the bucket for the Retry-After; each successful
poll brings `penalty` back by ×0.8 towards 1. An upstream without a documented limit polls at
`min_interval`.

The calls themselves go through the sources, so the upstream policy's cache, single-flight and limiter apply to
pollers exactly as to queries, with one difference: each poll carries a freshness hint (the start
of the previous poll, `gateway.policy.freshness`), so a poll is never answered by an answer the
previous poll already saw, and a fill reaches subscribers within one interval of the poll that
sees it rather than one cache TTL later.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence

from gateway.coord.backoff import Backoff
from gateway.errors import GatewayError, RateLimited, UpstreamRateLimited
from gateway.observe.metrics import STREAM_RECONNECTS
from gateway.policy.freshness import fresh_after
from gateway.policy.windowlog import Window
from gateway.streams.status import BridgeStatus

log = logging.getLogger("gateway.streams")

MAX_PENALTY = 16.0


class PollBudget:
    """One upstream bucket's request budget, shared by this process's pollers."""

    def __init__(self, name: str, per_minute: float | None, *, share: float = 0.5, min_interval: float = 5.0,
                 max_interval: float = 300.0, clock: Callable[[], float] = time.monotonic) -> None:
        if not 0 < share <= 1:
            raise ValueError("share must be in (0, 1]")
        self.name, self.per_minute, self.share = name, per_minute, share
        self.min_interval, self.max_interval = min_interval, max(max_interval, min_interval)
        self.penalty = 1.0
        self._costs: dict[int, float] = {}
        self._next_id = 0
        self._hold_until = 0.0
        self._clock = clock

    @property
    def total_cost(self) -> float:
        return sum(self._costs.values())

    def interval(self) -> float:
        spread = 0.0
        if self.per_minute:
            spread = self.total_cost * 60.0 / (self.share * self.per_minute)
        return min(self.max_interval, max(self.min_interval, spread) * self.penalty)

    @contextlib.contextmanager
    def join(self, cost: float) -> Iterator[None]:
        """Count a poller of `cost` requests per poll while the block runs."""
        ticket, self._next_id = self._next_id, self._next_id + 1
        self._costs[ticket] = cost
        try:
            yield
        finally:
            del self._costs[ticket]

    def rate_limited(self, retry_after: float) -> None:
        self.penalty = min(MAX_PENALTY, self.penalty * 2)
        self._hold_until = max(self._hold_until, self._clock() + max(retry_after, 0.0))
        log.warning("%s pollers rate limited: every poll now %.1f s apart", self.name, self.interval())

    def succeeded(self) -> None:
        self.penalty = max(1.0, self.penalty * 0.8)

    def hold(self) -> float:
        """Seconds every poller of this bucket must still wait after a RATE_LIMITED answer."""
        return max(0.0, self._hold_until - self._clock())


async def poll_forever(budget: PollBudget, cost: float, poll: Callable[[], Awaitable[None]], what: str,
                       *, backoff: Backoff | None = None, status: BridgeStatus | None = None,
                       mode: str = "live") -> None:
    """Run `poll` until cancelled, at the budget's interval; upstream failures never end it.

    The first poll runs at once (it is usually the baseline); later ones are spread with ±10%
    jitter so pollers started together do not stay in phase. `status` hears of every poll: a
    success is `mode` (primed after the first), failures count towards a lasting failure.
    """
    errors = backoff or Backoff(base=1.0, cap=60.0)
    # wall-clock end of the last successful poll: an answer fetched before it is one that poll
    # already saw (not news), so the next poll refuses it and goes out. The poll's *start* was
    # used before: its own answer was fetched after that, stayed usable, and a poller read the
    # same cached answer until its TTL ran out (JUPITER live 2.5 s p50 at a 1 s interval).
    previous = 0.0
    with budget.join(cost):
        while True:
            hold = budget.hold()
            if hold:
                await asyncio.sleep(hold)
            try:
                with fresh_after(previous):
                    await poll()
                previous = time.time()
            except (UpstreamRateLimited, RateLimited) as exc:
                budget.rate_limited(exc.retry_after)
            except GatewayError as exc:
                if status is not None:
                    status.trouble(exc)
                delay = errors.next()
                STREAM_RECONNECTS.inc()
                log.warning("%s: poll failed (%s: %s); next try in %.1f s", what, exc.code, exc.message, delay)
                await asyncio.sleep(delay)
                continue
            else:
                budget.succeeded()
                errors.reset()
                if status is not None:
                    status.ok(mode)
            await asyncio.sleep(budget.interval() * random.uniform(0.9, 1.1))


def per_minute(windows: Sequence[Window]) -> float:
    """The sustained rate a set of rate-limit windows allows, in calls per minute."""
    return min(w.limit * 60.0 / w.seconds for w in windows)
