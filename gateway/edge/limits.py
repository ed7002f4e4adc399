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

from redis.asyncio import Redis
from redis.exceptions import RedisError

from gateway.errors import RateLimited
from gateway.policy.windowlog import LocalWindowLog, RedisWindowLog, Window, WindowLog


class CallerLimit:
    def __init__(self, rate: tuple[int, int], redis: Redis | None) -> None:
        self.windows = (Window(rate[0], 1.0), Window(rate[1], 60.0))
        self.local = LocalWindowLog()
        self.log: WindowLog = RedisWindowLog(redis) if redis is not None else self.local  # the app's client

    async def charge(self, caller: str) -> None:
        """Count one request; RateLimited when the caller's windows are full."""
        name = f"requests:{caller}"
        try:
            slot, wait = await self.log.take(name, self.windows, 0.05)
        except (RedisError, OSError):
            slot, wait = await self.local.take(name, self.windows, 0.05)
        if slot is None:
            raise RateLimited("Too many requests from this caller; retry later", wait)
        await slot.release()
