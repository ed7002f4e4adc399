"""Keep-alive for the shared Sai Keeper socket that a busy event loop does not trip.

websockets' own keep-alive sends a ping every `ping_interval` and closes the connection when no
pong is *processed* within `ping_timeout` of wall time. On a gateway whose one loop is serving
thousands of client sockets (a burst of subscribes, a fan-out to 10,000 subscribers) the pong can
sit unread in the kernel's buffer for longer than that: the healthy socket carrying every Sai
Keeper subscription of the process is closed, all of them fail at once and resubscribe together,
which loads the loop further (docs/benchmarks.md, the "spread" run that did not complete).

Here instead:

- a ping is sent only after `PING_INTERVAL` without any frame received: events and answers
  flowing already prove the socket alive;
- the pong is waited for in *free* loop time: the wait advances in ticks, and a tick that took
  longer than it should (the loop was busy elsewhere) counts as one tick only, so the timeout
  measures the upstream's silence, not the gateway's own load;
- a socket that stays silent past that is closed with 1011, and the reader fails its operations.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import WebSocketException

log = logging.getLogger("gateway.streams.nibiru")

PING_INTERVAL = 20.0  # a half-open socket is noticed within ~PING_INTERVAL + PONG_TIMEOUT of free time
PONG_TIMEOUT = 20.0
TICK = 1.0


async def answered_in_free_time(waiter: Awaitable[object], budget: float, tick: float = TICK) -> bool:
    """True if `waiter` completes within `budget` seconds of time the loop was free to notice it.

    Each tick is charged at most 1.5 × `tick`, however long the loop took to come back to it."""
    future = asyncio.ensure_future(waiter)
    loop = asyncio.get_running_loop()
    spent = 0.0
    try:
        while spent < budget:
            started = loop.time()
            done, _ = await asyncio.wait({future}, timeout=tick)
            if done:
                return True
            spent += min(loop.time() - started, 1.5 * tick)
        return False
    finally:
        if not future.done():
            future.cancel()


async def keep_alive(ws: ClientConnection, last_frame: Callable[[], float], *,
                     interval: float = PING_INTERVAL, pong_within: float = PONG_TIMEOUT) -> None:
    """Ping `ws` when it has been quiet for `interval`; close it if the upstream stays silent."""
    loop = asyncio.get_running_loop()
    try:
        while True:
            quiet = loop.time() - last_frame()
            if quiet < interval:
                await asyncio.sleep(interval - quiet)
                continue
            pong = await ws.ping()
            if not await answered_in_free_time(pong, pong_within):
                log.warning("Sai Keeper socket: no pong in %.0f s of free loop time; reconnecting", pong_within)
                await ws.close(code=1011, reason="keepalive ping timeout")
                return
            await asyncio.sleep(interval)
    except (WebSocketException, OSError):
        return  # the socket is gone; its reader fails the operations
