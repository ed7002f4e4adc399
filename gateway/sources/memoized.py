"""The sources as the API sees them: reads memoized per upstream cache entry (gateway/policy/memo.py).

Resolvers and loaders reach a source through `GatewayContext.source`; the app hands them these
wrappers, while the stream bridges, pollers and webhooks keep the sources themselves. Only the
read methods below are memoized, and only for hashable arguments (the frozen query objects, and
the key lists of the batch methods as tuples); everything else is the source's own attribute.
A memoized read is exactly what the source would have answered from a warm upstream cache, so a
wrapper is transparent except for what it saves: the HTTP round trip through the policy chain,
the JSON parse and the mapping.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from gateway.model.source import PerpSource
from gateway.model.venue import Venue
from gateway.policy.memo import Memo

READS = frozenset({
    "trades", "trade", "trade_history", "borrowing", "borrowings", "leaderboard",
    "trades_many", "trade_many", "trade_history_many", "trader_stats_many",
})


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


class MemoizedSource:
    """Forwards everything to `source`; its reads go through `memo`."""

    def __init__(self, source: PerpSource, memo: Memo) -> None:
        self.source = source
        self.memo = memo

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.source, name)
        if not callable(attribute):
            return attribute  # a value: read from the source each time (it may change)
        if name in READS:
            attribute = self._memoized(name, attribute)
        setattr(self, name, attribute)  # a method: found directly next time
        return attribute

    def _memoized(self, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        memo, owner = self.memo, id(self.source)

        async def read(*args: Any) -> Any:
            key = (owner, name, *(_hashable(a) for a in args))
            try:
                hash(key)
            except TypeError:
                return await method(*args)
            return await memo.get(key, lambda: method(*args))

        return read


def memoized(sources: dict[Venue, PerpSource | None], memo: Memo | None = None) -> dict[Venue, PerpSource | None]:
    """The API's view of `sources`, sharing one memo."""
    shared = memo or Memo()
    return {venue: cast(PerpSource, MemoizedSource(source, shared)) if source is not None else None
            for venue, source in sources.items()}
