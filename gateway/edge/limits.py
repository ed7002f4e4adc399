"""The per-caller request limit (GATEWAY_CALLER_RATE, off by default): requests per second/minute.

Counted in the same sliding-window log as the upstream buckets (gateway/policy/windowlog.py),
in Redis when REDIS_URL is set so that a caller's requests count on every replica, keyed by the
caller (`ip:…`, `key:…`, `sub:…`). A spent limit is refused at once, HTTP 429 with RATE_LIMITED
and `retryAfter`. If Redis fails the process counts alone (the limit then holds per replica).

Off by default because the per-caller share of upstream budgets (gateway/policy/fairness.py) is
what protects other callers; a request limit also bounds what one caller may ask of the
gateway's own CPU, and is the operator's call (a public API behind one NAT is one "caller").
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable, Sequence

from redis.asyncio import Redis
from redis.exceptions import RedisError

from gateway.errors import RateLimited
from gateway.policy.windowlog import RedisWindowLog, Window

REFUSED = "Too many requests from this caller; retry later"


class LocalRequestLog:
    """Each caller's request times in this process, one deque per window: the same sliding-window
    log as `RedisWindowLog` keeps in Redis, at O(1) a request.

    Why not `LocalWindowLog` (the upstream budgets' log): it filters and sorts a bucket's whole
    log on every call, which is right for an upstream's few calls a minute with in-flight holds,
    but a caller's log holds up to its per-minute limit: at a generous limit a request cost
    milliseconds (measured: 1.7 to 8.5 ms a request, growing with the log, at 60,000,000 a
    minute), and it kept every caller ever seen. Here a request's time is appended only when every
    window admits it, so no deque outgrows its window's limit, and the expired times leave from the
    front. At most `max_callers` callers are kept, the least recently seen dropped first.
    """

    def __init__(self, windows: Sequence[Window], *, max_callers: int = 100_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.bounds = tuple((window.span, window.limit) for window in windows)  # read once, not per request
        self.max_callers = max_callers
        self.clock = clock
        # least recently seen first: a caller seen again moves to the end (C's move_to_end, O(1))
        self.callers: OrderedDict[str, tuple[deque[float], ...]] = OrderedDict()

    def take(self, caller: str) -> float:
        """0 if the request is admitted (and counted), else the seconds until it would be."""
        now = self.clock()
        logs = self.callers.get(caller)
        if logs is None:
            if len(self.callers) >= self.max_callers:
                self.callers.popitem(last=False)
            logs = self.callers[caller] = tuple(deque() for _ in self.bounds)
        else:
            self.callers.move_to_end(caller)
        wait = 0.0
        for (span, limit), times in zip(self.bounds, logs, strict=True):
            edge = now - span
            while times and times[0] <= edge:
                times.popleft()
            if len(times) >= limit:  # full (never more: see above): its oldest frees a place
                wait = max(wait, times[0] + span - now)
        if wait > 0:
            return wait
        for times in logs:
            times.append(now)
        return 0.0


class CallerLimit:
    def __init__(self, rate: tuple[int, int], redis: Redis | None) -> None:
        self.windows = (Window(rate[0], 1.0), Window(rate[1], 60.0))
        self.local = LocalRequestLog(self.windows)
        self.shared = RedisWindowLog(redis) if redis is not None else None  # the app's client

    def charge_here(self, caller: str) -> None:
        """`charge` without Redis: counted in this process, nothing awaited (the edge calls it
        directly when there is no Redis: a coroutine a request was a measurable share of a
        response-cache hit)."""
        wait = self.local.take(caller)
        if wait > 0:
            raise RateLimited(REFUSED, wait)

    async def charge(self, caller: str) -> None:
        """Count one request; RateLimited when the caller's windows are full."""
        if self.shared is None:
            self.charge_here(caller)
            return
        try:
            slot, wait = await self.shared.take(f"requests:{caller}", self.windows, 0.05)
        except (RedisError, OSError):
            self.charge_here(caller)
            return
        if slot is not None:
            await slot.release()
        if wait > 0:
            raise RateLimited(REFUSED, wait)
