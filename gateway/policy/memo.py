"""Mapped results kept per process, valid exactly as long as the upstream answers they came from.

A warm upstream cache still costs every caller an httpx round trip through the policy chain, a
JSON parse of the stored body and the mapping of wire records to model objects: for a 100-row
leaderboard that is most of a request's time. `Memo` keeps what a read computed from those
answers (the mapped objects), keyed by the read (source, method, arguments), together with the
identity of every upstream cache entry it used: its cache key, its `fetched_at` and its TTL.

A memoized value is served only while every one of those entries is still in the upstream
store with the same `fetched_at` and still fresh (age < TTL); the operation is then told the
same remaining TTLs (`touched`) a cache hit would have told it. So a memo hit is exactly a set
of fresh cache hits, minus the parsing and mapping: it never outlives the body it was mapped
from, never serves a stale copy (stale-if-error answers go through the chain as always), and a
read that used any answer the cache does not keep (TTL 0, an error, a stale copy) is not kept.

The transport records the entries a read uses (`used`, `unkept`) in a context variable that
tasks spawned by the read share. Values are shared between operations: callers treat mapped
objects as immutable (they filter and slice into new lists).
"""

from __future__ import annotations

import contextvars
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from gateway.policy import operation
from gateway.policy.freshness import min_fresh_at

T = TypeVar("T")


class EntryStore(Protocol):
    async def current(self, key: str) -> Any: ...


@dataclass(frozen=True)
class Dependency:
    store: EntryStore
    key: str
    fetched_at: float
    ttl: float


@dataclass
class Recording:
    dependencies: list[Dependency] = field(default_factory=list)
    keepable: bool = True


_recording: contextvars.ContextVar[Recording | None] = contextvars.ContextVar("memo_recording", default=None)


def used(store: EntryStore, key: str, fetched_at: float, ttl: float) -> None:
    """The running read used the cached answer `key` (fetched at `fetched_at`, fresh for `ttl`)."""
    recording = _recording.get()
    if recording is not None:
        recording.dependencies.append(Dependency(store, key, fetched_at, ttl))


def unkept() -> None:
    """The running read used an answer the cache does not keep: its result must not be memoized."""
    recording = _recording.get()
    if recording is not None:
        recording.keepable = False


class Memo:
    """Bounded LRU of read results with their upstream dependencies."""

    def __init__(self, max_entries: int = 4096) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[tuple[Dependency, ...], Any]] = OrderedDict()
        self.hits = self.misses = 0

    async def get(self, key: Hashable, compute: Callable[[], Awaitable[T]]) -> T:
        found = self._entries.get(key)
        if found is not None and min_fresh_at() is not None:
            found = None  # a read that must see answers newer than a hint: through the chain
        if found is not None:
            dependencies, value = found
            ages = await _fresh_ages(dependencies)
            if ages is not None:
                stats = operation.current()
                for dependency, age in zip(dependencies, ages, strict=True):
                    stats.touched(dependency.ttl - age)
                self._entries.move_to_end(key)
                self.hits += 1
                return value  # type: ignore[no-any-return]
            # concurrent readers of one stale entry all get here after awaiting: drop it once
            self._entries.pop(key, None)
        self.misses += 1
        recording = Recording()
        token = _recording.set(recording)
        try:
            value = await compute()
        finally:
            _recording.reset(token)
        if recording.keepable and recording.dependencies:
            self._entries[key] = (tuple(recording.dependencies), value)
            if len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return value


async def _fresh_ages(dependencies: tuple[Dependency, ...]) -> list[float] | None:
    """Each entry's age if all are still held, unchanged and fresh; else None."""
    now = time.time()
    ages = []
    for dependency in dependencies:
        answer = await dependency.store.current(dependency.key)
        if answer is None or answer.fetched_at != dependency.fetched_at:
            return None
        age = max(0.0, now - answer.fetched_at)
        if age >= dependency.ttl:
            return None
        ages.append(age)
    return ages
