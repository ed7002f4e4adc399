"""A socket that stops reading is told and dropped (close 1013); the others keep every event."""

from __future__ import annotations

import asyncio
import socket
from urllib.parse import urlsplit

import websockets

from gateway.model.venue import Venue
from gateway.streams.types import StreamEvent, Topic
from tests.api.ws_helpers import connect, recv_json, scripted_gateway, send_json, subscribe
from tests.streams.doubles import TRADER, history_item

QUERY = ("subscription($t: String!) { perpTradeHistory(where: {trader: $t}) { id tradeChangeType market venue "
         "trader txHash price sizeDeltaUsd block { block_ts } trade { id venueTradeId trader isOpen isLong leverage "
         "collateralAmount openPrice sizeUsd collateralUsd perpBorrowing { marketId baseToken { symbol } } } } }")
TOPIC = Topic("history", Venue.JUPITER, TRADER)
BATCH = 20


def big_event(seq: int) -> StreamEvent:
    """~10 kB of JSON per message, so the kernel's buffers fill after a few hundred."""
    items = [history_item(seq * 100 + i) for i in range(20)]
    return StreamEvent(TOPIC.name, f"e{seq}", {"items": items})


def tiny_buffer_socket(url: str) -> socket.socket:
    parts = urlsplit(url)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((parts.hostname or "127.0.0.1", parts.port or 80))
    return sock


async def test_a_slow_consumer_is_dropped_while_a_normal_one_keeps_receiving() -> None:
    with scripted_gateway(ws_send_buffer=8) as gw:
        endpoint = gw.app.state.subscriptions
        normal = await connect(gw.url)
        slow = await connect(gw.url, sock=tiny_buffer_socket(gw.url), max_queue=1)
        try:
            await subscribe(normal, "n", QUERY, {"t": TRADER})
            await subscribe(slow, "s", QUERY, {"t": TRADER})  # …and from now on it reads nothing
            received: list[int] = []
            sent = 0
            for _ in range(100):  # bounded: batches until the gateway has dropped the slow socket
                for _ in range(BATCH):
                    await asyncio.to_thread(gw.bridges.emit_threadsafe, big_event(sent))
                    sent += 1
                for _ in range(BATCH):
                    message = await recv_json(normal)
                    received.append(message["payload"]["data"]["perpTradeHistory"][0]["id"] // 100)
                if endpoint.counters["slow_sockets_dropped"]:
                    break
            assert endpoint.counters["slow_sockets_dropped"] == 1
            assert received == list(range(sent))  # the normal one missed nothing, in order

            # The slow one, reading at last: what the kernel held, then the error, then close 1013.
            kinds: list[str] = []
            error = None
            try:
                while True:
                    message = await recv_json(slow)
                    kinds.append(message["type"])
                    if message["type"] == "error":
                        error = message
            except websockets.ConnectionClosed:
                pass
            assert slow.close_code == 1013
            assert error is not None and error["id"] == "s"
            assert error["payload"][0]["extensions"]["code"] == "SLOW_CONSUMER"
            assert kinds[-1] == "error" and kinds.count("next") < sent

            # …and the stream goes on for the normal one.
            await asyncio.to_thread(gw.bridges.emit_threadsafe, big_event(sent))
            assert (await recv_json(normal))["payload"]["data"]["perpTradeHistory"][0]["id"] // 100 == sent
            await send_json(normal, {"type": "complete", "id": "n"})
        finally:
            await normal.close()
            await slow.close()
