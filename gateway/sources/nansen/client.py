"""Nansen's Hyperliquid endpoints over HTTP: I/O only, failures mapped by `request_json`.

One method per endpoint, taking exactly what the gateway varies and building Nansen's request
body. The key travels only in the `apiKey` header of the shared `httpx.AsyncClient`; it is never
put in a path, a message or a log line.
"""

from __future__ import annotations

import datetime
from typing import Any, cast

import httpx

from gateway.policy.runtime import DEFAULT_LIMITS
from gateway.settings import Secret
from gateway.sources.http import DEFAULT_TIMEOUT, request_json
from gateway.sources.nansen.wire import (
    Fill,
    LeaderboardRow,
    Paged,
    PositionsResponse,
    ScreenerRow,
    TokenLeaderboardRow,
    TokenTrade,
)

SOURCE = "nansen"

POSITIONS = "/api/v1/profiler/perp-positions"
FILLS = "/api/v1/profiler/perp-trades"
LEADERBOARD = "/api/v1/perp-leaderboard"
TOKEN_LEADERBOARD = "/api/v1/tgm/perp-pnl-leaderboard"
SCREENER = "/api/v1/perp-screener"
TOKEN_TRADES = "/api/v1/tgm/perp-trades"


def _dates(start: datetime.date, end: datetime.date) -> dict[str, str]:
    return {"from": start.isoformat(), "to": end.isoformat()}


def _moment(at: datetime.datetime) -> str:
    return at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class NansenClient:
    def __init__(
        self, base_url: str, api_key: Secret, transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    ) -> None:
        self._http = httpx.AsyncClient(
            base_url=base_url, headers={"apiKey": api_key.reveal()}, timeout=timeout,
            limits=DEFAULT_LIMITS, transport=transport,
        )

    async def _post(self, path: str, body: dict[str, Any]) -> Any:
        return await request_json(self._http, SOURCE, "POST", path, json=body)

    async def perp_positions(self, address: str) -> PositionsResponse:
        return cast(PositionsResponse, await self._post(POSITIONS, {"address": address}))

    async def perp_trades(self, address: str, start: datetime.date, end: datetime.date,
                          page: int, per_page: int) -> Paged[Fill]:
        """One page of an address's fills in [start, end], newest first."""
        body = {
            "address": address, "date": _dates(start, end),
            "pagination": {"page": page, "per_page": per_page},
            "order_by": [{"field": "timestamp", "direction": "DESC"}],
        }
        return cast(Paged[Fill], await self._post(FILLS, body))

    async def perp_leaderboard(self, start: datetime.date, end: datetime.date,
                               page: int, per_page: int) -> Paged[LeaderboardRow]:
        body = {
            "date": _dates(start, end), "pagination": {"page": page, "per_page": per_page},
            "order_by": [{"field": "total_pnl", "direction": "DESC"}],
        }
        return cast(Paged[LeaderboardRow], await self._post(LEADERBOARD, body))

    async def token_leaderboard(self, token: str, start: datetime.date, end: datetime.date,
                                page: int, per_page: int) -> Paged[TokenLeaderboardRow]:
        body = {
            "token_symbol": token, "date": _dates(start, end),
            "pagination": {"page": page, "per_page": per_page},
            "order_by": [{"field": "pnl_usd_total", "direction": "DESC"}],
        }
        return cast(Paged[TokenLeaderboardRow], await self._post(TOKEN_LEADERBOARD, body))

    async def perp_screener(self, since: datetime.datetime, until: datetime.datetime,
                            page: int, per_page: int) -> Paged[ScreenerRow]:
        body = {"date": {"from": _moment(since), "to": _moment(until)},
                "pagination": {"page": page, "per_page": per_page}}
        return cast(Paged[ScreenerRow], await self._post(SCREENER, body))

    async def token_trades(self, token: str, start: datetime.date, end: datetime.date,
                           page: int, per_page: int) -> Paged[TokenTrade]:
        """One page of every trader's fills of one coin in [start, end], newest first."""
        body = {
            "token_symbol": token, "date": _dates(start, end),
            "pagination": {"page": page, "per_page": per_page},
            "order_by": [{"field": "block_timestamp", "direction": "DESC"}],
        }
        return cast(Paged[TokenTrade], await self._post(TOKEN_TRADES, body))

    async def aclose(self) -> None:
        await self._http.aclose()
