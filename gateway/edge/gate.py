"""The edge in front of GraphQL over HTTP: who is calling, may they, and what document they mean.

    request ─> caller (access.py / caller.py) ── bad credentials ─> 401 UNAUTHENTICATED
                  │
           per-caller request limit (GATEWAY_CALLER_RATE) ── spent ─> 429 RATE_LIMITED + retryAfter
                  │
           persisted operations (persisted.py): hash -> document, allow-list ── refused ─> coded error
                  │
           the caller set for the whole execution (gateway.policy.caller) ─> response cache ─> Strawberry

It sits outside the response cache, so a cached answer is served only to a caller who may have
it, and a request that names a document by hash is cached under its full text. GraphiQL's page
(a GET without `query` or `extensions`) passes, as do non-GraphQL paths (they are not wrapped).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlencode

from redis.asyncio import Redis
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.edge.access import Authenticator, credential, header_credential
from gateway.edge.caller import client_ip, ip_caller
from gateway.edge.limits import CallerLimit
from gateway.edge.persisted import Persisted, build_persisted
from gateway.errors import GatewayError, PersistedQueryNotFound, RateLimited, Unauthenticated
from gateway.http.body import read_body, replaying
from gateway.observe.request import error_extensions
from gateway.policy import caller as current_caller
from gateway.settings import Settings


class EdgeGate:
    def __init__(self, app: ASGIApp, settings: Settings, redis: Redis | None = None) -> None:
        edge = settings.edge
        self.app = app
        self.auth = Authenticator(edge)
        self.proxies = edge.trusted_proxies
        self.limit = CallerLimit(edge.caller_rate, redis) if edge.caller_rate else None
        self.persisted: Persisted = build_persisted(edge.apq, edge.persisted_only, redis)

    async def aclose(self) -> None:
        """Nothing of its own to close: Redis is the app's client."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in ("GET", "POST"):
            await self.app(scope, receive, send)
            return
        query_string: bytes = scope.get("query_string", b"")
        if scope["method"] == "GET" and b"query=" not in query_string and b"extensions=" not in query_string:
            await self.app(scope, receive, send)  # the GraphiQL page
            return
        try:
            who = self.caller(scope)
            limit = self.limit
            if limit is not None:
                if limit.shared is None:
                    limit.charge_here(who)
                else:
                    await limit.charge(who)
            if self.persisted.active:
                if scope["method"] == "GET":
                    scope = await self._persisted_get(scope)
                else:
                    body = await read_body(receive)
                    if self.persisted.allow is not None or b"persistedQuery" in body:
                        scope, receive = await self._persisted_post(scope, receive, body)
                    else:
                        receive = replaying(body, receive)
        except GatewayError as error:
            await refuse(send, error)
            return
        token = current_caller.set_caller(who)
        try:
            await self.app(scope, receive, send)
        finally:
            current_caller.reset(token)

    def caller(self, scope: Scope) -> str:
        """The caller key of a request or WebSocket handshake (raises Unauthenticated)."""
        api_key = authorization = None
        forwarded: list[str] = []
        for name, value in scope["headers"]:
            if name == b"x-api-key":
                api_key = value.decode("latin-1")
            elif name == b"authorization":
                authorization = value.decode("latin-1")
            elif name == b"x-forwarded-for":
                forwarded.append(value.decode("latin-1"))
        verified = self.auth.caller(header_credential(api_key, authorization))
        if verified is not None:
            return verified
        return self._ip_caller(scope, forwarded)

    def caller_of(self, credentials: dict[str, Any], scope: Scope) -> str:
        """The caller a WebSocket's connection_init payload names, else its handshake's address."""
        verified = self.auth.caller(credential(credentials))
        if verified is not None:
            return verified
        return self._ip_caller(scope, [v.decode("latin-1") for n, v in scope["headers"] if n == b"x-forwarded-for"])

    def _ip_caller(self, scope: Scope, forwarded: list[str]) -> str:
        peer = scope.get("client")
        return ip_caller(client_ip(peer[0] if peer else None, forwarded, self.proxies))

    async def _persisted_get(self, scope: Scope) -> Scope:
        """The GET with the document its hash names (persisted.py), or a coded refusal."""
        params = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        found = dict(params)
        try:
            extensions = json.loads(found["extensions"]) if "extensions" in found else None
        except ValueError:
            extensions = None
        document = await self.persisted.resolve(found.get("query"), extensions)
        if document is None:
            return scope
        params = [(k, v) for k, v in params if k != "query"] + [("query", document)]
        return {**scope, "query_string": urlencode(params).encode()}

    async def _persisted_post(self, scope: Scope, receive: Receive, body: bytes) -> tuple[Scope, Receive]:
        """The POST with the documents its hashes name, or a coded refusal; `body` was read from
        `receive`, and the `receive` returned gives the app the body it is to read."""
        try:
            payload = json.loads(body)
        except ValueError:
            payload = None
        items = payload if isinstance(payload, list) else [payload]
        changed = False
        for item in items:
            if not isinstance(item, dict):
                if self.persisted.allow is not None:
                    await self.persisted.resolve("", None)  # not an operation: not in the list
                continue
            document = await self.persisted.resolve(item.get("query"), item.get("extensions"))
            if document is not None and item.get("query") != document:
                item["query"], changed = document, True
        if not changed:
            return scope, replaying(body, receive)
        body = json.dumps(payload).encode()
        headers = [(n, v) for n, v in scope["headers"] if n != b"content-length"]
        headers.append((b"content-length", b"%d" % len(body)))
        return {**scope, "headers": headers}, replaying(body, receive)


async def refuse(send: Send, error: GatewayError) -> None:
    """A request-level GraphQL error: 401 for credentials, 429 for a spent limit, 200 for Apollo's
    PersistedQueryNotFound (its clients expect that), 400 otherwise; with the request's id in
    `extensions.requestId`, like every error the GraphQL layer answers."""
    headers = [(b"content-type", b"application/json"), (b"cache-control", b"no-store")]
    status = 400
    if isinstance(error, Unauthenticated):
        status = 401
        headers.append((b"www-authenticate", b'Bearer realm="gateway"'))
    elif isinstance(error, RateLimited):
        status = 429
        headers.append((b"retry-after", b"%d" % max(1, round(error.retry_after + 0.5))))
    elif isinstance(error, PersistedQueryNotFound):
        status = 200
    extensions = error_extensions(error.extensions())  # with the request's id (gateway/observe)
    body = json.dumps({"errors": [{"message": error.message, "extensions": extensions}]}).encode()
    headers.append((b"content-length", b"%d" % len(body)))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


