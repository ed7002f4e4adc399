"""What a subscription resolver returns: a hub subscription's events mapped to schema values.

A resolver validates its arguments (errors then come before anything is subscribed), opens a
`Feed` on the hub and returns it; GraphQL executes the selection on each value the feed yields.
`transform` turns one event into zero or more values (a list of trades, or one history item per
trade for perpLiveTrades), so filtering happens before execution.

Whoever runs the operation may want to close its feeds itself (an execution can be cancelled
before graphql-core starts iterating, and then graphql-core never closes it): `feed_scope` is a
context variable that, when set to a list, collects every feed opened by resolvers running in
that context.
"""

from __future__ import annotations

import contextvars
import logging
from collections import deque
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

from gateway.streams.hub import Hub
from gateway.streams.subscriber import HubSubscription
from gateway.streams.types import StreamEvent, Topic

T = TypeVar("T")
log = logging.getLogger("gateway.streams")

feed_scope: contextvars.ContextVar[list[Feed[object]] | None] = contextvars.ContextVar("feed_scope", default=None)
# Whoever runs the operation may bound the topics it opens (a WebSocket's per-connection cap): the
# guard raises a GatewayError before anything is subscribed.
topic_guard: contextvars.ContextVar[Callable[[list[Topic]], None] | None] = contextvars.ContextVar(
    "topic_guard", default=None)


class Feed(Generic[T]):
    """`state`: each value is a whole state (not a change), so whoever shares the execution may give
    its last value to a subscriber that joins later (ws/groups.py)."""

    def __init__(self, sub: HubSubscription, transform: Callable[[StreamEvent], Iterable[T]],
                 state: bool = False) -> None:
        self._sub = sub
        self.state = state
        self._transform = transform
        self._pending: deque[T] = deque()

    @property
    def topics(self) -> tuple[Topic, ...]:
        return self._sub.topics

    def __aiter__(self) -> Feed[T]:
        return self

    async def __anext__(self) -> T:
        while not self._pending:
            event = await self._sub.__anext__()
            try:
                self._pending.extend(self._transform(event))
            except Exception:  # a malformed event is a bridge bug: skip it, keep the stream
                log.exception("skipped an event of %s that does not map", event.topic)
        return self._pending.popleft()

    async def aclose(self) -> None:
        self._pending.clear()
        await self._sub.aclose()


async def open_feed(hub: Hub, topics: list[Topic], transform: Callable[[StreamEvent], Iterable[T]],
                    state: bool = False) -> Feed[T]:
    """Subscribe to `topics` now (ready when this returns) and map their events with `transform`;
    `state` when every value is a whole state (Feed says why)."""
    guard = topic_guard.get()
    if guard is not None:
        guard(topics)
    feed: Feed[T] = Feed(await hub.open(*topics), transform, state)
    scope = feed_scope.get()
    if scope is not None:
        scope.append(feed)  # type: ignore[arg-type]
    return feed
