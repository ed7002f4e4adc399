"""The chain per upstream, built from settings and the upstream's own `UpstreamSpec`.

    policy = UpstreamPolicy(settings)
    client = SomeClient(..., transport=policy.transport(spec))

A spec (what an upstream's package declares: its endpoint table, its base URL, its rate-limit
buckets) becomes an `Upstream` with its own limiter and circuit breaker; all upstreams share one
`Shared` (store, single-flight, Redis). Misconfigured limits fail at start-up, in the upstream's
own settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx
from redis.asyncio import Redis

from gateway.policy.breaker import CircuitBreaker
from gateway.policy.endpoints import Classifier
from gateway.policy.fairness import CallerShares
from gateway.policy.ratelimit import RateLimiter
from gateway.policy.shared import Shared
from gateway.policy.transport import PolicyTransport, Upstream
from gateway.policy.windowlog import Window
from gateway.settings import Settings

# Connection pool of one upstream's HTTP transport.
DEFAULT_LIMITS = httpx.Limits(max_connections=50, max_keepalive_connections=20)


@dataclass(frozen=True)
class UpstreamSpec:
    """What the chain needs to know about one upstream, declared by the upstream's package."""

    name: str  # the `source` of its errors
    label: str  # how messages name it
    base_url: str  # tables match paths below this URL's path
    table: Classifier
    limits: Mapping[str, tuple[Window, ...]] = field(default_factory=dict)  # bucket -> windows
    graphql: bool = False  # a 200 carrying `errors` is a failed answer, not data


class UpstreamPolicy:
    def __init__(self, settings: Settings, redis: Redis | None = None) -> None:
        self.settings = settings
        self.shared = Shared(settings, redis)
        self.upstreams: dict[str, Upstream] = {}  # by name, as transports are made (read by /readyz)

    def upstream(self, spec: UpstreamSpec) -> Upstream:
        s = self.settings
        edge = s.edge
        shares = CallerShares(spec.name, spec.label, spec.limits, edge.caller_share, edge.caller_upstream_rate,
                              self.shared.windows, self.shared.local_windows, max_wait=s.rate_limit_wait)
        return Upstream(
            source=spec.name, label=spec.label, table=spec.table,
            base_path=urlsplit(spec.base_url).path.rstrip("/"),
            limiter=RateLimiter(spec.name, spec.label, spec.limits, self.shared.windows, self.shared.local_windows),
            breaker=CircuitBreaker(s.breaker_threshold, s.breaker_cooldown), graphql=spec.graphql,
            shares=shares,
        )

    def transport(self, spec: UpstreamSpec, inner: httpx.AsyncBaseTransport | None = None) -> PolicyTransport:
        """The chain for `spec`'s upstream, sending through `inner` (default: httpx's pooled transport)."""
        upstream = self.upstreams[spec.name] = self.upstream(spec)
        return PolicyTransport(upstream, self.shared,
                               inner if inner is not None else httpx.AsyncHTTPTransport(limits=DEFAULT_LIMITS))
