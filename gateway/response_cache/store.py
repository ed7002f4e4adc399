"""Where cached responses live: the store protocol and the bounded in-process store.

An entry is the serialized response body exactly as it is sent, with its expiry on the
monotonic clock; a hit sends those bytes without decoding or re-encoding them. The in-process
store is bounded by entries and by bytes (`coord.lru`; aiocache's SimpleMemoryCache is not) and
the same bounded map is the L1 in front of Redis.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol

from gateway.coord.lru import LRU

MAX_ENTRIES = 4096
MAX_BYTES = 64 * 1024 * 1024  # all bodies together
MAX_ENTRY_BYTES = 4 * 1024 * 1024  # a larger response is served but not cached


@dataclass(slots=True)
class Entry:
    body: bytes
    expires_at: float  # time.monotonic() when the entry stops being fresh
    recheck_at: float | None = None  # an L1 copy: when to ask the shared tier again (<= expires_at)

    def remaining(self, now: float | None = None) -> float:
        return self.expires_at - (time.monotonic() if now is None else now)


class ResponseStore(Protocol):
    """`peek` never does I/O (the hit path's first try); `fetch` asks a shared tier, if any."""

    shared: bool  # True when other processes see what this one stores

    def peek(self, key: str) -> Entry | None: ...

    async def fetch(self, key: str) -> Entry | None: ...

    async def put(self, key: str, body: bytes, ttl: float) -> None: ...

    async def lock(self, key: str, ttl: float) -> str | None:
        """A token when this process may compute `key` (others wait), None when another holds it."""

    async def unlock(self, key: str, token: str) -> None: ...

    async def wait(self, key: str, deadline: float) -> Entry | None:
        """Until another process stores `key` (its entry), gives up its lock, or `deadline` passes."""

    async def aclose(self) -> None: ...


def entry_lru(max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> LRU[str, Entry]:
    """The bounded map entries live in: by count and by the total bytes of their bodies."""
    return LRU(max_entries, max_bytes, weigh=lambda entry: len(entry.body))


def lookup(entries: LRU[str, Entry], key: str) -> Entry | None:
    """A fresh entry (an L1 copy: not past its recheck time), or None; a stale one is dropped."""
    entry = entries.get(key)
    if entry is None:
        return None
    if (entry.expires_at if entry.recheck_at is None else entry.recheck_at) <= time.monotonic():
        entries.pop(key)
        return None
    return entry


def keep(entries: LRU[str, Entry], key: str, entry: Entry) -> None:
    """Store `entry` unless it is too large to cache or already expired."""
    if len(entry.body) > MAX_ENTRY_BYTES or entry.remaining() <= 0:
        return
    entries.put(key, entry)


class MemoryStore:
    """The default store: one process, no coordination needed beyond the single-flight."""

    shared = False

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
        self.entries = entry_lru(max_entries, max_bytes)

    def peek(self, key: str) -> Entry | None:
        return lookup(self.entries, key)

    async def fetch(self, key: str) -> Entry | None:
        return lookup(self.entries, key)

    async def put(self, key: str, body: bytes, ttl: float) -> None:
        keep(self.entries, key, Entry(body, time.monotonic() + ttl))

    async def lock(self, key: str, ttl: float) -> str | None:
        return "local"  # in one process, the single-flight already lets only one request compute a key

    async def unlock(self, key: str, token: str) -> None:
        return None

    async def wait(self, key: str, deadline: float) -> Entry | None:
        return lookup(self.entries, key)

    async def aclose(self) -> None:
        return None
