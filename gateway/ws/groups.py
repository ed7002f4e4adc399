"""Shared executions: one GraphQL execution per distinct subscription, whatever its subscriber count.

Subscribers sending the same (document, variables, operation name) join one `Group`. The group
runs the subscription once (Strawberry's `schema.subscribe`, whose resolver opens hub feeds),
serializes each result once, and hands every member the same text between its own operation
prefix and a closing brace. When the execution follows a state (its feeds say so: `Feed.state`), the
group keeps its last result and a member joining later gets it at once, then what follows; a
member joining before the first result simply gets that. A member that leaves is removed; the last one leaving cancels the
execution, which closes its feeds (and so, after the hub's linger, the upstream stream).

What members are told when the execution ends:
- it failed before it started (validation, BAD_USER_INPUT, SOURCE_NOT_CONFIGURED): `error`;
- its hub subscription was dropped for falling behind (SLOW_CONSUMER): `error`;
- the stream ended (the hub stopped): `complete`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol

import strawberry
from strawberry.types.execution import PreExecutionError

from gateway.errors import GatewayError
from gateway.observe.metrics import SUBSCRIPTIONS
from gateway.streams.feed import Feed, feed_scope
from gateway.ws.protocols import Framing
from gateway.ws.render import error_dicts, format_errors, original, render_payload

if TYPE_CHECKING:
    from graphql import GraphQLError

log = logging.getLogger("gateway.ws")

GroupKey = tuple[str, str, str | None]


class Subscriber(Protocol):
    """The session side of a member: where its messages go."""

    framing: Framing

    def push(self, text: str) -> None: ...

    def operation_ended(self, op_id: str, member: object, message: str) -> None: ...


class Member:
    __slots__ = ("group", "op_id", "prefix", "session")

    def __init__(self, group: Group, session: Subscriber, op_id: str) -> None:
        self.group = group
        self.session = session
        self.op_id = op_id
        self.prefix = session.framing.next_prefix(op_id)

    def leave(self) -> None:
        self.group.remove(self)


class _OpenedFeeds(list[Feed[Any]]):
    """Collects the feeds the resolver opens; the first one means the group is subscribed."""

    def __init__(self, started: asyncio.Event, topics: set[str]) -> None:
        super().__init__()
        self._started = started
        self._topics = topics

    def append(self, feed: Feed[Any]) -> None:
        super().append(feed)
        self._topics.update(t.name for t in feed.topics)
        self._started.set()


class Group:
    def __init__(self, key: GroupKey, variables: dict[str, Any] | None, groups: Groups) -> None:
        self.key = key
        self._variables = variables
        self._groups = groups
        self.members: dict[Member, None] = {}
        self.started = asyncio.Event()  # subscribed to the hub, or already ended
        self.topics: set[str] = set()  # the hub topics its execution follows (a socket's topic cap counts them)
        self.results = 0
        self.last: str | None = None  # the last result, kept when the execution follows a state
        self._task = asyncio.get_running_loop().create_task(self._run(), name="subscription group")

    def add(self, session: Subscriber, op_id: str) -> Member:
        member = Member(self, session, op_id)
        self.members[member] = None
        SUBSCRIPTIONS.inc()
        if self.last is not None:  # a state: what the others saw last, before anything newer
            session.push(member.prefix + self.last + "}")
        return member

    def remove(self, member: Member) -> None:
        if member in self.members:
            SUBSCRIPTIONS.dec()
        if self.members.pop(member, 0) is None and not self.members:
            self._groups.forget(self)
            self._task.cancel()

    async def _run(self) -> None:
        query, _, operation_name = self.key
        feeds = _OpenedFeeds(self.started, self.topics)
        feed_scope.set(feeds)
        stream: Any = None
        try:
            context = await self._groups.context_factory()
            stream = await self._groups.schema.subscribe(
                query, variable_values=self._variables, context_value=context, operation_name=operation_name)
            first = True
            async for result in stream:
                self.started.set()
                errors: list[GraphQLError] = list(result.errors or [])
                if (first and isinstance(result, PreExecutionError)) or \
                        any(getattr(original(e), "ends_stream", False) for e in errors):
                    self._fail(format_errors(errors))
                    return
                first = False
                self.results += 1
                payload = render_payload(result.data, errors or None)
                if feeds and all(f.state for f in feeds):
                    self.last = payload
                for member in list(self.members):
                    member.session.push(member.prefix + payload + "}")
            self._end(lambda w, op: w.complete(op))
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("subscription execution failed")
            failure = error_dicts(GatewayError("Internal server error"))
            self._end(lambda w, op: w.error(op, failure))
        finally:
            self.started.set()
            self._groups.forget(self)
            if stream is not None:
                with contextlib.suppress(Exception):
                    await stream.aclose()
            for feed in feeds:
                with contextlib.suppress(Exception):
                    await feed.aclose()

    def _fail(self, errors: list[dict[str, Any]]) -> None:
        self._end(lambda framing, op_id: framing.error(op_id, errors))

    def _end(self, message: Callable[[Framing, str], str]) -> None:
        self._groups.forget(self)
        members, self.members = list(self.members), {}
        for member in members:
            member.session.operation_ended(member.op_id, member, message(member.session.framing, member.op_id))

    async def cancel(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


class Groups:
    """The running groups of one endpoint, by (document, variables, operation name)."""

    def __init__(self, schema: strawberry.Schema, context_factory: Callable[[], Awaitable[Any]]) -> None:
        self.schema = schema
        self.context_factory = context_factory
        self._groups: dict[GroupKey, Group] = {}

    def join(self, session: Subscriber, op_id: str, query: str, variables: dict[str, Any] | None,
             operation_name: str | None) -> Member:
        key: GroupKey = (query, json.dumps(variables or {}, sort_keys=True, separators=(",", ":")), operation_name)
        group = self._groups.get(key)
        if group is None:
            group = self._groups[key] = Group(key, variables, self)
        return group.add(session, op_id)

    def forget(self, group: Group) -> None:
        if self._groups.get(group.key) is group:
            del self._groups[group.key]

    def __len__(self) -> int:
        return len(self._groups)

    async def close(self) -> None:
        for group in list(self._groups.values()):
            await group.cancel()
