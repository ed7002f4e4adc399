"""PerpsTracker's REST API over httpx: I/O only, every failure mapped by `request_json`.

The key is sent as `Authorization: Bearer …` and lives only in the httpx client's default
headers; no message, log line or repr here contains it or a URL (http.py's contract).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

import httpx

from gateway.errors import UpstreamError
from gateway.policy.runtime import DEFAULT_LIMITS
from gateway.settings import Secret
from gateway.sources.http import DEFAULT_TIMEOUT, request_json

SOURCE = "perpstracker"

HISTORY_PAGE = 100  # the history endpoint's documented maximum `limit`
HISTORY_CAP = 500  # records read per trader: the newest 500 actions (5 pages)
LIVE_TRADES_MAX = 500  # the live-trades endpoint's documented maximum `limit`
LEADERBOARD_MAX = 1000  # the rolling leaderboard's documented maximum `limit`
COMPARE_MAX = 5  # wallets per /perpetuals/compare call, documented
# The Trading API's "Get Markets List" has no documented path; the simulator serves it here.
DEFAULT_MARKETS_PATH = "/trading/markets"


def _object(body: Any, field: str, what: str) -> dict[str, Any]:
    """The body as a JSON object carrying a list in `field`, or UpstreamError."""
    if not isinstance(body, dict) or not isinstance(body.get(field), list):
        raise UpstreamError(SOURCE, f"{SOURCE} sent an unexpected {what} payload")
    return body


class PerpsTrackerClient:
    def __init__(
        self, base_url: str, api_key: Secret, *, markets_path: str = DEFAULT_MARKETS_PATH,
        transport: httpx.AsyncBaseTransport | None = None, timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    ) -> None:
        self.markets_path = markets_path
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"), headers={"Authorization": f"Bearer {api_key.reveal()}"},
            timeout=timeout, limits=DEFAULT_LIMITS, transport=transport, follow_redirects=False,
        )

    async def _get(self, path: str, params: dict[str, str | int] | None = None) -> Any:
        return await request_json(self._http, SOURCE, "GET", path, params=params)

    async def prices(self) -> dict[str, Any]:
        body = await self._get("/prices")
        if not isinstance(body, dict):
            raise UpstreamError(SOURCE, f"{SOURCE} sent an unexpected prices payload")
        return body

    async def positions(self, wallet: str) -> dict[str, Any]:
        body = await self._get(f"/perpetuals/trader/{quote(wallet, safe='')}/positions")
        return _object(body, "positions", "positions")

    async def history_page(self, wallet: str, start: int, limit: int = HISTORY_PAGE) -> dict[str, Any]:
        path = f"/perpetuals/trader/{quote(wallet, safe='')}/history"
        return _object(await self._get(path, {"start": start, "limit": limit}), "trades", "history")

    async def history(self, wallet: str, cap: int = HISTORY_CAP) -> list[dict[str, Any]]:
        """The trader's newest `cap` history records: pages of 100 while `hasMore`."""
        records: list[dict[str, Any]] = []
        while len(records) < cap:
            page = await self.history_page(wallet, len(records), min(HISTORY_PAGE, cap - len(records)))
            rows = page["trades"]
            records.extend(rows)
            if not rows or not page.get("hasMore"):
                break
        return records[:cap]

    async def live_trades(self, limit: int = LIVE_TRADES_MAX) -> dict[str, Any]:
        body = await self._get("/perpetuals/live-trades", {"limit": limit})
        return _object(body, "trades", "live-trades")

    async def leaderboard(self, timeframe: str, limit: int, offset: int) -> dict[str, Any]:
        body = await self._get(f"/perpetuals/leaderboard/{timeframe}", {"limit": limit, "offset": offset})
        return _object(body, "data", "leaderboard")

    async def fixed_leaderboard(self, period_type: str, period: dict[str, str], limit: int) -> dict[str, Any]:
        body = await self._get(f"/perpetuals/leaderboard/fixed/{period_type}", {**period, "limit": limit})
        return _object(body, "data", "leaderboard")

    async def compare(self, wallets: Sequence[str], timeframe: str) -> dict[str, Any]:
        """Up to COMPARE_MAX wallets' figures for one rolling timeframe (24h, 7d, 30d, 365d)."""
        if not 0 < len(wallets) <= COMPARE_MAX:
            raise ValueError(f"compare takes 1 to {COMPARE_MAX} wallets")
        body = await self._get("/perpetuals/compare", {"wallets": ",".join(wallets), "timeframe": timeframe})
        return _object(body, "comparison", "compare")

    async def markets(self) -> dict[str, Any]:
        return _object(await self._get(self.markets_path), "custodies", "markets")

    # ---- the key owner's watchlist and alerts (live streams: gateway/sources/perpstracker/streams.py)

    async def _send(self, method: str, path: str, body: dict[str, Any]) -> Any:
        return await request_json(self._http, SOURCE, method, path, json=body)

    async def account(self) -> dict[str, Any]:
        """GET /perpetuals/account: the plan, and `watchlist: {count, limit}`."""
        body = await self._get("/perpetuals/account")
        if not isinstance(body, dict):
            raise UpstreamError(SOURCE, f"{SOURCE} sent an unexpected account payload")
        return body

    async def watchlist(self) -> dict[str, Any]:
        return _object(await self._get("/perpetuals/watchlist"), "watchlist", "watchlist")

    async def watchlist_add(self, wallet: str, label: str | None = None, notes: str | None = None) -> Any:
        body: dict[str, Any] = {"wallet_address": wallet}
        body.update({k: v for k, v in (("label", label), ("notes", notes)) if v is not None})
        return await self._send("POST", "/perpetuals/watchlist/add", body)

    async def set_alerts(self, wallet: str, enabled: bool) -> Any:
        path = f"/perpetuals/watchlist/{quote(wallet, safe='')}/alerts"
        return await self._send("POST", path, {"enabled": enabled})

    async def alert_trades(self, since_ms: int | None = None) -> dict[str, Any]:
        """Trades of watch-listed wallets with alerts on since `since_ms` (upstream default: 60 s)."""
        params: dict[str, str | int] | None = {"since": since_ms} if since_ms is not None else None
        return _object(await self._get("/perpetuals/watchlist/alerts/trades", params), "trades", "alert trades")

    async def aclose(self) -> None:
        await self._http.aclose()
