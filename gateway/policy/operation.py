"""What one GraphQL operation learned about the data it touched, for the layers around it.

The upstream layer records, per call, how long the data may be cached and whether a stale copy
was served; the response layer reads it to pick the response's TTL (the shortest TTL touched) and
to mark stale answers in `extensions`. It travels in a context variable holding a mutable object,
so tasks spawned during the operation (DataLoader batches, gathers) write to the same record.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass, field


@dataclass
class StaleNote:
    source: str
    age: float  # seconds since the served copy was fetched


@dataclass
class OperationStats:
    min_ttl: float | None = None  # shortest TTL of any upstream data used; None: none touched
    uncacheable: bool = False  # some data must not be cached (an error, a write, a live value)
    stale: list[StaleNote] = field(default_factory=list)
    upstream_calls: int = 0  # calls that went to an upstream (not answered from cache)
    deadline: float | None = None  # loop time by which every upstream call must be over; set by the first
    ended: bool = False  # the operation answered; a task it left behind still sees this record

    def deadline_for(self, now: float, timeout: float) -> float:
        """The operation's upstream deadline: `timeout` after its first upstream call, shared by
        the later ones, so an operation that calls one slow upstream several times in a row (pages
        of a history) still answers, stale or with an error, within one timeout, not one per call."""
        if self.ended:  # a task that outlived its operation: its calls are on their own deadlines
            return now + timeout
        if self.deadline is None:
            self.deadline = now + timeout
        return self.deadline

    def touched(self, ttl: float) -> None:
        self.min_ttl = ttl if self.min_ttl is None else min(self.min_ttl, ttl)

    def served_stale(self, source: str, age: float) -> None:
        from gateway.observe.metrics import STALE_ANSWERS

        STALE_ANSWERS.labels(source=source).inc()
        self.stale.append(StaleNote(source, round(age, 3)))
        self.uncacheable = True


_current: contextvars.ContextVar[OperationStats | None] = contextvars.ContextVar("operation_stats", default=None)


def begin() -> tuple[OperationStats, contextvars.Token[OperationStats | None]]:
    stats = OperationStats()
    return stats, _current.set(stats)


def end(token: contextvars.Token[OperationStats | None]) -> None:
    stats = _current.get()
    _current.reset(token)
    if stats is not None:
        stats.ended = True


def current() -> OperationStats:
    """The running operation's record; a throwaway one outside an operation (e.g. a poller), so
    every call made outside an operation has a deadline of its own."""
    stats = _current.get()
    return stats if stats is not None else OperationStats()
