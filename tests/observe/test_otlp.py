"""With OTEL_EXPORTER_OTLP_ENDPOINT set, a real `gateway serve` exports its spans over OTLP/HTTP
(here to a tiny collector on loopback), flushing them when it stops."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from gateway.cli import gateway_process
from tests.observe.helpers import sandbox_env


class Collector(ThreadingHTTPServer):
    def __init__(self) -> None:
        self.received: list[tuple[str, bytes]] = []
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: Collector

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        self.server.received.append((self.path, body))
        self.send_response(200)
        self.send_header("content-type", "application/x-protobuf")
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # keep the test output quiet
        pass


@pytest.fixture
def collector() -> Iterator[Collector]:
    server = Collector()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def test_spans_are_exported_over_otlp_when_the_endpoint_is_set(sandbox_url: str, collector: Collector) -> None:
    endpoint = f"http://127.0.0.1:{collector.server_address[1]}"
    env = sandbox_env(sandbox_url, OTEL_EXPORTER_OTLP_ENDPOINT=endpoint)
    with gateway_process(env) as (base, _):
        r = httpx.post(f"{base}/graphql", json={"query": "query Exported { perp { borrowings(limit: 1) { marketId } } }"},
                       timeout=30)
        assert "errors" not in r.json()
    # stopped: the batch processor has flushed
    assert collector.received and {path for path, _ in collector.received} == {"/v1/traces"}
    names, services = set(), set()
    for _, body in collector.received:
        request = ExportTraceServiceRequest.FromString(body)
        for resource_spans in request.resource_spans:
            services |= {a.value.string_value for a in resource_spans.resource.attributes if a.key == "service.name"}
            names |= {s.name for scope in resource_spans.scope_spans for s in scope.spans}
    assert services == {"perp-gateway"}
    assert {"POST /graphql", "query Exported"} <= names
    assert any(name.startswith("upstream nibiru") for name in names)
