"""Which sources exist for a configuration. A venue without its key stays unconfigured.

NIBIRU needs no key (Sai Keeper is public), so it is always configured; JUPITER needs
PERPSTRACKER_API_KEY and HYPERLIQUID needs NANSEN_API_KEY.

Every client sends through the upstream policy chain (gateway/policy: cache, single-flight, rate
limits, retries, circuit breaker, stale-if-error), given as its `transport`; one `UpstreamPolicy`
per app, so the sources share its cache and Redis. Closing a client closes its chain.
"""

from __future__ import annotations

from gateway.model.source import PerpSource
from gateway.model.venue import Venue
from gateway.policy.runtime import UpstreamPolicy
from gateway.settings import Settings
from gateway.sources.nibiru.client import NibiruClient
from gateway.sources.nibiru.source import NibiruSource


def build_sources(settings: Settings) -> dict[Venue, PerpSource | None]:
    sources: dict[Venue, PerpSource | None] = {v: None for v in Venue}
    policy = UpstreamPolicy(settings)
    sources[Venue.NIBIRU] = NibiruSource(NibiruClient(
        settings.nibiru_graphql_url, settings.upstream_timeout, transport=policy.transport("nibiru")))
    if settings.perpstracker_api_key is not None:
        from gateway.sources.perpstracker.source import build as build_perpstracker

        sources[Venue.JUPITER] = build_perpstracker(settings, transport=policy.transport("perpstracker"))
    if settings.nansen_api_key is not None:
        from gateway.sources.nansen.source import build as build_nansen

        sources[Venue.HYPERLIQUID] = build_nansen(settings, transport=policy.transport("nansen"))
    return sources


async def close_sources(sources: dict[Venue, PerpSource | None]) -> None:
    for source in sources.values():
        if source is not None:
            await source.aclose()
