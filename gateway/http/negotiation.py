"""Media types and status codes of GraphQL over HTTP (graphql-over-http spec, 2024 draft).

`application/graphql-response+json` is used when the client accepts it (before
`application/json` when both are acceptable with the same weight); with it, a request error
(parse, validation, variable coercion, a refused document: `data` absent) is answered 400 with
no `data` entry. With `application/json` (legacy clients, and when Accept is missing or `*/*`)
every well-formed GraphQL response is 200, as the spec asks for compatibility.
"""

from __future__ import annotations

from typing import Any

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"


def negotiate(accept: str | None) -> str | None:
    """The response media type for an Accept header; None when neither is acceptable (406)."""
    if not accept or not accept.strip():
        return JSON
    best: tuple[float, int, str] | None = None
    for part in accept.split(","):
        pieces = [p.strip() for p in part.split(";")]
        kind = pieces[0].lower()
        weight = 1.0
        for param in pieces[1:]:
            if param.lower().startswith("q="):
                try:
                    weight = float(param[2:])
                except ValueError:
                    weight = 0.0
        if kind == GRAPHQL_RESPONSE:
            media = GRAPHQL_RESPONSE
        elif kind in (JSON, "*/*", "application/*"):
            media = JSON
        else:
            continue
        if weight <= 0:
            continue
        rank = (weight, 1 if media == GRAPHQL_RESPONSE else 0, media)
        if best is None or rank[:2] > best[:2]:
            best = rank
    return best[2] if best else None


def is_request_error(response: dict[str, Any]) -> bool:
    """No data, and errors that belong to no field: the request failed before execution."""
    errors = response.get("errors")
    if response.get("data") is not None or not errors:
        return False
    return all(not e.get("path") for e in errors)


def status_of(response: dict[str, Any], media: str) -> int:
    if media == GRAPHQL_RESPONSE and is_request_error(response):
        return 400
    return 200
