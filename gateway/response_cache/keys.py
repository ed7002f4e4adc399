"""Response-cache keys: normalized document, operation name, canonical variables, caller scope.

Parsing and printing a document costs ~0.2 ms, more than serving a cached answer, so the
normalized form is computed once per distinct raw query text and memoized in a bounded LRU; and
a whole raw request (a POST body or a GET query string) is memoized to its key, so a request seen
recently costs one dict lookup. A request that is not a single cacheable query (a mutation, a
subscription, a batch, a syntax error, malformed JSON) maps to None: the caller passes it through.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from graphql import GraphQLError, OperationType, parse, print_ast
from graphql.language import OperationDefinitionNode
from starlette.types import Scope

from gateway.coord.lru import LRU
from gateway.limits.tokens import more_tokens_than

RAW_MEMO_SIZE = 4096  # distinct raw requests remembered
RAW_MEMO_MAX_BYTES = 16 * 1024  # longer requests are keyed each time (their document stays memoized)
DOCUMENT_MEMO_SIZE = 1024  # distinct raw query texts remembered
_NOT_CACHEABLE = ""


@dataclass(frozen=True, slots=True)
class Document:
    """A parsed document reduced to what the key needs: its printed form and its operations."""

    digest: str  # sha256 of the printed (normalized) document
    operations: dict[str | None, OperationType]  # by name; an anonymous operation under None

    def operation_type(self, name: str | None) -> OperationType | None:
        if name is None:
            return next(iter(self.operations.values())) if len(self.operations) == 1 else None
        return self.operations.get(name)


def caller_scope(scope: Scope) -> str:
    """Who may share a cached answer with whom, from the request's ASGI scope. No answer depends
    on who asks (caller access decides only whether one may ask: the edge, in front of the cache,
    admits a caller before a hit is served), so all share one scope; an answer that came to depend
    on its caller would get the caller's own scope here."""
    return "public"


class KeyDeriver:
    """Turns raw requests into cache keys (`scope:digest`), memoizing both levels."""

    def __init__(self, scope_of: Callable[[Scope], str] = caller_scope,
                 max_tokens: int | None = None) -> None:
        self.scope_of = scope_of
        self.max_tokens = max_tokens  # a longer document is not cached (the limits refuse it anyway)
        self._raw: LRU[bytes, str] = LRU(RAW_MEMO_SIZE)
        self._documents: LRU[str, Document | bool] = LRU(DOCUMENT_MEMO_SIZE)

    def of_body(self, body: bytes) -> str | None:
        """The scope-free key of a JSON POST body, or None when it is not one cacheable query."""
        return self._memoized(body, _body_params)

    def of_query_string(self, query_string: bytes) -> str | None:
        """The scope-free key of a GET's query string, or None."""
        return self._memoized(query_string, _query_params)

    def _memoized(self, raw: bytes, params_of: Callable[[bytes], tuple[Any, Any, Any] | None]) -> str | None:
        known = self._raw.get(raw)
        if known is not None:
            return known or None
        params = params_of(raw)
        key = self._key(*params) if params is not None else None
        if len(raw) <= RAW_MEMO_MAX_BYTES:
            self._raw.put(raw, key or _NOT_CACHEABLE)
        return key

    def _key(self, query: Any, operation_name: Any, variables: Any) -> str | None:
        if not isinstance(query, str) or not isinstance(operation_name, str | None):
            return None
        if not isinstance(variables, dict | None):
            return None
        document = self.document(query)
        if document is None or document.operation_type(operation_name) is not OperationType.QUERY:
            return None
        canonical = json.dumps(variables or {}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        material = f"{document.digest}\0{operation_name or ''}\0{canonical}"
        return hashlib.sha256(material.encode()).hexdigest()

    def document(self, query: str) -> Document | None:
        """The normalized document of a raw query text (None: it does not parse)."""
        known = self._documents.get(query)
        if known is not None:
            return known if isinstance(known, Document) else None
        if self.max_tokens is not None and more_tokens_than(query, self.max_tokens):
            self._documents.put(query, False)
            return None
        try:
            ast = parse(query, no_location=True, max_tokens=self.max_tokens)
        except GraphQLError:
            self._documents.put(query, False)
            return None
        operations = {
            (d.name.value if d.name else None): d.operation
            for d in ast.definitions if isinstance(d, OperationDefinitionNode)
        }
        document = Document(hashlib.sha256(print_ast(ast).encode()).hexdigest(), operations)
        self._documents.put(query, document)
        return document


def _body_params(body: bytes) -> tuple[Any, Any, Any] | None:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict):  # a list is a batch of operations: not cached
        return None
    return data.get("query"), data.get("operationName"), data.get("variables")


def _query_params(query_string: bytes) -> tuple[Any, Any, Any] | None:
    params = dict(parse_qsl(query_string.decode("latin-1"), keep_blank_values=True))
    query = params.get("query")
    if not query:
        return None
    variables: Any = None
    if params.get("variables"):
        try:
            variables = json.loads(params["variables"])
        except ValueError:
            return None
    return query, params.get("operationName") or None, variables
