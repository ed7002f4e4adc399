"""Persisted operations: Apollo APQ over POST and GET (stored in Redis across replicas), and the
GATEWAY_PERSISTED_ONLY allow-list over HTTP and WebSocket."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.edge.settings import EdgeSettings
from gateway.settings import Settings
from tests.api.ws_helpers import (
    ScriptedGateway,
    connect,
    recv_json,
    scripted_gateway,
    send_json,
)
from tests.servers import serve

QUERY = "{ __typename }"
OTHER = "query Other { __schema { queryType { name } } }"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def apq(digest: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": digest}}


def base_of(gw: ScriptedGateway) -> str:
    return gw.url.replace("ws", "http", 1).removesuffix("/graphql")


@pytest.fixture(scope="module")
def gw() -> Iterator[ScriptedGateway]:
    with scripted_gateway() as gateway:
        yield gateway


async def test_apq_post_not_found_then_registered_then_by_hash(gw: ScriptedGateway) -> None:
    async with httpx.AsyncClient(base_url=base_of(gw), timeout=10) as client:
        miss = await client.post("/graphql", json={"extensions": apq(sha(QUERY))})
        assert miss.status_code == 200
        assert miss.json()["errors"][0]["message"] == "PersistedQueryNotFound"
        assert miss.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
        registered = await client.post("/graphql", json={"query": QUERY, "extensions": apq(sha(QUERY))})
        assert registered.json() == {"data": {"__typename": "Query"}}
        by_hash = await client.post("/graphql", json={"extensions": apq(sha(QUERY))})
        assert by_hash.json() == {"data": {"__typename": "Query"}}
        by_get = await client.get("/graphql", params={"extensions": json.dumps(apq(sha(QUERY)))})
        assert by_get.status_code == 200 and by_get.json() == {"data": {"__typename": "Query"}}


async def test_apq_refuses_a_hash_that_is_not_the_querys(gw: ScriptedGateway) -> None:
    async with httpx.AsyncClient(base_url=base_of(gw), timeout=10) as client:
        wrong = await client.post("/graphql", json={"query": OTHER, "extensions": apq(sha(QUERY + " "))})
        assert wrong.status_code == 400
        assert wrong.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"
        still = await client.post("/graphql", json={"extensions": apq(sha(QUERY + " "))})
        assert still.json()["errors"][0]["message"] == "PersistedQueryNotFound"  # nothing was stored


def test_apq_registered_on_one_replica_runs_on_another_through_redis(redis_url: str) -> None:
    from gateway.app import create_app

    settings = Settings(sandbox="off", redis_url=redis_url, response_cache=False)
    digest = sha(OTHER)
    with serve(create_app(settings)) as one, serve(create_app(settings)) as two:
        registered = httpx.post(f"{one}/graphql", json={"query": OTHER, "extensions": apq(digest)}, timeout=10)
        assert registered.json()["data"] == {"__schema": {"queryType": {"name": "Query"}}}
        elsewhere = httpx.post(f"{two}/graphql", json={"extensions": apq(digest)}, timeout=10)
        assert elsewhere.json() == registered.json()


@pytest.fixture(scope="module", params=["json", "graphql"])
def allow_only(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScriptedGateway]:
    folder = tmp_path_factory.mktemp("persisted")
    if request.param == "json":
        path = folder / "manifest.json"
        path.write_text(json.dumps({"op-1": QUERY}))
    else:
        path = folder / "operations.graphql"
        path.write_text("query Typename {\n  __typename\n}\n")
    edge = dataclasses.replace(EdgeSettings(), persisted_only=str(Path(path)))
    with scripted_gateway(edge=edge) as gateway:
        yield gateway


async def test_allow_list_runs_listed_operations_only(allow_only: ScriptedGateway) -> None:
    listed = QUERY if "json" in str(allow_only.app.state.settings.edge.persisted_only) else \
        "query Typename { __typename }"
    async with httpx.AsyncClient(base_url=base_of(allow_only), timeout=10) as client:
        ok = await client.post("/graphql", json={"query": listed.replace(" ", "\n  ")})  # formatting is free
        assert ok.json() == {"data": {"__typename": "Query"}}
        by_hash = await client.post("/graphql", json={"extensions": apq(sha(listed) if "json" in str(
            allow_only.app.state.settings.edge.persisted_only) else sha("query Typename {\n  __typename\n}"))})
        assert by_hash.json() == {"data": {"__typename": "Query"}}
        for refused in ({"query": OTHER}, {"query": OTHER, "extensions": apq(sha(OTHER))}):
            answer = await client.post("/graphql", json=refused)
            assert answer.status_code == 400
            assert answer.json()["errors"][0]["extensions"]["code"] == "OPERATION_NOT_ALLOWED"
        get = await client.get("/graphql", params={"query": OTHER})
        assert get.json()["errors"][0]["extensions"]["code"] == "OPERATION_NOT_ALLOWED"
    ws = await connect(allow_only.url)
    try:
        await send_json(ws, {"type": "subscribe", "id": "1", "payload": {"query": OTHER}})
        refused_ws = await recv_json(ws)
        assert refused_ws["type"] == "error" and refused_ws["payload"][0]["extensions"]["code"] == "OPERATION_NOT_ALLOWED"
    finally:
        await ws.close()
