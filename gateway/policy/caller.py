"""Who the running operation is for, so upstream budgets can be shared fairly between callers.

The edge (gateway/edge/gate.py) decides the caller of each request (API key, JWT subject, else
client IP) and sets it here for the request's whole execution; the policy chain reads it to
charge the caller's share of an upstream's budget (fairness.py). Tasks spawned during the
operation (DataLoader batches, gathers, a subscription's execution) inherit it. Outside any
request (pollers, bridges) there is no caller and no per-caller charge.
"""

from __future__ import annotations

import contextvars

_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("gateway_caller", default=None)


def current() -> str | None:
    """The caller key (`ip:…`, `key:…`, `sub:…`), or None outside a request."""
    return _current.get()


def set_caller(caller: str | None) -> contextvars.Token[str | None]:
    return _current.set(caller)


def reset(token: contextvars.Token[str | None]) -> None:
    _current.reset(token)
