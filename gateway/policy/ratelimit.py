"""Upstream rate limits: one bucket per (upstream, API key, category), never over the documented counts.

Buckets and their windows come from each upstream's endpoint table (`UpstreamSpec.limits`: e.g. a
burst per second and a sustained count per minute per category), overridable in settings. The
counting is a sliding-window log (`windowlog.py`, with why it is not a token bucket), shared by
every replica through Redis when `REDIS_URL` is set; if Redis fails, the process falls back to its
own log rather than failing calls (the limits then hold per replica only).

The upstream's own headers teach the limiter what it cannot know (another client on the same key,
a lower limit than documented): `RateLimit-Remaining: 0` (or `X-RateLimit-Remaining*: 0`) blocks the
bucket until the reset the headers give, and a 429 blocks it for its `Retry-After`.

A call waits for a slot at most `rate_limit_wait` seconds (and never past its deadline); when the
shortest possible wait is longer it fails at once with `UpstreamRateLimited` and that wait as
`retryAfter`, which the transport may still answer from stale cache.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping, Sequence

from redis.exceptions import RedisError

from gateway.errors import UpstreamRateLimited
from gateway.observe.metrics import RATE_LIMIT_WAIT
from gateway.policy.refusal import PolicyRefusal
from gateway.policy.retry import retry_after
from gateway.policy.windowlog import LocalWindowLog, NoSlot, Slot, Window, WindowLog

log = logging.getLogger("gateway.policy")

# (remaining header, the header with its reset) pairs upstreams send. Per-second and per-minute
# counters without a reset of their own (`X-RateLimit-Remaining-Second/-Minute`): a spent second waits 1 s, a spent minute
# waits for the next calendar minute (how the windows are counted) or `RateLimit-Reset` if longer.
_REMAINING: tuple[tuple[str, str | None], ...] = (
    ("ratelimit-remaining", "ratelimit-reset"),
    ("x-ratelimit-remaining", "x-ratelimit-reset"),
    ("x-ratelimit-remaining-second", None),
    ("x-ratelimit-remaining-minute", "ratelimit-reset"),
)


def windows_of(per_second: int, per_minute: int) -> tuple[Window, ...]:
    return (Window(per_second, 1.0), Window(per_minute, 60.0))


def _seconds(value: str | None) -> float | None:
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None
    if seconds is not None and seconds > 1e9:  # an epoch time, not a delta
        seconds -= time.time()
    return None if seconds is None else max(0.0, seconds)


def blocked_for(status: int, headers: Mapping[str, str]) -> float | None:
    """How long the upstream's answer says the bucket is spent, or None if it is not."""
    lowered = {k.lower(): v for k, v in headers.items()}
    if status == 429:
        return retry_after(lowered, 429) or 1.0
    found: float | None = None
    for remaining, reset in _REMAINING:
        if _seconds(lowered.get(remaining)) != 0.0:
            continue
        seconds = (_seconds(lowered.get(reset)) if reset else None) or 1.0
        if remaining.endswith("minute"):
            seconds = max(seconds, 60.0 - time.time() % 60.0)
        found = max(found or 0.0, seconds)
    return found


class RateLimiter:
    """The buckets of one upstream."""

    def __init__(self, source: str, label: str, limits: Mapping[str, Sequence[Window]], shared: WindowLog,
                 local: LocalWindowLog | None = None) -> None:
        self.source, self.label = source, label
        self.limits = {bucket: tuple(ws) for bucket, ws in limits.items()}
        self.shared = shared
        self.local = local if local is not None else (shared if isinstance(shared, LocalWindowLog) else LocalWindowLog())

    def bucket_id(self, bucket: str, key_id: str) -> str:
        return f"{self.source}:{key_id}:{bucket}"

    async def acquire(self, bucket: str | None, key_id: str, give_up: float, deadline: float) -> Slot:
        """A slot in `bucket`, waiting until `give_up` at most (loop time); `deadline` ends the call."""
        windows = self.limits.get(bucket) if bucket is not None else None
        if not windows or bucket is None:
            return NoSlot()
        loop = asyncio.get_running_loop()
        name = self.bucket_id(bucket, key_id)
        started = loop.time()
        waited = False
        while True:
            now = loop.time()
            slot, wait = await self._take(name, windows, hold=max(0.05, deadline - now))
            if slot is not None:
                if waited:
                    RATE_LIMIT_WAIT.labels(source=self.source, outcome="acquired").observe(loop.time() - started)
                return slot
            if now + wait > give_up:
                RATE_LIMIT_WAIT.labels(source=self.source, outcome="refused").observe(loop.time() - started)
                raise PolicyRefusal(UpstreamRateLimited(
                    self.source, f"{self.label} rate limit reached: no request slot free in time", wait))
            waited = True
            await asyncio.sleep(wait)

    async def learn(self, bucket: str | None, key_id: str, status: int, headers: Mapping[str, str]) -> None:
        """Block the bucket when the upstream says it is spent."""
        if bucket is None or bucket not in self.limits:
            return
        seconds = blocked_for(status, headers)
        if seconds:
            try:
                await self.shared.block(self.bucket_id(bucket, key_id), seconds)
            except (RedisError, OSError):
                await self.local.block(self.bucket_id(bucket, key_id), seconds)

    async def _take(self, name: str, windows: Sequence[Window], hold: float) -> tuple[Slot | None, float]:
        try:
            return await self.shared.take(name, windows, hold)
        except (RedisError, OSError) as exc:
            log.warning("shared rate limiter unavailable (%s): limiting in this process only", type(exc).__name__)
            return await self.local.take(name, windows, hold)
