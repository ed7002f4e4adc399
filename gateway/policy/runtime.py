"""The chain per upstream, built from settings: the registry asks for a transport per source.

    policy = UpstreamPolicy(settings)
    PerpsTrackerClient(..., transport=policy.transport("perpstracker"))
    NansenClient(..., transport=policy.transport("nansen"))
    NibiruClient(..., transport=policy.transport("nibiru"))   # via gql's HTTPXAsyncTransport kwargs

Each upstream gets its endpoint table, its base path (tables match below it), its rate-limit
buckets (the documented numbers unless settings override them) and its own circuit breaker; all
share one `Shared` (store, single-flight, Redis). Misconfigured limits fail at start-up.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

import httpx

from gateway.policy.breaker import CircuitBreaker
from gateway.policy.endpoints import Classifier
from gateway.policy.ratelimit import RateLimiter, windows_of
from gateway.policy.shared import Shared
from gateway.policy.tables import (
    DOCS_CATEGORY,
    NANSEN,
    NANSEN_BUCKET,
    NANSEN_LIMITS,
    NIBIRU_TABLE,
    PERPSTRACKER,
    PERPSTRACKER_LIMITS,
)
from gateway.policy.transport import PolicyTransport, Upstream
from gateway.policy.windowlog import Window
from gateway.settings import Settings, SettingsError
from gateway.sources.http import DEFAULT_LIMITS

SOURCES = ("perpstracker", "nansen", "nibiru")


def _norm(name: str) -> str:
    return re.sub(r"[^a-z]+", "_", name.lower()).strip("_")


_ALIASES = {**{_norm(c): c for c in PERPSTRACKER_LIMITS}, **{_norm(d): c for c, d in DOCS_CATEGORY.items()}}


def perpstracker_limits(overrides: Mapping[str, tuple[int, int]]) -> dict[str, tuple[Window, ...]]:
    """The documented (burst/s, sustained/min) per category, with the operator's overrides.

    Override keys may be the ids (`historical`) or the docs' names (`Historical data`)."""
    limits = dict(PERPSTRACKER_LIMITS)
    for name, pair in overrides.items():
        category = _ALIASES.get(_norm(name))
        if category is None:
            raise SettingsError(f"PERPSTRACKER_RATE_LIMITS: unknown category {name!r}; one of {sorted(limits)}")
        limits[category] = pair
    return {category: windows_of(*pair) for category, pair in limits.items()}


class UpstreamPolicy:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.perpstracker_limits = perpstracker_limits(settings.perpstracker_rate_limits)
        self.nansen_limits = {NANSEN_BUCKET: windows_of(*(settings.nansen_rate_limits or NANSEN_LIMITS))}
        self.shared = Shared(settings)

    def upstream(self, source: str) -> Upstream:
        s = self.settings
        table: Classifier
        if source == "perpstracker":
            label, url, table, limits = "perpstracker", s.perpstracker_api_url, PERPSTRACKER, self.perpstracker_limits
        elif source == "nansen":
            label, url, table, limits = "nansen", s.nansen_api_url, NANSEN, self.nansen_limits
        elif source == "nibiru":
            label, url, table, limits = "Sai Keeper", s.nibiru_graphql_url, NIBIRU_TABLE, {}
        else:
            raise ValueError(f"no upstream policy for {source!r}; one of {SOURCES}")
        return Upstream(
            source=source, label=label, table=table, base_path=urlsplit(url).path.rstrip("/"),
            limiter=RateLimiter(source, label, limits, self.shared.windows, self.shared.local_windows),
            breaker=CircuitBreaker(s.breaker_threshold, s.breaker_cooldown), graphql=source == "nibiru",
        )

    def transport(self, source: str, inner: httpx.AsyncBaseTransport | None = None) -> PolicyTransport:
        """The chain for `source`, sending through `inner` (default: httpx's pooled HTTP transport)."""
        return PolicyTransport(self.upstream(source), self.shared,
                               inner if inner is not None else httpx.AsyncHTTPTransport(limits=DEFAULT_LIMITS))
