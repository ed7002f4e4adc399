"""Begins the per-operation record (gateway/policy/operation.py) and reports stale answers.

Every GraphQL operation, over HTTP or WebSocket, gets a fresh `OperationStats` in a context
variable for its whole run, so the upstream layer can note the TTL of every datum used and every
stale copy served. When a stale copy was served, the response says so in
`extensions.stale: [{source, age}]`.

The HTTP response cache needs the same record after Strawberry has answered: it calls Strawberry inside
`collecting()`, and each operation run inside it appends its record there.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from gateway.policy import operation
from gateway.policy.operation import OperationStats

_sink: contextvars.ContextVar[list[OperationStats] | None] = contextvars.ContextVar(
    "operation_record_sink", default=None)


@contextlib.contextmanager
def collecting() -> Iterator[list[OperationStats]]:
    """Collect the records of the operations run inside the block (one per operation)."""
    records: list[OperationStats] = []
    token = _sink.set(records)
    try:
        yield records
    finally:
        _sink.reset(token)


def note(stats: OperationStats) -> None:
    """Hand an operation's record to the enclosing `collecting()` block, if any (the compiled
    execution path begins its records itself, without this extension)."""
    records = _sink.get()
    if records is not None:
        records.append(stats)


def stale_extensions(stats: OperationStats | None) -> dict[str, Any]:
    """The response's `extensions` for an operation that served stale copies; empty otherwise."""
    if stats is None or not stats.stale:
        return {}
    return {"stale": [{"source": n.source, "age": n.age} for n in stats.stale]}


class OperationRecord(SchemaExtension):
    stats: OperationStats | None = None
    _token: contextvars.Token[OperationStats | None] | None = None

    def on_operation(self) -> Iterator[None]:
        self.stats, self._token = operation.begin()
        note(self.stats)
        try:
            yield
        finally:
            self._end()

    def on_execute(self) -> Iterator[None]:
        # A subscription's events come from the hub, whose upstream calls are its own: no record
        # (it would outlive the operation and mark every later event with old stale notes).
        if self.execution_context.operation_type is OperationType.SUBSCRIPTION:
            self._end()
            self.stats = None
        yield

    def _end(self) -> None:
        if self._token is not None:
            with contextlib.suppress(ValueError):  # ended in another context than it began in
                operation.end(self._token)
            self._token = None

    def get_results(self) -> dict[str, Any]:
        return stale_extensions(self.stats)
