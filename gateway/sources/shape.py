"""Does a JSON answer have its wire type? A structural check of parsed JSON against a `TypedDict`.

Each source's `wire.py` spells the payloads it reads as TypedDicts; its `validate.py` turns them
into the validators the upstream policy chain runs on every 2xx body before it is used or cached
(`Endpoint.validate`). The check is what the mapping relies on, and no more: every required key
is present, every present key the wire type names has a value of its type (recursively, through
lists and nested TypedDicts), and keys the wire type does not name are ignored (upstreams send
more than the gateway reads). Numbers follow JSON, not Python: an `int` field takes an integral
float (`3.0`), a `float` field takes an int; a `bool` is never a number.

Why not a validation library: the wire types are partial TypedDicts with unions of numbers and
strings; the check needs no coercion, no models and no dependency, and it must never be stricter
than the mapping (a stricter check turns a readable answer into an outage).
"""

from __future__ import annotations

import functools
import json
import types
from collections.abc import Callable, Mapping
from typing import (
    Any,
    NotRequired,
    Required,
    TypeVar,
    Union,
    get_args,
    get_origin,
    get_type_hints,
    is_typeddict,
)


class WrongShape(ValueError):
    """The answer is JSON, but not of the wire type; the message says where (never a value)."""


def _substitute(tp: Any, bound: Mapping[Any, Any]) -> Any:
    if isinstance(tp, TypeVar):
        return bound.get(tp, Any)
    args = get_args(tp)
    if not args or not bound:
        return tp
    origin = get_origin(tp)
    new = tuple(_substitute(a, bound) for a in args)
    if origin in (Union, types.UnionType):
        return Union.__getitem__(new)
    return types.GenericAlias(list, new[:1]) if origin is list else origin[new]


def _typeddict(tp: Any) -> tuple[Any, dict[Any, Any]] | None:
    """(the TypedDict class, its TypeVar bindings) for `Paged[Fill]` or a plain TypedDict."""
    origin = get_origin(tp)
    if origin is not None and is_typeddict(origin):
        return origin, dict(zip(getattr(origin, "__parameters__", ()), get_args(tp), strict=False))
    if is_typeddict(tp):
        return tp, {}
    return None


@functools.cache
def _hints(cls: Any) -> dict[str, tuple[Any, bool]]:
    """key -> (its type, required?). Read from the annotations, not `__required_keys__`: under
    `from __future__ import annotations` Python 3.11 cannot see `NotRequired` in a string annotation
    and lists every key as required."""
    out: dict[str, tuple[Any, bool]] = {}
    for key, hint in get_type_hints(cls, include_extras=True).items():
        required = bool(cls.__total__)
        while get_origin(hint) in (Required, NotRequired):
            required = get_origin(hint) is Required
            hint = get_args(hint)[0]
        out[key] = (hint, required)
    return out


def check(value: Any, tp: Any, where: str = "$") -> None:
    """Raise `WrongShape` unless `value` (parsed JSON) has the type `tp`."""
    if tp is Any:
        return
    origin = get_origin(tp)
    if origin in (Required, NotRequired):
        check(value, get_args(tp)[0], where)
        return
    if origin in (Union, types.UnionType):
        for option in get_args(tp):
            try:
                check(value, option, where)
                return
            except WrongShape:
                continue
        raise WrongShape(f"{where}: none of {_name(tp)}")
    found = _typeddict(tp)
    if found is not None:
        cls, bound = found
        if not isinstance(value, dict):
            raise WrongShape(f"{where}: expected an object, got {_kind(value)}")
        hints = _hints(cls)
        missing = sorted(k for k, (_, required) in hints.items() if required and k not in value)
        if missing:
            raise WrongShape(f"{where}: missing {', '.join(missing[:3])}")
        for key, (hint, _) in hints.items():
            if key in value:
                check(value[key], _substitute(hint, bound), f"{where}.{key}")
        return
    if origin is list:
        if not isinstance(value, list):
            raise WrongShape(f"{where}: expected a list, got {_kind(value)}")
        (item,) = get_args(tp) or (Any,)
        for i, element in enumerate(value):
            check(element, item, f"{where}[{i}]")
        return
    if origin is dict or tp is dict:
        if not isinstance(value, dict):
            raise WrongShape(f"{where}: expected an object, got {_kind(value)}")
        return
    if not _scalar_ok(value, tp):
        raise WrongShape(f"{where}: expected {_name(tp)}, got {_kind(value)}")


def _scalar_ok(value: Any, tp: Any) -> bool:
    if tp is None or tp is type(None):
        return value is None
    if tp is bool:
        return isinstance(value, bool)
    if tp is int:
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer())
    if tp is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if tp is str:
        return isinstance(value, str)
    return True  # a type this checker does not know: the mapping's business


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number")


def _name(tp: Any) -> str:
    return getattr(tp, "__name__", None) or str(tp).replace("typing.", "")


def json_of(body: bytes) -> Any:
    """The body as JSON, or `WrongShape` (an HTML page, truncated JSON, not UTF-8)."""
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise WrongShape(f"not JSON ({type(exc).__name__})") from exc


def validator(tp: Any) -> Callable[[bytes], None]:
    """A body validator for `Endpoint.validate`: the body is JSON of the wire type `tp`."""

    def validate(body: bytes) -> None:
        check(json_of(body), tp)

    validate.__qualname__ = f"validate[{_name(tp)}]"
    return validate
