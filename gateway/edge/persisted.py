"""Persisted operations: Apollo's automatic persisted queries (APQ) and an allow-list mode.

APQ (on by default, GATEWAY_APQ=off to refuse it): a client sends only
`extensions.persistedQuery = {"version": 1, "sha256Hash": <hex>}`, by GET or POST. A hash the
gateway holds runs its document; an unknown one is answered `PersistedQueryNotFound` (message and
code `PERSISTED_QUERY_NOT_FOUND`, HTTP 200, as Apollo Server answers), and the client sends the
query again with its hash, which is checked (sha256 of the exact text) and stored. Documents live
in the cache backend: Redis under `gateway:apq:` when REDIS_URL is set (shared by replicas, kept
`APQ_TTL`), with a bounded in-process LRU in front.

Allow-list (GATEWAY_PERSISTED_ONLY=<file>): only the file's operations run, over HTTP and
WebSocket. The file is a JSON object mapping ids (usually the sha256 of the document) to
documents, as persisted-query manifests are, or a `.graphql` file whose every operation (with
the fragments it uses) is one allowed document. A request names an operation by hash
(`extensions.persistedQuery.sha256Hash`: a manifest id or the sha256 of a document's text) or
sends its text, which must equal an allowed document up to formatting (both are compared
printed by graphql-core). Registering new documents by APQ is refused in this mode.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from pathlib import Path
from typing import Any

from graphql import DocumentNode, FragmentDefinitionNode, OperationDefinitionNode, parse, print_ast
from graphql.error import GraphQLError
from graphql.language import FragmentSpreadNode, Visitor, visit
from redis.asyncio import Redis
from redis.exceptions import RedisError

from gateway.coord.lru import LRU
from gateway.edge.settings import EdgeSettingsError
from gateway.errors import (
    OperationNotAllowed,
    PersistedQueryMismatch,
    PersistedQueryNotFound,
    PersistedQueryNotSupported,
)

log = logging.getLogger("gateway.edge")
APQ_PREFIX = "gateway:apq:"
APQ_TTL = 7 * 24 * 3600  # seconds a registered document stays in Redis
MEMORY_ENTRIES = 5_000
MAX_DOCUMENT = 256 * 1024  # characters of a document that may be registered


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@functools.lru_cache(maxsize=2048)
def canonical(text: str) -> str | None:
    """The document as graphql-core prints it (formatting and comments gone); None if it does not parse."""
    try:
        return print_ast(parse(text))
    except GraphQLError:
        return None


class _Spreads(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_: Any) -> None:
        self.names.add(node.name.value)


def _operations_of(document: DocumentNode) -> list[str]:
    """Each operation of a .graphql file as its own document, with the fragments it reaches."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    out = []
    for op in (d for d in document.definitions if isinstance(d, OperationDefinitionNode)):
        needed: dict[str, FragmentDefinitionNode] = {}
        todo: list[Any] = [op]
        while todo:
            spreads = _Spreads()
            visit(todo.pop(), spreads)
            for name in sorted(spreads.names - set(needed)):
                if name in fragments:
                    needed[name] = fragments[name]
                    todo.append(fragments[name])
        out.append(print_ast(DocumentNode(definitions=(op, *needed.values()))))
    return out


