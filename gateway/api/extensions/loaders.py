"""Opens a fresh set of batching DataLoaders (gateway/api/loaders.py) around each query's execution.

Per operation, never per context: a WebSocket's context lives as long as the socket. A
subscription gets no loaders, so nothing it loads is remembered from one event to the next.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from gateway.api import loaders


class LoadersPerOperation(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        if self.execution_context.operation_type is OperationType.SUBSCRIPTION:
            yield
            return
        token = loaders.begin()
        try:
            yield
        finally:
            with contextlib.suppress(ValueError):  # ended in another context (cancellation)
                loaders.end(token)
