"""Process metrics in Prometheus' text format (`GET /metrics`), with no client library.

Counters are incremented where things happen (upstream attempts, stale answers, circuits
opening); gauges and the cache's and hub's own counters are read when scraped. Labels carry only
fixed vocabularies (source, endpoint name, outcome): never a trader address, URL or key.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

if TYPE_CHECKING:  # at run time the hub imports this module's users; only the type is needed here
    from gateway.streams.hub import Hub

_counters: defaultdict[tuple[str, tuple[tuple[str, str], ...]], float] = defaultdict(float)

HELP = {
    "gateway_upstream_requests_total": "Requests sent to an upstream (each retry counts), by outcome.",
    "gateway_upstream_malformed_total": "2xx upstream answers refused by their endpoint's validator (never used or cached).",
    "gateway_stale_answers_total": "Upstream answers served from cache past their TTL because the upstream failed.",
    "gateway_circuit_opened_total": "Times an upstream's circuit breaker opened.",
    "gateway_response_cache_total": "GraphQL query requests by response-cache result.",
    "gateway_graphql_executions_total": "GraphQL query operations executed (not answered from cache).",
    "gateway_stream_topics": "Upstream stream topics with subscribers on this replica.",
    "gateway_stream_subscribers": "Hub subscribers on this replica.",
    "gateway_streams": "Topics on this replica by their bridge's state (live, reconnecting, polling, failed, ...).",
    "gateway_stream_events_total": "Hub counters (events, published, duplicates_dropped, slow_subscribers_dropped, ...).",
}
TYPES = {name: "gauge" if name in ("gateway_stream_topics", "gateway_stream_subscribers", "gateway_streams")
         else "counter"
         for name in HELP}

Sample = tuple[str, dict[str, str], float]


def inc(name: str, value: float = 1.0, **labels: str) -> None:
    _counters[(name, tuple(sorted(labels.items())))] += value


def counters() -> Iterable[Sample]:
    for (name, labels), value in sorted(_counters.items()):
        yield name, dict(labels), value


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def render(samples: Iterable[Sample]) -> str:
    """Samples grouped by name, each group with its HELP and TYPE lines."""
    by_name: dict[str, list[tuple[dict[str, str], float]]] = {}
    for name, labels, value in samples:
        by_name.setdefault(name, []).append((labels, value))
    lines: list[str] = []
    for name in sorted(by_name):
        lines.append(f"# HELP {name} {HELP.get(name, name)}")
        lines.append(f"# TYPE {name} {TYPES.get(name, 'untyped')}")
        for labels, value in by_name[name]:
            text = ",".join(f'{k}="{_escape(v)}"' for k, v in sorted(labels.items()))
            lines.append(f"{name}{{{text}}} {value:g}" if text else f"{name} {value:g}")
    return "\n".join(lines) + "\n"


def route(hub: Hub, response_cache: object) -> Route:
    """`GET /metrics`: the counters above plus the response cache's and the hub's own, read now."""

    async def handler(request: Request) -> Response:
        samples: list[Sample] = list(counters())
        stats = getattr(response_cache, "stats", None)
        if stats is not None:
            for result in ("hits", "misses", "bypasses"):
                samples.append(("gateway_response_cache_total", {"result": result}, getattr(stats, result)))
            samples.append(("gateway_graphql_executions_total", {}, stats.executions))
        hub_stats = hub.stats()
        topics = hub_stats["topics"]
        samples.append(("gateway_stream_topics", {}, len(topics)))
        samples.append(("gateway_stream_subscribers", {}, sum(t["subscribers"] for t in topics.values())))
        states = Counter(str(t.get("state", "starting")) for t in topics.values())
        for state in ("starting", "live", "reconnecting", "polling", "failed", "elsewhere"):
            samples.append(("gateway_streams", {"state": state}, states[state]))  # topics by bridge state
        for name, value in sorted(hub_stats["counters"].items()):
            samples.append(("gateway_stream_events_total", {"counter": name}, value))
        return PlainTextResponse(render(samples), media_type="text/plain; version=0.0.4")

    return Route("/metrics", handler)
