"""The response-cache layer (gateway/response_cache/) over a real socket, in front of a small
stand-in schema whose resolvers record what the upstream layer would: the TTL of the data they
touched, a stale copy served, an error. The gateway-level tests (tests/api/test_response_cache*.py)
run the same rules against the real schema and the sandbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import httpx
import pytest
import strawberry
from starlette.applications import Starlette
from starlette.routing import Route
from strawberry.asgi import GraphQL

from gateway.api.extensions.operation_record import OperationRecord
from gateway.coord.redis import connect
from gateway.errors import UpstreamUnavailable
from gateway.policy import operation
from gateway.response_cache.asgi import ResponseCache
from gateway.response_cache.keys import KeyDeriver
from gateway.response_cache.redis_store import RedisStore
from gateway.response_cache.store import MemoryStore, ResponseStore
from tests.servers import serve

RUNS: dict[str, int] = {}  # executions of `value` per tag


@strawberry.type
class Query:
    @strawberry.field
    async def value(self, tag: str, ttl: float | None = 30.0, stale: bool = False, fail: bool = False,
                    delay: float = 0.0) -> int:
        RUNS[tag] = RUNS.get(tag, 0) + 1
        await asyncio.sleep(delay)
        if ttl is not None:
            operation.current().touched(ttl)
        if stale:
            operation.current().served_stale("perpstracker", 42.0)
        if fail:
            raise UpstreamUnavailable("perpstracker", "down")
        return RUNS[tag]


@strawberry.type
class Mutation:
    @strawberry.mutation
    def poke(self, tag: str) -> int:
        RUNS[tag] = RUNS.get(tag, 0) + 1
        return RUNS[tag]


SCHEMA = strawberry.Schema(query=Query, mutation=Mutation, extensions=[OperationRecord])


@dataclass
class Served:
    url: str
    layer: ResponseCache


@contextlib.contextmanager
def served(store: ResponseStore | None) -> Iterator[Served]:
    layer = ResponseCache(GraphQL(SCHEMA), store, lock_ttl=10.0)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await layer.aclose()
        if isinstance(store, RedisStore):
            await store.redis.aclose()  # the app's client in real life: closed by whoever built it

    app = Starlette(routes=[Route("/graphql", layer, methods=["GET", "POST"])], lifespan=lifespan)
    with serve(app) as url:
        yield Served(url, layer)


@pytest.fixture(scope="module")
def memory() -> Iterator[Served]:
    with served(MemoryStore()) as s:
        yield s


def tag() -> str:
    return secrets.token_hex(6)


async def ask(url: str, query: str, *, headers: dict[str, str] | None = None, get: bool = False,
              **variables: object) -> httpx.Response:
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        if get:
            params = {"query": query, "variables": json.dumps(variables)} if variables else {"query": query}
            return await client.get("/graphql", params=params, headers=headers)
        return await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)


Q = "query($t: String!) { value(tag: $t) }"


async def test_a_repeat_is_a_hit_served_without_executing(memory: Served) -> None:
    t = tag()
    first, second = await ask(memory.url, Q, t=t), await ask(memory.url, Q, t=t)
    assert first.headers["x-gateway-cache"] == "MISS" and second.headers["x-gateway-cache"] == "HIT"
    assert first.content == second.content and RUNS[t] == 1
    assert "cache-control" not in second.headers, "POST answers carry no HTTP caching headers"


async def test_the_key_is_the_normalized_document_so_formatting_does_not_matter(memory: Served) -> None:
    t = tag()
    await ask(memory.url, Q, t=t)
    spaced = await ask(memory.url, "query ( $t : String! ) {\n  value( tag : $t ) ,\n}", t=t)
    assert spaced.headers["x-gateway-cache"] == "HIT" and RUNS[t] == 1
    other = await ask(memory.url, Q, t=tag())
    assert other.headers["x-gateway-cache"] == "MISS", "other variables, other key"


async def test_concurrent_identical_cold_queries_execute_once(memory: Served) -> None:
    t = tag()
    query = "query($t: String!) { value(tag: $t, delay: 0.3) }"
    async with httpx.AsyncClient(base_url=memory.url, timeout=30,
                                 limits=httpx.Limits(max_connections=100)) as client:
        answers = await asyncio.gather(*(
            client.post("/graphql", json={"query": query, "variables": {"t": t}}) for _ in range(100)))
    assert RUNS[t] == 1
    assert {a.content for a in answers} == {answers[0].content}
    assert sorted(a.headers["x-gateway-cache"] for a in answers).count("MISS") == 1


async def test_get_carries_max_age_no_longer_than_the_shortest_ttl(memory: Served) -> None:
    t = tag()
    query = "query($t: String!) { a: value(tag: $t, ttl: 40) b: value(tag: $t, ttl: 12) }"
    first = await ask(memory.url, query, get=True, t=t)
    second = await ask(memory.url, query, get=True, t=t)
    assert first.headers["x-gateway-cache"] == "MISS" and second.headers["x-gateway-cache"] == "HIT"
    for answer in (first, second):
        directive, max_age = answer.headers["cache-control"].split(", max-age=")
        assert directive == "public" and 0 <= int(max_age) <= 12


async def test_an_answer_expires_with_its_ttl(memory: Served) -> None:
    t = tag()
    query = "query($t: String!) { value(tag: $t, ttl: 0.3) }"
    await ask(memory.url, query, t=t)
    await asyncio.sleep(0.5)
    again = await ask(memory.url, query, t=t)
    assert again.headers["x-gateway-cache"] == "MISS" and RUNS[t] == 2


@pytest.mark.parametrize("header", [{"Cache-Control": "no-cache"}, {"X-Gateway-Cache": "bypass"}])
async def test_the_bypass_headers_execute_again(memory: Served, header: dict[str, str]) -> None:
    t = tag()
    await ask(memory.url, Q, t=t)
    bypassed = await ask(memory.url, Q, headers=header, t=t)
    assert bypassed.headers["x-gateway-cache"] == "BYPASS" and RUNS[t] == 2
    assert (await ask(memory.url, Q, t=t)).json()["data"]["value"] == 1, "the bypass stored nothing"


@pytest.mark.parametrize("arguments", ["fail: true", "stale: true", "ttl: null"])
async def test_what_is_never_cached(memory: Served, arguments: str) -> None:
    """An error, a stale copy, no upstream data touched: executed every time, GET says no-store."""
    t = tag()
    query = f"query($t: String!) {{ value(tag: $t, {arguments}) }}"
    first = await ask(memory.url, query, get=True, t=t)
    second = await ask(memory.url, query, get=True, t=t)
    assert [first.headers["x-gateway-cache"], second.headers["x-gateway-cache"]] == ["MISS", "MISS"]
    assert first.headers["cache-control"] == "no-store" and RUNS[t] == 2


async def test_a_stale_answer_says_so_in_extensions(memory: Served) -> None:
    body = (await ask(memory.url, "query($t: String!) { value(tag: $t, stale: true) }", t=tag())).json()
    assert body["extensions"]["stale"] == [{"source": "perpstracker", "age": 42.0}]
    fresh = (await ask(memory.url, Q, t=tag())).json()
    assert "extensions" not in fresh or "stale" not in fresh["extensions"]


async def test_mutations_and_syntax_errors_pass_through(memory: Served) -> None:
    t = tag()
    for _ in range(2):
        answer = await ask(memory.url, "mutation($t: String!) { poke(tag: $t) }", t=t)
        assert answer.headers["x-gateway-cache"] == "BYPASS"
    assert RUNS[t] == 2
    broken = await ask(memory.url, "{ value(tag: ")
    assert broken.headers["x-gateway-cache"] == "BYPASS" and "errors" in broken.json()


async def test_switched_off_it_only_tags() -> None:
    t = tag()
    with served(None) as off:
        answers = [await ask(off.url, Q, t=t) for _ in range(2)]
    assert [a.headers["x-gateway-cache"] for a in answers] == ["BYPASS", "BYPASS"] and RUNS[t] == 2


def test_keys_memoize_raw_requests_and_documents() -> None:
    keys = KeyDeriver()
    body = b'{"query": "{ value(tag: \\"x\\") }"}'
    first = keys.of_body(body)
    assert first is not None and keys.of_body(body) == first
    assert keys.of_body(b'{"query":"{value(tag:\\"x\\")}","variables":{}}') == first
    assert keys.of_body(b'{"query":"{value(tag:\\"x\\")}","variables":{"a":1}}') != first
    assert keys.of_body(b'[{"query": "{ value }"}]') is None, "a batch is not cached"
    assert keys.of_body(b'{"query": "subscription { value }"}') is None
    assert keys.of_body(b'{"query": "query A { value } query B { value }"}') is None, "which one?"
    assert keys.of_body(b'{"query": "query A { value } query B { value }", "operationName": "B"}') is not None
    assert keys.of_query_string(b"query=%7B%20value%28tag%3A%20%22x%22%29%20%7D") == first


@pytest.mark.redis
async def test_two_replicas_share_answers_through_redis(redis_url: str) -> None:
    t = tag()
    with served(RedisStore(connect(redis_url))) as one, served(RedisStore(connect(redis_url))) as two:
        first = await ask(one.url, Q, t=t)
        second = await ask(two.url, Q, t=t)
        assert first.headers["x-gateway-cache"] == "MISS" and second.headers["x-gateway-cache"] == "HIT"
        assert RUNS[t] == 1 and two.layer.stats.executions == 0
        get = await ask(two.url, Q, get=True, t=t)
        assert get.headers["x-gateway-cache"] == "HIT" and int(get.headers["cache-control"].split("=")[1]) <= 30


@pytest.mark.redis
async def test_concurrent_cold_queries_on_two_replicas_execute_once(redis_url: str) -> None:
    t = tag()
    query = "query($t: String!) { value(tag: $t, delay: 0.3) }"
    with served(RedisStore(connect(redis_url))) as one, served(RedisStore(connect(redis_url))) as two:
        async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=100)) as client:
            answers = await asyncio.gather(*(
                client.post(f"{(one, two)[i % 2].url}/graphql", json={"query": query, "variables": {"t": t}})
                for i in range(40)))
    assert RUNS[t] == 1 and {a.content for a in answers} == {answers[0].content}


async def test_a_dead_redis_is_a_miss_not_an_error() -> None:
    from gateway.cli import free_port

    t = tag()
    with served(RedisStore(connect(f"redis://127.0.0.1:{free_port()}/0"))) as broken:
        answers = [await ask(broken.url, Q, t=t) for _ in range(2)]
    assert all(a.status_code == 200 and a.json()["data"]["value"] >= 1 for a in answers)
    assert [a.headers["x-gateway-cache"] for a in answers] == ["MISS", "HIT"], "the L1 still serves"


async def test_the_memory_store_is_bounded_and_forgets_the_least_recently_used_first() -> None:
    store = MemoryStore(max_entries=2, max_bytes=10)
    await store.put("a", b"1", 30)
    await store.put("b", b"2", 30)
    assert store.peek("a") is not None  # now b is the least recently used
    await store.put("c", b"3", 30)
    assert store.peek("b") is None and store.peek("a") is not None and store.peek("c") is not None
    await store.put("big", b"x" * 10, 30)
    assert len(store.entries) == 1 and store.entries.weight == 10, "bounded by bytes too"
    await store.put("gone", b"4", -1)
    assert store.peek("gone") is None
