"""What every venue's source offers the schema. Resolvers only talk to this protocol.

A source answers in schema objects (already mapped), raises only `gateway.errors` types, and
decides for itself what it can push down to its upstream (Sai Keeper takes limit/offset/order
as they are; the REST upstreams are paged locally by `paginate`).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from gateway.errors import BadUserInput
from gateway.model.types import (
    PerpBorrowing,
    PerpBorrowingShortInfo,
    PerpLeaderboardEntry,
    PerpTrade,
    PerpTradeChangeType,
    PerpTradeHistoryItem,
)
from gateway.model.venue import Venue

T = TypeVar("T")

DEFAULT_LIMIT = 100  # Sai Keeper's default page size; the gateway uses it for every venue
MAX_LIMIT = 1000


@dataclass(frozen=True)
class Page:
    """Pagination as the caller asked for it (None: the caller did not say)."""

    limit: int | None = None
    offset: int | None = None
    desc: bool | None = None
    order_by: str | None = None  # the caller's order enum value, passed on where an upstream takes it

    @classmethod
    def of(cls, limit: int | None, offset: int | None, desc: bool | None = None,
           order_by: object | None = None) -> Page:
        """The caller's paging, checked: limit 0..MAX_LIMIT, offset not negative."""
        if limit is not None and not 0 <= limit <= MAX_LIMIT:
            raise BadUserInput(f"limit must be between 0 and {MAX_LIMIT}")
        if offset is not None and offset < 0:
            raise BadUserInput("offset must not be negative")
        return cls(limit=limit, offset=offset, desc=desc, order_by=getattr(order_by, "value", None))

    def apply(self, items: Sequence[T]) -> list[T]:
        """Local paging for upstreams that cannot page the way Sai Keeper does."""
        ordered = list(reversed(items)) if self.desc else list(items)
        start = self.offset or 0
        limit = DEFAULT_LIMIT if self.limit is None else self.limit
        return ordered[start:start + limit]


@dataclass(frozen=True)
class TradesQuery:
    trader: str
    is_open: bool | None = None
    market_id: int | None = None
    collateral_id: int | None = None
    page: Page = Page()


@dataclass(frozen=True)
class HistoryQuery:
    trader: str | None
    change_types: tuple[PerpTradeChangeType, ...] | None = None
    page: Page = Page()


@dataclass(frozen=True)
class BorrowingsQuery:
    market_id: int | None = None
    collateral_id: int | None = None
    page: Page = Page()


@dataclass(frozen=True)
class LeaderboardQuery:
    """A resolved leaderboard request: either a rolling `days` window or a `start`..`end` range."""

    days: int | None
    start: datetime.date | None
    end: datetime.date | None
    token: str | None
    limit: int
    offset: int


class PerpSource(Protocol):
    venue: Venue
    name: str  # the `source` in error extensions

    async def trades(self, q: TradesQuery) -> list[PerpTrade]: ...

    async def trade(self, trader: str, trade_id: int) -> PerpTrade | None: ...

    async def trade_history(self, q: HistoryQuery) -> list[PerpTradeHistoryItem]: ...

    async def borrowing(self, collateral_id: int, market_id: int) -> PerpBorrowing | None: ...

    async def borrowings(self, q: BorrowingsQuery) -> list[PerpBorrowingShortInfo]: ...

    async def leaderboard(self, q: LeaderboardQuery) -> list[PerpLeaderboardEntry]: ...

    async def aclose(self) -> None: ...
