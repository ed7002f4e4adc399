"""`GET /readyz`: may a load balancer send this replica traffic? 503 with reasons when not.

Not ready when a configured dependency is down:
- Redis (`REDIS_URL` set) does not answer a PING within `REDIS_TIMEOUT`: the shared cache,
  locks and pub/sub that keep replicas consistent are gone. The PING goes through the app's one
  client (gateway/coord/redis.py), the one every feature uses: no client of its own;
- every upstream of a configured venue is failing: its circuit breaker is not closed, or its
  last `threshold` calls failed (gateway/policy/breaker.py). Breakers learn from traffic, so a
  replica that has sent nothing yet is ready; one whose upstream is down for everyone is not.

The body says why, and what each part looks like (ages in seconds, null when never):

    {"status": "not ready", "reasons": ["HYPERLIQUID: every upstream is failing (nansen: circuit open)"],
     "redis": {"configured": true, "reachable": true},
     "upstreams": {"nansen": {"venue": "HYPERLIQUID", "configured": true, "circuit": "open",
                              "failures": 5, "lastSuccessAge": 42.1}, ...},
     "streams": {"topics": {"<topic>": {"state": "live", "role": "bridged here", "subscribers": 3, ...}},
                 "counters": {...}}}
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway.policy.breaker import CircuitBreaker

REDIS_TIMEOUT = 1.0


class Pingable(Protocol):
    def ping(self) -> Any: ...  # redis-py's client: awaitable


class HasStats(Protocol):
    def stats(self) -> dict[str, Any]: ...


def upstream_report(configured: bool, venue: str, breaker: CircuitBreaker | None) -> dict[str, Any]:
    if breaker is None:
        return {"venue": venue, "configured": configured, "circuit": None, "failures": 0, "lastSuccessAge": None}
    age = breaker.last_success_age()
    return {"venue": venue, "configured": configured, "circuit": breaker.state.value, "failures": breaker.failures,
            "lastSuccessAge": None if age is None else round(age, 3)}


def stream_report(stats: dict[str, Any]) -> dict[str, Any]:
    """The hub's stats as they are (each topic's `state` is its bridge's: starting, live,
    reconnecting, polling, failed, elsewhere; with `last_error`), each topic with a `role` too:
    bridged here (this replica runs its upstream stream), following (another replica does; events
    arrive over pub/sub), lingering (no subscribers left; the bridge stops soon)."""
    topics = {}
    for name, topic in stats.get("topics", {}).items():
        role = "lingering" if not topic["subscribers"] else "bridged here" if topic["bridge"] else "following"
        topics[name] = {**topic, "role": role}
    return {**stats, "topics": topics}


async def redis_reachable(redis: Pingable) -> str | None:
    """None when Redis answers a PING in time, else why not."""
    try:
        async with asyncio.timeout(REDIS_TIMEOUT):
            await redis.ping()
    except TimeoutError:
        return f"no answer to PING within {REDIS_TIMEOUT:g}s"
    except Exception as exc:  # any client error means the same thing here: not usable now
        return type(exc).__name__
    return None


def readyz_route(venues: Mapping[str, tuple[str, bool]], breakers: Mapping[str, CircuitBreaker],
                 redis: Pingable | None, hub: HasStats | None) -> Route:
    """`venues`: source name -> (venue name, configured); `breakers`: source name -> its breaker."""

    async def readyz(request: Request) -> Response:
        reasons: list[str] = []
        body: dict[str, Any] = {"redis": {"configured": redis is not None, "reachable": None}}
        if redis is not None:
            problem = await redis_reachable(redis)
            body["redis"]["reachable"] = problem is None
            if problem is not None:
                reasons.append(f"redis unreachable: {problem}")
        upstreams = {source: upstream_report(configured, venue, breakers.get(source))
                     for source, (venue, configured) in venues.items()}
        by_venue: dict[str, list[str]] = {}
        for source, (venue, configured) in venues.items():
            if configured:
                by_venue.setdefault(venue, []).append(source)
        for venue, sources in by_venue.items():
            failing = [s for s in sources if s in breakers and breakers[s].failing()]
            if failing and len(failing) == len(sources):
                detail = ", ".join(f"{s}: circuit {breakers[s].state.value}, {breakers[s].failures} failures in a row"
                                   for s in failing)
                reasons.append(f"{venue}: every upstream is failing ({detail})")
        body["upstreams"] = upstreams
        if hub is not None:
            body["streams"] = stream_report(hub.stats())
        ready = not reasons
        return JSONResponse({"status": "ready" if ready else "not ready", "reasons": reasons, **body},
                            status_code=200 if ready else 503)

    return Route("/readyz", readyz)
