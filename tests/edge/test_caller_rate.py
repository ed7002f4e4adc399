"""The per-caller request limit (GATEWAY_CALLER_RATE): per second and per minute, per caller,
refused with HTTP 429, RATE_LIMITED and retryAfter before anything runs; shared through Redis by
replicas; in one process an O(1) sliding-window log per caller (gateway/edge/limits.py)."""

from __future__ import annotations

import dataclasses
import ipaddress
import time
from typing import Any

import httpx
import pytest

from gateway.edge.limits import LocalRequestLog
from gateway.policy.windowlog import Window
from gateway.settings import Settings
from sandbox.state import KEYS as SANDBOX_KEYS
from tests.api.upstream_helpers import upstream_requests
from tests.clock import Clock
from tests.configure import configure
from tests.edge.test_fairness import client_of

QUERY = "{ perp { borrowings(limit: 1) { marketId } } }"
PROXY = (ipaddress.ip_network("127.0.0.1/32"),)
TRACE = "5bf92f3577b34da6a3ce929d0e0e4736"


def test_each_window_admits_its_limit_then_says_when_a_place_frees() -> None:
    clock = Clock()
    second, minute = Window(3, 1.0), Window(5, 60.0)  # each counted over its `span` (the logs' margin)
    log = LocalRequestLog((second, minute), clock=clock)
    assert [log.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    clock.now += 0.25
    assert log.take("a") == pytest.approx(second.span - 0.25)  # when the first of the three leaves
    assert log.take("b") == 0.0  # another caller has its own windows
    clock.now += second.span
    assert [log.take("a") for _ in range(3)] == [0.0, 0.0, pytest.approx(minute.span - 0.25 - second.span)]
    clock.now += minute.span
    assert log.take("a") == 0.0


def test_a_refused_request_is_not_counted_and_the_callers_kept_are_bounded() -> None:
    clock = Clock()
    log = LocalRequestLog((Window(1, 1.0), Window(100, 60.0)), max_callers=3, clock=clock)
    assert log.take("a") == 0.0
    assert all(log.take("a") > 0 for _ in range(50))  # refused: not appended, the log stays at 1
    assert all(len(times) <= 1 for times in log.callers["a"][:1])
    for caller in ("b", "c", "d"):
        log.take(caller)
    assert list(log.callers) == ["b", "c", "d"]  # "a", least recently seen, dropped


def rate_settings(sandbox: str, rate: tuple[int, int], **more: Any) -> Settings:
    base = Settings(sandbox="off", response_cache=False).with_sandbox(sandbox, SANDBOX_KEYS)
    settings = configure(base, edge=dataclasses.replace(base.edge, caller_rate=rate, trusted_proxies=PROXY))
    return dataclasses.replace(settings, **more)


async def ask(client: httpx.AsyncClient, caller: str, trace: str = "0af7651916cd43dd8448eb211c80319c") -> httpx.Response:
    return await client.post("/graphql", json={"query": QUERY},
                             headers={"X-Forwarded-For": caller, "traceparent": f"00-{trace}-b7ad6b7169203331-01"})


async def test_a_caller_over_its_rate_is_refused_429_before_any_upstream_call(
    live_sandbox_url: str, live_control: httpx.AsyncClient
) -> None:
    async with client_of(rate_settings(live_sandbox_url, (2, 100))) as gateway:
        assert [(await ask(gateway, "198.51.100.20")).status_code for _ in range(2)] == [200, 200]
        since = time.time()
        refused = await ask(gateway, "198.51.100.20", trace=TRACE)
        # only this request's calls: the session's other gateways' bridges query the same upstream
        calls = await upstream_requests(live_control, "nibiru", since, trace=TRACE)
        started = time.monotonic()
        health = await gateway.get("/healthz")
        health_s = time.monotonic() - started
        other = await ask(gateway, "198.51.100.21")
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    (error,) = refused.json()["errors"]
    assert error["extensions"]["code"] == "RATE_LIMITED" and 0 < error["extensions"]["retryAfter"] <= 1.05  # a second's span
    assert health.status_code == 200 and health_s < 0.1
    assert other.status_code == 200 and "errors" not in other.json()  # another caller is not refused
    assert calls == []  # the refused request reached no upstream


async def test_a_callers_rate_holds_across_replicas_through_redis(live_sandbox_url: str, private_redis_url: str) -> None:
    settings = rate_settings(live_sandbox_url, (100, 3), redis_url=private_redis_url)
    async with client_of(settings) as one, client_of(settings) as two:
        statuses = [(await ask(gateway, "198.51.100.30")).status_code for gateway in (one, two, one, two)]
    assert statuses == [200, 200, 200, 429]  # the minute's 3 spent on two replicas together


async def test_a_forwarded_header_from_a_peer_not_configured_as_a_proxy_names_no_caller(live_sandbox_url: str) -> None:
    """The caller behind a proxy is read only from GATEWAY_TRUSTED_PROXIES: here none, so two
    requests from this (loopback) peer are one caller whatever X-Forwarded-For they claim. uvicorn's
    own proxy-headers layer trusted loopback peers by default and rewrote the client address first,
    so each made-up header was a fresh caller with a fresh limit; the server runs without it."""
    base = rate_settings(live_sandbox_url, (1, 100))
    settings = dataclasses.replace(base, edge=dataclasses.replace(base.edge, trusted_proxies=()))
    async with client_of(settings) as gateway:
        first = await ask(gateway, "203.0.113.1")
        second = await ask(gateway, "203.0.113.2")
    assert first.status_code == 200
    assert second.status_code == 429  # the same caller (this peer), not a new one per claimed address
