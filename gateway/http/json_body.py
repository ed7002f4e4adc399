"""Decoding a GraphQL request body: UTF-8 JSON, an object (or a batch list), not nested deeper than
a GraphQL request ever needs. Each failure is a `BadBody` (400 with a message) instead of a 500."""

from __future__ import annotations

import json
from typing import Any

MAX_JSON_DEPTH = 64  # a variables value nested deeper than this is an attack, not a query


class BadBody(ValueError):
    """The body cannot be a GraphQL request; the message says why."""


def decode(raw: bytes | str) -> dict[str, Any] | list[Any]:
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as exc:
        raise BadBody("The request body is not valid UTF-8") from exc
    try:
        data = json.loads(text)
    except RecursionError as exc:
        raise BadBody(f"The request body's JSON is nested deeper than {MAX_JSON_DEPTH} levels") from exc
    except ValueError as exc:
        raise BadBody("Unable to parse the request body as JSON") from exc
    if not isinstance(data, dict | list):
        raise BadBody("The request body must be a JSON object with a `query`")
    if too_deep(data, MAX_JSON_DEPTH):
        raise BadBody(f"The request body's JSON is nested deeper than {MAX_JSON_DEPTH} levels")
    return data


def too_deep(value: Any, limit: int) -> bool:
    """Whether containers nest deeper than `limit` (iterative: no recursion to exhaust)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values() if isinstance(v, dict | list))
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item if isinstance(v, dict | list))
    return False
