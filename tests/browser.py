"""Headless Chromium driven over the Chrome DevTools protocol (no tests in here).

Debian's `chromium` with a fresh profile, no background traffic, and every host name but
127.0.0.1 resolving to nothing, so a page that needed the internet would visibly fail. Driven
with the `websockets` client the gateway already depends on: no browser download, no extra
package. `Page.evaluate` waits on conditions inside the page (a promise that resolves when the
condition holds, or rejects at its deadline), never on the clock.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect

CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--no-default-browser-check",
    "--disable-dev-shm-usage", "--window-size=1400,900",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
)


def chromium_binary() -> str:
    """Debian's chromium. Missing: skip, but fail under CI (.ci/run installs it)."""
    binary = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
    if binary is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("chromium is required under CI (.ci/run installs it)")
        pytest.skip("chromium not installed")
    return binary


class Page:
    """One tab: CDP commands, and the events the test wants to look at afterwards."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.ids = itertools.count(1)
        self.pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.requests: list[str] = []  # every URL the page asked for
        self.errors: list[str] = []  # uncaught exceptions and console errors
        self.frames: list[str] = []  # WebSocket frames, sent and received (for failure messages)
        self.loaded = asyncio.Event()
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for raw in self.ws:
            msg = json.loads(raw)
            if "id" in msg and msg["id"] in self.pending:
                self.pending.pop(msg["id"]).set_result(msg)
            elif msg.get("method") == "Network.requestWillBeSent":
                self.requests.append(msg["params"]["request"]["url"])
            elif msg.get("method") == "Runtime.exceptionThrown":
                self.errors.append(json.dumps(msg["params"]["exceptionDetails"])[:500])
            elif msg.get("method") == "Runtime.consoleAPICalled" and msg["params"]["type"] == "error":
                self.errors.append(json.dumps(msg["params"]["args"])[:500])
            elif msg.get("method") in ("Network.webSocketFrameSent", "Network.webSocketFrameReceived"):
                self.frames.append(msg["method"][-8:] + " " + msg["params"]["response"]["payloadData"][:400])
            elif msg.get("method") == "Page.loadEventFired":
                self.loaded.set()

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        n = next(self.ids)
        self.pending[n] = asyncio.get_running_loop().create_future()
        await self.ws.send(json.dumps({"id": n, "method": method, "params": params}))
        msg = await asyncio.wait_for(self.pending[n], 60)
        if "error" in msg:
            raise RuntimeError(f"{method}: {msg['error']}")
        result: dict[str, Any] = msg["result"]
        return result

    async def goto(self, url: str) -> None:
        self.loaded.clear()
        await self.send("Page.navigate", url=url)
        await asyncio.wait_for(self.loaded.wait(), 60)

    async def evaluate(self, expression: str) -> Any:
        """The value of `expression` (awaited if it is a promise); a JS exception raises here."""
        r = await self.send("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in r:
            raise AssertionError(f"in the page: {r['exceptionDetails'].get('exception', {}).get('description')}"
                                 f"\npage errors: {self.errors}")
        return r["result"].get("value")

    async def wait_for(self, condition: str, timeout_ms: int = 30_000) -> Any:
        """Resolves with the first truthy value of `condition` (a JS expression), checked on every
        DOM change and animation frame, or fails after `timeout_ms` with the page's errors."""
        return await self.evaluate(f"""new Promise((resolve, reject) => {{
            const deadline = performance.now() + {timeout_ms};
            const check = () => {{
                let v; try {{ v = ({condition}); }} catch (e) {{ v = undefined; }}
                if (v) return resolve(v);
                if (performance.now() > deadline) return reject(new Error("timed out waiting for: " +
                    {json.dumps(condition)}));
                requestAnimationFrame(check);
            }};
            check();
        }})""")

    async def screenshot(self, path: Path) -> Path:
        shot = await self.send("Page.captureScreenshot", format="png")
        await asyncio.to_thread(_write, path, base64.b64decode(shot["data"]))
        return path


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


@contextlib.asynccontextmanager
async def chromium_page() -> AsyncIterator[Page]:
    """A fresh headless Chromium (own profile, loopback only) and one blank page in it."""
    binary = chromium_binary()
    profile = tempfile.mkdtemp(prefix="gateway-chromium-")
    proc = await asyncio.create_subprocess_exec(
        binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--remote-debugging-port=0", "about:blank",
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port_file = Path(profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().count("\n") >= 1):
            assert proc.returncode is None, f"chromium exited with {proc.returncode}"
            assert time.monotonic() < deadline, "chromium did not open its DevTools port"
            await asyncio.sleep(0.05)  # polling a file chromium writes once; not synchronising with the test
        port = int(port_file.read_text().split()[0])
        async with httpx.AsyncClient() as client:
            targets = (await client.get(f"http://127.0.0.1:{port}/json/list")).json()
        target = next(t for t in targets if t["type"] == "page")
        async with connect(target["webSocketDebuggerUrl"], max_size=64 * 2**20) as ws:
            page = Page(ws)
            for domain in ("Page", "Runtime", "Network"):
                await page.send(f"{domain}.enable")
            try:
                yield page
            finally:
                page.reader.cancel()
    finally:
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 10)
        except TimeoutError:
            proc.kill()
            await proc.wait()
        shutil.rmtree(profile, ignore_errors=True)
