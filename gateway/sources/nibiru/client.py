"""Sai Keeper over HTTP with gql: I/O only, failures mapped into the gateway's error tree.

gql's `Client` bounds every execution with its own `execute_timeout` (10 s by default) and then
raises the builtin `TimeoutError`, which is not a gql `TransportError`. It is set from the gateway's
upstream timeout, one second later than the policy chain's deadline so that the chain (which may
answer from a stale copy) always decides first, and mapped to `UPSTREAM_TIMEOUT` should it fire.
"""

from __future__ import annotations

import functools
from typing import Any

import httpx
from gql import Client, GraphQLRequest, gql
from gql.client import AsyncClientSession
from gql.transport.exceptions import (
    TransportConnectionFailed,
    TransportError,
    TransportProtocolError,
    TransportQueryError,
    TransportServerError,
)
from gql.transport.httpx import HTTPXAsyncTransport

from gateway.errors import (
    GatewayError,
    UpstreamError,
    UpstreamRateLimited,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from gateway.policy.refusal import refusal_in

SOURCE = "nibiru"
EXECUTE_MARGIN = 1.0  # gql's execute_timeout is the chain's deadline plus this


class QueryRejected(UpstreamError):
    """Sai Keeper answered with GraphQL `errors`: still `UPSTREAM_ERROR` for the caller, but it keeps
    the errors (message, path) and any partial `data`, so the source can absorb Sai Keeper's known
    faults per field (an unknown trade, the broken `perpMarketId` filter: source.py, quirks.py)."""

    def __init__(self, message: str, errors: list[dict[str, Any]], data: dict[str, Any] | None) -> None:
        super().__init__(SOURCE, message)
        self.errors = errors
        self.data = data


@functools.lru_cache(maxsize=64)
def parsed(document: str) -> GraphQLRequest:
    return gql(document)


def map_gql_error(exc: Exception) -> GatewayError:
    """gql and httpx failures → the error tree (the public test checks every branch)."""
    refusal = refusal_in(exc)  # the policy chain's own "no", wrapped by gql as TransportConnectionFailed
    if refusal is not None:
        return refusal.error
    if isinstance(exc, TransportQueryError):
        errors = [e for e in exc.errors or [] if isinstance(e, dict)]
        message = (errors or [{}])[0].get("message", "query failed")
        data = exc.data if isinstance(exc.data, dict) else None
        return QueryRejected(f"Sai Keeper rejected the query: {message}", errors, data)
    if isinstance(exc, TransportServerError):
        code = exc.code or 500
        if code == 429:
            return UpstreamRateLimited(SOURCE, "Sai Keeper is rate limiting the gateway", 1.0)
        if code in (502, 503, 504):
            return UpstreamUnavailable(SOURCE, f"Sai Keeper is unavailable (HTTP {code})")
        return UpstreamError(SOURCE, f"Sai Keeper answered HTTP {code}")
    cause = exc.__cause__ if isinstance(exc, TransportConnectionFailed) else exc
    if isinstance(cause, httpx.TimeoutException):
        return UpstreamTimeout(SOURCE, "Sai Keeper did not answer in time")
    if isinstance(cause, httpx.TransportError | TransportConnectionFailed):
        return UpstreamUnavailable(SOURCE, "Sai Keeper is unreachable")
    if isinstance(exc, TimeoutError):  # gql's own execute_timeout
        return UpstreamTimeout(SOURCE, "Sai Keeper did not answer in time")
    if isinstance(exc, TransportProtocolError):
        return UpstreamError(SOURCE, "Sai Keeper sent an answer that is not GraphQL")
    return UpstreamError(SOURCE, "Sai Keeper request failed")


class NibiruClient:
    def __init__(self, url: str, timeout: float = 10.0, transport: httpx.AsyncBaseTransport | None = None) -> None:
        # `transport` (the upstream policy chain) goes to gql's httpx.AsyncClient with the other kwargs
        extra: dict[str, Any] = {} if transport is None else {"transport": transport}
        self._transport = HTTPXAsyncTransport(
            url=url, timeout=httpx.Timeout(timeout, connect=min(3.0, timeout)), **extra)
        self._client = Client(transport=self._transport, fetch_schema_from_transport=False,
                              execute_timeout=timeout + EXECUTE_MARGIN)
        self._session: AsyncClientSession | None = None

    async def _connected(self) -> AsyncClientSession:
        if self._session is None:
            self._session = await self._client.connect_async(reconnecting=False)  # type: ignore[no-untyped-call]
        assert self._session is not None
        return self._session

    async def execute(self, document: str, variables: dict[str, Any]) -> dict[str, Any]:
        """Run one document; None-valued variables are left out so Sai Keeper's defaults apply."""
        session = await self._connected()
        values = {k: v for k, v in variables.items() if v is not None}
        try:
            result = await session.execute(GraphQLRequest(parsed(document), variable_values=values))
        except (TransportError, httpx.HTTPError, TimeoutError) as exc:
            raise map_gql_error(exc) from exc
        if not isinstance(result, dict):  # gql returns `data` as the upstream sent it
            raise UpstreamError(SOURCE, "Sai Keeper sent an answer without data")
        return result

    async def aclose(self) -> None:
        if self._session is not None:
            await self._client.close_async()  # type: ignore[no-untyped-call]
            self._session = None
