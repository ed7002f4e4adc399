"""Which sources exist for a configuration. A venue without its key stays unconfigured.

NIBIRU needs no key (Sai Keeper is public), so it is always configured; JUPITER needs
PERPSTRACKER_API_KEY and HYPERLIQUID needs NANSEN_API_KEY.
"""

from __future__ import annotations

from gateway.settings import Settings
from gateway.sources.base import PerpSource
from gateway.sources.nibiru.client import SaiKeeperClient
from gateway.sources.nibiru.source import NibiruSource
from gateway.venues import Venue


def build_sources(settings: Settings) -> dict[Venue, PerpSource | None]:
    sources: dict[Venue, PerpSource | None] = {v: None for v in Venue}
    sources[Venue.NIBIRU] = NibiruSource(SaiKeeperClient(settings.nibiru_graphql_url, settings.upstream_timeout))
    if settings.perpstracker_api_key is not None:
        from gateway.sources.perpstracker.source import build as build_perpstracker

        sources[Venue.JUPITER] = build_perpstracker(settings)
    if settings.nansen_api_key is not None:
        from gateway.sources.nansen.source import build as build_nansen

        sources[Venue.HYPERLIQUID] = build_nansen(settings)
    return sources


async def close_sources(sources: dict[Venue, PerpSource | None]) -> None:
    for source in sources.values():
        if source is not None:
            await source.aclose()
