"""The metrics an operator graphs, counted where things happen (one process; deltas only,
since the registry is the process's)."""

from __future__ import annotations

import asyncio
import re
import time

import httpx
import pytest

from gateway.observe.metrics import exposition, operation_label
from gateway.policy.ratelimit import RateLimiter
from gateway.policy.refusal import PolicyRefusal
from gateway.policy.windowlog import LocalWindowLog, Window
from tests.api.helpers import gql_post
from tests.api.test_metrics import value
from tests.api.ws_helpers import connect, scripted_gateway, subscribe

LIVE = "subscription { perpLiveTrades { id } }"


async def test_request_and_upstream_histograms_by_operation_outcome_source_endpoint_and_status(
    gateway: httpx.AsyncClient
) -> None:
    before = (await gateway.get("/metrics")).text
    assert "errors" not in await gql_post(gateway, "query Named { perp { borrowings(limit: 1) { marketId } } }")
    assert "errors" in await gql_post(gateway, "query Broken { perp { nope } }")
    text = (await gateway.get("/metrics")).text
    ok = 'gateway_request_duration_seconds_count{operation="Named",outcome="ok"}'
    error = 'gateway_request_duration_seconds_count{operation="Broken",outcome="error"}'
    assert value(text, ok) == value(before, ok) + 1 and value(text, error) == value(before, error) + 1
    assert value(text, 'gateway_request_duration_seconds_bucket{le="+Inf",operation="Named",outcome="ok"}') >= 1
    # labels come out sorted: endpoint, source, status
    series = re.compile(r'^gateway_upstream_request_duration_seconds_count\{endpoint="([^"]+)",source="nibiru",'
                        r'status="2xx"\} ([0-9.e+]+)$', re.M)
    upstream = series.findall(text)
    assert upstream and all(name.startswith("nibiru.") for name, _ in upstream)
    assert sum(float(n) for _, n in upstream) >= sum(float(n) for _, n in series.findall(before)) + 1
    bypasses = 'gateway_response_cache_total{result="bypasses"}'  # the session gateway runs without the cache
    assert value(text, bypasses) >= value(before, bypasses) + 2


async def test_rate_limit_waits_are_observed_by_outcome() -> None:
    limiter = RateLimiter("metered", "metered", {"requests": (Window(1, 0.2),)}, LocalWindowLog())
    loop = asyncio.get_running_loop()
    series = 'gateway_rate_limit_wait_seconds_count{{outcome="{}",source="metered"}}'
    before = exposition().decode()
    await (await limiter.acquire("requests", "k", loop.time(), loop.time() + 5)).release()
    await (await limiter.acquire("requests", "k", loop.time() + 2.0, loop.time() + 5)).release()  # waits
    with pytest.raises(PolicyRefusal):
        await limiter.acquire("requests", "k", loop.time(), loop.time() + 5)  # no slot, no waiting allowed
    text = exposition().decode()
    assert value(text, series.format("acquired")) == value(before, series.format("acquired")) + 1
    assert value(text, series.format("refused")) == value(before, series.format("refused")) + 1


async def test_sockets_subscriptions_topics_and_subscribers_are_gauges() -> None:
    names = ("gateway_websockets", "gateway_subscriptions", "gateway_stream_topics", "gateway_stream_subscribers")
    with scripted_gateway(stream_linger=0.0) as gw:
        async with httpx.AsyncClient(base_url=gw.url.replace("ws", "http", 1).removesuffix("/graphql")) as http:
            before = (await http.get("/metrics")).text
            async with await connect(gw.url) as ws:
                await subscribe(ws, "live", LIVE)
                during = (await http.get("/metrics")).text
                for name in names:
                    assert value(during, name) >= value(before, name) + 1, name
            deadline = time.monotonic() + 10  # the server notices the close after the client
            while True:
                after = (await http.get("/metrics")).text
                if all(value(after, n) == value(before, n) for n in names):
                    break
                assert time.monotonic() < deadline, after
                await asyncio.sleep(0.02)


def test_operation_labels_are_bounded_and_sanitised() -> None:
    assert operation_label(None) == "anonymous"
    assert operation_label("Weird-Name{}") == "Weird_Name__"
    for i in range(300):
        operation_label(f"Flood{i}")
    assert operation_label("OneMoreNewName") == "other"
