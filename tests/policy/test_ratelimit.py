"""Rate limiter: documented defaults and overrides, learning from headers, refusing in time."""

from __future__ import annotations

import asyncio

import pytest

from gateway.errors import UpstreamRateLimited
from gateway.policy.ratelimit import RateLimiter, blocked_for, windows_of
from gateway.policy.refusal import PolicyRefusal
from gateway.policy.windowlog import LocalWindowLog, NoSlot, Window
from gateway.settings import Settings, SettingsError
from gateway.sources.nansen import DESCRIPTOR as NANSEN
from gateway.sources.perpstracker.endpoints import limits as perpstracker_limits
from tests.policy.helpers import settings


def nansen_limits(s: Settings) -> tuple[Window, ...]:
    return tuple(NANSEN.policy(s.upstream("nansen"), s).limits["requests"])


def test_the_documented_limits_are_the_defaults() -> None:
    limits = perpstracker_limits({})
    assert {c: (w[0].limit, w[1].limit) for c, w in limits.items()} == {
        "leaderboard": (5, 100), "live_trades": (10, 200), "trader_profiles": (5, 150), "historical": (3, 50)}
    assert all((w[0].seconds, w[1].seconds) == (1.0, 60.0) for w in limits.values())
    nansen = nansen_limits(settings())
    assert (nansen[0].limit, nansen[1].limit) == (20, 300)


def test_limits_are_overridden_by_category_id_or_by_the_docs_name() -> None:
    limits = perpstracker_limits({"historical": (1, 10), "Live trades": (2, 20)})
    assert limits["historical"] == windows_of(1, 10) and limits["live_trades"] == windows_of(2, 20)
    assert limits["leaderboard"] == windows_of(5, 100)
    with pytest.raises(SettingsError, match="unknown category"):
        perpstracker_limits({"bulk downloads": (1, 1)})
    assert nansen_limits(settings(nansen_rate_limits=(2, 30))) == windows_of(2, 30)


def test_a_spent_minute_waits_at_least_for_the_next_calendar_minute() -> None:
    """Nansen's per-minute counter has no reset of its own; RateLimit-Reset may be the second's."""
    seconds = blocked_for(200, {"X-RateLimit-Remaining-Minute": "0", "RateLimit-Remaining": "0",
                                "RateLimit-Reset": "1"})
    assert seconds is not None and 0 < seconds <= 60


@pytest.mark.parametrize(("status", "headers", "seconds"), [
    (200, {"RateLimit-Remaining": "3", "RateLimit-Reset": "1"}, None),
    (200, {"RateLimit-Remaining": "0", "RateLimit-Reset": "42"}, 42.0),
    (200, {"X-RateLimit-Remaining-Second": "0", "X-RateLimit-Remaining-Minute": "17"}, 1.0),
    (200, {"X-RateLimit-Remaining-Minute": "0", "RateLimit-Remaining": "0", "RateLimit-Reset": "61"}, 61.0),
    (200, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "5"}, 5.0),
    (429, {"Retry-After": "7"}, 7.0),
    (429, {"RateLimit-Reset": "4"}, 4.0),
    (429, {}, 1.0),
])
def test_a_spent_bucket_is_learned_from_the_headers(status: int, headers: dict[str, str], seconds: float | None) -> None:
    assert blocked_for(status, headers) == seconds


async def test_a_call_that_cannot_get_a_slot_in_time_is_rate_limited_with_retry_after() -> None:
    limiter = RateLimiter("perpstracker", "perpstracker", {"historical": (Window(1, 1.0), Window(2, 60.0))},
                          LocalWindowLog())
    loop = asyncio.get_running_loop()
    first = await limiter.acquire("historical", "k", loop.time() + 0.1, loop.time() + 5)
    await first.release()
    with pytest.raises(PolicyRefusal) as info:
        await limiter.acquire("historical", "k", loop.time() + 0.1, loop.time() + 5)
    error = info.value.error
    assert isinstance(error, UpstreamRateLimited) and error.source == "perpstracker"
    assert 0.9 < error.retry_after <= 1.05 and error.extensions()["code"] == "RATE_LIMITED"
    # another API key has its own bucket; a bucket without limits never waits
    await limiter.acquire("historical", "other-key", loop.time() + 0.1, loop.time() + 5)
    await limiter.acquire(None, "k", loop.time(), loop.time() + 5)


async def test_a_call_waits_for_a_slot_that_frees_within_its_wait() -> None:
    window = Window(1, 0.1)
    log = LocalWindowLog()
    limiter = RateLimiter("nansen", "nansen", {"requests": (window,)}, log)
    loop = asyncio.get_running_loop()
    first = await limiter.acquire("requests", "k", loop.time(), loop.time() + 5)
    await first.release()
    released = log.clock()
    with pytest.raises(PolicyRefusal):  # not willing to wait: refused, the one slot is spent
        await limiter.acquire("requests", "k", loop.time(), loop.time() + 5)
    second = await limiter.acquire("requests", "k", loop.time() + 1.0, loop.time() + 5)  # willing: it waits
    admitted = log.clock()
    await second.release()
    assert not isinstance(second, NoSlot)  # a slot of the bucket, counted in its log
    assert admitted - released >= window.span  # given only once the first call left the window


async def test_the_upstreams_word_blocks_the_bucket() -> None:
    limiter = RateLimiter("nansen", "nansen", {"requests": windows_of(20, 300)}, LocalWindowLog())
    await limiter.learn("requests", "k", 200, {"RateLimit-Remaining": "0", "RateLimit-Reset": "30"})
    loop = asyncio.get_running_loop()
    with pytest.raises(PolicyRefusal) as info:
        await limiter.acquire("requests", "k", loop.time() + 1, loop.time() + 5)
    assert isinstance(info.value.error, UpstreamRateLimited) and 29 < info.value.error.retry_after <= 30
