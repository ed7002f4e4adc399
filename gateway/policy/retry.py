"""When to try an upstream call again, and how long to wait first.

Retried: 429 and 502/503/504 answers, transport errors and timeouts, as long as the request is a
read (`Endpoint.read`). A write is retried only when it surely never reached the upstream: a 429
(refused before processing) or a refused connection. A plain 500 is not retried: it is usually a
bug the same request meets again.

The wait is exponential backoff with full jitter (uniform in [0, min(cap, base * 2^attempt)]),
so replicas that failed together do not come back together; a `Retry-After` (or the upstream's
rate-limit reset) is a floor under it. The caller stops retrying when the wait would pass the
request's deadline: an answer that comes too late is no answer.
"""

from __future__ import annotations

import httpx

from gateway.policy.refusal import PolicyRefusal

RETRY_STATUSES = frozenset({429, 502, 503, 504})
BACKOFF_BASE = 0.2  # seconds: the first retry waits up to this (`coord.backoff`, full jitter)
BACKOFF_CAP = 5.0
_RESET_HEADERS = ("Retry-After", "RateLimit-Reset", "X-RateLimit-Reset")


def retry_after(headers: httpx.Headers | dict[str, str], status: int) -> float | None:
    """Seconds the upstream asked to wait: `Retry-After`, and for a 429 without one the rate-limit
    reset; None if it said nothing. Seconds are the documented form for both upstreams; an HTTP
    date is not used by them and is ignored (the backoff applies alone)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    for name in _RESET_HEADERS if status == 429 else _RESET_HEADERS[:1]:
        value = lowered.get(name.lower())
        if value is None:
            continue
        try:
            seconds = float(value)
        except ValueError:
            continue
        return max(0.0, seconds)
    return None


def retryable_status(status: int, read: bool) -> bool:
    return status == 429 or (read and status in RETRY_STATUSES)


def retryable_error(exc: httpx.TransportError, read: bool) -> bool:
    if isinstance(exc, PolicyRefusal):  # the chain's own verdict (e.g. an answer too large): final
        return False
    return read or isinstance(exc, httpx.ConnectError)
