"""Per-caller shares of upstream budgets: one caller cannot spend what every caller shares.

An upstream's rate buckets (ratelimit.py) are shared by every caller of the gateway; without a
share, one client's 40-alias query takes the whole minute's budget and everyone else is refused.
So each request that must go to an upstream (a cache miss) first takes a slot in the caller's own
window log for that bucket: `share` of each of the bucket's windows (at least one call), or, for
an upstream that documents no limits, `fallback` calls per second/minute. Answers from cache cost
nothing. The log is the same sliding-window log as the upstream buckets (windowlog.py), in Redis
when configured, so the share holds across replicas.

A caller whose share frees within `max_wait` (GATEWAY_RATE_LIMIT_WAIT; a per-second burst window: one query of a few
upstream calls in the same second) waits for it, as the upstream bucket itself would make it wait.
A caller whose share is spent for longer is refused at once with RATE_LIMITED and the time until
its share frees as `retryAfter` (a long wait would hold a request open for a budget the caller
itself spent). The refusal happens before the breaker is asked, so it never counts as an upstream
fault, and no upstream call is made.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Mapping, Sequence

from redis.exceptions import RedisError

from gateway.errors import UpstreamRateLimited
from gateway.policy.refusal import PolicyRefusal
from gateway.policy.windowlog import LocalWindowLog, Window, WindowLog

log = logging.getLogger("gateway.policy")
HOLD = 0.05  # a share counts requests, not their duration


class CallerShares:
    """The per-caller windows of one upstream's buckets."""

    def __init__(self, source: str, label: str, limits: Mapping[str, Sequence[Window]], share: float,
                 fallback: tuple[int, int] | None, shared: WindowLog, local: LocalWindowLog,
                 max_wait: float = 2.0) -> None:
        self.source, self.label = source, label
        self.windows: dict[str, tuple[Window, ...]] = {
            bucket: tuple(Window(max(1, math.floor(w.limit * share)), w.seconds) for w in ws)
            for bucket, ws in limits.items() if share < 1
        }
        # an upstream without documented buckets (Sai Keeper) still gets a per-caller bound
        self.fallback = (Window(fallback[0], 1.0), Window(fallback[1], 60.0)) if fallback and not limits else ()
        self.shared, self.local = shared, local
        self.max_wait = max_wait  # GATEWAY_RATE_LIMIT_WAIT, as long as the upstream bucket itself would wait

    def windows_of(self, bucket: str | None) -> tuple[Window, ...]:
        return self.windows.get(bucket, ()) if bucket is not None else self.fallback

    async def charge(self, caller: str | None, bucket: str | None) -> None:
        """Count one upstream request for `caller`; PolicyRefusal(RATE_LIMITED) when its share is spent."""
        windows = self.windows_of(bucket) if caller is not None else ()
        if not windows:
            return
        name = f"caller:{caller}:{self.source}:{bucket or '*'}"
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.max_wait
        while True:
            try:
                slot, wait = await self.shared.take(name, windows, HOLD)
            except (RedisError, OSError) as exc:
                log.warning("shared caller limits unavailable (%s): counting in this process only",
                            type(exc).__name__)
                slot, wait = await self.local.take(name, windows, HOLD)
            if slot is not None or loop.time() + wait > deadline:
                break
            await asyncio.sleep(wait)
        if slot is None:
            raise PolicyRefusal(UpstreamRateLimited(
                self.source, f"your share of the {self.label} request budget is spent; retry later", wait))
        await slot.release()
