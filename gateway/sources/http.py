"""The HTTP boundary: httpx and status-code failures mapped into the gateway's error tree.

Every REST client calls `request_json`; nothing above it sees an httpx exception. Messages name
the source but never the URL (a URL may carry a key in someone's configuration) nor any header.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx

from gateway.errors import (
    GatewayError,
    UpstreamError,
    UpstreamRateLimited,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from gateway.policy.refusal import PolicyRefusal

log = logging.getLogger("gateway.sources")

# httpx logs every request URL at INFO; keep it quiet so configuration never reaches the logs.
logging.getLogger("httpx").setLevel(logging.WARNING)
logging.getLogger("httpcore").setLevel(logging.WARNING)

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=3.0)


def timeout_of(seconds: float) -> httpx.Timeout:
    """The configured read/write budget, with connecting capped at 3 s (a dead host fails fast)."""
    return httpx.Timeout(seconds, connect=min(3.0, seconds))


def retry_after_of(response: httpx.Response, default: float = 1.0) -> float:
    """Seconds to wait, from `Retry-After` or a `RateLimit-Reset` header."""
    for header in ("Retry-After", "RateLimit-Reset", "X-RateLimit-Reset"):
        value = response.headers.get(header)
        if value:
            try:
                return max(0.0, float(value))
            except ValueError:
                continue
    return default


def map_status(source: str, response: httpx.Response) -> GatewayError | None:
    """The error a non-2xx answer stands for, or None for success."""
    status = response.status_code
    if status < 400:
        return None
    if status == 429:
        return UpstreamRateLimited(source, f"{source} is rate limiting the gateway", retry_after_of(response))
    if status in (502, 503, 504):
        return UpstreamUnavailable(source, f"{source} is unavailable (HTTP {status})")
    if status in (401, 403):
        return UpstreamError(source, f"{source} refused the gateway's credentials (HTTP {status})")
    return UpstreamError(source, f"{source} answered HTTP {status}")


def map_transport_error(source: str, exc: httpx.HTTPError) -> GatewayError:
    if isinstance(exc, PolicyRefusal):  # the policy chain's own "no" (circuit open, no rate-limit slot)
        return exc.error
    if isinstance(exc, httpx.TimeoutException):
        return UpstreamTimeout(source, f"{source} did not answer in time")
    if isinstance(exc, httpx.TransportError):
        return UpstreamUnavailable(source, f"{source} is unreachable")
    return UpstreamError(source, f"{source} request failed")


async def request_json(
    client: httpx.AsyncClient, source: str, method: str, path: str, **kwargs: Any
) -> Any:
    """Send one request and return its decoded JSON body, or raise a mapped error."""
    try:
        response = await client.request(method, path, **kwargs)
    except httpx.HTTPError as exc:
        raise map_transport_error(source, exc) from exc
    error = map_status(source, response)
    if error is not None:
        log.warning("%s %s %s -> HTTP %s", source, method, path.split("?")[0], response.status_code)
        raise error
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UpstreamError(source, f"{source} sent a body that is not JSON") from exc
