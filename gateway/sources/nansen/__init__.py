"""HYPERLIQUID through Nansen's Hyperliquid API (REST, POST with JSON bodies, `apiKey` header).

    venue.py     HYPERLIQUID and its address rule (0x hex)  markets.py  Hyperliquid's asset numbering
    settings.py  NANSEN_*
    client.py    REST I/O                                   wire.py     raw payload types
    mapping.py   wire -> model objects (lives.py: positions' lives from fills)
    source.py    the `PerpSource`                           endpoints.py routes, TTLs, its rate-limit bucket
    streams.py   pollers for the hub (Nansen has no streams)
"""

from __future__ import annotations

from typing import Any

from gateway.sources.descriptor import Built, Descriptor, StreamContext
from gateway.sources.nansen import venue
from gateway.sources.nansen.settings import NansenSettings


def _build(section: NansenSettings, built: Built) -> Any:
    from gateway.sources.nansen.source import build

    return build(section, built)


def _policy(section: NansenSettings, settings: Any) -> Any:
    from gateway.policy.ratelimit import windows_of
    from gateway.policy.runtime import UpstreamSpec
    from gateway.sources.nansen.endpoints import BUCKET, LIMITS, TABLE

    return UpstreamSpec("nansen", "nansen", section.api_url, TABLE,
                        {BUCKET: windows_of(*(section.rate_limits or LIMITS))})


def _bridges(section: NansenSettings, ctx: StreamContext) -> Any:
    from gateway.sources.nansen.streams import bridges

    return bridges(section, ctx)


def _names() -> list[str]:
    from gateway.sources.nansen.endpoints import TABLE

    return TABLE.names()


DESCRIPTOR = Descriptor(
    name="nansen", venue="HYPERLIQUID", label="nansen", section_from_env=NansenSettings.from_env,
    build=_build, policy=_policy, owns_address=venue.owns_address, address_hint=venue.ADDRESS_HINT,
    normalize_address=venue.normalize_address, bridges=_bridges, leaderboard=True, leaderboard_by_token=True,
    endpoint_names=_names,
)
