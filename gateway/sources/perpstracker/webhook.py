"""The PerpsTracker webhook receiver: `POST /webhooks/perpstracker`, publishing into the hub.

Mounted only when PERPSTRACKER_WEBHOOK_SECRET is set (without it the path is a plain 404). A
delivery is checked in this order, and refused before anything is published:

    1. `X-Webhook-Signature: sha256=<hex HMAC-SHA256 of the raw body>` under the secret, compared
       in constant time (`hmac.compare_digest`)                       missing or wrong: 401
    2. `X-Webhook-Timestamp` (ms since the epoch)                       missing or not a number: 400
       within PERPSTRACKER_WEBHOOK_TOLERANCE (default 300 s) of now   outside the window: 401
    3. a JSON object                                                  otherwise: 400
    4. a trade event (`trade.new`, `trade.close`, `trade.liquidation`); the `test` event and
       unknown ones are acknowledged and ignored                      200 {"status": "ignored"}
    5. not a replay: the transaction signature is claimed in the replay memory (replay.py; Redis
       when REDIS_URL is set, shared by all replicas)                 a replay: 200 {"status": "duplicate"}

The signature covers the body only, so the timestamp window alone cannot stop a captured
delivery sent again with a fresh timestamp; step 5 does, whatever the headers say.

An accepted delivery is answered at once (202 {"status": "accepted"}: the sender wants a 2xx within
10 s) and then published, as a background task of the response, to `live:JUPITER:` and the
wallet's `history:` and `trades:` topics (the two re-reads run in parallel, each publishing as soon
as its items are known, and bypass cached answers older than the delivery), with the signature as event id — the id the alert
stream's bridges use, so the hub delivers the trade once whichever path brings it first. With the
JUPITER source at hand the payloads are the source's own items for that transaction (resolve.py),
exactly as the bridges send them; without it, the items are mapped from the webhook alone.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping

from redis.asyncio import Redis
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from gateway.model.source import PerpSource
from gateway.model.types import PerpTradeHistoryItem
from gateway.model.venue import Venue
from gateway.settings import Secret, Settings
from gateway.sources.perpstracker.alert_mapping import AlertFact, fact_from_webhook, map_fact
from gateway.sources.perpstracker.resolve import Resolver
from gateway.sources.perpstracker.settings import PerpsTrackerSettings
from gateway.sources.perpstracker.venue import VENUE
from gateway.streams.pollers import items_payload
from gateway.streams.replay import ReplayMemory, replay_memory
from gateway.streams.types import Publish, StreamEvent, Topic

log = logging.getLogger("gateway.webhooks")

PATH = "/webhooks/perpstracker"
MAX_BODY = 64 * 1024  # a delivery is a few hundred bytes


def signature_of(secret: Secret, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.reveal().encode(), body, hashlib.sha256).hexdigest()


def _refuse(status: int, message: str) -> Response:
    return JSONResponse({"error": message}, status_code=status)


class WebhookReceiver:
    def __init__(self, secret: Secret, publish: Publish, replay: ReplayMemory, *, tolerance: float = 300.0,
                 resolver: Resolver | None = None, clock: Callable[[], float] = time.time) -> None:
        self._secret, self.publish, self.replay = secret, publish, replay
        self.tolerance_ms, self.resolver, self._clock = tolerance * 1000, resolver, clock
        self.route = Route(PATH, self.handle, methods=["POST"])
        self.accepted = self.ignored = self.duplicates = self.refused = 0

    async def handle(self, request: Request) -> Response:
        body = await request.body()
        if len(body) > MAX_BODY:
            self.refused += 1
            return _refuse(413, "delivery too large")
        given = request.headers.get("x-webhook-signature", "")
        if not hmac.compare_digest(given.encode(), signature_of(self._secret, body).encode()):
            self.refused += 1
            return _refuse(401, "missing or invalid X-Webhook-Signature")
        try:
            sent_ms = int(request.headers.get("x-webhook-timestamp", ""))
        except ValueError:
            self.refused += 1
            return _refuse(400, "missing or malformed X-Webhook-Timestamp (milliseconds)")
        if abs(self._clock() * 1000 - sent_ms) > self.tolerance_ms:
            self.refused += 1
            return _refuse(401, "X-Webhook-Timestamp outside the tolerance window")
        try:
            payload = json.loads(body)
            if not isinstance(payload, dict):
                raise TypeError("not an object")
            fact = fact_from_webhook(payload)
        except (ValueError, KeyError, TypeError, AttributeError):
            self.refused += 1
            return _refuse(400, "not a PerpsTracker webhook payload")
        if fact is None:
            self.ignored += 1
            return JSONResponse({"status": "ignored", "event": str(payload.get("event"))[:40]})
        if not await self.replay.claim(fact.signature):
            self.duplicates += 1
            return JSONResponse({"status": "duplicate"})
        self.accepted += 1
        received = self._clock()
        return JSONResponse({"status": "accepted"}, status_code=202,
                            background=BackgroundTask(self.deliver, fact, received))

    async def deliver(self, fact: AlertFact, received: float | None = None) -> None:
        """Publish one accepted trade to the live topic and the wallet's two topics: the trader's
        and the venue's re-reads run at once, each publishing as soon as it has the items."""

        async def wallet_topics() -> None:
            items = ((await self.resolver.trader(fact.wallet, [fact], received))[fact.signature]
                     if self.resolver is not None else [map_fact(fact)])
            for topic in (Topic("history", VENUE, fact.wallet), Topic("trades", VENUE, fact.wallet)):
                await self._send(topic, fact, items)

        async def live_topic() -> None:
            items = ((await self.resolver.live([fact], received))[fact.signature]
                     if self.resolver is not None else [map_fact(fact)])
            await self._send(Topic("live", VENUE), fact, items)

        try:
            await asyncio.gather(wallet_topics(), live_topic())
        except Exception:
            log.exception("a PerpsTracker webhook delivery could not be published")
            await self.replay.release(fact.signature)  # a resent delivery is then accepted again

    async def _send(self, topic: Topic, fact: AlertFact, items: list[PerpTradeHistoryItem]) -> None:
        await self.publish(StreamEvent(topic.name, fact.signature, items_payload(topic.kind, items)))

    async def aclose(self) -> None:
        await self.replay.aclose()


def webhook_receiver(section: PerpsTrackerSettings, settings: Settings, publish: Publish,
                     sources: Mapping[Venue, PerpSource | None] | None = None,
                     redis: Redis | None = None) -> WebhookReceiver | None:
    """The receiver for a configuration, or None when PERPSTRACKER_WEBHOOK_SECRET is not set.
    Mount `.route`; `await .aclose()` at shutdown. `redis` is the app's client (replay memory)."""
    if section.webhook_secret is None:
        return None
    source = (sources or {}).get(VENUE)
    return WebhookReceiver(section.webhook_secret, publish, replay_memory(redis, "perpstracker-webhook"),
                           tolerance=section.webhook_tolerance,
                           resolver=Resolver(source) if source is not None else None)


def routes(section: PerpsTrackerSettings, settings: Settings, publish: Publish,
           sources: Mapping[Venue, PerpSource | None],
           redis: Redis | None = None) -> list[tuple[BaseRoute, Callable[[], Awaitable[None]]]]:
    """`POST /webhooks/perpstracker` with its close function; none (404) without a webhook secret."""
    receiver = webhook_receiver(section, settings, publish, sources, redis)
    return [] if receiver is None else [(receiver.route, receiver.aclose)]
