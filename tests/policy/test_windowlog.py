"""Sliding-window logs: never more than N calls in any window, at whatever instant the upstream counts."""

from __future__ import annotations

import asyncio
import heapq
import math
import random
from collections import Counter

import pytest
from redis.asyncio import Redis

from gateway.policy.windowlog import LocalWindowLog, RedisWindowLog, Slot, Window
from tests.clock import Clock


async def simulate(seed: int, windows: tuple[Window, ...], calls: int) -> list[tuple[float, float]]:
    """Callers arriving at random, waiting as told, holding slots for random latencies (a fake clock)."""
    rng, clock = random.Random(seed), Clock()
    log = LocalWindowLog(clock)
    in_flight: list[tuple[float, int, Slot]] = []
    intervals: list[tuple[float, float]] = []
    t = clock.now
    for i in range(calls):
        t += rng.choice([0.0, 0.0, 0.01, 0.2, 0.7])
        while True:
            while in_flight and in_flight[0][0] <= t:  # answers that came back before this attempt
                clock.now, _, slot = heapq.heappop(in_flight)
                await slot.release()
            clock.now = t
            slot_or_none, wait = await log.take("b", windows, hold=10.0)
            if slot_or_none is not None:
                latency = rng.choice([0.005, 0.05, 0.3, 0.9, 2.5])
                heapq.heappush(in_flight, (t + latency, i, slot_or_none))
                intervals.append((t, t + latency))
                break
            assert wait > 0
            t += wait
    return intervals


def most_in_any_window(points: list[float], seconds: float) -> int:
    points = sorted(points)
    best, j = 0, 0
    for i, p in enumerate(points):
        while points[j] <= p - seconds:
            j += 1
        best = max(best, i - j + 1)
    return best


@pytest.mark.parametrize("seed", range(6))
async def test_no_window_of_w_seconds_ever_holds_more_than_n_calls(seed: int) -> None:
    windows = (Window(3, 1.0), Window(10, 60.0))
    intervals = await simulate(seed, windows, calls=40)
    rng = random.Random(seed)
    # wherever in its interval the upstream counts a call: when sent, when answered, or in between
    for pick in (lambda s, e: s, lambda s, e: e, lambda s, e: rng.uniform(s, e)):
        points = [pick(s, e) for s, e in intervals]
        for w in windows:
            assert most_in_any_window(points, w.seconds) <= w.limit
            per_calendar_window = Counter(math.floor(p / w.seconds) for p in points)
            assert max(per_calendar_window.values()) <= w.limit


async def test_a_bucket_fills_then_frees_after_the_window() -> None:
    clock = Clock()
    log = LocalWindowLog(clock)
    windows = (Window(2, 1.0),)
    first, _ = await log.take("b", windows, hold=5.0)
    second, _ = await log.take("b", windows, hold=5.0)
    third, wait = await log.take("b", windows, hold=5.0)
    assert first and second and third is None
    assert wait == pytest.approx(windows[0].span)  # both still in flight: at least a window away
    await first.release()
    clock.now += 0.5
    third, wait = await log.take("b", windows, hold=5.0)
    assert third is None and wait == pytest.approx(windows[0].span - 0.5)  # exact once released
    clock.now += wait
    third, _ = await log.take("b", windows, hold=5.0)
    assert third is not None
    assert (await log.take("other", windows, hold=5.0))[0] is not None  # buckets are independent


async def test_a_block_refuses_until_it_ends() -> None:
    clock = Clock()
    log = LocalWindowLog(clock)
    await log.block("b", 3.0)
    slot, wait = await log.take("b", (Window(5, 1.0),), hold=1.0)
    assert slot is None and wait == pytest.approx(3.0)
    clock.now += 3.0
    assert (await log.take("b", (Window(5, 1.0),), hold=1.0))[0] is not None


@pytest.mark.redis
async def test_replicas_sharing_redis_share_one_log(redis_url: str) -> None:
    clients = [Redis.from_url(redis_url), Redis.from_url(redis_url)]
    try:
        logs = [RedisWindowLog(c) for c in clients]
        windows = (Window(5, 1.0), Window(7, 60.0))
        bucket = f"test:{random.random()}"
        results = await asyncio.gather(*(logs[i % 2].take(bucket, windows, hold=5.0) for i in range(20)))
        granted = [slot for slot, _ in results if slot is not None]
        waits = [wait for slot, wait in results if slot is None]
        assert len(granted) == 5 and len(waits) == 15
        assert all(w == pytest.approx(windows[0].span, abs=0.01) for w in waits)  # all five still in flight
        for slot in granted:
            await slot.release()
        await asyncio.sleep(windows[0].span)
        again = await asyncio.gather(*(logs[i % 2].take(bucket, windows, hold=5.0) for i in range(5)))
        assert sum(slot is not None for slot, _ in again) == 2  # the minute window allows 7 in all
        await logs[0].block(bucket, 2.0)
        slot, wait = await logs[1].take(bucket + "x", windows, hold=1.0)
        assert slot is not None  # another bucket
        slot, wait = await logs[1].take(bucket, windows, hold=1.0)
        assert slot is None and 1.0 < wait <= 2.0
    finally:
        for c in clients:
            await c.aclose()
