"""One bounded LRU map: the least recently used entry goes first once a count or weight is exceeded.

Every in-process cache in the gateway is one of these: the response cache's entries and its L1 in
front of Redis, the memo of raw requests and parsed documents that derives cache keys, and the
in-process store of upstream answers. A cache without a bound is a memory leak driven by callers
(every distinct query text, every distinct variables object), so each has a count bound and,
where values vary in size, a weight bound (bytes) measured by `weigh`.

Expiry is not this map's business: a caller that stores expiring values checks them on `get` and
`pop`s the stale ones, so "expired" keeps meaning whatever its clock says.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class LRU(Generic[K, V]):
    """At most `max_entries` values and (with `weigh`) at most `max_weight` in total."""

    def __init__(self, max_entries: int, max_weight: int | None = None,
                 weigh: Callable[[V], int] | None = None) -> None:
        if max_entries < 1 or (max_weight is not None and weigh is None):
            raise ValueError("an LRU needs max_entries >= 1, and `weigh` to bound a weight")
        self.max_entries, self.max_weight, self._weigh = max_entries, max_weight, weigh
        self._data: OrderedDict[K, V] = OrderedDict()
        self._weight = 0

    def get(self, key: K) -> V | None:
        """The value, now the most recently used; None when absent."""
        value = self._data.get(key)
        if value is not None:
            self._data.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        """Store `value` as the most recently used, evicting the least recently used past a bound."""
        self.pop(key)
        self._data[key] = value
        if self._weigh is not None:
            self._weight += self._weigh(value)
        while self._data and (len(self._data) > self.max_entries
                              or (self.max_weight is not None and self._weight > self.max_weight)):
            self.pop(next(iter(self._data)))

    def pop(self, key: K) -> V | None:
        """Forget `key`; its value, or None when absent."""
        value = self._data.pop(key, None)
        if value is not None and self._weigh is not None:
            self._weight -= self._weigh(value)
        return value

    def clear(self) -> None:
        self._data.clear()
        self._weight = 0

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __len__(self) -> int:
        return len(self._data)

    def __iter__(self) -> Iterator[K]:
        """Keys from the least to the most recently used."""
        return iter(list(self._data))

    @property
    def weight(self) -> int:
        return self._weight
