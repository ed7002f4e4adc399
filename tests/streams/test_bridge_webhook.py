"""The PerpsTracker webhook receiver, served on a real socket: signature, timestamp window, replays,
and the sandbox's own signed sender delivering to it."""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import json
import random
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway.cli import free_port
from gateway.model.source import HistoryQuery, Page
from gateway.model.types import PerpTradeHistoryItem
from gateway.model.venue import Venue
from gateway.settings import Secret, Settings
from gateway.sources.perpstracker.webhook import (
    PATH,
    WebhookReceiver,
    routes,
    signature_of,
    webhook_receiver,
)
from gateway.sources.registry import build_sources, close_sources
from gateway.streams.replay import RedisReplayMemory
from gateway.streams.types import StreamEvent
from sandbox import addresses
from sandbox.state import PERPSTRACKER_KEY
from tests.configure import configure
from tests.servers import serve
from tests.streams.bridging import bridge_settings, eventually, inject, wallet

SECRET = Secret("whsec_test_0123456789abcdef0123456789abcdef")
DOC_PAYLOAD = json.loads((Path(__file__).parents[1] / "fixtures/perpstracker/doc_webhook_payload.json").read_text())


def delivery(signature: str | None = None) -> bytes:
    """The docs' example payload with its own transaction signature, as compact JSON."""
    body = copy.deepcopy(DOC_PAYLOAD)
    body["data"]["transaction_signature"] = signature or addresses.solana_signature(random.Random())
    return json.dumps(body, separators=(",", ":")).encode()


def headers(body: bytes, *, secret: Secret = SECRET, ts_ms: int | None = None) -> dict[str, str]:
    return {"Content-Type": "application/json", "X-Webhook-Signature": signature_of(secret, body),
            "X-Webhook-Timestamp": str(int(time.time() * 1000) if ts_ms is None else ts_ms),
            "X-Webhook-Id": "whk_0123456789abcdef01234567"}


@dataclasses.dataclass
class Served:
    url: str
    published: list[StreamEvent]
    box: dict[str, WebhookReceiver]

    @property
    def receiver(self) -> WebhookReceiver:
        return self.box["receiver"]


@contextlib.contextmanager
def served_receiver(settings: Settings, *, with_sources: bool = False, port: int | None = None) -> Iterator[Served]:
    """A Starlette app mounting the receiver, built in the server's own loop (its lifespan)."""
    published: list[StreamEvent] = []
    box: dict[str, WebhookReceiver] = {}

    async def publish(event: StreamEvent) -> None:
        published.append(event)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        sources = build_sources(settings) if with_sources else None
        receiver = webhook_receiver(settings.upstream("perpstracker"), settings, publish, sources)
        assert receiver is not None
        box["receiver"] = receiver
        try:
            yield
        finally:
            await receiver.aclose()
            if sources is not None:
                await close_sources(sources)

    async def endpoint(request: Request) -> Response:
        return await box["receiver"].handle(request)

    app = Starlette(routes=[Route(PATH, endpoint, methods=["POST"])], lifespan=lifespan)
    with serve(app, port) as base:
        yield Served(base + PATH, published, box)


@pytest.fixture
def receiver() -> Iterator[Served]:
    with served_receiver(configure(Settings(sandbox="off"), perpstracker_webhook_secret=SECRET)) as served:
        yield served


async def post(url: str, body: bytes, head: dict[str, str]) -> httpx.Response:
    async with httpx.AsyncClient(timeout=30) as client:
        return await client.post(url, content=body, headers=head)


async def test_a_bad_or_missing_signature_gets_401_and_publishes_nothing(receiver: Served) -> None:
    body = delivery()
    forged = headers(body, secret=Secret("whsec_not_the_secret"))
    assert (await post(receiver.url, body, forged)).status_code == 401
    unsigned = {k: v for k, v in headers(body).items() if k != "X-Webhook-Signature"}
    assert (await post(receiver.url, body, unsigned)).status_code == 401
    tampered = headers(body)
    assert (await post(receiver.url, body.replace(b"25000", b"99999"), tampered)).status_code == 401
    sentinel = delivery()
    assert (await post(receiver.url, sentinel, headers(sentinel))).status_code == 202
    await eventually(lambda: len(receiver.published) == 3, "the sentinel's three events")
    signature = json.loads(sentinel)["data"]["transaction_signature"]
    assert {e.id for e in receiver.published} == {signature}  # nothing from the refused ones
    assert receiver.receiver.refused == 3


async def test_a_timestamp_outside_the_window_is_refused(receiver: Served) -> None:
    body = delivery()
    stale = headers(body, ts_ms=int(time.time() * 1000) - 301_000)
    assert (await post(receiver.url, body, stale)).status_code == 401
    early = headers(body, ts_ms=int(time.time() * 1000) + 301_000)
    assert (await post(receiver.url, body, early)).status_code == 401
    malformed = {**headers(body), "X-Webhook-Timestamp": "yesterday"}
    assert (await post(receiver.url, body, malformed)).status_code == 400
    assert receiver.receiver.accepted == 0 and receiver.published == []


