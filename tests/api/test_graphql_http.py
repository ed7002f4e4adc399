"""GraphQL over HTTP as its spec asks, over a real socket: media types, status codes, malformed
bodies answered 400 (not 500, connection kept), request errors, the body limit, introspection off."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from gateway.app import create_app
from gateway.settings import Settings
from sandbox.state import KEYS as SANDBOX_KEYS
from tests.api.helpers import codes
from tests.servers import serve

GRAPHQL_RESPONSE = "application/graphql-response+json"


@pytest.fixture(scope="module")
def small_gateway_url(live_sandbox_url: str) -> Iterator[str]:
    """A gateway with a 4 kB body limit and introspection off."""
    settings = dataclasses.replace(Settings(sandbox="off").with_sandbox(live_sandbox_url, SANDBOX_KEYS),
                                   max_body=4096, introspection=False)
    with serve(create_app(settings)) as base:
        yield base


@pytest.fixture
async def small(small_gateway_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=small_gateway_url, timeout=30) as client:
        yield client


async def test_graphql_response_json_when_accepted(gateway: httpx.AsyncClient) -> None:
    r = await gateway.post("/graphql", json={"query": "{ __typename }"}, headers={"accept": GRAPHQL_RESPONSE})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert r.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize(("query", "code"), [
    ("{ perp { ", "GRAPHQL_PARSE_FAILED"),
    ("{ nothing }", "GRAPHQL_VALIDATION_FAILED"),
    ("query($x: Int) { __typename }", "GRAPHQL_VALIDATION_FAILED"),  # an unused variable
    ("query A { __typename } query B { __typename }", "GRAPHQL_VALIDATION_FAILED"),  # no operationName
])
async def test_request_errors_are_400_without_data(gateway: httpx.AsyncClient, query: str, code: str) -> None:
    r = await gateway.post("/graphql", json={"query": query}, headers={"accept": GRAPHQL_RESPONSE})
    assert r.status_code == 400, r.text
    assert "data" not in r.json()
    assert codes(r.json()) == [code]
    legacy = await gateway.post("/graphql", json={"query": query}, headers={"accept": "application/json"})
    assert legacy.status_code == 200  # the spec keeps application/json answers at 200
    assert codes(legacy.json()) == [code]


async def test_named_operation_of_several_runs(gateway: httpx.AsyncClient) -> None:
    r = await gateway.post("/graphql", json={"query": "query A { a: __typename } query B { b: __typename }",
                                             "operationName": "B"})
    assert r.json() == {"data": {"b": "Query"}}


@pytest.mark.parametrize("content", [b'"x"', b"42", b"\xff\xfe{}", b"[" * 1000 + b"]" * 1000,
                                     b'{"query": "{ __typename }", "variables": ' + b'{"a":' * 100 + b"1" + b"}" * 101])
async def test_malformed_body_is_400_and_the_connection_serves_on(gateway: httpx.AsyncClient, content: bytes) -> None:
    r = await gateway.post("/graphql", content=content, headers={"content-type": "application/json"})
    assert r.status_code == 400, r.text
    assert r.json()["errors"][0]["message"]
    after = await gateway.post("/graphql", json={"query": "{ __typename }"})
    assert after.status_code == 200


async def test_subscription_over_http_is_refused_clearly(gateway: httpx.AsyncClient) -> None:
    query = 'subscription { perpTrades(where: {trader: "0xa312114b5795dff9b8db50474dd57701aa78ad1e"}) { id } }'
    r = await gateway.post("/graphql", json={"query": query})
    assert r.status_code == 400
    assert "WebSocket" in r.json()["errors"][0]["message"]


async def test_unacceptable_media_type_is_406(gateway: httpx.AsyncClient) -> None:
    r = await gateway.post("/graphql", json={"query": "{ __typename }"}, headers={"accept": "text/csv"})
    assert r.status_code == 406


async def test_body_over_the_limit_is_413(small: httpx.AsyncClient) -> None:
    big = {"query": "{ __typename }", "variables": {"pad": "x" * 10_000}}
    r = await small.post("/graphql", json=big)
    assert r.status_code == 413


async def test_chunked_body_over_the_limit_is_413(small: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"query": "{ __typename }", "variables": {"pad": "'
        for _ in range(10):
            yield b"x" * 1024
        yield b'"}}'

    r = await small.post("/graphql", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert (await small.post("/graphql", json={"query": "{ __typename }"})).status_code == 200


async def test_introspection_off_refuses_schema_but_not_typename(small: httpx.AsyncClient) -> None:
    refused = (await small.post("/graphql", json={"query": "{ __schema { queryType { name } } }"})).json()
    assert codes(refused) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "Introspection" in refused["errors"][0]["message"]
    assert (await small.post("/graphql", json={"query": "{ __typename }"})).json() == {"data": {"__typename": "Query"}}


async def test_leaderboard_token_is_checked(gateway: httpx.AsyncClient) -> None:
    query = 'query($t: String) { perp { leaderboard(where: {venue: HYPERLIQUID, token: $t}) { rank } } }'
    r = await gateway.post("/graphql", json={"query": query, "variables": {"t": "BTC\n" + "x" * 5000}})
    assert codes(r.json()) == ["BAD_USER_INPUT"]


async def test_request_level_errors_carry_the_request_id(gateway: httpx.AsyncClient, small: httpx.AsyncClient) -> None:
    """Answered outside the GraphQL layer (the view's 400 and 406, the body limit's 413), each error
    still carries the request id sent back in X-Request-Id, like every GraphQL error (gateway/observe)."""
    answers = [
        await gateway.post("/graphql", content=b"42", headers={"content-type": "application/json"}),
        await gateway.post("/graphql", json={"query": "subscription { perpLiveTrades { id } }"}),
        await gateway.post("/graphql", json={"query": "{ __typename }"}, headers={"accept": "text/csv"}),
        await small.post("/graphql", json={"query": "{ __typename }", "variables": {"pad": "x" * 10_000}}),
        await gateway.post("/graphql", json={"query": "{ perp { "}, headers={"x-request-id": "mine-1"}),
    ]
    assert [a.status_code for a in answers] == [400, 400, 406, 413, 200]
    for answer in answers:
        assert [e["extensions"]["requestId"] for e in answer.json()["errors"]] == [answer.headers["x-request-id"]]
    assert answers[-1].headers["x-request-id"] == "mine-1"
