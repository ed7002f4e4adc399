"""The response cache as an ASGI layer in front of Strawberry's /graphql endpoint.

A hit is served here as ready bytes: no GraphQL parse, no execution, no JSON encoding; the key
of a recently seen raw request is one dict lookup (keys.py). A miss runs Strawberry once per key
(`coord.singleflight` in-process, the store's lock across replicas), reads the operation's
record to decide the TTL (the shortest TTL of the upstream data it touched) and stores the body it sent when the
answer may be shared: status 200, no `errors`, nothing stale or uncacheable, some upstream data
touched. Everything else (mutations, subscriptions, batches, GraphiQL) passes through.

Every query response says `X-Gateway-Cache: HIT|MISS|BYPASS`; GET responses carry
`Cache-Control: public, max-age=<remaining seconds>` when cached, `no-store` when not. A request
with `Cache-Control: no-cache` (or `no-store`) or `X-Gateway-Cache: bypass` executes again and
neither reads nor writes the cache (for debugging).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.api.extensions.operation_record import collecting
from gateway.coord.singleflight import SingleFlight
from gateway.http.body import read_body, replaying
from gateway.observe.metrics import GRAPHQL_EXECUTIONS, RESPONSE_CACHE
from gateway.policy.operation import OperationStats
from gateway.response_cache.keys import KeyDeriver
from gateway.response_cache.redis_store import RedisStore
from gateway.response_cache.store import Entry, MemoryStore, ResponseStore
from gateway.settings import Settings

Headers = list[tuple[bytes, bytes]]
HIT, MISS, BYPASS = b"HIT", b"MISS", b"BYPASS"
NO_STORE = b"no-store"
_REPLACED = (b"content-length", b"cache-control", b"x-gateway-cache")
_STREAMING = (b"multipart/mixed", b"text/event-stream")
JSON_MEDIA, GRAPHQL_RESPONSE_MEDIA = b"application/json", b"application/graphql-response+json"
_CACHED_MEDIA = (JSON_MEDIA, GRAPHQL_RESPONSE_MEDIA)


_RESULTS: dict[str, Any] = {}


@dataclass
class CacheStats:
    """Counters for tests and metrics; `executions` counts the requests handed to Strawberry."""

    hits: int = 0
    misses: int = 0
    bypasses: int = 0
    executions: int = 0
    stored: int = 0

    def count(self, result: str) -> None:
        """One request's cache result: hits, misses or bypasses (also counted in /metrics)."""
        setattr(self, result, getattr(self, result) + 1)
        child = _RESULTS.get(result)
        if child is None:  # made once, in the process that counts: `labels()` is dear per call
            child = _RESULTS[result] = RESPONSE_CACHE.labels(result=result)
        child.inc()

    def executed(self) -> None:
        self.executions += 1
        GRAPHQL_EXECUTIONS.inc()


@dataclass
class Outcome:
    """One computed (or fetched) answer, shared by the requests of one flight."""

    status: int
    headers: Headers
    body: bytes
    expires_at: float | None = None  # monotonic expiry when stored; None: not cacheable
    from_store: bool = False  # fetched from the store, not executed here


@dataclass
class _Capture:
    status: int = 500
    headers: Headers = field(default_factory=list)
    chunks: list[bytes] = field(default_factory=list)

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            self.chunks.append(message.get("body", b""))


def cache_control(expires_at: float | None, now: float) -> bytes:
    if expires_at is None:
        return NO_STORE
    return b"public, max-age=%d" % max(0, int(expires_at - now))


