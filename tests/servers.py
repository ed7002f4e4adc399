"""Serve an ASGI app on a real socket for a test: uvicorn in a thread, on a free port."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

from starlette.types import ASGIApp

from gateway.cli import free_port
from gateway.ws.server import GatewayServer
from gateway.ws.server import config as server_config


@contextlib.contextmanager
def serve(app: ASGIApp, port: int | None = None) -> Iterator[str]:
    """Yields the base URL (http://127.0.0.1:PORT) while the app is served (on `port`, or a free one)."""
    port = port or free_port()
    config = server_config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = GatewayServer(config)  # drains subscriptions (complete, close 1001) before shutting down
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
