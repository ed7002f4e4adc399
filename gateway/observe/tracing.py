"""Optional OpenTelemetry tracing: spans for operations, loader batches and upstream calls.

The gateway only uses the OpenTelemetry *API*: with no SDK provider installed every span is a
non-recording one (a few microseconds each), and a caller's W3C `traceparent` still flows
through to the upstreams, so a trace begun in front of the gateway continues behind it.

`configure()` installs the SDK with an OTLP/HTTP exporter when `OTEL_EXPORTER_OTLP_ENDPOINT` is
set (the standard `OTEL_*` variables apply: `OTEL_SERVICE_NAME`, `OTEL_EXPORTER_OTLP_HEADERS`,
...). The exporter is imported only then: it is the optional extra `perp-gateway[otlp]`. Tests
install their own provider with the SDK's in-memory exporter instead.

Spans (attributes name sources and endpoints, never a URL, address or key):

    GET /graphql              server span, continues the caller's traceparent (access.py)
      query Leaderboard       the GraphQL execution (gateway.api extension)
        loader trades         one DataLoader batch, with its key count
          upstream nibiru ... one attempt through the policy transport; traceparent sent upstream
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator, Mapping
from typing import Any

from opentelemetry import propagate, trace
from opentelemetry.trace import Span, Status, StatusCode
from opentelemetry.trace import SpanKind as SpanKind  # re-exported for callers

ENDPOINT_ENV = "OTEL_EXPORTER_OTLP_ENDPOINT"
SERVICE_NAME = "perp-gateway"

log = logging.getLogger("gateway.tracing")
_tracer = trace.get_tracer("gateway")  # a proxy: follows whichever provider is installed later
_NOT_THERE = object()
_provider: Any = None  # the SDK provider `configure` installed in this process, if any


def configure() -> bool:
    """Install an SDK provider exporting over OTLP/HTTP, once per process, when the endpoint is set."""
    global _provider
    if _provider is not None or not os.environ.get(ENDPOINT_ENV):
        return _provider is not None
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    except ImportError as exc:  # the optional extra is missing: say how to get it, once
        from gateway.settings import SettingsError

        raise SettingsError(f"{ENDPOINT_ENV} is set but the OTLP exporter is not installed: "
                            "pip install 'perp-gateway[otlp]'") from exc
    attributes = {} if os.environ.get("OTEL_SERVICE_NAME") else {"service.name": SERVICE_NAME}
    provider = TracerProvider(resource=Resource.create(attributes))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    _provider = provider
    log.info("tracing: exporting spans over OTLP/HTTP to %s", os.environ[ENDPOINT_ENV])
    return True


def shutdown() -> None:
    """Flush and stop the exporter this process installed (at the app's shutdown)."""
    global _provider
    if _provider is not None:
        _provider.shutdown()
        _provider = None


def extract(headers: Mapping[str, str]) -> Any:
    """The caller's trace context (W3C `traceparent`/`tracestate`) from request headers."""
    return propagate.extract(headers)


def inject(headers: Any) -> None:
    """Write the current trace context into outgoing headers (an httpx `Headers` or a dict)."""
    propagate.inject(headers)


def recording() -> bool:
    """Whether spans are recorded in this process (an SDK provider is installed). Without one a
    span records nothing: the access layer then skips its server span unless the caller sent a
    trace context to pass on (measured: the span was 3% of a response-cache hit)."""
    # the API's own global first: `get_tracer_provider()` reads os.environ on every call while
    # no provider is set (2% of a response-cache hit); once one is set the answer is the same
    provider = getattr(trace, "_TRACER_PROVIDER", _NOT_THERE)
    if provider is _NOT_THERE:  # an API version without that global: ask it
        provider = trace.get_tracer_provider()
    return provider is not None and not isinstance(provider, trace.ProxyTracerProvider)


@contextlib.contextmanager
def span(name: str, kind: SpanKind = SpanKind.INTERNAL, context: Any = None,
         attributes: Mapping[str, str | int | float | bool] | None = None) -> Iterator[Span]:
    """A current span; an exception escaping it marks it as an error (and is re-raised).

    With no SDK provider (`recording()` false) and no context to continue, the span would be a
    non-recording copy of the current one: the current span is yielded as it is, and nothing is
    attached (measured: 5% of an execution with the response cache off)."""
    if context is None and not recording():
        yield trace.get_current_span()
        return
    with _tracer.start_as_current_span(name, context=context, kind=kind, attributes=attributes,
                                       record_exception=True, set_status_on_exception=True) as current:
        yield current


def mark_error(current: Span, description: str) -> None:
    current.set_status(Status(StatusCode.ERROR, description))
