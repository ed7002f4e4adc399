"""What an upstream tells the gateway about itself: one `Descriptor` per source package.

Everything specific to an upstream is reached through this record, so the cross-cutting layers
(policy, streams, ws, response cache, API) stay generic: they ask the registry for a venue's
descriptor and call it. A source package defines `DESCRIPTOR = Descriptor(...)` in its `__init__`.

    name          one name everywhere: package, `source` in errors, env prefix, sandbox folder
    venue         the `Venue` member it serves
    section       its settings: parsed from the environment by `section_from_env`
    build         the source (or None when its configuration is incomplete, e.g. no API key)
    policy        its endpoint table, rate-limit buckets and base URL for the policy chain
    bridges       its live streams: a `BridgeFactory` for topics of its venue
    routes        HTTP routes it adds to the app (a webhook receiver)
    owns_address  the address rule that infers its venue from a trader address
    schema_parts  fields of the public roots that only this upstream serves (forwarded to it)
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import httpx
    from redis.asyncio import Redis
    from starlette.routing import BaseRoute

    from gateway.model.source import PerpSource
    from gateway.policy.runtime import UpstreamSpec
    from gateway.settings import Getter, Settings
    from gateway.streams.types import BridgeFactory, Publish



class Section(Protocol):
    """An upstream's own settings (frozen dataclass)."""

    @property
    def explicit(self) -> bool:
        """True when the user set any of its URLs or keys (then `GATEWAY_SANDBOX=auto` stays off)."""
        ...

    def env(self) -> dict[str, str]:
        """The environment variables that configure a gateway process with this section."""
        ...

    def sandbox(self, base_url: str, keys: Mapping[str, str]) -> Any:
        """This section pointed at the sandbox served at `base_url`, with its API `keys` by upstream."""
        ...


@dataclass(frozen=True)
class Built:
    """What `Descriptor.build` needs from the app: settings and the policy chain for this upstream."""

    settings: Settings
    transport: httpx.AsyncBaseTransport


@dataclass(frozen=True)
class StreamContext:
    """What `Descriptor.bridges` gets: the app's settings, this upstream's source and the hub's publish."""

    settings: Settings
    source: PerpSource


@dataclass(frozen=True)
class Descriptor:
    name: str
    venue: str  # the Venue member's name
    label: str  # how messages name the upstream ("Sai Keeper")
    section_from_env: Callable[[Getter], Any]
    build: Callable[[Any, Built], PerpSource | None]
    policy: Callable[[Any, Settings], UpstreamSpec]
    owns_address: Callable[[str], bool]
    address_hint: str  # how an address of this venue looks, for error messages
    normalize_address: Callable[[str], str] = str
    bridges: Callable[[Any, StreamContext], BridgeFactory] | None = None
    # (section, settings, publish, sources, the app's Redis client or None)
    routes: Callable[[Any, Settings, Publish, Mapping[Any, PerpSource | None], Redis | None],
                     Sequence[tuple[BaseRoute, Callable[[], Awaitable[None]]]]] | None = None
    leaderboard: bool = False  # serves `perp.leaderboard`
    leaderboard_by_token: bool = False  # can rank the traders of one market
    leaderboard_windows: bool = True  # ranks over a window (timeframe, from/to); False: all-time totals only
    trader_stats: bool = False  # serves `perp.traderStats`
    sai_default: bool = False  # Sai Keeper's own fields, asked without a venue, default to this one
    endpoint_names: Callable[[], list[str]] = field(default=lambda: [])
    # strawberry types whose fields join the public roots (fields only this upstream serves):
    # {"Query": …, "PerpQuery": …, "Subscription": …}, imported when the schema is built
    schema_parts: Callable[[], Mapping[str, type]] | None = None
