"""PerpsTracker's REST API, alert WebSocket and webhooks (Jupiter Perps on Solana): venue JUPITER.

    venue.py     JUPITER and its address rule (base58)      markets.py  its three custodies
    settings.py  PERPSTRACKER_*
    client.py    REST I/O (Bearer key)                     wire.py     raw payload types
    mapping.py   wire -> model objects (alert_mapping.py, trader_stats.py for those payloads)
    source.py    the `PerpSource`                          endpoints.py routes, TTLs, rate-limit buckets
    socket.py    the alert WebSocket                       streams.py  bridges for the hub
    enrol.py, resolve.py   watch-listing wallets; turning an alert into trades
    webhook.py   the signed webhook receiver (POST /webhooks/perpstracker)
"""

from __future__ import annotations

from typing import Any

from gateway.sources.descriptor import Built, Descriptor, StreamContext
from gateway.sources.perpstracker import venue
from gateway.sources.perpstracker.settings import PerpsTrackerSettings


def _build(section: PerpsTrackerSettings, built: Built) -> Any:
    from gateway.sources.perpstracker.source import build

    return build(section, built)


def _policy(section: PerpsTrackerSettings, settings: Any) -> Any:
    from gateway.policy.runtime import UpstreamSpec
    from gateway.sources.perpstracker.endpoints import TABLE, limits

    return UpstreamSpec("perpstracker", "perpstracker", section.api_url, TABLE, limits(section.rate_limits))


def _bridges(section: PerpsTrackerSettings, ctx: StreamContext) -> Any:
    from gateway.sources.perpstracker.streams import bridges

    return bridges(section, ctx)


def _routes(section: PerpsTrackerSettings, settings: Any, publish: Any, sources: Any, redis: Any) -> Any:
    from gateway.sources.perpstracker.webhook import routes

    return routes(section, settings, publish, sources, redis)


def _names() -> list[str]:
    from gateway.sources.perpstracker.endpoints import TABLE

    return TABLE.names()


DESCRIPTOR = Descriptor(
    name="perpstracker", venue="JUPITER", label="perpstracker", section_from_env=PerpsTrackerSettings.from_env,
    build=_build, policy=_policy, owns_address=venue.owns_address, address_hint=venue.ADDRESS_HINT,
    bridges=_bridges, routes=_routes, leaderboard=True, trader_stats=True, endpoint_names=_names,
)
