"""The per-process memo of mapped reads (gateway/policy/memo.py): a hit only while every upstream
cache entry the read used is still held, unchanged and fresh; never for reads that used an answer
the cache does not keep. The store here is the policy chain's own in-process store."""

from __future__ import annotations

import dataclasses
import time

from gateway.policy import memo, operation
from gateway.policy.memo import Memo
from gateway.policy.store import Answer, AnswerStore, BoundedMemoryCache


def _store() -> AnswerStore:
    return AnswerStore(BoundedMemoryCache(), max_stale=60.0)


async def _read(store: AnswerStore, key: str, ttl: float, calls: list[str]) -> str:
    """A read as a source makes one: it uses the cached answer at `key` and maps its body."""
    answer = await store.current(key)
    assert answer is not None
    memo.used(store, key, answer.fetched_at, ttl)
    calls.append(key)
    return answer.body.decode().upper()


async def test_a_warm_read_is_served_from_the_memo_and_tells_the_operation_its_ttl() -> None:
    store, cache, calls = _store(), Memo(), []
    await store.put("k", Answer(200, (), b"body", time.time()), ttl=30)
    assert await cache.get(("read", 1), lambda: _read(store, "k", 30.0, calls)) == "BODY"
    stats, token = operation.begin()
    try:
        assert await cache.get(("read", 1), lambda: _read(store, "k", 30.0, calls)) == "BODY"
    finally:
        operation.end(token)
    assert calls == ["k"] and cache.hits == 1
    assert stats.min_ttl is not None and 29.0 < stats.min_ttl <= 30.0


async def test_a_replaced_entry_is_read_again() -> None:
    store, cache, calls = _store(), Memo(), []
    await store.put("k", Answer(200, (), b"old", time.time()), ttl=30)
    await cache.get("r", lambda: _read(store, "k", 30.0, calls))
    await store.put("k", Answer(200, (), b"new", time.time() + 1), ttl=30)
    assert await cache.get("r", lambda: _read(store, "k", 30.0, calls)) == "NEW"
    assert calls == ["k", "k"]


async def test_an_entry_past_its_ttl_is_not_served_even_while_the_store_keeps_it_for_stale_use() -> None:
    store, cache, calls = _store(), Memo(), []
    old = Answer(200, (), b"body", time.time() - 10)
    await store.put("k", old, ttl=30)  # held ttl + max_stale, fresh for 5 s only
    await cache.get("r", lambda: _read(store, "k", 5.0, calls))
    await cache.get("r", lambda: _read(store, "k", 5.0, calls))
    assert calls == ["k", "k"] and cache.hits == 0


async def test_an_evicted_entry_is_not_served() -> None:
    store, cache, calls = _store(), Memo(), []
    await store.put("k", Answer(200, (), b"body", time.time()), ttl=30)
    await cache.get("r", lambda: _read(store, "k", 30.0, calls))
    await store.cache.delete("k")
    await store.put("k", dataclasses.replace(Answer(200, (), b"again", time.time()), fetched_at=time.time() + 2), 30)
    assert await cache.get("r", lambda: _read(store, "k", 30.0, calls)) == "AGAIN"


async def test_a_read_that_used_an_unkept_answer_is_not_memoized() -> None:
    store, cache, calls = _store(), Memo(), []
    await store.put("k", Answer(200, (), b"body", time.time()), ttl=30)

    async def partly_uncached() -> str:
        memo.unkept()  # e.g. a TTL-0 endpoint, an error, a stale copy
        return await _read(store, "k", 30.0, calls)

    await cache.get("r", partly_uncached)
    await cache.get("r", partly_uncached)
    assert calls == ["k", "k"] and cache.hits == 0
