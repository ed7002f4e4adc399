"""One backoff: how long to wait before the next attempt, growing exponentially up to a cap.

Waits are `base * 2**attempt`, capped at `cap`, then jittered so a fleet of replicas that failed
together (an upstream restart, a Redis restart) does not come back in lockstep:

- "full": uniform in [0, d]. Spreads best; right where a floor comes from elsewhere (the upstream
  call retry puts `Retry-After` under it).
- "equal": uniform in [d/2, d]. Half fixed, half random: a reconnect loop never spins, there is
  always a floor under each wait. The default, for streams.
- "none": exactly d, where one process talks to its own dependency and lockstep cannot happen.

`delay(attempt)` is stateless (a caller that counts its own attempts); `next()` / `reset()` keep
the count for loops that reconnect until they succeed.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Literal

Jitter = Literal["full", "equal", "none"]


class Backoff:
    """Delays of base·2ⁿ capped at `cap`, jittered; `reset` after a success."""

    def __init__(self, base: float = 0.5, cap: float = 30.0, *, jitter: Jitter = "equal",
                 rng: Callable[[], float] = random.random) -> None:
        if base <= 0 or cap < base:
            raise ValueError("backoff needs 0 < base <= cap")
        self.base, self.cap, self.jitter, self._rng = base, cap, jitter, rng
        self.attempts = 0

    def ceiling(self, attempt: int) -> float:
        """The un-jittered wait before retry number `attempt + 1`."""
        return min(self.cap, self.base * 2.0 ** min(attempt, 30))

    def delay(self, attempt: int) -> float:
        """The wait before retry number `attempt + 1` (attempt 0 is the first call)."""
        ceiling = self.ceiling(attempt)
        if self.jitter == "full":
            return self._rng() * ceiling
        if self.jitter == "equal":
            return ceiling / 2 + self._rng() * ceiling / 2
        return ceiling

    def next(self) -> float:
        """The next wait of a loop that counts its failures here."""
        wait = self.delay(self.attempts)
        self.attempts += 1
        return wait

    def reset(self) -> None:
        self.attempts = 0
