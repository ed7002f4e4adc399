"""Watch-list enrolment: the alert stream covers only watch-listed wallets with alerts on.

Subscribing to a JUPITER trader asks `Enroller.ensure(wallet)`: a wallet already on the API key's
watchlist with alerts on is covered as it is; otherwise, when enrolment is enabled
(PERPSTRACKER_ENROL, default on) and the plan's watchlist limit (`GET /perpetuals/account`) has
room, the wallet is added (`POST watchlist/add`, label `GATEWAY`, so an operator can tell the
gateway's entries from their own) and its alerts switched on (`POST watchlist/{wallet}/alerts`).
Anything else answers False and the bridge polls that trader instead.

Enrolment is never undone automatically: the hub may run a wallet's `trades` and `history` topics
on different replicas, and none of them can know that no other still needs it. Entries labelled
`GATEWAY` that no one subscribes to any more can be removed by an operator
(docs/operations-bridges.md). Note that alerts also drive the account's webhooks and Telegram
notifications.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from gateway.errors import UpstreamError
from gateway.sources.perpstracker.client import PerpsTrackerClient

log = logging.getLogger("gateway.streams.perpstracker")

LABEL = "GATEWAY"  # watchlist labels: at most 10 alphanumeric characters
NOTES = "Enrolled by the perp gateway for a live subscription"
VIEW_TTL = 10.0  # a burst of new subscriptions reads the watchlist once, not once each


@dataclass
class WatchView:
    alerts: dict[str, bool] = field(default_factory=dict)  # wallet -> alerts enabled
    read_at: float = 0.0


def _view(body: dict[str, Any]) -> WatchView:
    return WatchView({str(e.get("wallet_address")): bool(e.get("alerts_enabled")) for e in body["watchlist"]},
                     time.monotonic())


class Enroller:
    def __init__(self, client: PerpsTrackerClient, enabled: bool = True) -> None:
        self.client, self.enabled = client, enabled
        self._lock = asyncio.Lock()  # one enrolment at a time: the limit check must hold when adding
        self._view: WatchView | None = None
        self.enrolled: list[str] = []  # wallets this process added (for the operator's logs and tests)

    async def _watchlist(self, fresh: bool = False) -> WatchView:
        if fresh or self._view is None or time.monotonic() - self._view.read_at > VIEW_TTL:
            self._view = _view(await self.client.watchlist())
        return self._view

    async def ensure(self, wallet: str) -> bool:
        """True if the alert stream covers `wallet` (now or after enrolling it); False: poll it.
        Upstream failures are raised (the caller retries); a refused enrolment is False."""
        async with self._lock:
            view = await self._watchlist()
            if view.alerts.get(wallet):
                return True
            if not self.enabled:
                return False
            if wallet not in view.alerts and not await self._add(wallet):
                return False
            await self.client.set_alerts(wallet, True)
            view.alerts[wallet] = True
            log.info("JUPITER wallet enrolled on the PerpsTracker watchlist with alerts on")
            return True

    async def _add(self, wallet: str) -> bool:
        account = await self.client.account()
        limits = account.get("watchlist") or {}
        count, limit = limits.get("count"), limits.get("limit")
        if isinstance(count, int) and isinstance(limit, int) and count >= limit:
            log.warning("PerpsTracker watchlist is full (%d of %d): a JUPITER trader is polled instead", count, limit)
            return False
        try:
            await self.client.watchlist_add(wallet, label=LABEL, notes=NOTES)
        except UpstreamError:
            # lost a race (another replica added it first) or the plan's limit was reached meanwhile
            view = await self._watchlist(fresh=True)
            return wallet in view.alerts
        self.enrolled.append(wallet)
        return True
