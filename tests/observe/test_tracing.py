"""OpenTelemetry: the operation, its loader batches and its upstream calls are spans of the
caller's trace, and the upstream receives that trace in its `traceparent` header."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator, Sequence

import httpx
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from tests.api.helpers import busiest
from tests.api.upstream_helpers import gateway_client, policy_settings

TRADES = "query Trades($t: String!) { perp { trades(where: {trader: $t}) { id venue } } }"
_exporter: InMemorySpanExporter | None = None


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    """The SDK with an in-memory exporter, installed once for the process (OpenTelemetry allows
    one global provider), emptied for each test."""
    global _exporter
    if _exporter is None:
        _exporter = InMemorySpanExporter()
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(_exporter))
        trace.set_tracer_provider(provider)
    _exporter.clear()
    yield _exporter
    _exporter.clear()


def finished(exporter: InMemorySpanExporter, ready: Callable[[Sequence[ReadableSpan]], bool]) -> Sequence[ReadableSpan]:
    """The finished spans once `ready` holds: the server span ends just after the response is sent."""
    deadline = time.monotonic() + 10
    while not ready(found := exporter.get_finished_spans()):
        assert time.monotonic() < deadline, [s.name for s in found]
        time.sleep(0.01)
    return found


async def test_spans_nest_under_the_callers_trace_and_traceparent_reaches_the_upstream(
    live_sandbox_url: str, live_control: httpx.AsyncClient, spans: InMemorySpanExporter
) -> None:
    trace_id, parent_id = secrets.token_hex(16), secrets.token_hex(8)
    trader = await busiest(live_control, "NIBIRU")
    since = time.time()
    async with gateway_client(policy_settings(live_sandbox_url)) as gateway:
        r = await gateway.post("/graphql", json={"query": TRADES, "variables": {"t": trader}},
                               headers={"traceparent": f"00-{trace_id}-{parent_id}-01"})
    assert r.status_code == 200 and "errors" not in r.json()

    found = finished(spans, lambda s: any(x.kind is SpanKind.SERVER for x in s))
    by_name = {s.name: s for s in found}
    server, operation, loader = by_name["POST /graphql"], by_name["query Trades"], by_name["loader trades"]
    (upstream,) = [s for s in found if s.name.startswith("upstream nibiru")]
    assert {format(s.context.trace_id, "032x") for s in found} == {trace_id}  # one trace: the caller's
    assert server.kind is SpanKind.SERVER and server.parent is not None
    assert format(server.parent.span_id, "016x") == parent_id
    assert operation.parent is not None and operation.parent.span_id == server.context.span_id
    assert loader.parent is not None and loader.parent.span_id == operation.context.span_id
    assert upstream.parent is not None and upstream.parent.span_id == loader.context.span_id
    assert upstream.kind is SpanKind.CLIENT and upstream.attributes is not None
    assert upstream.attributes["gateway.source"] == "nibiru" and upstream.attributes["http.response.status_code"] == 200
    assert loader.attributes is not None and loader.attributes["gateway.loader.keys"] == 1

    log = (await live_control.get("/requests", params={"upstream": "nibiru", "since": since})).json()
    sent = [entry["traceparent"] for entry in log if entry["traceparent"]]
    assert f"00-{trace_id}-{format(upstream.context.span_id, '016x')}-01" in sent


async def test_a_failing_upstream_call_is_an_error_span(
    live_sandbox_url: str, live_control: httpx.AsyncClient, spans: InMemorySpanExporter
) -> None:
    await live_control.post("/faults", json={"upstream": "nansen", "mode": "error", "status": 500})
    settings = policy_settings(live_sandbox_url, upstream_retries=0, max_stale=0.0)
    async with gateway_client(settings) as gateway:
        r = await gateway.post("/graphql", json={"query": "query HL { perp { borrowings(where: {venue: HYPERLIQUID}) "
                                                          "{ marketId } } }"})
    assert r.json()["errors"][0]["extensions"]["source"] == "nansen"
    found = finished(spans, lambda s: any(x.kind is SpanKind.SERVER for x in s))
    (upstream,) = [s for s in found if s.name.startswith("upstream nansen")]
    operation = next(s for s in found if s.name == "query HL")
    assert not upstream.status.is_ok and upstream.attributes is not None
    assert upstream.attributes["http.response.status_code"] == 500
    assert not operation.status.is_ok
