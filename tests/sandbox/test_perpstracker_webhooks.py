"""PerpsTracker simulator webhooks: signed deliveries to a local receiver, retries, management."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from sandbox.state import PERPSTRACKER_KEY
from tests.sandbox.test_perpstracker_support import (
    PRO,
    Receiver,
    assert_error_body,
    assert_shape,
    doc,
    fresh_wallet,
)

WL = "/perpetuals/watchlist"
ALL_EVENTS = ["trade.new", "trade.close", "trade.liquidation"]


@pytest.fixture
async def hooks(sandbox_url: str, control: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    """Webhook API client using the documented `X-API-Key` header; deletes what a test created."""
    await control.post("/ratelimits", json={"enabled": False})
    async with httpx.AsyncClient(base_url=f"{sandbox_url}/perpstracker/api",
                                 headers={"X-API-Key": PERPSTRACKER_KEY}, timeout=30) as client:
        yield client
        for h in (await client.get("/webhooks")).json()["webhooks"]:
            await client.delete(f"/webhooks/{h['id']}")


@pytest.fixture
async def watched(perpstracker: httpx.AsyncClient, request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """A fresh wallet on the Elite watchlist with alerts on."""
    wallet = fresh_wallet(f"hook:{request.node.name}")
    await perpstracker.post(f"{WL}/add", json={"wallet_address": wallet})
    await perpstracker.post(f"{WL}/{wallet}/alerts", json={"enabled": True})
    yield wallet
    await perpstracker.delete(f"{WL}/{wallet}")


async def inject(control: httpx.AsyncClient, wallet: str, action: str, **kw: object) -> dict[str, Any]:
    body = {"venue": "JUPITER", "trader": wallet, "symbol": "SOL", "action": action, **kw}
    resp = await control.post("/inject", json=body)
    assert resp.status_code == 200, resp.text
    events: list[dict[str, Any]] = resp.json()["events"]
    return events[0]


async def wait_for(receiver: Receiver, n: int) -> list[tuple[dict[str, str], bytes]]:
    """Wait (at most 15 s) until the receiver holds `n` requests."""
    for _ in range(300):
        got = receiver.received()
        if len(got) >= n:
            return got
        await asyncio.sleep(0.05)
    raise AssertionError(f"receiver got {len(receiver.received())} of {n} requests")


def verify(headers: dict[str, str], body: bytes, secret: str, hook_id: str) -> dict[str, Any]:
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["x-webhook-signature"], expected)
    assert headers["x-webhook-id"] == hook_id
    assert headers["x-webhook-timestamp"].isdigit() and int(headers["x-webhook-timestamp"]) > 10**12
    payload: dict[str, Any] = json.loads(body)
    # what the docs' Node example re-signs: JSON.stringify(payload) must give back the raw bytes
    assert json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode() == body
    return payload


async def create(hooks: httpx.AsyncClient, url: str, events: list[str], **extra: object) -> dict[str, Any]:
    resp = await hooks.post("/webhooks", json={"url": url, "events": events, **extra})
    assert resp.status_code == 200, resp.text
    assert_shape(doc("webhooks_create"), resp.json())
    hook: dict[str, Any] = resp.json()["webhook"]
    assert hook["id"].startswith("whk_") and hook["secret"].startswith("whsec_")
    return hook


async def test_trade_is_delivered_signed_with_the_documented_payload(
    hooks: httpx.AsyncClient, control: httpx.AsyncClient, watched: str
) -> None:
    with Receiver() as receiver:
        hook = await create(hooks, receiver.url, ALL_EVENTS)
        ev = await inject(control, watched, "open", size_usd=25000, collateral_usd=3000)
        (headers, body), = await wait_for(receiver, 1)
        payload = verify(headers, body, hook["secret"], hook["id"])
    assert_shape(doc("webhook_payload"), payload)
    assert set(payload["data"]) == set(doc("webhook_payload")["data"])
    assert payload["event"] == "trade.new"
    data = payload["data"]
    assert (data["wallet"], data["token"], data["side"], data["action"]) == (watched, "SOL", "LONG", "Open Long")
    assert (data["size_usd"], data["collateral_usd"], data["pnl_usd"]) == (25000, 3000, None)
    assert data["transaction_signature"] == ev["tx"] and data["timestamp"].endswith("Z")


async def test_failed_delivery_is_retried_and_counted(
    hooks: httpx.AsyncClient, control: httpx.AsyncClient, watched: str
) -> None:
    with Receiver(script=[500]) as receiver:
        hook = await create(hooks, receiver.url, ["trade.close"], retry_delays=[0.2, 0.2, 0.2])
        await inject(control, watched, "open", size_usd=12000, collateral_usd=3000)  # trade.new: not subscribed
        await inject(control, watched, "close")
        (h1, b1), (h2, b2) = await wait_for(receiver, 2)
    assert b1 == b2
    assert verify(h2, b2, hook["secret"], hook["id"])["event"] == "trade.close"
    for _ in range(100):  # the sender counts once it has read the receiver's answer
        listed = (await hooks.get("/webhooks")).json()
        mine = next(h for h in listed["webhooks"] if h["id"] == hook["id"])
        if mine["success_count"]:
            break
        await asyncio.sleep(0.05)
    assert_shape(doc("webhooks_list"), listed)
    assert (mine["success_count"], mine["failure_count"]) == (1, 1)
    assert "secret" not in mine  # shown once, at creation


async def test_liquidation_event(hooks: httpx.AsyncClient, control: httpx.AsyncClient, watched: str) -> None:
    with Receiver() as receiver:
        hook = await create(hooks, receiver.url, ["trade.liquidation"])
        await inject(control, watched, "open", is_long=False, size_usd=10000, collateral_usd=1000)
        await inject(control, watched, "liquidation")
        (headers, body), = await wait_for(receiver, 1)
    payload = verify(headers, body, hook["secret"], hook["id"])
    assert payload["event"] == "trade.liquidation" and payload["data"]["action"] == "Liquidate Short"
    assert payload["data"]["pnl_usd"] == -1000


async def test_test_endpoint_limit_and_delete(hooks: httpx.AsyncClient, sandbox_url: str) -> None:
    with Receiver() as receiver:
        hook = await create(hooks, receiver.url, ["trade.new"])
        result = (await hooks.post(f"/webhooks/{hook['id']}/test")).json()
        assert result["success"] is True and result["status_code"] == 200
        (headers, body), = await wait_for(receiver, 1)
        assert verify(headers, body, hook["secret"], hook["id"])["event"] == "test"
    for i in range(2):
        await create(hooks, f"https://example.invalid/{i}", ["trade.new"])
    over = await hooks.post("/webhooks", json={"url": "https://example.invalid/4", "events": ["trade.new"]})
    assert over.status_code == 400
    assert_error_body(over.json(), "WEBHOOK_LIMIT_REACHED")
    assert (await hooks.get("/webhooks")).json()["count"] == 3
    assert (await hooks.delete(f"/webhooks/{hook['id']}")).json()["success"] is True
    assert (await hooks.delete(f"/webhooks/{hook['id']}")).status_code == 404
    bad = await hooks.post("/webhooks", json={"url": "https://x.invalid", "events": ["trade.open"]})
    assert bad.status_code == 400
    async with httpx.AsyncClient(base_url=f"{sandbox_url}/perpstracker/api", headers=PRO) as pro:
        assert (await pro.get("/webhooks")).status_code == 403  # Elite only
