"""A circuit breaker per upstream: stop calling an upstream that keeps failing, then try once.

    closed ──(threshold consecutive failures)──> open ──(cooldown elapsed)──> half-open
      ^                                            ^                             │ one trial call
      └──────────────── trial succeeds ────────────┼──── trial fails ────────────┘

What counts: each upstream *attempt* that fails the way an outage does (a transport error, a
timeout, a 5xx). A 4xx is an answer (the upstream is alive and judged the request), so it counts
as success; a 429 is neither (the upstream is alive but says nothing about health). While open,
calls fail at once, without a rate-limit slot or a socket, as "circuit open" (or are answered
from stale cache by the transport). The state is per process: every replica learns on its own,
which costs at most `threshold` failed calls per replica and needs no shared state on the path
that is failing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import Enum


class State(Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    def __init__(self, threshold: int, cooldown: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.threshold = max(1, threshold)
        self.cooldown = cooldown
        self.clock = clock
        self.state = State.CLOSED
        self.failures = 0  # consecutive
        self.opened_at = 0.0
        self.last_success: float | None = None  # clock() of the last successful answer (for /readyz)
        self._trial = False  # a half-open trial call is under way

    def allow(self) -> bool:
        """May a call go out now? In half-open state only one trial at a time."""
        if self.state is State.CLOSED:
            return True
        if self.state is State.OPEN:
            if self.clock() - self.opened_at < self.cooldown:
                return False
            self.state = State.HALF_OPEN
        if self._trial:
            return False
        self._trial = True
        return True

    def retry_after(self) -> float:
        """Seconds until a trial call may go out (0 when the circuit is not open)."""
        if self.state is not State.OPEN:
            return 0.0
        return max(0.0, self.cooldown - (self.clock() - self.opened_at))

    def success(self) -> None:
        self.state, self.failures, self._trial = State.CLOSED, 0, False
        self.last_success = self.clock()

    def failing(self) -> bool:
        """Is this upstream down as far as we know: circuit not closed, or `threshold` failures in a row?"""
        return self.state is not State.CLOSED or self.failures >= self.threshold

    def last_success_age(self) -> float | None:
        return None if self.last_success is None else self.clock() - self.last_success

    def failure(self) -> None:
        self.failures += 1
        if self.state is State.HALF_OPEN or self.failures >= self.threshold:
            self.state, self.opened_at = State.OPEN, self.clock()
        self._trial = False

    def neutral(self) -> None:
        """The attempt said nothing about health (a 429) or never went out (no rate-limit slot)."""
        if self._trial:
            self._trial = False  # let the next call be the trial
