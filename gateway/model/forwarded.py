"""An upstream's answer held as it came: JSON objects read by field name, `JSON` for unknown shapes.

Sai Keeper's NIBIRU-only namespaces are answered by Sai Keeper itself (the client's selection is
sent upstream, gateway/sources/nibiru/forward.py). Their schema types resolve a field without
arguments by name, which is also the key in the answer, because the forwarded selection drops
those fields' aliases (GraphQL merges same-name fields); a field with arguments keeps its alias and
is read by response key. `JSON` types the few fields whose shape no public client has shown: the
value is passed through as Sai Keeper sent it.
"""

from __future__ import annotations

from typing import Any, NewType

JSON = NewType("JSON", object)
"""A value whose type the gateway does not know; passed through unchanged (Sai Keeper's `Unobserved`)."""


class Forwarded:
    """One JSON object of an upstream answer; attributes are its keys (missing keys read as null)."""

    __slots__ = ("data",)

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # protocol probes (`__await__`, …) must not find a key
            raise AttributeError(name)
        return wrap(self.data.get(name))

    def __repr__(self) -> str:
        return f"Forwarded({self.data!r})"


def wrap(value: Any) -> Any:
    if isinstance(value, dict):
        return Forwarded(value)
    if isinstance(value, list):
        return [wrap(v) for v in value]
    return value


def plain(value: Any) -> Any:
    """The JSON value again (for the `JSON` scalar, which may receive wrapped objects)."""
    if isinstance(value, Forwarded):
        return value.data
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
