"""Sai Keeper's forwarded state subscriptions send the current state at once, to every subscriber.

Against the sandbox, which is not stepped here: the simulated market does not move, so the
simulator's subscriptions send no change, and whatever arrives is the current state the gateway
sent first (read with the matching query for `tokenPricesUsd` and `lpVaults`; Sai's own first
message for `userBalances` and `userInfo`, which have no query). A second subscriber gets that
state at once too, whether it shares the first one's execution (same document) or only its hub
topic (another operation name), and the simulator sees one subscription operation for both.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api.helpers import busiest
from tests.api.ws_helpers import connect, recv_json, send_json

# Selections no other test uses, so every case opens a topic of its own on the shared gateway.
FIELDS = {
    "tokenPricesUsd": ("subscription {op} {{ tokenPricesUsd(where: {{tokenId: 2}}) {{ priceUsd token {{ id symbol "
                       "name }} lastUpdatedBlock {{ block }} }} }}",
                       "{ oracle { tokenPricesUsd(where: {tokenId: 2}) { priceUsd token { id symbol name } "
                       "lastUpdatedBlock { block } } } }"),
    "lpVaults": ("subscription {op} {{ lpVaults {{ address tvl sharePrice collateralToken {{ id symbol }} }} }}",
                 "{ lp { vaults { address tvl sharePrice collateralToken { id symbol } } } }"),
    "userBalances": ("subscription {op}($u: String!) {{ userBalances(where: {{user: $u}}) {{ amount "
                     "token_info {{ symbol decimals }} }} }}", None),
    "userInfo": ("subscription {op}($u: String!) {{ userInfo(where: {{user: $u}}) {{ netWorthUSD }} }}", None),
}
WITHIN = 5.0  # generous for a loaded machine; nothing here steps the market, so only the state can come


async def _sai_state(sandbox: str, field: str, variables: dict[str, Any]) -> Any:
    """What Sai Keeper (the simulator) says the state is now: its query, or its own first message."""
    document, query = FIELDS[field]
    if query is not None:
        async with httpx.AsyncClient(timeout=30) as client:
            body = (await client.post(f"{sandbox}/nibiru/query", json={"query": query})).json()
        namespace = next(iter(body["data"].values()))
        return next(iter(namespace.values()))
    ws = await connect(sandbox.replace("http", "ws", 1) + "/nibiru/query")
    try:
        await send_json(ws, {"type": "subscribe", "id": "sai", "payload": {
            "query": document.format(op="Sai"), "variables": variables}})
        message = await recv_json(ws, within=WITHIN)
        return message["payload"]["data"][field]
    finally:
        await ws.close()


async def _first(url: str, document: str, variables: dict[str, Any], field: str) -> tuple[Any, Any]:
    ws = await connect(url)
    await send_json(ws, {"type": "subscribe", "id": "s", "payload": {"query": document, "variables": variables}})
    message = await recv_json(ws, within=WITHIN)
    assert message["type"] == "next" and message["id"] == "s", message
    return ws, message["payload"]["data"][field]


@pytest.mark.parametrize("field", sorted(FIELDS))
async def test_state_subscription_sends_state_first_to_every_subscriber_over_one_upstream_operation(
    field: str, gateway_url: str, live_sandbox_url: str, live_control: httpx.AsyncClient
) -> None:
    variables = {"u": await busiest(live_control, "NIBIRU")} if "$u" in FIELDS[field][0] else {}
    before = (await live_control.get("/counters")).json()["nibiru_subscriptions"].get(field, 0)
    document = FIELDS[field][0]
    url = gateway_url.replace("http", "ws", 1) + "/query"
    sockets = []
    try:
        ws, first = await _first(url, document.format(op="A"), variables, field)
        sockets.append(ws)
        ws, same_document = await _first(url, document.format(op="A"), variables, field)  # joins the execution
        sockets.append(ws)
        ws, same_topic = await _first(url, document.format(op="B"), variables, field)  # another execution
        sockets.append(ws)
        after = (await live_control.get("/counters")).json()["nibiru_subscriptions"].get(field, 0)
        sai = await _sai_state(live_sandbox_url, field, variables)
    finally:
        for ws in sockets:
            await ws.close()
    assert first == same_document == same_topic == sai
    assert first not in (None, [], {})
    assert after - before == 1  # three subscribers, one upstream subscription
