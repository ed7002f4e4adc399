"""Fairness: one caller cannot spend a shared upstream budget nor open a breaker for the others.

The gateway's Nansen budget is set to 20 calls a minute; each caller may spend half of it. Caller
A sends a 40-alias HYPERLIQUID query (40 distinct leaderboard pages, 40 upstream calls wanted):
at most 10 calls go out for it, the rest is RATE_LIMITED with retryAfter (the fields are
non-null, so the document's data is null), and caller B still gets data; no circuit opened. Callers are told apart by X-Forwarded-For from a trusted proxy (the test's loopback),
or by their API keys; with Redis, a caller's share holds across two replicas.
"""

from __future__ import annotations

import contextlib
import dataclasses
import ipaddress
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx

from gateway.app import create_app
from gateway.edge.caller import client_ip
from gateway.settings import Settings
from sandbox.state import KEYS as SANDBOX_KEYS
from tests.api.test_metrics import value
from tests.api.upstream_helpers import upstream_requests
from tests.configure import configure
from tests.servers import serve

BOARD = "p{n}: perp {{ leaderboard(where: {{venue: HYPERLIQUID, timeframe: DAY}}, limit: {n}) {{ rank trader }} }}"
PROXY = (ipaddress.ip_network("127.0.0.1/32"),)
OPENED = 'gateway_circuit_opened_total{source="nansen"}'


def aliases(numbers: range) -> str:
    return "{ " + " ".join(BOARD.format(n=n) for n in numbers) + " }"


def fair_settings(sandbox: str, **edge: Any) -> Settings:
    base = Settings(sandbox="off", response_cache=False).with_sandbox(sandbox, SANDBOX_KEYS)
    # max_cost: these documents are about upstream budgets, not the per-document cost limit
    return configure(base, nansen_rate_limits=(100, 20), rate_limit_wait=0.2, max_cost=10**9,
                     edge=dataclasses.replace(base.edge, **{"trusted_proxies": PROXY, "caller_share": 0.5, **edge}))


@contextlib.asynccontextmanager
async def client_of(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    with serve(create_app(settings)) as base:
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            yield client


async def ask(client: httpx.AsyncClient, query: str, caller: str) -> dict[str, Any]:
    answer = await client.post("/graphql", json={"query": query}, headers={"X-Forwarded-For": caller})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def split(body: dict[str, Any]) -> tuple[int, list[dict[str, Any]]]:
    """(aliases answered, errors)."""
    served = sum(1 for v in (body.get("data") or {}).values() if v is not None)
    return served, body.get("errors", [])


def refused(errors: list[dict[str, Any]]) -> bool:
    return bool(errors) and all(e["extensions"]["code"] == "RATE_LIMITED" and e["extensions"]["retryAfter"] > 0
                                for e in errors)


def test_x_forwarded_for_is_believed_only_from_trusted_proxies() -> None:
    assert client_ip("203.0.113.9", ["198.51.100.1"], PROXY) == "203.0.113.9"  # not a proxy: ignored
    assert client_ip("127.0.0.1", ["198.51.100.1"], ()) == "127.0.0.1"  # no proxies configured
    assert client_ip("127.0.0.1", ["198.51.100.1, 127.0.0.1"], PROXY) == "198.51.100.1"
    assert client_ip("127.0.0.1", ["6.6.6.6, 198.51.100.1"], PROXY) == "198.51.100.1"  # rightmost untrusted
    assert client_ip("127.0.0.1", ["not-an-ip"], PROXY) == "127.0.0.1"


async def test_one_caller_spends_only_its_share_and_the_other_still_gets_data(
    live_sandbox_url: str, live_control: httpx.AsyncClient
) -> None:
    async with client_of(fair_settings(live_sandbox_url)) as gateway:
        # metrics are per process, shared by every app this test session builds: compare, not look
        opened_before = value((await gateway.get("/metrics")).text, OPENED)
        since = time.time()
        _, errors_a = split(await ask(gateway, aliases(range(101, 141)), "198.51.100.1"))
        spent_by_a = await upstream_requests(live_control, "nansen", since)
        served_b, errors_b = split(await ask(gateway, aliases(range(141, 144)), "198.51.100.2"))
        opened_after = value((await gateway.get("/metrics")).text, OPENED)
    assert refused(errors_a) and all("share" in e["message"] for e in errors_a)
    assert 1 <= len(spent_by_a) <= 10  # A's share of the 20 a minute, not the whole budget
    assert (served_b, errors_b) == (3, [])  # the other caller is not refused
    assert opened_after == opened_before  # the breaker stayed closed
    log = await upstream_requests(live_control, "nansen", since)
    assert all(r["status"] == 200 for r in log)


async def test_without_shares_the_first_caller_spends_everyones_budget(
    live_sandbox_url: str, live_control: httpx.AsyncClient
) -> None:
    """The control for the test above: with caller_share=1 the same traffic refuses caller B."""
    async with client_of(fair_settings(live_sandbox_url, caller_share=1.0)) as gateway:
        await ask(gateway, aliases(range(201, 241)), "198.51.100.1")
        served_b, errors_b = split(await ask(gateway, aliases(range(241, 244)), "198.51.100.2"))
    assert served_b == 0 and refused(errors_b)


async def test_a_callers_share_holds_across_replicas_through_redis(
    live_sandbox_url: str, private_redis_url: str
) -> None:
    # a database of its own: in the shared one, the session's other gateways' Nansen calls of the
    # last minute count against the same 20-a-minute log (CI once refused caller B for them)
    settings = dataclasses.replace(fair_settings(live_sandbox_url), redis_url=private_redis_url)
    async with client_of(settings) as one, client_of(settings) as two:
        _, errors_a = split(await ask(one, aliases(range(301, 341)), "198.51.100.7"))
        again_a, errors_again = split(await ask(two, aliases(range(341, 342)), "198.51.100.7"))
        served_b, errors_b = split(await ask(two, aliases(range(345, 348)), "198.51.100.8"))
    assert refused(errors_a)
    assert again_a == 0 and refused(errors_again)  # the other replica knows A's share is spent
    assert (served_b, errors_b) == (3, [])
