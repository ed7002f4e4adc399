"""A tiny declarative validator that answers like FastAPI/pydantic v2 does.

Nansen's API is FastAPI: a bad body gets 422 with `{"detail": [{"type", "loc", "msg", "input",
"ctx"?}, ...]}`, every error at once, in field order, extra keys last. The specs below describe a
request model the way its OpenAPI schema does; `validate` is pure and returns the cleaned value
(defaults filled in) plus the error list. Coercion follows pydantic's *lax* mode, because FastAPI
validates the decoded JSON as Python objects: `"10"` is a valid integer, `10.0` too, `10.5` not.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

Loc = tuple[str | int, ...]
Error = dict[str, Any]

_TRUE = {"1", "on", "t", "true", "y", "yes"}
_FALSE = {"0", "off", "f", "false", "n", "no"}


@dataclass(frozen=True)
class Str:
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None


@dataclass(frozen=True)
class Num:
    """A JSON number (pydantic `float`)."""


@dataclass(frozen=True)
class Int:
    ge: int | None = None
    le: int | None = None


@dataclass(frozen=True)
class Bool:
    pass


@dataclass(frozen=True)
class Enum:
    values: tuple[str, ...]


@dataclass(frozen=True)
class ListOf:
    item: Spec


@dataclass(frozen=True)
class Field:
    spec: Spec
    required: bool = False
    nullable: bool = True  # `anyOf: [X]` in the OpenAPI is pydantic's `X | None`
    default: Any = None


@dataclass(frozen=True)
class Obj:
    name: str
    fields: Mapping[str, Field] = field(default_factory=dict)
    forbid_extra: bool = True  # `additionalProperties: false`


Spec = Str | Num | Int | Bool | Enum | ListOf | Obj


def _err(kind: str, loc: Loc, msg: str, value: Any, ctx: dict[str, Any] | None = None) -> Error:
    out: Error = {"type": kind, "loc": list(loc), "msg": msg, "input": value}
    if ctx is not None:
        out["ctx"] = ctx
    return out


def _expected(values: tuple[str, ...]) -> str:
    quoted = [f"'{v}'" for v in values]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def validate(spec: Spec, value: Any, loc: Loc) -> tuple[Any, list[Error]]:
    """Validate and coerce `value` against `spec`; errors carry `loc` prefixes."""
    if isinstance(spec, Obj):
        return _validate_obj(spec, value, loc)
    if isinstance(spec, ListOf):
        if not isinstance(value, list):
            return None, [_err("list_type", loc, "Input should be a valid list", value)]
        items, errors = [], []
        for i, item in enumerate(value):
            clean, errs = validate(spec.item, item, (*loc, i))
            items.append(clean)
            errors.extend(errs)
        return items, errors
    if isinstance(spec, Str):
        return _validate_str(spec, value, loc)
    if isinstance(spec, Int):
        return _validate_int(spec, value, loc)
    if isinstance(spec, Num):
        if isinstance(value, int | float):
            return float(value), []
        if isinstance(value, str):
            try:
                return float(value.strip()), []
            except ValueError:
                pass
            return None, [_err("float_parsing", loc, "Input should be a valid number, "
                               "unable to parse string as a number", value)]
        return None, [_err("float_type", loc, "Input should be a valid number", value)]
    if isinstance(spec, Bool):
        if isinstance(value, bool):
            return value, []
        if isinstance(value, int | float) and value in (0, 1):
            return bool(value), []
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE, []
        if isinstance(value, str | int | float):
            return None, [_err("bool_parsing", loc, "Input should be a valid boolean, "
                               "unable to interpret input", value)]
        return None, [_err("bool_type", loc, "Input should be a valid boolean", value)]
    # Enum: string enums match exactly (pydantic does not fold case)
    if isinstance(value, str) and value in spec.values:
        return value, []
    expected = _expected(spec.values)
    return None, [_err("enum", loc, f"Input should be {expected}", value, {"expected": expected})]


def _validate_obj(spec: Obj, value: Any, loc: Loc) -> tuple[Any, list[Error]]:
    if not isinstance(value, dict):
        return None, [_err("model_attributes_type", loc,
                           "Input should be a valid dictionary or object to extract fields from", value)]
    out: dict[str, Any] = {}
    errors: list[Error] = []
    for name, f in spec.fields.items():
        if name not in value:
            if f.required:
                errors.append(_err("missing", (*loc, name), "Field required", value))
            else:
                out[name] = _default(f)
            continue
        if value[name] is None and f.nullable:
            out[name] = None
            continue
        out[name], errs = validate(f.spec, value[name], (*loc, name))
        errors.extend(errs)
    if spec.forbid_extra:
        for name, extra in value.items():
            if name not in spec.fields:
                errors.append(_err("extra_forbidden", (*loc, name), "Extra inputs are not permitted", extra))
    return out, errors


def _default(f: Field) -> Any:
    # A nested model with defaults (pagination) is filled in, as pydantic's default_factory does.
    if isinstance(f.default, dict):
        return dict(f.default)
    return f.default


def _validate_str(spec: Str, value: Any, loc: Loc) -> tuple[Any, list[Error]]:
    if not isinstance(value, str):
        return None, [_err("string_type", loc, "Input should be a valid string", value)]
    if spec.min_length is not None and len(value) < spec.min_length:
        n = spec.min_length
        return None, [_err("string_too_short", loc, f"String should have at least {n} character"
                           f"{'' if n == 1 else 's'}", value, {"min_length": n})]
    if spec.max_length is not None and len(value) > spec.max_length:
        n = spec.max_length
        return None, [_err("string_too_long", loc, f"String should have at most {n} character"
                           f"{'' if n == 1 else 's'}", value, {"max_length": n})]
    if spec.pattern is not None and re.search(spec.pattern, value) is None:
        return None, [_err("string_pattern_mismatch", loc, f"String should match pattern '{spec.pattern}'",
                           value, {"pattern": spec.pattern})]
    return value, []


def _validate_int(spec: Int, value: Any, loc: Loc) -> tuple[Any, list[Error]]:
    number: int
    if isinstance(value, bool | int):
        number = int(value)
    elif isinstance(value, float):
        if not value.is_integer():
            return None, [_err("int_from_float", loc, "Input should be a valid integer, "
                               "got a number with a fractional part", value)]
        number = int(value)
    elif isinstance(value, str):
        try:
            number = int(value.strip())
        except ValueError:
            return None, [_err("int_parsing", loc, "Input should be a valid integer, "
                               "unable to parse string as an integer", value)]
    else:
        return None, [_err("int_type", loc, "Input should be a valid integer", value)]
    if spec.ge is not None and number < spec.ge:
        return None, [_err("greater_than_equal", loc, f"Input should be greater than or equal to {spec.ge}",
                           value, {"ge": spec.ge})]
    if spec.le is not None and number > spec.le:
        return None, [_err("less_than_equal", loc, f"Input should be less than or equal to {spec.le}",
                           value, {"le": spec.le})]
    return number, []


def parse_body(raw: bytes, spec: Obj) -> tuple[dict[str, Any], list[Error]]:
    """Decode a JSON request body and validate it as FastAPI does for a required body model."""
    if not raw.strip():
        return {}, [_err("missing", ("body",), "Field required", None)]
    try:
        decoded = json.loads(raw)
    except json.JSONDecodeError as exc:
        return {}, [_err("json_invalid", ("body", exc.pos), "JSON decode error", {}, {"error": exc.msg})]
    except UnicodeDecodeError as exc:
        return {}, [_err("json_invalid", ("body", 0), "JSON decode error", {}, {"error": exc.reason})]
    clean, errors = validate(spec, decoded, ("body",))
    return (clean if isinstance(clean, dict) else {}), errors
