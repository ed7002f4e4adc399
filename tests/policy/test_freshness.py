"""The freshness hint: a re-read after an event is never answered by a copy fetched before it."""

from __future__ import annotations

import asyncio
import time

import httpx

from gateway.policy.freshness import fresh_after, min_fresh_at
from tests.policy.helpers import Scripted, client_for

PATH = "/perpetuals/leaderboard/24h"


class Arrivals(Scripted):
    """Scripted, plus a queue of the calls as they reach it (before any gate holds them)."""

    def __init__(self) -> None:
        super().__init__()
        self.arrivals: asyncio.Queue[httpx.Request] = asyncio.Queue()

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.arrivals.put_nowait(request)
        return await super().__call__(request)


def numbered() -> Arrivals:
    """An upstream whose n-th answer says n, so a test sees which call answered."""
    upstream = Arrivals()
    # a leaderboard answer (its endpoint validates the wire shape) whose rank says which call it was
    upstream.script = [lambda request: httpx.Response(
        200, json={"data": [{"wallet_address": "W", "rank": upstream.requests.index(request) + 1}]})]
    return upstream


async def test_a_copy_fetched_before_the_hint_is_not_used_and_the_fresh_one_is_kept() -> None:
    upstream = numbered()
    async with client_for(upstream) as client:
        assert (await client.get(PATH)).json()["data"][0]["rank"] == 1
        assert (await client.get(PATH)).json()["data"][0]["rank"] == 1  # within the TTL, no hint: the cached copy
        with fresh_after(time.time()):
            assert (await client.get(PATH)).json()["data"][0]["rank"] == 2  # older than the hint: goes out
        assert (await client.get(PATH)).json()["data"][0]["rank"] == 2  # ... and the fresh answer is what is kept
        with fresh_after(time.time() - 60):
            assert (await client.get(PATH)).json()["data"][0]["rank"] == 2  # a copy fetched after the hint serves
    assert upstream.calls == 2


async def test_a_hinted_call_does_not_join_a_call_that_started_before_it() -> None:
    gate = asyncio.Event()
    upstream = numbered()
    upstream.gate = gate
    async with client_for(upstream) as client:
        early = asyncio.ensure_future(client.get(PATH))
        await upstream.arrivals.get()  # the first call is at the upstream, held there
        with fresh_after(time.time()):
            late = asyncio.ensure_future(client.get(PATH))
            same = asyncio.ensure_future(client.get(PATH))  # same hint: these two share one call
        await upstream.arrivals.get()
        gate.set()
        answers = [(await a).json()["data"][0]["rank"] for a in (early, late, same)]
    assert answers == [1, 2, 2] and upstream.calls == 2


def test_the_hint_is_scoped_to_its_block() -> None:
    assert min_fresh_at() is None
    with fresh_after(5.0):
        assert min_fresh_at() == 5.0
        with fresh_after(7.0):
            assert min_fresh_at() == 7.0
        assert min_fresh_at() == 5.0
    assert min_fresh_at() is None
