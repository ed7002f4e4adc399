"""PerpsTracker's trade-alert WebSocket: ONE connection per API key, shared by every JUPITER bridge.

Protocol (perpstracker-api.txt): the server greets with `connected`; the client sends
`{"type": "auth", "apiKey": …}` and gets `auth_success` or `auth_error`; `{"type": "ping"}` every
30 s gets `pong`; after auth the server pushes a `trade` for each trade of a watch-listed wallet
with alerts on. The connection's life here:

- it is opened when the first wallet is listened to and closed when the last listener leaves;
- a drop (or a ping without a pong within `pong_timeout`) reconnects with exponential backoff and
  jitter; an `auth_error` (wrong key, Pro plan) tells the listeners, which fall back to polling,
  and is retried only every few minutes;
- after every successful re-auth the gap is filled from `GET watchlist/alerts/trades?since=`
  (the upstream's clock: the newest alert time seen, minus an overlap), and every fact — streamed
  or gap-filled — is de-duplicated by transaction signature before listeners see it; a gap is
  sent in the upstream's time order (`in_time_order`), never in the listing's. On the first
  connection the same call (without `since`) only learns the upstream's clock and what is
  already past. A listener is `ready` only once the feed flows (authenticated and that first
  call made), and the hub accepts a subscription only after that (streams/status.py), so every
  trade the first call took for "past" came before the subscription.

The key goes only into the `auth` message; it is never logged (nor is the URL).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

from gateway.coord.backoff import Backoff
from gateway.coord.idset import IdSet
from gateway.errors import GatewayError
from gateway.observe.metrics import STREAM_RECONNECTS
from gateway.settings import Secret
from gateway.sources.perpstracker.alert_mapping import (
    AlertFact,
    fact_from_alert_trade,
    fact_from_ws,
    in_time_order,
)
from gateway.sources.perpstracker.client import PerpsTrackerClient

log = logging.getLogger("gateway.streams.perpstracker")

PING_INTERVAL = 30.0  # the docs' example pings every 30 s
PONG_TIMEOUT = 10.0
AUTH_TIMEOUT = 10.0
GAP_OVERLAP_MS = 5_000  # alert-trade rows carry whole seconds; signatures remove the overlap
GAP_MAX = 500  # the alert-trades endpoint's largest answer
QUEUE_MAX = 10_000  # facts a slow listener may have pending before the oldest are dropped
AUTH_RETRY = 300.0


class AuthRefused(Exception):
    """The upstream answered `auth_error` (invalid key, or a plan without WebSocket alerts)."""


@dataclass
class FeedStats:
    connects: int = 0
    auths: int = 0
    pings: int = 0
    pongs: int = 0
    alerts: int = 0
    gap_fills: int = 0
    gap_facts: int = 0
    duplicates: int = 0


class AlertListener:
    """One bridge's view of the feed: batches of facts for its wallet, oldest first."""

    def __init__(self, feed: AlertFeed, wallet: str) -> None:
        self.feed, self.wallet = feed, wallet
        self.queue: asyncio.Queue[list[AlertFact]] = asyncio.Queue()
        self.pending = 0

    def offer(self, facts: list[AlertFact]) -> None:
        while self.pending + len(facts) > QUEUE_MAX and not self.queue.empty():
            self.pending -= len(self.queue.get_nowait())
            log.warning("alert listener for a wallet fell %d facts behind: oldest dropped", QUEUE_MAX)
        self.pending += len(facts)
        self.queue.put_nowait(facts)

    async def ready(self) -> bool:
        """True once the feed flows (authenticated and gap-filled); False if the key was refused."""
        if not await self.feed.authorized():
            return False
        await self.feed.flowing.wait()
        return self.feed.authorized_now

    def __aiter__(self) -> AlertListener:
        return self

    async def __anext__(self) -> list[AlertFact]:
        facts = await self.queue.get()
        if not facts:  # the feed lost its authorisation: this wallet is no longer covered
            raise StopAsyncIteration
        self.pending -= len(facts)
        return facts

    def end(self) -> None:
        self.queue.put_nowait([])


