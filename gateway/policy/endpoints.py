"""Which upstream endpoint a request is: its name, how long its answer may be cached, its rate bucket.

The policy chain sees raw httpx requests, so it recognises endpoints the way an operator reads
them: REST sources by method and path below the configured base URL (`/perpetuals/trader/{wallet}
/positions`), a GraphQL upstream by the operation name in the POST body (`GatewayTrades`). Every
endpoint has a stable dotted name (`<upstream>.trader.positions`) that the TTL overrides
(`GATEWAY_CACHE_TTLS`) and the operator docs use. Each upstream's package holds its own table
(`gateway/sources/<name>/endpoints.py`), each endpoint with its source's validator of a 2xx body
(`gateway/sources/<name>/validate.py`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

KeyBody = Callable[[Any], Any]  # the parsed JSON body -> what of it identifies the answer
# A 2xx body -> None, or raises (any exception) when it is not the endpoint's wire type. Supplied by
# the source that knows the wire format (gateway/sources/<name>/validate.py), so the policy layer
# stays upstream-agnostic: it only knows that an answer that fails its check is never kept.
Validator = Callable[[bytes], None]


@dataclass(frozen=True)
class Endpoint:
    name: str  # <upstream>.<endpoint>, e.g. `<upstream>.trader.positions`
    ttl: float  # seconds an answer stays fresh; 0: never cached (per-account or write endpoints)
    bucket: str | None = None  # the upstream's rate-limit bucket; None: the upstream sets no limits
    read: bool = True  # safe to repeat: retried on 5xx/timeouts (writes only on 429 and refused connects)
    key_body: KeyBody | None = None  # normalises a JSON body for the cache key (e.g. drop a moving "now")
    validate: Validator | None = None  # checks a 2xx body before it is used or cached; None: any body


class Classifier(Protocol):
    def classify(self, method: str, path: str, body: bytes) -> Endpoint: ...

    def names(self) -> list[str]:
        """Every endpoint name the table can answer (for TTL overrides and the operator docs)."""
        ...


@dataclass(frozen=True)
class Route:
    method: str
    pattern: str  # below the base URL, `{name}` for one path segment
    endpoint: Endpoint

    def regex(self) -> re.Pattern[str]:
        parts = re.split(r"(\{[^/{}]+\})", self.pattern)
        body = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts)
        return re.compile(f"^{body}/?$")


class RestTable:
    """Method + path -> endpoint; the first matching route wins, so fixed paths go first."""

    def __init__(self, routes: Sequence[Route], fallback: Endpoint, reads: Sequence[str] = ("GET",)) -> None:
        self.routes = list(routes)
        self.fallback = fallback  # an unknown path: never cached, in the strictest bucket
        self.reads = frozenset(reads)  # methods this upstream uses for reads (some read by POST)
        self._compiled = [(r.method, r.regex(), r.endpoint) for r in self.routes]

    def classify(self, method: str, path: str, body: bytes) -> Endpoint:
        for route_method, regex, endpoint in self._compiled:
            if route_method == method and regex.match(path):
                return endpoint
        return self.fallback if method in self.reads else replace(self.fallback, ttl=0.0, read=False)

    def names(self) -> list[str]:
        return list(dict.fromkeys([r.endpoint.name for r in self.routes] + [self.fallback.name]))


_OPERATION = re.compile(r"^\s*(query|mutation|subscription)\b\s*([_A-Za-z][_0-9A-Za-z]*)?")


def operation_of(body: bytes) -> tuple[str, str]:
    """(operation type, operation name) of a GraphQL POST body; ("", "") when it is not one."""
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return "", ""
    if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
        return "", ""
    name = payload.get("operationName")
    found = _OPERATION.match(payload["query"])
    if found is None:  # an anonymous `{ ... }` shorthand is a query
        return ("query", name) if isinstance(name, str) else ("query", "")
    kind, declared = found.group(1), found.group(2) or ""
    return kind, name if isinstance(name, str) and name else declared


class GraphQLTable:
    """Operation name -> endpoint, by the longest known prefix, so `GatewayTradesBatch` is trades.

    Mutations and subscriptions are never cached; an unknown query gets `fallback`.
    """

    def __init__(self, operations: Mapping[str, Endpoint], fallback: Endpoint) -> None:
        self.operations = dict(operations)
        self.fallback = fallback
        self._by_length = sorted(self.operations, key=len, reverse=True)

    def classify(self, method: str, path: str, body: bytes) -> Endpoint:
        kind, name = operation_of(body) if method == "POST" else ("query", "")
        if kind != "query":
            return replace(self.fallback, name=f"{self.fallback.name.split('.')[0]}.{kind or 'other'}",
                           ttl=0.0, read=False)
        for known in self._by_length:
            if name.startswith(known):
                return self.operations[known]
        return self.fallback

    def names(self) -> list[str]:
        return list(dict.fromkeys([e.name for e in self.operations.values()] + [self.fallback.name]))


def with_ttl(endpoint: Endpoint, overrides: Mapping[str, float]) -> Endpoint:
    """The endpoint with the operator's TTL (`GATEWAY_CACHE_TTLS=name=seconds,...`) when one is set."""
    ttl = overrides.get(endpoint.name)
    return endpoint if ttl is None else replace(endpoint, ttl=max(0.0, float(ttl)))
