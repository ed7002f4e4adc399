"""Fixed-window request limits, as the simulated upstreams enforce them (wall-clock time).

Upstreams count requests per calendar second and per calendar minute and reset at the window
edge; `RateLimit-Reset` is the seconds left in the window that is closest to refusing.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Window:
    limit: int
    seconds: float
    start: float = 0.0
    count: int = 0

    def roll(self, now: float) -> None:
        start = math.floor(now / self.seconds) * self.seconds
        if start != self.start:
            self.start, self.count = start, 0

    def remaining(self) -> int:
        return max(0, self.limit - self.count)

    def reset_in(self, now: float) -> int:
        return max(1, math.ceil(self.start + self.seconds - now))


@dataclass
class Decision:
    allowed: bool
    limit: int  # the binding window's limit
    remaining: int  # of the binding window, after this request
    reset: int  # seconds until the binding window resets
    windows: list[Window] = field(default_factory=list)


class Limiter:
    """All windows must admit a request; a refused request does not count."""

    def __init__(self, windows: list[tuple[int, float]], clock: Callable[[], float] = time.time) -> None:
        self.windows = [Window(limit, seconds) for limit, seconds in windows]
        self.clock = clock
        self.enabled = True

    def check(self) -> Decision:
        now = self.clock()
        for w in self.windows:
            w.roll(now)
        allowed = (not self.enabled) or all(w.count < w.limit for w in self.windows)
        if allowed:
            for w in self.windows:
                w.count += 1
        binding = min(self.windows, key=lambda w: (w.remaining(), w.seconds))
        if not allowed:
            binding = next(w for w in self.windows if w.count >= w.limit)
        return Decision(allowed, binding.limit, binding.remaining(), binding.reset_in(now), self.windows)
