"""Schema objects to plain JSON and back, for the one place they leave the process: Redis.

Works on the Strawberry types of gateway/model/types.py (dataclasses with enums, lists, dicts,
optional fields and nested types). `decode(encode(x), type(x)) == x` for every such object.
Events in one process never come here (messages.py); `digest` does, to name a payload by its
content.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import types
import typing
from functools import cache
from typing import Any, TypeVar, Union, get_args, get_origin

T = TypeVar("T")


def encode(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    return value


def digest(payload: Any) -> str:
    """A short stable hash of a payload (objects or their encoding; key order does not matter):
    equal payloads get equal ids, so the hub drops a re-sent snapshot whose fact has no id."""
    text = json.dumps(encode(payload), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


@cache
def _hints(cls: type) -> dict[str, Any]:
    import gateway.model.time
    import gateway.model.types
    import gateway.model.venue

    ns = {**vars(gateway.model.types), **vars(gateway.model.time), **vars(gateway.model.venue)}
    return typing.get_type_hints(cls, globalns=ns)


def _decode(data: Any, hint: Any) -> Any:
    if data is None:
        return None
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        inner = [a for a in get_args(hint) if a is not type(None)]
        return _decode(data, inner[0]) if len(inner) == 1 else data
    if origin is list:
        (item,) = get_args(hint)
        return [_decode(v, item) for v in data]
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint(data)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        fields = _hints(hint)
        return hint(**{name: _decode(data.get(name), fields[name]) for name in fields if name in data})
    if hint is float and isinstance(data, int):
        return float(data)
    return data


def decode(data: Any, cls: type[T]) -> T:
    """The object of type `cls` that `encode` turned into `data`."""
    result: T = _decode(data, cls)
    return result
