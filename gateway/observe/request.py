"""The record of one HTTP request (or WebSocket connection), shared by every layer it crosses.

The access layer begins it; the GraphQL extensions fill in the operation's name, outcome and
upstream calls; the error mapping reads its id into `extensions.requestId`; every log line
written while it is current carries its id. It travels in a context variable holding a mutable
object, so tasks spawned while serving the request (loader batches, gathers) see the same one.
"""

from __future__ import annotations

import contextvars
import os
import re
from dataclasses import dataclass
from typing import Any

# What a caller's X-Request-Id may be for us to use it: short, and nothing a log line or a
# header could be abused with (no spaces, quotes, control characters). Anything else: a new id.
_SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")


@dataclass
class RequestRecord:
    request_id: str
    operation: str | None = None  # the GraphQL operation's name, when one ran (or was named)
    operation_type: str | None = None  # query, mutation, subscription
    errors: bool = False  # the GraphQL result carried errors
    upstream_calls: int = 0  # network calls to upstreams made for this request


_current: contextvars.ContextVar[RequestRecord | None] = contextvars.ContextVar("request_record", default=None)


def request_id_from(header: bytes | str | None) -> str:
    """The caller's id if it is sane (1-128 of `A-Za-z0-9._:-`), else a new random one."""
    if isinstance(header, bytes):
        header = header.decode("latin-1")
    if header is not None and _SANE_ID.fullmatch(header.strip()):
        return header.strip()
    return os.urandom(16).hex()  # 32 hex digits like uuid4().hex, at a third of its cost


def begin(request_id: str) -> tuple[RequestRecord, contextvars.Token[RequestRecord | None]]:
    record = RequestRecord(request_id)
    return record, _current.set(record)


def end(token: contextvars.Token[RequestRecord | None]) -> None:
    _current.reset(token)


def current() -> RequestRecord | None:
    return _current.get()


def current_id() -> str | None:
    record = _current.get()
    return record.request_id if record is not None else None


def error_extensions(extensions: dict[str, Any]) -> dict[str, Any]:
    """An error's `extensions` with the current request's id, for errors answered outside the
    GraphQL layer (the edge's refusals, GraphQL-over-HTTP request errors, the body limit), as
    ErrorMapping gives every GraphQL error; the request's record notes that it answered an error."""
    record = _current.get()
    if record is None:
        return extensions
    record.errors = True
    return {**extensions, "requestId": record.request_id}
