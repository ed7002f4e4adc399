"""Prometheus metrics (`GET /metrics`), counted where things happen, with `prometheus_client`.

Labels carry only fixed vocabularies (source, endpoint name, outcome, status class) and a
bounded set of operation names: never a trader address, URL or key. Operation names come from
callers, so a process keeps the first `MAX_OPERATIONS` it sees as labels and counts the rest as
`other`, which bounds the series a hostile client can create.

Several workers (`gateway serve --workers N`): each process writes its samples to files in
`PROMETHEUS_MULTIPROC_DIR` (the serve command makes that directory before the workers start)
and a scrape, whichever worker answers it, adds up every worker's files. Without it every
worker would answer with its own counts and six scrapes in a row would jump between values.
Gauges then sum the live workers (`livesum`); a worker that exits is marked dead at shutdown.
"""

from __future__ import annotations

import asyncio
import os
import re
import weakref
from collections import Counter as CollectionsCounter
from typing import Any, Protocol

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client import multiprocess as _multiprocess
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

disable_created_metrics()  # type: ignore[no-untyped-call]  # `*_created` series double every counter's lines and nobody graphs them

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
MAX_OPERATIONS = 200
_FAST = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

_durations: dict[tuple[str, str], Any] = {}
REQUEST_DURATION = Histogram(
    "gateway_request_duration_seconds", "GraphQL HTTP requests, from first byte in to last byte out.",
    ("operation", "outcome"), buckets=_FAST)
GRAPHQL_EXECUTIONS = Counter(
    "gateway_graphql_executions_total", "GraphQL query requests executed (not answered from the response cache).")
RESPONSE_CACHE = Counter(
    "gateway_response_cache_total", "GraphQL query requests by response-cache result (hits, misses, bypasses).",
    ("result",))
UPSTREAM_REQUESTS = Counter(
    "gateway_upstream_requests_total", "Requests sent to an upstream (each retry counts), by outcome.",
    ("outcome", "source"))
UPSTREAM_MALFORMED = Counter(
    "gateway_upstream_malformed_total", "2xx upstream answers refused by their endpoint's validator (never used "
    "or cached).", ("source",))
UPSTREAM_DURATION = Histogram(
    "gateway_upstream_request_duration_seconds", "Upstream HTTP calls (one per attempt), by source, endpoint "
    "and status (2xx, 4xx, 5xx, timeout, unreachable).", ("source", "endpoint", "status"), buckets=_FAST)
STALE_ANSWERS = Counter(
    "gateway_stale_answers_total", "Upstream answers served from cache past their TTL because the upstream failed.",
    ("source",))
CIRCUIT_OPENED = Counter("gateway_circuit_opened_total", "Times an upstream's circuit breaker opened.", ("source",))
RATE_LIMIT_WAIT = Histogram(
    "gateway_rate_limit_wait_seconds", "Time a call waited for an upstream rate-limit slot (only calls that "
    "waited), by outcome: acquired, or refused when none came in time.", ("source", "outcome"),
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0))
WEBSOCKETS = Gauge("gateway_websockets", "Open GraphQL WebSocket connections.", multiprocess_mode="livesum")
SUBSCRIPTIONS = Gauge(
    "gateway_subscriptions", "Active GraphQL subscription operations on WebSockets.", multiprocess_mode="livesum")
STREAM_TOPICS = Gauge(
    "gateway_stream_topics", "Upstream stream topics with subscribers (or lingering) on this gateway.",
    multiprocess_mode="livesum")
STREAM_SUBSCRIBERS = Gauge("gateway_stream_subscribers", "Stream hub subscribers.", multiprocess_mode="livesum")
STREAM_EVENTS = Counter(
    "gateway_stream_events_total", "Stream hub counters (events, published, duplicates_dropped, "
    "slow_subscribers_dropped, subscriptions, publish_failures, topics_refused, accepted_unprimed, states_replayed, "
    "streams_failed).", ("counter",))
