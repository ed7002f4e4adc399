"""Leaderboards across venues: the request's window, the merge, and the order.

Only venues whose descriptor says `leaderboard` take part: NIBIRU (Sai Keeper's PnL board, which
has no window: its figures are all-time totals, so it answers only when named as `venue` without
a timeframe or dates, and never joins a merged board, which ranks one window), JUPITER
(PerpsTracker) and HYPERLIQUID (Nansen). A token board takes only venues that can rank one market.
"""

from __future__ import annotations

import asyncio
import datetime
import operator
import re
from collections.abc import Callable
from typing import Any

from gateway.api.context import GatewayContext, PartialError
from gateway.api.inputs import PerpLeaderboardFilter, PerpLeaderboardOrder
from gateway.errors import BadUserInput, GatewayError, SourceNotConfigured
from gateway.model.source import DEFAULT_LIMIT, LeaderboardQuery, Page
from gateway.model.types import PerpLeaderboardEntry, PerpTimeframe
from gateway.sources.registry import upstream_of, venues_with

TOKEN = re.compile(r"[A-Za-z0-9]{1,20}")  # a base symbol (BTC, kPEPE); fullmatch, never `$`
TIMEFRAME_DAYS = {PerpTimeframe.DAY: 1, PerpTimeframe.WEEK: 7, PerpTimeframe.MONTH: 30, PerpTimeframe.YEAR: 365}

_KEYS: dict[PerpLeaderboardOrder, Callable[[PerpLeaderboardEntry], float | int | None]] = {
    PerpLeaderboardOrder.rank: lambda e: e.rank,
    PerpLeaderboardOrder.pnl: lambda e: e.pnl,
    PerpLeaderboardOrder.roi: lambda e: e.roi,
    PerpLeaderboardOrder.volume: lambda e: e.volume,
    PerpLeaderboardOrder.win_rate: lambda e: e.winRate,
    PerpLeaderboardOrder.trades: lambda e: e.trades,
    PerpLeaderboardOrder.account_value: lambda e: e.accountValue,
}


def window(where: PerpLeaderboardFilter, today: datetime.date) -> tuple[int | None, datetime.date | None,
                                                                        datetime.date | None]:
    """(days, start, end): a rolling window, or an inclusive date range; checks the caller's dates."""
    if where.timeframe is not None and (where.from_ is not None or where.to is not None):
        raise BadUserInput("Give either timeframe or from/to, not both")
    if where.from_ is None and where.to is None:
        return TIMEFRAME_DAYS[where.timeframe or PerpTimeframe.DAY], None, None
    if where.from_ is None:
        raise BadUserInput("`to` needs `from`")
    end = where.to or today
    if where.from_ > end:
        raise BadUserInput("`from` is after `to`")
    if end > today:
        raise BadUserInput("`to` is in the future")
    return None, where.from_, end


_BY_FIGURE_VENUE_RANK = operator.itemgetter(0, 1, 2)


def order_entries(entries: list[PerpLeaderboardEntry], order_by: PerpLeaderboardOrder,
                  desc: bool) -> list[PerpLeaderboardEntry]:
    """Stable order with missing figures last, whichever the direction."""
    key = _KEYS[order_by]
    present: list[tuple[Any, str, int, PerpLeaderboardEntry]] = []
    missing = []
    for entry in entries:  # each figure read once (this ran for every request of a leaderboard)
        figure = key(entry)
        if figure is None:
            missing.append(entry)
        else:
            present.append((figure, entry.venue._value_, entry.rank, entry))
    present.sort(key=_BY_FIGURE_VENUE_RANK, reverse=desc)
    return [row[3] for row in present] + missing


async def leaderboard(
    ctx: GatewayContext, where: PerpLeaderboardFilter, limit: int | None, offset: int | None,
    order_by: PerpLeaderboardOrder | None, order_desc: bool | None, path: list[str | int],
    today: datetime.date,
) -> list[PerpLeaderboardEntry]:
    checked = Page.of(limit, offset)
    limit = DEFAULT_LIMIT if checked.limit is None else checked.limit
    offset = checked.offset or 0
    days, start, end = window(where, today)
    token = where.token.strip() if where.token else None  # Hyperliquid coins are case-sensitive (kPEPE)
    if token is not None and not TOKEN.fullmatch(token):
        raise BadUserInput("token must be a base symbol of 1-20 letters and digits, e.g. BTC")
    windowed = where.timeframe is not None or where.from_ is not None or where.to is not None
    if where.venue is not None:
        upstream = upstream_of(where.venue)
        if not upstream.leaderboard:
            raise BadUserInput(f"{where.venue.value} has no leaderboard: {upstream.label} does not publish one")
        if windowed and not upstream.leaderboard_windows:
            raise BadUserInput(f"{where.venue.value}'s leaderboard has no window: {upstream.label} ranks by "
                               "all-time totals; leave out timeframe, from and to")
        venues = [where.venue]
    else:
        ranking = venues_with("leaderboard")
        # a merged board ranks one window (DAY unless told): a venue with all-time totals only
        # would rank its totals against the others' day, so it takes part only when named
        venues = [v for v in ctx.configured(ranking) if upstream_of(v).leaderboard_windows]
        if token:  # only venues that can rank by market take part in a token leaderboard
            venues = [v for v in venues if upstream_of(v).leaderboard_by_token]
        if not venues:
            raise SourceNotConfigured(",".join(upstream_of(v).name for v in ranking),
                                      "No venue with a leaderboard over a window is configured "
                                      "(NIBIRU's has all-time totals only: name it as `venue`)")
    single = len(venues) == 1
    # One venue: its own paging. Several: each gives its top offset+limit, merged and cut here.
    q = LeaderboardQuery(days=days, start=start, end=end, token=token,
                         limit=limit if single else offset + limit, offset=offset if single else 0)
    results = await asyncio.gather(*(ctx.source(v).leaderboard(q) for v in venues), return_exceptions=True)
    entries: list[PerpLeaderboardEntry] = []
    for result in results:
        if isinstance(result, GatewayError):
            if single:
                raise result
            ctx.partial_errors.append(PartialError(result, path))
        elif isinstance(result, BaseException):
            raise result
        else:
            entries.extend(result)
    if order_by is None:
        order_by = PerpLeaderboardOrder.rank if single else PerpLeaderboardOrder.pnl
    desc = order_desc if order_desc is not None else order_by is not PerpLeaderboardOrder.rank
    ordered = order_entries(entries, order_by, desc)
    return ordered if single else ordered[offset:offset + limit]