class AlertFeed:
    def __init__(self, ws_url: str, api_key: Secret, client: PerpsTrackerClient, *,
                 ping_interval: float = PING_INTERVAL, pong_timeout: float = PONG_TIMEOUT,
                 backoff: Backoff | None = None) -> None:
        self.ws_url, self._key, self.client = ws_url, api_key, client
        self.ping_interval, self.pong_timeout = ping_interval, pong_timeout
        self.backoff = backoff or Backoff(base=1.0, cap=60.0)
        self.listeners: dict[str, set[AlertListener]] = {}
        self.seen = IdSet(50_000)
        self.watermark_ms: int | None = None  # the upstream's clock: newest alert time known
        self.stats = FeedStats()
        self.connected = False  # authenticated and gap-filled: alerts flow
        self.flowing = asyncio.Event()  # set while connected (and on a refusal: listeners must not wait)
        self.down_since: float | None = None  # monotonic time the feed last lost its socket
        self._task: asyncio.Task[None] | None = None
        self._auth_known = asyncio.Event()
        self._authorized = False
        self._pong = asyncio.Event()
        self._refused_at: float | None = None

    # ---- listeners ---------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def listen(self, wallet: str) -> AsyncIterator[AlertListener]:
        listener = AlertListener(self, wallet)
        self.listeners.setdefault(wallet, set()).add(listener)
        if self._refused_recently():
            pass  # `authorized()` answers False at once: no socket to open for this key for now
        elif self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="perpstracker-alerts")
        try:
            yield listener
        finally:
            group = self.listeners.get(wallet, set())
            group.discard(listener)
            if not group:
                self.listeners.pop(wallet, None)
            if not self.listeners:
                await self.close()

    async def authorized(self) -> bool:
        if self._refused_recently():
            return False
        await self._auth_known.wait()
        return self._authorized

    @property
    def authorized_now(self) -> bool:
        return self._authorized

    def _refused_recently(self) -> bool:
        return self._refused_at is not None and time.monotonic() - self._refused_at < AUTH_RETRY

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._auth_known.clear()
        self.flowing.clear()
        self.down_since = None
        self.watermark_ms = None  # a later start owes nothing from before it

    def _dispatch(self, facts: list[AlertFact]) -> None:
        fresh: dict[str, list[AlertFact]] = {}
        for fact in facts:
            if not self.seen.add(fact.signature):
                self.stats.duplicates += 1
                continue
            self.watermark_ms = max(self.watermark_ms or 0, fact.ts_ms)
            fresh.setdefault(fact.wallet, []).append(fact)
        for wallet, mine in fresh.items():
            for listener in self.listeners.get(wallet, ()):
                listener.offer(mine)

    # ---- the connection ----------------------------------------------------------------------

    async def _run(self) -> None:
        while True:
            started, delay = time.monotonic(), None
            try:
                async with connect(self.ws_url, open_timeout=10, close_timeout=2, ping_interval=None,
                                   max_size=2**20) as ws:
                    self.stats.connects += 1
                    await self._authenticate(ws)
                    await self._gap_fill()
                    self.connected, self.down_since = True, None
                    self.flowing.set()
                    try:
                        await self._stream(ws)
                    finally:
                        self.connected = False
                        self.flowing.clear()
            except AuthRefused:
                delay = AUTH_RETRY
            except (OSError, TimeoutError, WebSocketException, GatewayError, ValueError, KeyError, TypeError) as exc:
                log.warning("PerpsTracker alert socket lost (%s); reconnecting", type(exc).__name__)
            if self.down_since is None:
                self.down_since = time.monotonic()
            if time.monotonic() - started > 30:
                self.backoff.reset()
            if delay is None:
                STREAM_RECONNECTS.inc()
                delay = self.backoff.next()
            await asyncio.sleep(delay)

    async def _authenticate(self, ws: ClientConnection) -> None:
        await ws.send(json.dumps({"type": "auth", "apiKey": self._key.reveal()}))
        async with asyncio.timeout(AUTH_TIMEOUT):
            while True:
                msg = _parse(await ws.recv())
                kind = msg.get("type") if msg else None
                if kind == "auth_success":
                    self.flowing.clear()  # set again once the gap is filled
                    self.stats.auths += 1
                    self._authorized, self._refused_at = True, None
                    self._auth_known.set()
                    return
                if kind == "auth_error":
                    log.error("PerpsTracker refused the alert socket's key (%s); JUPITER trader streams "
                              "poll instead", str((msg or {}).get("message", ""))[:120])
                    self._authorized, self._refused_at = False, time.monotonic()
                    self._auth_known.set()
                    self.flowing.set()  # a listener waiting for the feed learns of the refusal
                    for group in self.listeners.values():
                        for listener in group:
                            listener.end()
                    raise AuthRefused()

    async def _gap_fill(self) -> None:
        if self.watermark_ms is None:  # first connection: learn the upstream's clock and the past
            body = await self.client.alert_trades()
            rows = body["trades"]
            self.seen.update(str(r.get("signature")) for r in rows)
            since = body.get("since")
            now = since + 60_000 if isinstance(since, int) else int(time.time() * 1000)
            self.watermark_ms = max([now, *(fact_from_alert_trade(r).ts_ms for r in rows)])
            return
        body = await self.client.alert_trades(self.watermark_ms - GAP_OVERLAP_MS)
        rows = body["trades"]
        if len(rows) >= GAP_MAX:
            log.warning("PerpsTracker alert gap of %d+ trades: older ones may be missing", GAP_MAX)
        facts = in_time_order([fact_from_alert_trade(r) for r in rows])
        self.stats.gap_fills += 1
        self.stats.gap_facts += sum(1 for f in facts if f.signature not in self.seen)
        self._dispatch(facts)

    async def _stream(self, ws: ClientConnection) -> None:
        pinger = asyncio.create_task(self._ping(ws), name="perpstracker-alerts-ping")
        try:
            async for raw in ws:
                msg = _parse(raw)
                kind = msg.get("type") if msg else None
                if kind == "pong":
                    self.stats.pongs += 1
                    self._pong.set()
                elif kind == "trade" and msg is not None:
                    self.stats.alerts += 1
                    try:
                        fact = fact_from_ws(msg)
                    except (KeyError, TypeError, ValueError):
                        log.warning("PerpsTracker sent an alert the gateway cannot read; skipped")
                        continue
                    self._dispatch([fact])
        finally:
            pinger.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pinger

    async def _ping(self, ws: ClientConnection) -> None:
        """Keep the socket alive; close it (and so reconnect) if a ping goes unanswered."""
        try:
            while True:
                await asyncio.sleep(self.ping_interval)
                self._pong.clear()
                await ws.send(json.dumps({"type": "ping"}))
                self.stats.pings += 1
                try:
                    async with asyncio.timeout(self.pong_timeout):
                        await self._pong.wait()
                except TimeoutError:
                    log.warning("PerpsTracker alert socket: no pong in %.0f s; reconnecting", self.pong_timeout)
                    await ws.close(code=4000, reason="no pong")
                    return
        except (WebSocketException, OSError):
            return  # the socket is gone; the reader notices and reconnects


def _parse(raw: str | bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None
