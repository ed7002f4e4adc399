"""The gateway's one error tree. Every error a caller can see is one of these.

    GatewayError                      code                   retryable  raised when
    ├── BadUserInput                  BAD_USER_INPUT         no         an argument is malformed (address, dates, limits)
    ├── Unauthenticated               UNAUTHENTICATED        no         the caller's credentials are missing or wrong
    ├── QueryTooComplex               QUERY_TOO_COMPLEX      no         a document exceeds the query limits
    ├── RateLimited                   RATE_LIMITED           later      a caller or upstream budget is spent (retryAfter)
    ├── SlowConsumer                  SLOW_CONSUMER          later      a subscriber fell too far behind its stream and was dropped
    ├── TooManySubscriptions          TOO_MANY_SUBSCRIPTIONS no         a WebSocket asked for more operations (or upstream topics) than allowed
    ├── NotFound                      NOT_FOUND              no         a subscription names a market that does not exist
    ├── PersistedQueryNotFound        PERSISTED_QUERY_NOT_FOUND  resend  a hash-only request names no stored document (Apollo APQ)
    ├── PersistedQueryNotSupported    PERSISTED_QUERY_NOT_SUPPORTED  no  a hash-only request while APQ is off
    ├── PersistedQueryMismatch        PERSISTED_QUERY_HASH_MISMATCH  no  the sha256Hash sent is not the hash of the query sent
    ├── OperationNotAllowed           OPERATION_NOT_ALLOWED  no         GATEWAY_PERSISTED_ONLY is set and the operation is not in its file
    └── SourceError                   (carries `source`)
        ├── SourceNotConfigured       SOURCE_NOT_CONFIGURED  no         the venue's upstream has no key/URL configured
        ├── UpstreamUnavailable       UPSTREAM_UNAVAILABLE   yes        connection refused/reset, 502/503/504, circuit open
        ├── UpstreamTimeout           UPSTREAM_TIMEOUT       yes        the upstream did not answer within the deadline
        ├── UpstreamRateLimited       RATE_LIMITED           later      the upstream answered 429 (retryAfter from it)
        └── UpstreamError             UPSTREAM_ERROR         no         other 4xx/5xx, an unreadable payload, GraphQL errors

Lower-level errors (httpx, websockets, JSON) are mapped into this tree at the source boundary
(`gateway.sources.http.map_transport_errors`), `raise Mapped(...) from exc`, so nothing else
ever sees a library exception. Messages are written for the caller: they never contain an
upstream URL, a header or a key.
"""

from __future__ import annotations

from typing import Any, ClassVar


class GatewayError(Exception):
    code: ClassVar[str] = "INTERNAL_SERVER_ERROR"
    retryable: ClassVar[bool] = False
    ends_stream: bool = False  # raised by a subscription's stream, it ends the stream with an `error`

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def extensions(self) -> dict[str, Any]:
        return {"code": self.code}


class BadUserInput(GatewayError):
    code = "BAD_USER_INPUT"


class Unauthenticated(GatewayError):
    code = "UNAUTHENTICATED"


class QueryTooComplex(GatewayError):
    """Refused before execution; `figures` ({"cost": 9000, "maxCost": 5000, …}) go into extensions."""

    code = "QUERY_TOO_COMPLEX"

    def __init__(self, message: str, figures: dict[str, int] | None = None) -> None:
        super().__init__(message)
        self.figures = dict(figures or {})

    def extensions(self) -> dict[str, Any]:
        return {**super().extensions(), **self.figures}


class RateLimited(GatewayError):
    code = "RATE_LIMITED"

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = max(0.0, retry_after)

    def extensions(self) -> dict[str, Any]:
        return {**super().extensions(), "retryAfter": round(self.retry_after, 3)}


class SlowConsumer(GatewayError):
    """A subscriber's bounded queue or a socket's send buffer filled up; it is dropped, not buffered."""

    code = "SLOW_CONSUMER"
    ends_stream = True


class TooManySubscriptions(GatewayError):
    """One WebSocket has GATEWAY_WS_MAX_SUBSCRIPTIONS operations running already."""

    code = "TOO_MANY_SUBSCRIPTIONS"


class NotFound(GatewayError):
    """A subscription names a market (or trader) the venue does not know: no upstream stream is opened."""

    code = "NOT_FOUND"


class PersistedQueryNotFound(GatewayError):
    """Apollo clients resend the full query when they see this exact message or code."""

    code = "PERSISTED_QUERY_NOT_FOUND"

    def __init__(self) -> None:
        super().__init__("PersistedQueryNotFound")


class PersistedQueryNotSupported(GatewayError):
    code = "PERSISTED_QUERY_NOT_SUPPORTED"

    def __init__(self) -> None:
        super().__init__("PersistedQueryNotSupported")


class PersistedQueryMismatch(GatewayError):
    code = "PERSISTED_QUERY_HASH_MISMATCH"


class OperationNotAllowed(GatewayError):
    """Only the operations of the GATEWAY_PERSISTED_ONLY file run on this gateway."""

    code = "OPERATION_NOT_ALLOWED"


class SourceError(GatewayError):
    """An error attributable to one upstream; `source` is its one name (`nibiru`, ...)."""

    def __init__(self, source: str, message: str) -> None:
        super().__init__(message)
        self.source = source

    def extensions(self) -> dict[str, Any]:
        return {**super().extensions(), "source": self.source}


class SourceNotConfigured(SourceError):
    code = "SOURCE_NOT_CONFIGURED"


class UpstreamUnavailable(SourceError):
    code = "UPSTREAM_UNAVAILABLE"
    retryable = True


class UpstreamTimeout(SourceError):
    code = "UPSTREAM_TIMEOUT"
    retryable = True


class UpstreamError(SourceError):
    code = "UPSTREAM_ERROR"


class UpstreamRateLimited(SourceError):
    code = "RATE_LIMITED"

    def __init__(self, source: str, message: str, retry_after: float) -> None:
        super().__init__(source, message)
        self.retry_after = max(0.0, retry_after)

    def extensions(self) -> dict[str, Any]:
        return {**super().extensions(), "retryAfter": round(self.retry_after, 3)}
