"""What every bridge needs to survive its upstream: backoff, de-duplication, payload digests.

- `Backoff`: exponential with "equal jitter" (half fixed, half random), so a fleet of replicas
  that lost the same upstream at the same moment does not reconnect in lockstep, and a bridge
  never retries in a tight loop (the fixed half keeps a floor under every wait).
- `BoundedSet`: a bounded insertion-ordered set. Upstream facts (signatures, history ids, hashes)
  are remembered for de-duplication across a reconnect's gap fill; the bound keeps a bridge that
  runs for weeks at a constant size (the oldest ids are forgotten first, and an id old enough to
  be forgotten is far behind any gap fill's window).
- `digest`: the identity of a snapshot payload (borrowings, trades), for kinds whose upstream
  fact has no id of its own: equal payloads get equal ids, so the hub drops a re-sent snapshot.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any


class Backoff:
    """Delays of base·2ⁿ capped at `cap`, each drawn from [d/2, d]; `reset` after a success."""

    def __init__(self, base: float = 0.5, cap: float = 30.0, rng: Callable[[], float] = random.random) -> None:
        if base <= 0 or cap < base:
            raise ValueError("backoff needs 0 < base <= cap")
        self.base, self.cap, self._rng = base, cap, rng
        self.attempts = 0

    def next(self) -> float:
        ceiling: float = min(self.cap, self.base * 2.0 ** min(self.attempts, 30))
        self.attempts += 1
        return ceiling / 2 + self._rng() * ceiling / 2

    def reset(self) -> None:
        self.attempts = 0


class BoundedSet:
    """A set that forgets its oldest members beyond `limit`."""

    def __init__(self, limit: int = 10_000) -> None:
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

    def update(self, keys: Iterable[str]) -> None:
        for key in keys:
            self.add(key)

    def discard(self, key: str) -> None:
        self._ids.pop(key, None)

    def __contains__(self, key: object) -> bool:
        return key in self._ids

    def __len__(self) -> int:
        return len(self._ids)


def digest(payload: Any) -> str:
    """A short stable hash of a JSON-able payload (key order does not matter)."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()