STREAM_STATES = ("starting", "live", "reconnecting", "polling", "failed", "elsewhere")
STREAMS = Gauge(
    "gateway_streams", "Stream topics by their bridge's state (starting, live, reconnecting, polling, failed; "
    "elsewhere: another replica runs the bridge).", ("state",), multiprocess_mode="livesum")
STREAM_RECONNECTS = Counter(
    "gateway_stream_reconnects_total", "Times an upstream stream (socket or poller) backed off to reconnect "
    "or retry after a failure.")

_OPERATION_CHARS = re.compile(r"[^A-Za-z0-9_]")
_operations: set[str] = set()


def request_duration(operation: str, outcome: str) -> Any:
    """REQUEST_DURATION's child for a label pair, looked up once: `labels()` validates and locks
    on every call (measured: 2% of a response-cache hit). Operation labels are bounded (below)."""
    key = (operation, outcome)
    child = _durations.get(key)
    if child is None:
        child = _durations[key] = REQUEST_DURATION.labels(operation=operation, outcome=outcome)
    return child


def operation_label(name: str | None) -> str:
    """A bounded label for a caller-chosen operation name."""
    if not name:
        return "anonymous"
    label = _OPERATION_CHARS.sub("_", name)[:64]
    if label in _operations:
        return label
    if len(_operations) >= MAX_OPERATIONS:
        return "other"
    _operations.add(label)
    return label


def multiprocess() -> bool:
    return bool(os.environ.get(MULTIPROC_ENV))


def mark_process_dead() -> None:
    """Drop this worker's live gauges from the shared directory (at its shutdown)."""
    if multiprocess():
        _multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]


class HasStats(Protocol):
    def stats(self) -> dict[str, Any]: ...


# The stream hubs of this process (one per app; tests run several), read for `gateway_streams`.
_hubs: weakref.WeakSet[HasStats] = weakref.WeakSet()
STREAM_REPORT_INTERVAL = 2.0  # seconds between two updates of a worker's share of `gateway_streams`


def watch_streams(hub: HasStats) -> None:
    _hubs.add(hub)


def unwatch_streams(hub: HasStats) -> None:
    _hubs.discard(hub)
    refresh_streams()


def refresh_streams() -> None:
    """Set `gateway_streams` from the hubs' topic states now (the hub keeps the states; the gauge
    is their count by state, read when scraped and, with several workers, every few seconds)."""
    states = CollectionsCounter(str(topic.get("state", "starting"))
                                for hub in list(_hubs) for topic in hub.stats()["topics"].values())
    for state in STREAM_STATES:
        STREAMS.labels(state=state).set(states[state])


async def report_streams(interval: float = STREAM_REPORT_INTERVAL) -> None:
    """With several workers a scrape reads every worker's files, but is answered by one worker:
    each worker keeps its own share of `gateway_streams` current until cancelled."""
    while True:
        refresh_streams()
        await asyncio.sleep(interval)


def exposition() -> bytes:
    """Every metric in Prometheus' text format: this process's, or every worker's added up."""
    refresh_streams()
    if not multiprocess():
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    _multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return generate_latest(registry)


async def metrics_endpoint(request: Request) -> Response:
    return Response(exposition(), media_type=CONTENT_TYPE_LATEST)


def route() -> Route:
    """`GET /metrics`."""
    return Route("/metrics", metrics_endpoint)


class MirroredCounter(CollectionsCounter[str]):
    """A `collections.Counter` whose increments also go to a labelled Prometheus counter.

    Components that keep their own counters for `stats()` (the stream hub) count once: what they
    add here shows up in their stats and in /metrics, aggregated across workers."""

    def __init__(self, metric: Counter, label: str) -> None:
        super().__init__()
        self._metric, self._label = metric, label

    def __setitem__(self, key: str, value: int) -> None:
        delta = value - self.get(key, 0)
        super().__setitem__(key, value)
        if delta > 0:
            self._metric.labels(**{self._label: key}).inc(delta)
