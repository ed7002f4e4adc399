"""A browser on another origin queries with fetch and subscribes with graphql-ws, and sees data.

Debian's Chromium, headless, driven by playwright-core (tests/node), opens a page from a static
server on another port (another origin: CORS and the WebSocket Origin check both apply) that
loads graphql-ws's browser bundle from tests/node/node_modules. Without chromium the test skips,
except under CI=true, where it fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.api.test_subscriptions_clients import (
    EXPECTED,
    QUERY,
    emit_until,
)
from tests.api.ws_helpers import ScriptedGateway, scripted_gateway
from tests.node_tools import NODE_DIR, node_with
from tests.streams.doubles import TRADER

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
PAGE = Path(__file__).parent / "browser_page"


def chromium_or_skip() -> None:
    missing = None
    if not Path(CHROMIUM).exists():
        missing = f"{CHROMIUM} is missing (apt-get install -y chromium)"
    elif not (NODE_DIR / "node_modules" / "playwright-core").is_dir():
        missing = "tests/node/node_modules/playwright-core is missing (make test runs npm ci there)"
    if missing:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{missing}: required under CI")
        pytest.skip(missing)


@contextlib.contextmanager
def static_site() -> Iterator[str]:
    """The page and graphql-ws's browser bundle, on a port of their own (another origin)."""
    root = Path(tempfile.mkdtemp(prefix="gateway-page-"))
    shutil.copy(PAGE / "index.html", root / "index.html")
    shutil.copy(NODE_DIR / "node_modules" / "graphql-ws" / "umd" / "graphql-ws.min.js", root / "graphql-ws.min.js")

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def gw() -> Iterator[ScriptedGateway]:
    with scripted_gateway() as gateway:
        yield gateway


async def test_a_page_on_another_origin_queries_and_subscribes(gw: ScriptedGateway) -> None:
    node = node_with("graphql-ws")
    chromium_or_skip()
    gateway = gw.url.replace("ws", "http", 1).removesuffix("/graphql")
    with static_site() as site, tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        params = urlencode({"gateway": gateway, "query": "{ __typename }", "subscription": QUERY,
                            "variables": json.dumps({"t": TRADER})})
        proc = await asyncio.create_subprocess_exec(
            node, str(NODE_DIR / "browser.mjs"), f"{site}/index.html?{params}", profile,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env={**os.environ, "CHROMIUM": CHROMIUM})
        assert proc.stdout is not None and proc.stderr is not None
        try:
            fetched = json.loads(await asyncio.wait_for(proc.stdout.readline(), 60))
            assert fetched == {"fetch": {"data": {"__typename": "Query"}}}
            line = asyncio.ensure_future(proc.stdout.readline())
            first = json.loads(await emit_until(gw, line, 41))
            assert first == {"next": {"data": {"perpTradeHistory": EXPECTED}}}
            assert await asyncio.wait_for(proc.wait(), 60) == 0, (await proc.stderr.read()).decode()
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
