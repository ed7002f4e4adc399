"""Per-operation context: the configured sources and errors collected for partial answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from gateway.errors import GatewayError, SourceNotConfigured
from gateway.model.source import PerpSource
from gateway.model.venue import SOURCE_OF, Venue

if TYPE_CHECKING:
    from gateway.streams.hub import Hub


@dataclass
class PartialError:
    """An error for one venue of a merged list; the rest of the list is still answered."""

    error: GatewayError
    path: list[str | int]


@dataclass
class GatewayContext:
    sources: dict[Venue, PerpSource | None]
    request: Any = None
    response: Any = None
    partial_errors: list[PartialError] = field(default_factory=list)
    hub: Hub | None = None  # live streams; subscription resolvers only iterate it

    def source(self, venue: Venue) -> PerpSource:
        src = self.sources.get(venue)
        if src is None:
            raise SourceNotConfigured(
                SOURCE_OF[venue], f"{venue.value} is not configured on this gateway (no upstream key or URL)")
        return src

    def configured(self, venues: list[Venue]) -> list[Venue]:
        return [v for v in venues if self.sources.get(v) is not None]
