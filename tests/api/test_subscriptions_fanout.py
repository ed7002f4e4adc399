"""Many subscribers, one upstream stream: 200 sockets watching one NIBIRU trader cause one Sai Keeper
subscription, and every one of them receives the injected trade, mapped as the query maps it."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Iterator

import httpx
import pytest

from gateway.app import create_app
from gateway.cli import sandbox_process
from gateway.settings import Settings
from sandbox import addresses
from sandbox.state import KEYS as SANDBOX_KEYS
from tests.api.ws_helpers import connect, recv_json, subscribe
from tests.servers import serve

FIELDS = ["id tradeChangeType venue trader market", "id txHash block { block_ts }",
          "id trade { id isOpen isLong collateralAmount }", "id realizedPnlCollateral price sizeDeltaUsd"]
SUBSCRIBERS = 200


@pytest.fixture(scope="module")
def own_sandbox() -> Iterator[str]:
    """A sandbox of this module's own, so its request log shows this gateway's connections only."""
    with sandbox_process(live=False, start="now") as base:
        yield base


async def test_200_subscribers_to_one_trader_share_one_upstream_subscription(own_sandbox: str) -> None:
    trader = addresses.nibiru_address(random.Random("fanout-200"))
    topic = f"history:NIBIRU:{trader}"
    app = create_app(Settings(sandbox="off", stream_linger=0.5).with_sandbox(own_sandbox, SANDBOX_KEYS))
    hub = app.state.hub
    started = time.time()
    with serve(app) as base:
        url = base.replace("http", "ws", 1) + "/graphql"
        sockets = [await connect(url) for _ in range(SUBSCRIBERS)]
        async with httpx.AsyncClient(base_url=own_sandbox, timeout=30) as sandbox:
            try:
                for i, ws in enumerate(sockets):  # four different selections: four executions, one topic
                    query = f"subscription($t: String!) {{ perpTradeHistory(where: {{trader: $t}}) {{ {FIELDS[i % 4]} }} }}"
                    await subscribe(ws, "h", query, {"t": trader})
                assert app.state.subscriptions.stats()["groups"] == 4
                first = None
                for _ in range(30):  # bounded: the upstream subscription opens asynchronously
                    r = await sandbox.post("/_control/inject", json={
                        "venue": "NIBIRU", "trader": trader, "symbol": "ETH", "action": "open", "is_long": True,
                        "size_usd": 25_000, "collateral_usd": 2_500})
                    assert r.status_code == 200
                    try:
                        first = await recv_json(sockets[0], within=1.0)
                        break
                    except TimeoutError:
                        continue
                assert first is not None, "no event reached the first subscriber"
                messages = [first] + [await recv_json(ws) for ws in sockets[1:]]
                items = [m["payload"]["data"]["perpTradeHistory"] for m in messages]
                assert all(len(i) == 1 for i in items) and len({i[0]["id"] for i in items}) == 1
                assert hub.bridge_starts[topic] == 1

                # Mapped exactly as the query maps the same fact.
                fields = " ".join(FIELDS)
                query = f"query($t: String!) {{ perp {{ tradeHistory(where: {{trader: $t}}) {{ {fields} }} }} }}"
                async with httpx.AsyncClient(base_url=base, timeout=30) as gateway:
                    answer = (await gateway.post("/graphql", json={"query": query, "variables": {"t": trader}})).json()
                by_id = {h["id"]: h for h in answer["data"]["perp"]["tradeHistory"]}
                for i, got in enumerate(items):
                    expected = by_id[got[0]["id"]]
                    assert got[0] == {k: expected[k] for k in got[0]}, FIELDS[i % 4]
            finally:
                for ws in sockets:
                    await ws.close()
            for _ in range(200):  # after the linger the bridge stops and its upstream socket closes
                log = (await sandbox.get("/_control/requests", params={"upstream": "nibiru", "since": started})).json()
                if any(r["method"] == "WS" for r in log) and topic not in hub.stats()["topics"]:
                    break
                await asyncio.sleep(0.1)
            assert [r["method"] for r in log].count("WS") == 1