class ResponseCache:
    """Wraps the GraphQL ASGI app. `store=None` (the cache switched off) only tags responses."""

    def __init__(self, app: ASGIApp, store: ResponseStore | None, *, lock_ttl: float = 15.0,
                 keys: KeyDeriver | None = None) -> None:
        self.app, self.store, self.lock_ttl = app, store, lock_ttl
        self.keys = keys or KeyDeriver()
        # a failed computation is the failure of the request that ran it: the requests that waited
        # for it compute again themselves (one leads the next flight) instead of sharing an error
        self.flights: SingleFlight[Outcome] = SingleFlight(share_failure=False)
        self.stats = CacheStats()

    async def aclose(self) -> None:
        if self.store is not None:
            await self.store.aclose()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope.get("method")
        if scope["type"] != "http" or method not in ("GET", "POST"):
            await self.app(scope, receive, send)
            return
        json_body = streaming = bypass = False
        media = JSON_MEDIA
        for name, value in scope["headers"]:
            if name == b"content-type":
                json_body = value.lower().startswith(b"application/json")
            elif name == b"cache-control":
                bypass = bypass or b"no-cache" in value.lower() or b"no-store" in value.lower()
            elif name == b"x-gateway-cache":
                bypass = bypass or value.strip().lower() == b"bypass"
            elif name == b"accept":
                streaming = any(kind in value for kind in _STREAMING)
                if GRAPHQL_RESPONSE_MEDIA in value:  # what the GraphQL app negotiates (gateway/http)
                    media = GRAPHQL_RESPONSE_MEDIA
        is_get = method == "GET"
        raw_key: str | None = None
        if is_get:
            query_string: bytes = scope.get("query_string", b"")
            if b"query=" not in query_string:  # GraphiQL, or an error Strawberry explains
                await self.app(scope, receive, send)
                return
            if self.store is not None and not streaming:
                raw_key = self.keys.of_query_string(query_string)
        else:
            body = await read_body(receive)
            receive = replaying(body, receive)
            if self.store is not None and json_body and not streaming:
                raw_key = self.keys.of_body(body)
        if raw_key is None or self.store is None:
            self.stats.count("bypasses")
            self.stats.executed()
            await self.app(scope, receive, _tagging(send, BYPASS, NO_STORE if is_get else None))
            return
        key = f"{self.keys.scope_of(scope)}:{raw_key}"
        if bypass:
            self.stats.count("bypasses")
            self.stats.executed()
            await self.app(scope, receive, _tagging(send, BYPASS, NO_STORE if is_get else None))
            return
        store = self.store
        entry = store.peek(key)
        if entry is None and store.shared:
            entry = await store.fetch(key)
        if entry is not None:
            self.stats.count("hits")
            await _send_entry(send, entry, is_get, media)
            return
        outcome, led = await self.flights.share(key, lambda: self._compute(key, store, scope, receive))
        served_from_cache = outcome.from_store or not led
        if served_from_cache and outcome.expires_at is not None:
            self.stats.count("hits")
            tag = HIT
        else:
            self.stats.count("misses")
            tag = MISS
        await _send_outcome(send, outcome, tag, is_get, media)

    async def _compute(self, key: str, store: ResponseStore, scope: Scope, receive: Receive) -> Outcome:
        deadline = time.monotonic() + self.lock_ttl
        token = await store.lock(key, self.lock_ttl)
        if token is None:  # another replica is computing this key: wait for its answer
            entry = await store.wait(key, deadline)
            if entry is not None:
                return Outcome(200, [], entry.body, entry.expires_at, from_store=True)
            token = await store.lock(key, self.lock_ttl)
        try:
            entry = await store.fetch(key)  # stored between our lookup and our lock
            if entry is not None:
                return Outcome(200, [], entry.body, entry.expires_at, from_store=True)
            outcome = await self._execute(scope, receive)
            if outcome.expires_at is not None:
                await store.put(key, outcome.body, outcome.expires_at - time.monotonic())
                self.stats.stored += 1
            return outcome
        finally:
            if token is not None:
                await store.unlock(key, token)

    async def _execute(self, scope: Scope, receive: Receive) -> Outcome:
        self.stats.executed()
        capture = _Capture()
        with collecting() as records:
            await self.app(scope, receive, capture.send)
        body = b"".join(capture.chunks)
        ttl = cacheable_ttl(capture.status, capture.headers, body, records)
        expires_at = time.monotonic() + ttl if ttl is not None else None
        return Outcome(capture.status, capture.headers, body, expires_at)


def cacheable_ttl(status: int, headers: Headers, body: bytes, records: list[OperationStats]) -> float | None:
    """The TTL an answer may be cached for, or None (see the module docstring for the rule)."""
    if status != 200 or len(records) != 1:
        return None
    stats = records[0]
    if stats.uncacheable or stats.stale or stats.min_ttl is None or stats.min_ttl <= 0:
        return None
    if not any(n == b"content-type" and v.startswith(_CACHED_MEDIA) for n, v in headers):
        return None
    if b'"errors"' in body:  # cheap test first; the decode tells a field value from the key
        try:
            decoded = json.loads(body)
        except ValueError:
            return None
        if not isinstance(decoded, dict) or "errors" in decoded:
            return None
    return stats.min_ttl


def _tagging(send: Send, tag: bytes, control: bytes | None) -> Send:
    async def tagged(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [(n, v) for n, v in message.get("headers", []) if n not in _REPLACED[1:]]
            headers.append((b"x-gateway-cache", tag))
            if control is not None:
                headers.append((b"cache-control", control))
            message = {**message, "headers": headers}
        await send(message)

    return tagged


async def _send_entry(send: Send, entry: Entry, is_get: bool, media: bytes) -> None:
    headers: Headers = [
        (b"content-type", media),
        (b"content-length", b"%d" % len(entry.body)),
        (b"x-gateway-cache", HIT),
    ]
    if is_get:
        headers.append((b"cache-control", cache_control(entry.expires_at, time.monotonic())))
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": entry.body})


async def _send_outcome(send: Send, outcome: Outcome, tag: bytes, is_get: bool, media: bytes) -> None:
    """A flight's outcome, in this request's media type when it is a 200 (shared across Accepts)."""
    headers = [(n, v) for n, v in outcome.headers if n not in _REPLACED]
    if outcome.status == 200:
        headers = [(n, v) for n, v in headers if n != b"content-type"]
    if not any(n == b"content-type" for n, _ in headers):
        headers.append((b"content-type", media))
    headers.append((b"content-length", b"%d" % len(outcome.body)))
    headers.append((b"x-gateway-cache", tag))
    if is_get:
        headers.append((b"cache-control", cache_control(outcome.expires_at, time.monotonic())))
    await send({"type": "http.response.start", "status": outcome.status, "headers": headers})
    await send({"type": "http.response.body", "body": outcome.body})


def build_response_cache(app: ASGIApp, settings: Settings, redis: Redis | None = None) -> ResponseCache:
    """The layer for a configuration: off, in-process, or shared through the app's Redis client."""
    store: ResponseStore | None = None
    if settings.response_cache:
        store = RedisStore(redis) if redis is not None else MemoryStore()
    # how long replicas wait for the one computing a key: its whole upstream budget, at most a minute
    budget = settings.upstream_timeout * (settings.upstream_retries + 1) + settings.rate_limit_wait + 1
    return ResponseCache(app, store, lock_ttl=min(60.0, budget), keys=KeyDeriver(max_tokens=settings.max_tokens))