async def test_a_replayed_delivery_is_ignored(receiver: Served) -> None:
    body = delivery()
    first = headers(body)
    assert (await post(receiver.url, body, first)).status_code == 202
    again = await post(receiver.url, body, first)  # the same request sent twice
    assert again.status_code == 200 and again.json() == {"status": "duplicate"}
    later = headers(body, ts_ms=int(time.time() * 1000) + 1000)  # same body, a fresh timestamp
    assert (await post(receiver.url, body, later)).json() == {"status": "duplicate"}
    sentinel = delivery()
    assert (await post(receiver.url, sentinel, headers(sentinel))).status_code == 202
    await eventually(lambda: len(receiver.published) == 6, "both deliveries' events")
    # the two re-reads run in parallel: the three topics in any order, history before trades
    kinds = [e.topic.split(":")[0] for e in receiver.published[:3]]
    assert sorted(kinds) == ["history", "live", "trades"] and kinds.index("history") < kinds.index("trades")
    assert len({(e.topic, e.id) for e in receiver.published}) == 6  # the replay published nothing


async def test_test_events_are_acknowledged_and_not_published(receiver: Served) -> None:
    body = json.dumps({"event": "test", "created_at": "2025-12-14T16:30:00.000Z",
                       "data": DOC_PAYLOAD["data"]}).encode()
    answer = await post(receiver.url, body, headers(body))
    assert answer.status_code == 200 and answer.json()["status"] == "ignored"
    assert receiver.published == []


def test_without_a_secret_there_is_no_route() -> None:
    async def publish(event: StreamEvent) -> None:
        raise AssertionError("nothing to publish")

    settings = Settings(sandbox="off")
    assert routes(settings.upstream("perpstracker"), settings, publish, {}) == []


@pytest.mark.redis
async def test_replicas_share_the_replay_memory_through_redis(redis_client: Redis) -> None:
    one, two = RedisReplayMemory(redis_client, "test"), RedisReplayMemory(redis_client, "test")
    key = addresses.solana_signature(random.Random())
    try:
        assert await one.claim(key)
        assert not await two.claim(key)  # another replica sees the first one's claim
        await one.release(key)
        assert await two.claim(key)
    finally:
        await one.aclose()
        await two.aclose()


async def test_the_sandbox_sender_delivers_to_the_receiver_and_the_event_is_published(
    live_sandbox_url: str, live_control: httpx.AsyncClient
) -> None:
    """Register the receiver with PerpsTracker, watch a wallet, trade: the signed delivery arrives
    and is published with the source's own items for that transaction."""
    await live_control.post("/ratelimits", json={"enabled": False})
    trader, port = wallet(Venue.JUPITER, "webhook"), free_port()
    url = f"http://127.0.0.1:{port}{PATH}"
    async with httpx.AsyncClient(base_url=f"{live_sandbox_url}/perpstracker/api", timeout=30,
                                 headers={"Authorization": f"Bearer {PERPSTRACKER_KEY}"}) as pt:
        assert (await pt.post("/perpetuals/watchlist/add", json={"wallet_address": trader})).status_code == 200
        assert (await pt.post(f"/perpetuals/watchlist/{trader}/alerts", json={"enabled": True})).status_code == 200
        created = await pt.post("/webhooks", json={"url": url, "events": ["trade.new", "trade.close"]})
        assert created.status_code == 200, created.text
        hook: dict[str, Any] = created.json()["webhook"]
        try:
            settings = bridge_settings(live_sandbox_url, perpstracker_webhook_secret=Secret(hook["secret"]))
            with served_receiver(settings, with_sources=True, port=port) as served:
                events = await inject(live_control, venue="JUPITER", trader=trader, symbol="SOL", action="open",
                                      size_usd=12_000, collateral_usd=2_000)
                signature = str(events[-1]["tx"])
                await eventually(lambda: len(served.published) == 3, "the delivery's three events")
                assert served.receiver.accepted == 1
            assert {e.id for e in served.published} == {signature}
            history_event = next(e for e in served.published if e.topic == f"history:JUPITER:{trader}")
            sources = build_sources(settings)
            try:
                source = sources[Venue.JUPITER]
                assert source is not None
                queried = await source.trade_history(HistoryQuery(trader=trader, page=Page(limit=1000)))
            finally:
                await close_sources(sources)
            items: list[PerpTradeHistoryItem] = history_event.payload["items"]
            assert items == [i for i in queried if i.txHash == signature]
        finally:
            await pt.delete(f"/webhooks/{hook['id']}")
