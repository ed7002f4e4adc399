"""A bounded memory of recently seen event ids, so a fact delivered twice reaches readers once.

The same upstream fact can arrive more than once: a bridge's gap fill after a reconnect repeats
what was already streamed, and a trade may arrive both on an alert WebSocket and as a
webhook, possibly on different replicas. Ids are remembered per topic, the oldest forgotten
first, so memory stays bounded however long a topic lives.
"""

from __future__ import annotations

from collections import deque


class RecentIds:
    def __init__(self, size: int = 2048) -> None:
        self._size = max(1, size)
        self._order: deque[str] = deque()
        self._ids: set[str] = set()

    def seen(self, event_id: str) -> bool:
        """True if `event_id` was seen recently; otherwise remember it and return False."""
        if event_id in self._ids:
            return True
        self._ids.add(event_id)
        self._order.append(event_id)
        if len(self._order) > self._size:
            self._ids.discard(self._order.popleft())
        return False

    def __len__(self) -> int:
        return len(self._order)
