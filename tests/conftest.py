"""Shared fixtures: the sandbox runs as a real child process and is reached over sockets."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from redis.asyncio import Redis

from gateway.cli import sandbox_process
from gateway.coord.redis import connect
from sandbox.state import KEYS as SANDBOX_KEYS
from sandbox.state import NANSEN_KEY, PERPSTRACKER_KEY


@pytest.fixture(scope="session")
def sandbox_url() -> Iterator[str]:
    """Base URL of a `gateway sandbox --no-live` process shared by the session (seed 7)."""
    with sandbox_process(live=False) as base:
        yield base


@pytest.fixture
async def control(sandbox_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """Client for /_control; clears faults and re-enables rate limits after each test."""
    async with _control_client(sandbox_url) as client:
        yield client


@pytest.fixture
async def perpstracker(sandbox_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """Authenticated client for the PerpsTracker simulator's REST base (…/perpstracker/api)."""
    async with httpx.AsyncClient(
        base_url=f"{sandbox_url}/perpstracker/api",
        headers={"Authorization": f"Bearer {PERPSTRACKER_KEY}"},
        timeout=30,
    ) as client:
        yield client


@pytest.fixture
async def nansen(sandbox_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """Authenticated client for the Nansen simulator's base (…/nansen)."""
    async with httpx.AsyncClient(
        base_url=f"{sandbox_url}/nansen", headers={"apiKey": NANSEN_KEY}, timeout=30
    ) as client:
        yield client


@pytest.fixture(scope="session")
def live_sandbox_url() -> Iterator[str]:
    """A second sandbox whose simulated 'now' is the wall clock at start (not stepping by itself),
    for gateway tests: the gateway computes rolling windows from the wall clock."""
    with sandbox_process(live=False, start="now") as base:
        yield base


@pytest.fixture(scope="session")
def gateway_url(live_sandbox_url: str) -> Iterator[str]:
    """The gateway, served on a real socket, with all three sources pointed at the sandbox."""
    from gateway.app import create_app
    from gateway.settings import Settings
    from tests.servers import serve
    from tests.upstream_settings import without_policies

    # shared by every test of the session: the upstream policies must not carry memory between tests
    settings = without_policies(Settings(sandbox="off").with_sandbox(live_sandbox_url, SANDBOX_KEYS))
    with serve(create_app(settings)) as base:
        yield base


@pytest.fixture
async def gateway(gateway_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=gateway_url, timeout=30) as client:
        yield client


@pytest.fixture
async def live_control(live_sandbox_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """Control client for the gateway tests' sandbox; clears faults and re-enables limits afterwards."""
    async with _control_client(live_sandbox_url) as client:
        yield client


@contextlib.asynccontextmanager
async def _control_client(sandbox: str) -> AsyncIterator[httpx.AsyncClient]:
    """A sandbox's /_control, left as found: no faults, rate limits on."""
    async with httpx.AsyncClient(base_url=f"{sandbox}/_control", timeout=30) as client:
        yield client
        await client.delete("/faults")
        await client.post("/ratelimits", json={"enabled": True})


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A real redis-server on a free port for the session. Missing binary: skip, but fail under CI."""
    import os
    import shutil
    import subprocess
    import tempfile
    import time

    from gateway.cli import free_port

    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("redis-server is required under CI (.ci/run installs it)")
        pytest.skip("redis-server not installed")
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="gateway-redis-")
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", workdir], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    import socket

    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("redis-server did not start")
        time.sleep(0.05)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


_private_dbs = iter(range(1, 16))


@pytest.fixture
async def private_redis_url(redis_url: str) -> str:
    """The session's redis-server, but a database of this test's own, emptied first.

    For tests whose counts must not see the session's other gateways: rate-limit logs and caller
    shares are keyed by upstream and API key, and every gateway of the session uses the sandbox's
    keys, so in database 0 a test would count the calls its neighbours made in the last minute.
    (Pub/sub ignores the database number: streams are still shared.)
    """
    number = next(_private_dbs)  # 15 tests at most may ask; StopIteration says so loudly
    url = redis_url.rsplit("/", 1)[0] + f"/{number}"
    client = connect(url)
    try:
        await client.flushdb()
    finally:
        await client.aclose()
    return url


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[Redis]:
    """A client of the session's redis-server, built like the app's (`coord.redis`), closed after."""
    client = connect(redis_url)
    try:
        yield client
    finally:
        await client.aclose()
