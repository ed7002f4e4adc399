"""The compiled path behind the real app, over a socket against the sandbox: queries are answered
by compiled plans (counted on the app), byte for byte what Strawberry's executor answers with the
compiled path switched off, and a warm upstream answer is reused from the memo (no upstream call,
counted at the sandbox). Response caches are off, so every request executes."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
from starlette.applications import Starlette

from gateway.app import create_app
from gateway.settings import Settings
from sandbox.state import KEYS as SANDBOX_KEYS
from tests.api.test_response_cache import upstream_calls
from tests.servers import serve
from tests.upstream_settings import one_caller

QUERY = ("query Q($n: Int) { perp { leaderboard(where: {venue: JUPITER, timeframe: WEEK}, limit: $n) "
         "{ venue rank trader pnl roi winRate __typename } } }")


@contextlib.contextmanager
def gateway_with(sandbox: str, **changes: Any) -> Iterator[tuple[str, Starlette]]:
    settings = dataclasses.replace(one_caller(Settings(sandbox="off").with_sandbox(sandbox, SANDBOX_KEYS)),
                                   response_cache=False, **changes)
    app = create_app(settings)
    with serve(app) as url:
        yield url, app


async def test_queries_take_compiled_plans_and_answer_as_strawberry_does(live_sandbox_url: str) -> None:
    body = {"query": QUERY, "variables": {"n": 25}, "operationName": "Q"}
    with gateway_with(live_sandbox_url, compiled_execution=False) as (url, app):
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            standard = (await client.post("/graphql", json=body)).json()
        assert app.state.compiled.compiled == 0
    with gateway_with(live_sandbox_url) as (url, app):
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            posted = await client.post("/graphql", json=body)
            got = await client.get("/graphql", params={"query": QUERY, "variables": json.dumps({"n": 25})})
            introspection = await client.post("/graphql", json={"query": "{ __schema { queryType { name } } }"})
        assert app.state.compiled.compiled == 3  # introspection too: graphql-core completes `__schema`
    assert posted.status_code == 200 and posted.headers["content-type"] == "application/json"
    assert posted.json() == standard == got.json() and len(standard["data"]["perp"]["leaderboard"]) == 25
    assert introspection.json() == {"data": {"__schema": {"queryType": {"name": "Query"}}}}


async def test_a_warm_upstream_answer_is_served_from_the_memo(live_sandbox_url: str,
                                                              live_control: httpx.AsyncClient) -> None:
    await live_control.post("/ratelimits", json={"enabled": False})
    body = {"query": QUERY, "variables": {"n": 7}, "operationName": "Q"}
    with gateway_with(live_sandbox_url) as (url, app):
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            first = (await client.post("/graphql", json=body)).json()
            hits, since = app.state.memo.hits, time.time()
            again = (await client.post("/graphql", json=body)).json()
        assert again == first and "errors" not in first
        assert await upstream_calls(live_control, since) == []
        assert app.state.memo.hits == hits + 1  # the mapped rows, not a re-parse of the cached body
