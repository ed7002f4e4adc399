"""The uvicorn server the gateway runs under: subscribers get `complete` before sockets close.

uvicorn's own shutdown closes every WebSocket with 1012 before the app's lifespan shutdown runs,
so the app would never get to tell its subscribers anything. `GatewayServer` drains the
subscription endpoints first (every operation `complete`, close 1001), then shuts down as usual;
the lifespan shutdown then stops the hub (bridges cancelled, leases released).

Per-message deflate is off: compressing the same payload once per subscriber multiplies the CPU
cost of an event by the subscriber count.

uvicorn's proxy-headers layer is off: the gateway reads `X-Forwarded-For` itself, and only from
GATEWAY_TRUSTED_PROXIES (gateway/edge/caller.py). uvicorn's trusted loopback peers by default
(FORWARDED_ALLOW_IPS) and rewrote the client address before the gateway saw it, so any process on
the host, or a local sidecar, could name a new caller per request and escape the per-caller
limits; it was also one more layer on every request.

Garbage collection is tuned for thousands of long-lived sockets (`tune_gc`): with CPython's
default thresholds, the objects in flight while an event is fanned out to 10,000 sockets survive
young collections, and every few events a full collection walks every socket's objects (about
a second at 10,000 subscribers, measured), which stalls every stream. A larger first threshold
lets those objects die by reference counting first, and freezing what exists at start-up keeps
the app's own import-time objects out of every full collection.
"""

from __future__ import annotations

import contextlib
import gc
import socket
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess

from gateway.ws.endpoint import drain_all

DRAIN_TIMEOUT = 5.0
GC_THRESHOLDS = (50_000, 20, 100)
WS_MAX_FRAME = 2 * 2**20  # bytes  # CPython's defaults: (700, 10, 10)


def tune_gc() -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


class GatewayServer(uvicorn.Server):
    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        await drain_all(DRAIN_TIMEOUT)
        await super().shutdown(sockets)


def config(app: Any, **kwargs: Any) -> uvicorn.Config:
    kwargs.setdefault("ws", "websockets-sansio")
    kwargs.setdefault("ws_per_message_deflate", False)
    # no frame beyond this is even buffered (uvicorn's default is 16 MiB); the endpoint's own,
    # lower GATEWAY_WS_MAX_MESSAGE then closes 4400 with a reason the client can read
    kwargs.setdefault("ws_max_size", WS_MAX_FRAME)
    kwargs.setdefault("proxy_headers", False)  # X-Forwarded-For is the edge's, from trusted proxies only
    return uvicorn.Config(app, **kwargs)


def run(app: Any, sockets: list[socket.socket] | None = None, **kwargs: Any) -> None:
    """Like `uvicorn.run`, with `GatewayServer`. With workers > 1 uvicorn's supervisor runs its own
    servers: subscribers then get uvicorn's close 1012 at shutdown instead of `complete` (run one
    worker per process, as replicas behind Redis, to keep the graceful drain). `sockets`: already
    bound (the CLI binds first, so a port in use is reported before anything starts)."""
    cfg = config(app, **kwargs)
    tune_gc()  # inherited by worker processes
    if cfg.workers > 1:
        Multiprocess(cfg, sockets=sockets or [cfg.bind_socket()]).run()
    else:
        with contextlib.suppress(KeyboardInterrupt):  # uvicorn re-raises the SIGINT it captured
            GatewayServer(cfg).run(sockets=sockets)
