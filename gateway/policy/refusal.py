"""How the upstream policy chain says "no" without an upstream answer to show for it.

The chain is an httpx transport, so what it raises travels up through httpx (and, for a GraphQL
upstream, through gql, which wraps it in `TransportConnectionFailed` with this as `__cause__`). When the
chain refuses a call itself (the circuit is open, no rate-limit slot came in time) there is no
HTTP status to map, so it raises `PolicyRefusal`: an `httpx.TransportError` that carries the
exact `gateway.errors` error the caller must see. The one mapping point for httpx errors
(`gateway.sources.http.map_transport_error`, and the GraphQL client's own mapping) unwraps it;
code that does not know it still sees a transport error, i.e. "unavailable".

Upstream answers and httpx's own errors are NOT turned into refusals: a final 5xx or 429 is
returned as the response it was and a connect error re-raised as it was, so their mapping (and
their messages) stay exactly what `http.py` and `map_gql_error` have always produced.
"""

from __future__ import annotations

import httpx

from gateway.errors import SourceError


class PolicyRefusal(httpx.TransportError):
    """The policy chain refused a call; `error` is what the caller sees (`raise error from refusal`)."""

    def __init__(self, error: SourceError, request: httpx.Request | None = None) -> None:
        super().__init__(error.message, request=request)
        self.error = error


def refusal_in(exc: BaseException | None) -> PolicyRefusal | None:
    """The refusal an exception is or wraps (gql keeps the transport's exception as `__cause__`)."""
    seen = 0
    while exc is not None and seen < 5:  # a short chain: gql wraps once, nothing wraps deeper
        if isinstance(exc, PolicyRefusal):
            return exc
        exc = exc.__cause__
        seen += 1
    return None
