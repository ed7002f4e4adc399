"""Sliding-window logs: at most N calls in ANY span of W seconds, in-process or shared in Redis.

Why not a token bucket: the upstreams count calls per calendar second and minute, and a bucket
holding N tokens refilled at N/W admits N calls just before a window edge and N more just after,
2N in one window as the upstream sees it near the edge. A log of the calls themselves cannot:
if no span of W seconds ever holds more than N calls, no calendar window can either.

Where a call sits in time: the upstream counts it when it arrives, which is somewhere between the
moment the gateway sent it and the moment the answer came back (and the sandbox logs it when it
answers). So a call occupies its whole interval: while in flight it counts as "now" until its
deadline (`hold`), and when released its time becomes the completion time. A new call is admitted
only if fewer than N calls have an interval reaching into the last W (+ margin) seconds. Then any
N+1 calls are spread over more than W seconds by whichever instant the upstream uses, arrival or
completion. The margin (2% of W, at least 50 ms) absorbs clock granularity.

`take` answers a slot, or the shortest time after which one may free: exact for completed calls,
W for one still in flight (it frees W after it completes, which is not yet).
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError


@dataclass(frozen=True)
class Window:
    limit: int  # calls at most
    seconds: float  # in any span of this length

    @property
    def span(self) -> float:
        return self.seconds + max(0.05, 0.02 * self.seconds)


class Slot(Protocol):
    async def release(self) -> None: ...


class WindowLog(Protocol):
    async def take(self, bucket: str, windows: Sequence[Window], hold: float) -> tuple[Slot | None, float]: ...

    async def block(self, bucket: str, seconds: float) -> None: ...


class NoSlot:
    """The slot of a bucket without limits."""

    async def release(self) -> None:
        return None


@dataclass
class _Entry:
    until: float  # in flight: its deadline; released: its completion time


class _LocalSlot:
    def __init__(self, entry: _Entry, clock: Callable[[], float]) -> None:
        self.entry, self.clock = entry, clock

    async def release(self) -> None:
        self.entry.until = min(self.entry.until, self.clock())


class LocalWindowLog:
    """One process's log (the default, without Redis)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._entries: dict[str, list[_Entry]] = {}
        self._blocked: dict[str, float] = {}

    async def take(self, bucket: str, windows: Sequence[Window], hold: float) -> tuple[Slot | None, float]:
        now = self.clock()
        blocked = self._blocked.get(bucket, 0.0)
        if blocked > now:
            return None, blocked - now
        longest = max(w.span for w in windows)
        entries = self._entries.setdefault(bucket, [])
        entries[:] = [e for e in entries if e.until > now - longest]
        wait = 0.0
        for w in windows:
            counted = sorted(e.until for e in entries if e.until > now - w.span)
            if len(counted) >= w.limit:
                frees = counted[len(counted) - w.limit]  # when this one leaves, one slot is free
                wait = max(wait, w.span if frees > now else frees + w.span - now)
        if wait > 0:
            return None, wait
        entry = _Entry(now + hold)
        entries.append(entry)
        return _LocalSlot(entry, self.clock), 0.0

    async def block(self, bucket: str, seconds: float) -> None:
        self._blocked[bucket] = max(self._blocked.get(bucket, 0.0), self.clock() + seconds)


# KEYS: log (sorted set: member -> ms until which it counts), block key. ARGV: member, hold ms,
# then limit, span ms pairs. Redis's own clock, so replicas on skewed clocks agree.
_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local blocked = tonumber(redis.call('GET', KEYS[2]) or '0')
if blocked > now then return {0, blocked - now} end
local wait, longest = 0, 0
for i = 3, #ARGV, 2 do
  local limit, span = tonumber(ARGV[i]), tonumber(ARGV[i + 1])
  if span > longest then longest = span end
  local n = redis.call('ZCOUNT', KEYS[1], '(' .. (now - span), '+inf')
  if n >= limit then
    local r = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. (now - span), '+inf', 'WITHSCORES', 'LIMIT', n - limit, 1)
    local frees = tonumber(r[2])
    local w = span
    if frees <= now then w = frees + span - now end
    if w > wait then wait = w end
  end
end
if wait > 0 then return {0, wait} end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - longest)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], longest + tonumber(ARGV[2]) + 1000)
return {1, 0}
"""
_RELEASE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local s = redis.call('ZSCORE', KEYS[1], ARGV[1])
if s and tonumber(s) > now then redis.call('ZADD', KEYS[1], 'XX', now, ARGV[1]) end
return 1
"""
_BLOCK = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local untilms = now + tonumber(ARGV[1])
if untilms > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], untilms, 'PX', tonumber(ARGV[1]))
end
return 1
"""
PREFIX = "gateway:ratelimit:"


class _RedisSlot:
    def __init__(self, log: RedisWindowLog, key: str, member: str) -> None:
        self.log, self.key, self.member = log, key, member

    async def release(self) -> None:
        # if Redis fails, the entry counts until its hold ends: safe, only less capacity
        with contextlib.suppress(RedisError, OSError):
            await self.log.release_script(keys=[self.key], args=[self.member])


class RedisWindowLog:
    """The log shared by every replica on one Redis: each decision is one atomic Lua call."""

    def __init__(self, client: Redis) -> None:
        self.client = client
        self.take_script = client.register_script(_TAKE)
        self.release_script = client.register_script(_RELEASE)
        self.block_script = client.register_script(_BLOCK)

    async def take(self, bucket: str, windows: Sequence[Window], hold: float) -> tuple[Slot | None, float]:
        key, member = PREFIX + bucket, uuid.uuid4().hex
        args: list[str | int] = [member, max(1, int(hold * 1000))]
        for w in windows:
            args += [w.limit, int(w.span * 1000)]
        admitted, wait_ms = await self.take_script(keys=[key, key + ":block"], args=args)
        if int(admitted):
            return _RedisSlot(self, key, member), 0.0
        return None, max(1, int(wait_ms)) / 1000

    async def block(self, bucket: str, seconds: float) -> None:
        await self.block_script(keys=[PREFIX + bucket + ":block"], args=[max(1, int(seconds * 1000))])
