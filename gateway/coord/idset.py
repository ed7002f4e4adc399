"""One bounded set of ids: "have I seen this fact recently?", in constant memory.

Streams meet the same upstream fact more than once: a reconnect's gap fill repeats what was
streamed, a trade arrives on an alert socket and as a webhook, a poller sees yesterday's rows
again, a webhook sender retries. Each of those places remembers ids in one of these. The bound
keeps a topic or bridge that runs for weeks at a constant size: the oldest ids are forgotten
first, and an id old enough to be forgotten is far behind any gap fill's window. Seeing an id
again makes it the newest, so a fact that keeps coming back keeps being recognised.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable


class IdSet:
    """A set that forgets its oldest members beyond `limit`."""

    def __init__(self, limit: int = 2048) -> None:
        if limit < 1:
            raise ValueError("limit must be positive")
        self.limit = limit
        self._ids: OrderedDict[str, None] = OrderedDict()

    def add(self, key: str) -> bool:
        """Remember `key`; True if it was new (the caller should act on it), False if seen."""
        if key in self._ids:
            self._ids.move_to_end(key)
            return False
        self._ids[key] = None
        if len(self._ids) > self.limit:
            self._ids.popitem(last=False)
        return True

    def seen(self, key: str) -> bool:
        """True if `key` was seen recently; otherwise remember it and return False."""
        return not self.add(key)

    def update(self, keys: Iterable[str]) -> None:
        for key in keys:
            self.add(key)

    def discard(self, key: str) -> None:
        """Forget `key` (its processing failed: a retry must be accepted)."""
        self._ids.pop(key, None)

    def __contains__(self, key: object) -> bool:
        return key in self._ids

    def __len__(self) -> int:
        return len(self._ids)
