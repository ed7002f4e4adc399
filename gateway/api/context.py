"""Per-operation context: the configured sources and errors collected for partial answers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from gateway.errors import GatewayError
from gateway.model.source import PerpSource
from gateway.model.venue import Venue
from gateway.sources.registry import not_configured

if TYPE_CHECKING:
    from gateway.streams.hub import Hub


@dataclass
class PartialError:
    """An error for one venue of a merged list; the rest of the list is still answered."""

    error: GatewayError
    path: list[str | int]


@dataclass
class GatewayContext:
    sources: Mapping[Venue, PerpSource | None]
    request: Any = None
    response: Any = None
    partial_errors: list[PartialError] = field(default_factory=list)
    hub: Hub | None = None  # live streams; subscription resolvers only iterate it

    def source(self, venue: Venue) -> PerpSource:
        src = self.sources.get(venue)
        if src is None:
            raise not_configured(venue)
        return src

    def configured(self, venues: Sequence[Venue]) -> list[Venue]:
        return [v for v in venues if self.sources.get(v) is not None]
