"""A policy chain over `httpx.MockTransport` (httpx's own test double) for the unit tests.

`Scripted` is the fake upstream: it answers from a script (one entry per call, the last one
repeating), counts calls, and can hold every call until released, so concurrency is explicit.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx

from gateway.policy.runtime import UpstreamPolicy
from gateway.settings import Secret, Settings
from gateway.sources.registry import by_name
from tests.configure import configure

PT = "https://perpstracker.test/api"
NANSEN = "https://nansen.test"
SAI = "https://nibiru.test/query"

Step = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


class Scripted:
    def __init__(self, *script: Step, gate: asyncio.Event | None = None) -> None:
        self.script = list(script) or [httpx.Response(200, json={"ok": True})]
        self.requests: list[httpx.Request] = []
        self.gate = gate
        self.arrived = asyncio.Event()  # set by the first call: the upstream has been reached

    @property
    def calls(self) -> int:
        return len(self.requests)

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self.arrived.set()
        step = self.script[min(len(self.requests), len(self.script)) - 1]
        if self.gate is not None:
            await self.gate.wait()
        if isinstance(step, Exception):
            raise step
        if isinstance(step, httpx.Response):
            return httpx.Response(step.status_code, headers=step.headers, content=step.content)
        return step(request)


def settings(**overrides: Any) -> Settings:
    base = configure(
        Settings(sandbox="off"), perpstracker_api_url=PT, perpstracker_api_key=Secret("pt-key"),
        nansen_api_url=NANSEN, nansen_api_key=Secret("nansen-key"), nibiru_graphql_url=SAI,
        upstream_timeout=5.0,
    )
    return configure(base, **overrides)


@asynccontextmanager
async def client_for(upstream: Scripted, source: str = "perpstracker", policy: UpstreamPolicy | None = None,
                     **overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client for `source` whose transport is the policy chain over `upstream`."""
    policy = policy or UpstreamPolicy(settings(**overrides))
    base = {"perpstracker": PT, "nansen": NANSEN, "nibiru": SAI}[source]
    headers = {"perpstracker": {"Authorization": "Bearer pt-key"}, "nansen": {"apiKey": "nansen-key"}}.get(source, {})
    transport = upstream_transport(policy, source, httpx.MockTransport(upstream))
    async with httpx.AsyncClient(base_url=base, headers=headers, transport=transport) as client:
        yield client


def upstream_transport(policy: UpstreamPolicy, name: str, inner: httpx.AsyncBaseTransport) -> httpx.AsyncBaseTransport:
    """The policy chain of the upstream called `name`, as its package declares it, over `inner`."""
    d = by_name(name)
    return policy.transport(d.policy(policy.settings.upstream(name), policy.settings), inner)
