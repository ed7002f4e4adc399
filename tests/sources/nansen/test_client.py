"""The client's boundary: what it sends, and every transport or status failure mapped (MockTransport)."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable

import httpx
import pytest

from gateway.errors import (
    GatewayError,
    UpstreamError,
    UpstreamRateLimited,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from gateway.settings import Secret
from gateway.sources.nansen.client import NansenClient

KEY = "test-nansen-key-0123"
Handler = Callable[[httpx.Request], httpx.Response]


def client(handler: Handler, base: str = "http://upstream.test/nansen") -> NansenClient:
    return NansenClient(base, Secret(KEY), transport=httpx.MockTransport(handler))


async def test_requests_are_posts_with_the_key_header_below_the_base_path() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"data": [], "pagination": {"page": 2, "per_page": 1000,
                                                                    "is_last_page": True}})

    c = client(handler)
    await c.perp_trades("0xabc", datetime.date(2025, 11, 16), datetime.date(2025, 12, 16), 2, 1000)
    await c.perp_screener(datetime.datetime(2025, 12, 15, 12, 0, tzinfo=datetime.UTC),
                          datetime.datetime(2025, 12, 16, 12, 0, 30, 123, tzinfo=datetime.UTC), 1, 1000)
    await c.aclose()
    trades, screener = seen
    assert trades.method == "POST" and trades.headers["apiKey"] == KEY
    assert trades.url.path == "/nansen/api/v1/profiler/perp-trades"
    assert json.loads(trades.content) == {
        "address": "0xabc", "date": {"from": "2025-11-16", "to": "2025-12-16"},
        "pagination": {"page": 2, "per_page": 1000}, "order_by": [{"field": "timestamp", "direction": "DESC"}],
    }
    assert screener.url.path == "/nansen/api/v1/perp-screener"
    assert json.loads(screener.content)["date"] == {"from": "2025-12-15T12:00:00Z", "to": "2025-12-16T12:00:30Z"}


def raising(exc: Exception) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    return handler


def answering(status: int, headers: dict[str, str] | None = None, body: bytes = b"{}") -> Handler:
    return lambda request: httpx.Response(status, headers=headers, content=body)


@pytest.mark.parametrize(("handler", "kind"), [
    (raising(httpx.ReadTimeout("slow")), UpstreamTimeout),
    (raising(httpx.ConnectTimeout("slow")), UpstreamTimeout),
    (raising(httpx.ConnectError("refused")), UpstreamUnavailable),
    (raising(httpx.RemoteProtocolError("dropped")), UpstreamUnavailable),
    (answering(500), UpstreamError),
    (answering(422), UpstreamError),
    (answering(401), UpstreamError),
    (answering(403), UpstreamError),
    (answering(502), UpstreamUnavailable),
    (answering(503), UpstreamUnavailable),
    (answering(429, {"Retry-After": "3"}), UpstreamRateLimited),
    (answering(200, body=b"<html>"), UpstreamError),
])
async def test_upstream_failures_are_mapped(handler: Handler, kind: type[GatewayError]) -> None:
    c = client(handler)
    with pytest.raises(kind) as caught:
        await c.perp_positions("0x45d26f28196d226497130c4bac709d808fed4029")
    await c.aclose()
    error = caught.value
    assert error.extensions()["source"] == "nansen"
    assert KEY not in error.message and "upstream.test" not in error.message


async def test_retry_after_comes_from_the_429() -> None:
    c = client(answering(429, {"Retry-After": "3", "RateLimit-Reset": "3"}))
    with pytest.raises(UpstreamRateLimited) as caught:
        await c.perp_leaderboard(datetime.date(2025, 12, 15), datetime.date(2025, 12, 16), 1, 10)
    await c.aclose()
    assert caught.value.extensions() == {"code": "RATE_LIMITED", "source": "nansen", "retryAfter": 3.0}
