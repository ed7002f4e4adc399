"""One socket's operations, whichever subprotocol it speaks (transport_ws.py, legacy_ws.py).

A subscription joins its group (groups.py) and the session waits until the group is subscribed
to the hub before reading the socket's next message: a `ping` sent after a `subscribe` is
answered only once events for that subscription will be delivered, which makes "subscribe, then
make something happen" race-free for clients and tests. Queries and mutations sent over the
socket run once each (`OneShot`), never shared.

Overflow policy for the socket: when its send buffer is full, every operation on it gets an
`error` with code SLOW_CONSUMER, queued in place of the messages it had not taken yet, and the
socket is closed with 1013 (try again later). On server shutdown every operation gets
`complete` and the socket is closed with 1001.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Set
from typing import TYPE_CHECKING, Any

from graphql import OperationType, get_operation_ast, parse
from graphql.error import GraphQLError
from starlette.types import Scope
from strawberry.types.execution import PreExecutionError

from gateway.errors import GatewayError, SlowConsumer, TooManySubscriptions, Unauthenticated
from gateway.policy import caller
from gateway.streams.feed import topic_guard
from gateway.streams.types import Topic
from gateway.ws import protocols
from gateway.ws.connection import Connection
from gateway.ws.groups import Member
from gateway.ws.protocols import Framing
from gateway.ws.render import error_dicts, format_errors, render_payload

if TYPE_CHECKING:
    from gateway.ws.endpoint import SubscriptionEndpoint

log = logging.getLogger("gateway.ws")


@functools.lru_cache(maxsize=512)
def is_subscription(query: str, operation_name: str | None) -> bool:
    """Whether the document's selected operation is a subscription (False when it does not parse:
    the one-shot path then reports the syntax error)."""
    try:
        operation = get_operation_ast(parse(query), operation_name)
    except GraphQLError:
        return False
    return operation is not None and operation.operation is OperationType.SUBSCRIPTION


class OneShot:
    """A query or mutation over the socket: one result, then `complete`."""

    def __init__(self, session: Session, op_id: str, query: str, variables: dict[str, Any] | None,
                 operation_name: str | None) -> None:
        self.session, self.op_id = session, op_id
        self._task = asyncio.get_running_loop().create_task(self._run(query, variables, operation_name))

    async def _run(self, query: str, variables: dict[str, Any] | None, operation_name: str | None) -> None:
        endpoint, framing = self.session.endpoint, self.session.framing
        try:
            context = await endpoint.groups.context_factory()
            stream = await endpoint.groups.schema.stream(query, variable_values=variables, context_value=context,
                                                   operation_name=operation_name)
            async for result in stream:
                if isinstance(result, PreExecutionError):
                    self.session.operation_ended(self.op_id, self, framing.error(self.op_id, format_errors(
                        list(result.errors or []))))
                    return
                errors = getattr(result, "errors", None)
                self.session.push(framing.next(self.op_id, render_payload(getattr(result, "data", None), errors)))
            self.session.operation_ended(self.op_id, self, framing.complete(self.op_id))
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("operation over WebSocket failed")
            self.session.operation_ended(self.op_id, self, framing.error(
                self.op_id, error_dicts(GatewayError("Internal server error"))))

    def leave(self) -> None:
        self._task.cancel()


Operation = Member | OneShot
_NONE_HELD: frozenset[str] = frozenset()  # a caller that follows no topic yet


class Session:
    framing: Framing

    def __init__(self, endpoint: SubscriptionEndpoint, conn: Connection) -> None:
        self.endpoint = endpoint
        self.conn = conn
        self.ops: dict[str, Operation] = {}
        self.acknowledged = False
        self.init_received = False
        self.scope: Scope = {}
        self.caller: str | None = None  # set at connection_init (GATEWAY_CALLER_MAX_TOPICS counts by it)
        self.counted: dict[str, frozenset[str]] = {}  # op id -> the topics counted for the caller

    def authorize(self, payload: dict[str, Any] | None) -> bool:
        """Caller access at connection_init: False (and close 4403) when the credentials are refused.

        The caller is set in the socket handler's context, so every operation the socket starts
        (their tasks copy that context) spends the caller's share of upstream budgets."""
        try:
            who = self.endpoint.authorize(payload, self.scope)
        except Unauthenticated:
            self.endpoint.counters["unauthenticated"] += 1
            self.close(protocols.FORBIDDEN, "Forbidden")
            return False
        if who is not None:
            caller.set_caller(who)
            self.caller = who
        return True

    async def handle(self, text: str) -> None:
        raise NotImplementedError

    def push(self, text: str) -> None:
        self.conn.push(text)

    def close(self, code: int, reason: str) -> None:
        self.end()
        self.conn.close(code, reason)

    async def start(self, op_id: str, query: str | None, variables: dict[str, Any] | None,
                    operation_name: str | None, extensions: dict[str, Any] | None = None) -> None:
        gate = self.endpoint.gate
        if gate is not None and gate.persisted.active:
            try:
                query = await gate.persisted.resolve(query, extensions) or query
            except GatewayError as error:
                self.push(self.framing.error(op_id, error_dicts(error)))
                return
        if query is None:
            self.push(self.framing.error(op_id, [{"message": "The subscribe payload needs a query",
                                               "extensions": {"code": "BAD_USER_INPUT"}}]))
            return
        if len(self.ops) >= self.endpoint.settings.ws_max_subscriptions:
            limit = self.endpoint.settings.ws_max_subscriptions
            self.push(self.framing.error(op_id, error_dicts(TooManySubscriptions(
                f"This connection already runs {limit} operations (the limit)"))))
            return
        if is_subscription(query, operation_name):
            topic_guard.set(self.check_topics)  # copied into a new group's execution: it checks before opening
            member = self.endpoint.groups.join(self, op_id, query, variables, operation_name)
            self.ops[op_id] = member
            await member.group.started.wait()
            if self.ops.get(op_id) is not member:
                return  # ended while it started
            topics = frozenset(member.group.topics)
            refusal = self.topics_refusal(topics)
            if refusal is not None:
                self.stop(op_id)  # joined a running group whose topics take this socket or caller over a cap
                self.push(self.framing.error(op_id, error_dicts(refusal)))
            elif self.caller is not None:
                self.counted[op_id] = topics
                self.endpoint.count_topics(self.caller, topics, 1)
        else:
            self.ops[op_id] = OneShot(self, op_id, query, variables, operation_name)

    def topics(self) -> set[str]:
        """The hub topics this socket's subscriptions follow."""
        return {t for op in self.ops.values() if isinstance(op, Member) for t in op.group.topics}

    def topics_refusal(self, new: Set[str]) -> TooManySubscriptions | None:
        """The refusal when following `new` too takes this socket past GATEWAY_WS_MAX_TOPICS, or
        its caller's sockets together past GATEWAY_CALLER_MAX_TOPICS (so one caller cannot take a
        replica's GATEWAY_STREAM_MAX_TOPICS from everyone else by opening more sockets)."""
        edge = self.endpoint.settings.edge
        if len(self.topics() | new) > edge.ws_max_topics:
            return TooManySubscriptions(f"This connection already follows {edge.ws_max_topics} upstream streams "
                                        "(the limit)")
        if self.caller is not None:
            held = self.endpoint.caller_topics.get(self.caller, _NONE_HELD)
            if len(held) + sum(1 for t in new if t not in held) > edge.caller_max_topics:
                return TooManySubscriptions(f"This caller's connections already follow {edge.caller_max_topics} "
                                            "upstream streams on this server (the limit)")
        return None

    def check_topics(self, topics: list[Topic]) -> None:
        """The topic guard (gateway.streams.feed): refuse topics past the socket's or the caller's cap."""
        refusal = self.topics_refusal({t.name for t in topics})
        if refusal is not None:
            self.endpoint.counters["topics_refused"] += 1
            raise refusal

    def stop(self, op_id: str) -> bool:
        op = self.ops.pop(op_id, None)
        if op is None:
            return False
        self._uncount(op_id)
        op.leave()
        return True

    def _uncount(self, op_id: str) -> None:
        topics = self.counted.pop(op_id, None)
        if topics is not None and self.caller is not None:
            self.endpoint.count_topics(self.caller, topics, -1)

    def operation_ended(self, op_id: str, op: object, message: str) -> None:
        """An operation ended by itself (complete or error): forget it and tell the client."""
        if self.ops.get(op_id) is op:
            del self.ops[op_id]
            self._uncount(op_id)
            self.push(message)

    def end(self) -> None:
        """Leave every operation (the socket is closing or gone)."""
        ops, self.ops = self.ops, {}
        for op_id in list(self.counted):
            self._uncount(op_id)
        for op in ops.values():
            op.leave()

    def drop_slow(self) -> None:
        """The send buffer is full: tell every operation, then close 1013 (module docstring)."""
        settings = self.endpoint.settings
        error = SlowConsumer(f"Dropped: this connection fell more than {settings.ws_send_buffer} messages or "
                             f"{settings.edge.ws_send_buffer_bytes} bytes behind")
        final = [self.framing.error(op_id, error_dicts(error)) for op_id in self.ops]
        self.endpoint.counters["slow_sockets_dropped"] += 1
        self.end()
        self.conn.close(protocols.TRY_AGAIN_LATER, "slow consumer: send buffer full", final, discard=True)

    def shutdown(self) -> None:
        """The server is stopping: `complete` every operation, then close 1001."""
        final = [self.framing.complete(op_id) for op_id in self.ops]
        self.end()
        self.conn.close(protocols.GOING_AWAY, "server shutting down", final)

    def init_timed_out(self) -> None:
        if not self.init_received and not self.conn.closing:
            self.close(protocols.INIT_TIMEOUT, "Connection initialisation timeout")

    async def aclose(self) -> None:
        self.end()
        with contextlib.suppress(Exception):
            await self.conn.finish()
