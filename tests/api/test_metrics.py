"""`GET /metrics`: Prometheus text format, counting what the gateway did, with no secret in it."""

from __future__ import annotations

import re

import httpx

from sandbox.state import NANSEN_KEY, PERPSTRACKER_KEY
from tests.api.helpers import gql_post

LINE = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="[^"]*",?)*\})? -?[0-9.e+-]+$')


def value(text: str, series: str) -> float:
    for line in text.splitlines():
        if line.startswith(series + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def test_metrics_count_requests_upstream_calls_and_cache_results(gateway: httpx.AsyncClient) -> None:
    before = (await gateway.get("/metrics")).text
    body = await gql_post(gateway, "{ perp { borrowings(limit: 2) { marketId } } }")
    assert "errors" not in body
    r = await gateway.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    text = r.text
    for line in text.splitlines():
        assert line.startswith("# HELP ") or line.startswith("# TYPE ") or LINE.match(line), line
    upstream = 'gateway_upstream_requests_total{outcome="2xx",source="nibiru"}'
    assert value(text, upstream) >= value(before, upstream) + 1
    # the session gateway runs with the response cache off: every query executes
    assert value(text, "gateway_graphql_executions_total") >= value(before, "gateway_graphql_executions_total") + 1
    assert "gateway_stream_subscribers" in text
    assert PERPSTRACKER_KEY not in text and NANSEN_KEY not in text


async def test_a_failing_upstream_is_counted_by_outcome(
    gateway: httpx.AsyncClient, live_control: httpx.AsyncClient
) -> None:
    series = 'gateway_upstream_requests_total{outcome="5xx",source="nibiru"}'
    before = value((await gateway.get("/metrics")).text, series)
    await live_control.post("/faults", json={"upstream": "nibiru", "mode": "error", "status": 500})
    await gql_post(gateway, "{ perp { borrowings(limit: 1) { marketId } } }")
    assert value((await gateway.get("/metrics")).text, series) >= before + 1
