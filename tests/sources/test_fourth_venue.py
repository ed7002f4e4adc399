"""The seam per venue: a fourth venue defined in test code runs a query and a subscription through
a real `gateway serve` process, with no product file knowing it (GATEWAY_VENUE_PLUGINS)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import httpx

from gateway.cli import gateway_process
from tests.api.ws_helpers import connect, recv_json, subscribe
from tests.servers import serve
from tests.sources.fourth_venue_upstream import create_upstream

TRADER = "dydx1" + "0l" * 19  # 0 and l are not base58: no other venue claims it
ROOT = Path(__file__).resolve().parents[2]
FILL = {"id": "fill-1", "market": "ETH", "price": 3120.5, "sizeUsd": 1500.0, "time": "2026-11-30T10:00:00Z"}
LATER = {"id": "fill-2", "market": "BTC", "price": 91000.0, "sizeUsd": 250.0, "time": "2026-11-30T10:05:00Z"}


async def test_a_venue_defined_in_test_code_answers_a_query_and_a_subscription() -> None:
    app, _ = create_upstream()
    with serve(app) as upstream:
        http = httpx.AsyncClient(timeout=30)
        (await http.post(f"{upstream}/fills/{TRADER}", json=FILL)).raise_for_status()
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path]),
               "GATEWAY_SANDBOX": "off", "GATEWAY_VENUE_PLUGINS": "DYDX=tests.sources.fourth_venue",
               "DYDX_API_URL": upstream, "GATEWAY_POLL_INTERVAL": "0.1", "GATEWAY_RESPONSE_CACHE": "off"}
        for name in ("PERPSTRACKER_API_KEY", "NANSEN_API_KEY"):
            env.pop(name, None)
        with gateway_process(env) as (base, _proc):
            query = """query($t: String!) { perp { trades(where: {trader: $t}) {
                venue venueTradeId market trader sizeUsd perpBorrowing { marketId venue } } } }"""
            answer = (await http.post(f"{base}/graphql", json={"query": query, "variables": {"t": TRADER}})).json()
            assert "errors" not in answer, answer
            assert answer["data"]["perp"]["trades"] == [{
                "venue": "DYDX", "venueTradeId": "fill-1", "market": "ETH", "trader": TRADER, "sizeUsd": 1500.0,
                "perpBorrowing": {"marketId": 1, "venue": "DYDX"}}]
            # the address rule of the new venue decides it; the enum has the new value
            named_query = 'query($t: String!) { perp { trades(where: {trader: $t, venue: DYDX}) { id } } }'
            named = (await http.post(f"{base}/graphql", json={"query": named_query, "variables": {"t": TRADER}})).json()
            assert len(named["data"]["perp"]["trades"]) == 1

            ws = await connect(base.replace("http", "ws", 1) + "/graphql")
            try:
                await subscribe(ws, "1", "subscription($t: String!) { perpTradeHistory(where: {trader: $t}) "
                                "{ venue market txHash tradeChangeType } }", {"t": TRADER})
                (await http.post(f"{upstream}/fills/{TRADER}", json=LATER)).raise_for_status()
                seen: list[dict[str, object]] = []
                while not any(item["txHash"] == "fill-2" for item in seen):
                    message = await recv_json(ws, within=15)
                    assert message["type"] == "next", message
                    seen.extend(message["payload"]["data"]["perpTradeHistory"])
                assert seen[-1] == {"venue": "DYDX", "market": "BTC", "txHash": "fill-2",
                                    "tradeChangeType": "position_opened"}
            finally:
                await ws.close()
                await http.aclose()
