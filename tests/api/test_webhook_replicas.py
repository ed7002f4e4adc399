"""A PerpsTracker webhook received by one replica reaches a subscriber on another (shared Redis).

Replica B holds the subscription but cannot reach PerpsTracker at all (its REST and alert URLs
point at a closed port), so the only way the trade can reach B's subscriber is A's webhook
receiver publishing into the hub, across Redis.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import random
import time

import httpx

from gateway.cli import free_port
from sandbox import addresses
from sandbox.state import PERPSTRACKER_KEY
from tests.api.ws_helpers import connect, gateway_process, recv_json, subscribe

SECRET = "whsec_replica_test"
QUERY = ("subscription($t: String!) { perpTradeHistory(where: {trader: $t}) "
         "{ venue trader market txHash tradeChangeType } }")


def _signed(body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-Webhook-Signature": "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest(),
        "X-Webhook-Timestamp": str(int(time.time() * 1000)),
        "X-Webhook-Id": "whk_replica_test",
    }


async def test_a_webhook_to_one_replica_reaches_a_subscriber_on_the_other(
    live_sandbox_url: str, redis_url: str
) -> None:
    wallet = addresses.solana_address(random.Random("webhook-replicas"))
    dead = f"http://127.0.0.1:{free_port()}"
    common = {"REDIS_URL": redis_url, "PERPSTRACKER_API_KEY": PERPSTRACKER_KEY,
              "PERPSTRACKER_WEBHOOK_SECRET": SECRET, "PERPSTRACKER_ENROL": "off"}
    with gateway_process(live_sandbox_url, PERPSTRACKER_API_URL=f"{live_sandbox_url}/perpstracker/api",
                         PERPSTRACKER_WS_URL=live_sandbox_url.replace("http", "ws") + "/perpstracker/ws/alerts",
                         **common) as (ws_a, _), \
         gateway_process(live_sandbox_url, PERPSTRACKER_API_URL=f"{dead}/api",
                         PERPSTRACKER_WS_URL=dead.replace("http", "ws") + "/ws/alerts", **common) as (ws_b, _):
        subscriber = await connect(ws_b)
        await subscribe(subscriber, "1", QUERY, {"t": wallet})
        async with httpx.AsyncClient(timeout=30) as client:
            injected = (await client.post(f"{live_sandbox_url}/_control/inject", json={
                "venue": "JUPITER", "trader": wallet, "symbol": "SOL", "action": "open", "is_long": True,
                "size_usd": 25_000, "collateral_usd": 3_000})).json()["events"][0]
            now = datetime.datetime.now(datetime.UTC).isoformat().replace("+00:00", "Z")
            body = json.dumps({"event": "trade.new", "created_at": now, "data": {
                "wallet": wallet, "token": "SOL", "side": "LONG", "action": "Open Long",
                "size_usd": 25_000.0, "collateral_usd": 3_000.0, "leverage": injected["leverage"],
                "entry_price": injected["price"], "pnl_usd": None,
                "transaction_signature": injected["tx"], "timestamp": now}}, separators=(",", ":")).encode()
            base_a = ws_a.replace("ws", "http", 1).removesuffix("/graphql")
            r = await client.post(f"{base_a}/webhooks/perpstracker", content=body, headers=_signed(body))
            assert r.status_code in (200, 202), r.text
            bad = await client.post(f"{base_a}/webhooks/perpstracker", content=body,
                                    headers={**_signed(body), "X-Webhook-Signature": "sha256=" + "0" * 64})
            assert bad.status_code == 401
        message = await recv_json(subscriber, within=30)
        assert message["type"] == "next", message
        (item,) = message["payload"]["data"]["perpTradeHistory"]
        assert item == {"venue": "JUPITER", "trader": wallet, "market": "SOL", "txHash": injected["tx"],
                        "tradeChangeType": "position_opened"}
        await subscriber.close()
