"""The answer store: bounded in-process cache, Redis entries as bytes, cache keys, failures as misses."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from redis.asyncio import Redis

from gateway.coord.redis import connect
from gateway.policy.endpoints import Endpoint
from gateway.policy.keys import cache_key
from gateway.policy.store import (
    NAMESPACE,
    Answer,
    AnswerSerializer,
    AnswerStore,
    BoundedMemoryCache,
    redis_cache,
)
from gateway.sources.nansen.endpoints import TABLE as NANSEN

ENDPOINT = Endpoint("perpstracker.prices", 30, "live_trades")


def answer(body: bytes = b'{"ok":true}', status: int = 200) -> Answer:
    return Answer(status, (("content-type", "application/json"), ("ratelimit-remaining", "4")), body, 1000.0)


def test_answers_round_trip_as_bytes_with_only_the_headers_a_client_reads() -> None:
    serializer = AnswerSerializer()
    kept = answer(b"\x00\xffbinary").for_cache()
    assert kept.headers == (("content-type", "application/json"),)
    assert serializer.loads(serializer.dumps(kept)) == kept
    assert serializer.loads(None) is None
    assert serializer.loads(b'{"v":99}\nbody') is None and serializer.loads(b"garbage") is None


async def test_the_memory_cache_evicts_the_least_recently_used_past_its_entry_limit() -> None:
    cache = BoundedMemoryCache(max_entries=2, timeout=None)
    await cache.set("a", answer(), ttl=60.0)
    await cache.set("b", answer(), ttl=60.0)
    assert await cache.get("a") is not None  # a is now more recent than b
    await cache.set("c", answer(), ttl=60.0)
    assert await cache.get("b") is None
    assert await cache.get("a") is not None and await cache.get("c") is not None


async def test_the_memory_cache_keeps_a_byte_budget_and_expires_on_read() -> None:
    cache = BoundedMemoryCache(max_entries=100, max_bytes=3000, timeout=None)
    for key in "abcd":
        await cache.set(key, answer(b"x" * 1000), ttl=60.0)
    assert cache.bytes <= 3000 and await cache.get("a") is None and await cache.get("d") is not None
    await cache.set("short", answer(), ttl=0.01)
    await asyncio.sleep(0.02)
    assert await cache.get("short") is None
    await cache.delete("d")
    assert await cache.get("d") is None


def _request(url: str, **kwargs: object) -> httpx.Request:
    return httpx.Request("GET", url, headers={"Authorization": "Bearer k1"}, **kwargs)  # type: ignore[arg-type]


def test_keys_ignore_query_order_and_json_key_order_but_not_values_or_credentials() -> None:
    a = cache_key("perpstracker", ENDPOINT, _request("https://pt.test/api/prices?b=2&a=1"), b"")
    b = cache_key("perpstracker", ENDPOINT, _request("https://pt.test/api/prices?a=1&b=2"), b"")
    c = cache_key("perpstracker", ENDPOINT, _request("https://pt.test/api/prices?a=1&b=3"), b"")
    other_key = httpx.Request("GET", "https://pt.test/api/prices?a=1&b=2", headers={"Authorization": "Bearer k2"})
    d = cache_key("perpstracker", ENDPOINT, other_key, b"")
    assert a == b and len({a, c, d}) == 3
    assert a.startswith("perpstracker:perpstracker.prices:") and "k1" not in a
    post = NANSEN.classify("POST", "/api/v1/perp-leaderboard", b"")
    request = httpx.Request("POST", "https://n.test/api/v1/perp-leaderboard")
    assert (cache_key("nansen", post, request, b'{"a": 1, "b": {"c": 2, "d": 3}}')
            == cache_key("nansen", post, request, b'{"b":{"d":3,"c":2},"a":1}')
            != cache_key("nansen", post, request, b'{"a": 2, "b": {"c": 2, "d": 3}}'))


@pytest.mark.redis
async def test_redis_entries_are_namespaced_bytes_that_expire_after_ttl_plus_max_stale(redis_url: str) -> None:
    client = connect(redis_url)
    store = AnswerStore(redis_cache(client), max_stale=100.0)
    try:
        await store.put("perpstracker:perpstracker.prices:abc", answer(b"\x00body"), ttl=30.0)
        found = await store.get("perpstracker:perpstracker.prices:abc")
        assert found == answer(b"\x00body").for_cache()
        raw_key = f"{NAMESPACE}:perpstracker:perpstracker.prices:abc"
        assert 100_000 < await client.pttl(raw_key) <= 130_000
    finally:
        await client.aclose()


async def test_an_unreachable_redis_is_a_miss_not_an_error() -> None:
    client = connect("redis://127.0.0.1:1/0")  # nothing listens on port 1
    store = AnswerStore(redis_cache(client), max_stale=10.0)
    try:
        await store.put("k", answer(), ttl=1.0)
        assert await store.get("k") is None
    finally:
        await client.aclose()
    assert isinstance(client, Redis)
