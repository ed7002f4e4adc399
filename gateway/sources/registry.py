"""The registered upstreams (gateway/registry.py) as descriptors, and what is built from them.

    descriptors()            venue -> `Descriptor` descriptor, in registry order
    build_sources(settings)  venue -> source (None: not configured), all sending through one
                             upstream policy (cache, single-flight, limits, retries, breaker)
    resolve_venue(...)       the venue of a trader address, by each upstream's address rule
    bridge_factory(...)      the hub's `BridgeFactory`: a topic goes to its venue's bridges
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from functools import cache, lru_cache
from typing import Any

from redis.asyncio import Redis
from starlette.routing import BaseRoute

from gateway.errors import BadUserInput, SourceNotConfigured
from gateway.model.source import PerpSource
from gateway.model.venue import Venue
from gateway.policy.runtime import UpstreamPolicy
from gateway.registry import ENTRIES
from gateway.settings import Settings
from gateway.sources.descriptor import Built, Descriptor, StreamContext
from gateway.streams.types import Bridge, BridgeFactory, Publish, Topic

Sources = Mapping[Venue, PerpSource | None]


@cache
def descriptors() -> dict[Venue, Descriptor]:
    found: dict[Venue, Descriptor] = {}
    for venue_name, module in ENTRIES:
        descriptor = importlib.import_module(module).DESCRIPTOR
        if not isinstance(descriptor, Descriptor) or descriptor.venue != venue_name:
            raise TypeError(f"{module}.DESCRIPTOR must be an Descriptor for venue {venue_name}")
        found[Venue[venue_name]] = descriptor
    return found


def upstream_of(venue: Venue) -> Descriptor:
    return descriptors()[venue]


def by_name(name: str) -> Descriptor:
    for descriptor in descriptors().values():
        if descriptor.name == name:
            return descriptor
    raise KeyError(name)


def sai_default() -> Venue:
    """The venue Sai Keeper's own fields mean when no venue is given."""
    return next(v for v, d in descriptors().items() if d.sai_default)


def not_configured(venue: Venue) -> SourceNotConfigured:
    return SourceNotConfigured(upstream_of(venue).name,
                               f"{venue.value} is not configured on this gateway (no upstream key or URL)")


# ---- addresses -------------------------------------------------------------------------------

def venue_of_address(address: str) -> Venue | None:
    """The venue whose address rule `address` satisfies, or None. Remembered for recent short
    strings: the rules are fixed for the process (a bech32 checksum was 5% of a trader query)."""
    if len(address) > MEMO_ADDRESS_LENGTH:
        return _venue_of(address)
    return _remembered_venue_of(address)


MEMO_ADDRESS_LENGTH = 128  # longer than any venue's address: checked, not kept


def _venue_of(address: str) -> Venue | None:
    return next((v for v, d in descriptors().items() if d.owns_address(address)), None)


_remembered_venue_of = lru_cache(maxsize=8192)(_venue_of)


def resolve_venue(address: str, venue: Venue | None) -> Venue:
    """The venue for a trader: the one named, checked against the address, or the inferred one."""
    inferred = venue_of_address(address)
    if venue is None:
        if inferred is None:
            rules = ", ".join(f"{d.address_hint} ({v.value})" for v, d in descriptors().items())
            raise BadUserInput(f"Cannot tell the venue of trader address {address[:64]!r}: expected {rules}")
        return inferred
    if inferred is not venue:
        raise BadUserInput(f"{address[:64]!r} is not a valid {venue.value} trader address")
    return venue


def normalize_address(address: str, venue: Venue) -> str:
    """The address as the venue's upstream expects it (e.g. lower-case hex)."""
    return upstream_of(venue).normalize_address(address)


# ---- what an app builds ---------------------------------------------------------------------

def build_sources(settings: Settings, policy: UpstreamPolicy | None = None) -> dict[Venue, PerpSource | None]:
    """Every venue's source for `settings`; None where its configuration is incomplete."""
    policy = policy or UpstreamPolicy(settings)
    out: dict[Venue, PerpSource | None] = {}
    for venue, d in descriptors().items():
        section = settings.upstream(d.name)
        out[venue] = d.build(section, Built(settings, policy.transport(d.policy(section, settings))))
    return out


async def close_sources(sources: Sources) -> None:
    for source in sources.values():
        if source is not None:
            await source.aclose()


class _Router:
    """The hub's bridge factory: each venue's own factory, built on its first topic."""

    def __init__(self, settings: Settings, sources: Sources) -> None:
        self.settings, self.sources = settings, sources
        self._built: dict[Venue, BridgeFactory] = {}

    def __call__(self, topic: Topic) -> Bridge:
        factory = self._built.get(topic.venue)
        if factory is None:
            d, source = upstream_of(topic.venue), self.sources.get(topic.venue)
            if source is None:
                raise not_configured(topic.venue)
            if d.bridges is None:
                raise BadUserInput(f"{topic.venue.value} has no live streams")
            factory = self._built[topic.venue] = d.bridges(self.settings.upstream(d.name),
                                                           StreamContext(self.settings, source))
        return factory(topic)


def bridge_factory(settings: Settings, sources: Sources) -> BridgeFactory:
    """The factory the hub calls with a topic on its first subscriber (on one replica at a time)."""
    return _Router(settings, sources)


def extra_routes(settings: Settings, publish: Publish, sources: Sources, redis: Redis | None = None
                 ) -> list[tuple[BaseRoute, Callable[[], Awaitable[None]]]]:
    """HTTP routes the upstreams add (a webhook receiver), each with its close function; `redis`
    is the app's client (a receiver's replay memory is shared through it)."""
    out: list[tuple[BaseRoute, Callable[[], Awaitable[None]]]] = []
    for d in descriptors().values():
        if d.routes is not None:
            out.extend(d.routes(settings.upstream(d.name), settings, publish, sources, redis))
    return out


def sections_from_env(get: Callable[[str], str | None]) -> dict[str, Any]:
    return {d.name: d.section_from_env(get) for d in descriptors().values()}


def endpoint_names() -> list[str]:
    """Every upstream endpoint name (for `GATEWAY_CACHE_TTLS` and the operator docs)."""
    return [n for d in descriptors().values() for n in d.endpoint_names()]


def venues_with(flag: str) -> Sequence[Venue]:
    return [v for v, d in descriptors().items() if getattr(d, flag)]