class AllowList:
    """The operations of a GATEWAY_PERSISTED_ONLY file, by id/hash and by printed form."""

    def __init__(self, by_id: dict[str, str]) -> None:
        self.by_id = dict(by_id)
        self.canonical: set[str] = set()
        for doc in list(by_id.values()):
            self.by_id.setdefault(sha256(doc), doc)
            printed = canonical(doc)
            if printed is None:
                raise EdgeSettingsError("GATEWAY_PERSISTED_ONLY holds a document that does not parse")
            self.canonical.add(printed)

    @classmethod
    def load(cls, path: str) -> AllowList:
        try:
            text = Path(path).read_text()
        except OSError as exc:
            raise EdgeSettingsError(f"GATEWAY_PERSISTED_ONLY: cannot read {path}") from exc
        if text.lstrip().startswith("{"):
            try:
                mapping = json.loads(text)
            except ValueError as exc:
                raise EdgeSettingsError("GATEWAY_PERSISTED_ONLY: the JSON file does not parse") from exc
            if not isinstance(mapping, dict) or not all(isinstance(v, str) for v in mapping.values()):
                raise EdgeSettingsError("GATEWAY_PERSISTED_ONLY: the JSON must map ids to document strings")
            return cls({str(k): v for k, v in mapping.items()})
        try:
            docs = _operations_of(parse(text))
        except GraphQLError as exc:
            raise EdgeSettingsError("GATEWAY_PERSISTED_ONLY: the .graphql file does not parse") from exc
        return cls({sha256(d): d for d in docs})

    def allows(self, query: str) -> bool:
        printed = canonical(query)
        return printed is not None and printed in self.canonical


class ApqStore:
    """Registered documents: a bounded in-process LRU, backed by the app's Redis when configured."""

    def __init__(self, redis: Redis | None) -> None:
        self._memory: LRU[str, str] = LRU(MEMORY_ENTRIES)
        self._redis = redis  # the app's one client: it closes it

    async def get(self, digest: str) -> str | None:
        found = self._memory.get(digest)
        if found is not None or self._redis is None:
            return found
        try:
            raw = await self._redis.get(APQ_PREFIX + digest)
        except (RedisError, OSError):
            return None  # a miss: the client sends the query again
        found = raw.decode() if isinstance(raw, bytes) else raw
        if found is not None:
            self._memory.put(digest, found)
        return found

    async def put(self, digest: str, query: str) -> None:
        self._memory.put(digest, query)
        if self._redis is not None:
            try:
                await self._redis.set(APQ_PREFIX + digest, query, ex=APQ_TTL)
            except (RedisError, OSError) as exc:
                log.warning("persisted query not shared (%s)", type(exc).__name__)


class Persisted:
    """Resolves the document of a request: APQ, the allow-list, or the text as sent."""

    def __init__(self, apq: bool, allow: AllowList | None, redis: Redis | None) -> None:
        self.apq, self.allow = apq, allow
        self.store = ApqStore(redis) if apq and allow is None else None

    @property
    def active(self) -> bool:
        return self.store is not None or self.allow is not None

    async def resolve(self, query: Any, extensions: Any) -> str | None:
        """The document to run (None: leave the request as it is). Raises a coded GatewayError."""
        ask = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
        if ask is None:
            if self.allow is not None and isinstance(query, str) and not self.allow.allows(query):
                raise OperationNotAllowed("Only persisted operations run on this gateway")
            return None
        digest = ask.get("sha256Hash") if isinstance(ask, dict) else None
        if not isinstance(digest, str) or not digest or (isinstance(ask, dict) and ask.get("version", 1) != 1):
            raise PersistedQueryMismatch("extensions.persistedQuery needs version 1 and a sha256Hash")
        if isinstance(query, str):
            return await self._register(digest, query)
        if self.allow is not None:
            found = self.allow.by_id.get(digest)
        elif self.store is not None:
            found = await self.store.get(digest.lower())
        else:
            raise PersistedQueryNotSupported()
        if found is None:
            raise PersistedQueryNotFound()
        return found

    async def _register(self, digest: str, query: str) -> str:
        if self.allow is not None:
            if self.allow.by_id.get(digest) != query and not self.allow.allows(query):
                raise OperationNotAllowed("Only persisted operations run on this gateway")
            return query
        if sha256(query) != digest.lower():
            raise PersistedQueryMismatch("provided sha does not match query")
        if self.store is None:
            raise PersistedQueryNotSupported()
        if len(query) <= MAX_DOCUMENT:
            await self.store.put(digest.lower(), query)
        return query


def build_persisted(apq: bool, persisted_only: str | None, redis: Redis | None) -> Persisted:
    return Persisted(apq, AllowList.load(persisted_only) if persisted_only else None, redis)

