"""Where cached responses live: the store protocol and the bounded in-process store.

An entry is the serialized response body exactly as it is sent, with its expiry on the
monotonic clock; a hit sends those bytes without decoding or re-encoding them. The in-process
store is bounded by entries and by bytes (aiocache's SimpleMemoryCache is not) and is also the
L1 in front of Redis.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Protocol

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


class MemoryLRU:
    """Entries by key, least recently used evicted first, bounded by count and total bytes."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._entries: OrderedDict[str, Entry] = OrderedDict()
        self._bytes = 0

    def get(self, key: str) -> Entry | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if (entry.expires_at if entry.recheck_at is None else entry.recheck_at) <= time.monotonic():
            self._drop(key)
            return None
        self._entries.move_to_end(key)
        return entry

    def put(self, key: str, entry: Entry) -> None:
        if len(entry.body) > MAX_ENTRY_BYTES or entry.remaining() <= 0:
            return
        if key in self._entries:
            self._drop(key)
        self._entries[key] = entry
        self._bytes += len(entry.body)
        while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
            self._drop(next(iter(self._entries)))

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key)
        self._bytes -= len(entry.body)

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size_bytes(self) -> int:
        return self._bytes


class MemoryStore:
    """The default store: one process, no coordination needed beyond `flight`."""

    shared = False

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
        self.entries = MemoryLRU(max_entries, max_bytes)

    def peek(self, key: str) -> Entry | None:
        return self.entries.get(key)

    async def fetch(self, key: str) -> Entry | None:
        return self.entries.get(key)

    async def put(self, key: str, body: bytes, ttl: float) -> None:
        self.entries.put(key, Entry(body, time.monotonic() + ttl))

    async def lock(self, key: str, ttl: float) -> str | None:
        return "local"  # in one process, `flight` already lets only one request compute a key

    async def unlock(self, key: str, token: str) -> None:
        return None

    async def wait(self, key: str, deadline: float) -> Entry | None:
        return self.entries.get(key)

    async def aclose(self) -> None:
        return None
