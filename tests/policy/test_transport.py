"""The chain end to end over httpx.MockTransport: cache, single-flight, retries, breaker, stale, mapping."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from redis.asyncio import Redis

from gateway.errors import GatewayError, UpstreamError, UpstreamRateLimited, UpstreamUnavailable
from gateway.policy import operation
from gateway.policy.runtime import UpstreamPolicy
from gateway.sources.http import request_json
from tests.policy.helpers import Scripted, client_for, settings

OK = httpx.Response(200, json={"SOL": "187.5"})  # a /prices answer
BOARD = httpx.Response(200, json={"data": [{"wallet_address": "W", "rank": 1}]})  # a leaderboard answer


async def test_an_answer_is_reused_within_its_ttl_whatever_the_query_order() -> None:
    upstream = Scripted(BOARD)
    stats, token = operation.begin()
    try:
        async with client_for(upstream) as client:
            first = await client.get("/perpetuals/leaderboard/24h", params={"limit": 10, "offset": 0})
            second = await client.get("/perpetuals/leaderboard/24h?offset=0&limit=10")
            other = await client.get("/perpetuals/leaderboard/24h?offset=0&limit=11")
    finally:
        operation.end(token)
    assert first.json() == second.json() == BOARD.json() and other.status_code == 200
    assert upstream.calls == 2 and stats.upstream_calls == 2
    assert stats.min_ttl is not None and 59 < stats.min_ttl <= 60  # the leaderboard's TTL, as good as new


async def test_uncacheable_endpoints_and_failed_answers_always_go_out() -> None:
    upstream = Scripted(httpx.Response(404, json={"error": "no"}), OK)
    async with client_for(upstream, cache_ttl_overrides={"perpstracker.prices": 0}) as client:
        assert (await client.get("/prices")).status_code == 404  # not cached ...
        assert (await client.get("/prices")).status_code == 200
        assert (await client.get("/prices")).status_code == 200  # ... and TTL 0: never cached
        assert (await client.get("/perpetuals/account")).status_code == 200
    assert upstream.calls == 4


async def test_a_graphql_answer_with_errors_is_not_cached() -> None:
    upstream = Scripted(httpx.Response(200, json={"errors": [{"message": "bad"}], "data": None}),
                        httpx.Response(200, json={"data": {"perp": {"borrowings": []}}}))
    body = {"query": "query GatewayBorrowings { perp { borrowings { marketId } } }"}
    async with client_for(upstream, source="nibiru") as client:
        for _ in range(3):
            await client.post("", json=body)
    assert upstream.calls == 2


async def test_concurrent_identical_requests_share_one_call() -> None:
    gate = asyncio.Event()
    upstream = Scripted(OK, gate=gate)
    async with client_for(upstream) as client:
        calls = [asyncio.ensure_future(client.get("/prices")) for _ in range(50)]
        await upstream.arrived.wait()  # the one call is out (the others joined it, or find its answer)
        gate.set()
        answers = await asyncio.gather(*calls)
    assert upstream.calls == 1 and {a.text for a in answers} == {OK.text}


class Held(Scripted):
    """An upstream that holds every call until it is cancelled, and remembers that it was."""

    def __init__(self) -> None:
        super().__init__(OK, gate=asyncio.Event())
        self.cancelled = False

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        try:
            return await super().__call__(request)
        except asyncio.CancelledError:
            self.cancelled = True
            raise


async def test_closing_the_client_ends_a_call_whose_caller_went_away() -> None:
    """A cancelled caller leaves its single-flight call running (others may share it); closing
    must end that call before the pool under it closes, or a socket it is still connecting leaks
    (seen as an unclosed transport in whichever test ran the garbage collector)."""
    upstream = Held()
    async with client_for(upstream) as client:
        caller = asyncio.ensure_future(client.get("/prices"))
        await upstream.arrived.wait()
        caller.cancel()
        with pytest.raises(asyncio.CancelledError):
            await caller
        assert not upstream.cancelled  # the flight outlives its caller ...
    assert upstream.cancelled  # ... until the client closes


async def test_retries_honour_retry_after() -> None:
    times: list[float] = []

    def limited(request: httpx.Request) -> httpx.Response:
        times.append(asyncio.get_running_loop().time())
        return httpx.Response(429, headers={"Retry-After": "0.3"}, json={"error": "slow down"})

    upstream = Scripted(limited, OK)
    async with client_for(upstream) as client:
        assert (await client.get("/prices")).status_code == 200
    assert upstream.calls == 2 and len(times) == 1
    # a Retry-After the deadline cannot wait for is not waited for: the 429 is the answer
    upstream = Scripted(httpx.Response(429, headers={"Retry-After": "60"}), OK)
    async with client_for(upstream) as client:
        with pytest.raises(UpstreamRateLimited) as info:
            await request_json(client, "perpstracker", "GET", "/prices")
    assert upstream.calls == 1 and info.value.retry_after == 60


async def test_the_retry_waits_at_least_as_long_as_retry_after_says() -> None:
    times: list[float] = []

    def record(response: httpx.Response) -> httpx.Response:
        times.append(asyncio.get_running_loop().time())
        return response

    upstream = Scripted(lambda r: record(httpx.Response(503, headers={"Retry-After": "0.25"})),
                        lambda r: record(OK))
    async with client_for(upstream) as client:
        assert (await client.get("/prices")).status_code == 200
    assert len(times) == 2 and times[1] - times[0] >= 0.25


@pytest.mark.parametrize(("script", "attempts", "status"), [
    ([httpx.Response(503)], 3, 503),  # 1 + upstream_retries (2)
    ([httpx.Response(502), httpx.Response(504), OK], 3, 200),
    ([httpx.Response(500)], 1, 500),  # a 500 is the upstream's bug: asking again does not help
    ([httpx.Response(400)], 1, 400),
    ([httpx.ConnectError("refused"), OK], 2, 200),
    ([httpx.ReadTimeout("slow"), OK], 2, 200),
])
async def test_reads_are_retried_on_429_502_503_504_and_transport_errors(
    script: list[httpx.Response | Exception], attempts: int, status: int
) -> None:
    upstream = Scripted(*script)
    stats, token = operation.begin()
    try:
        async with client_for(upstream, max_stale=0.0) as client:
            assert (await client.get("/prices")).status_code == status
    finally:
        operation.end(token)
    assert upstream.calls == attempts == stats.upstream_calls


async def test_writes_are_retried_only_when_they_surely_did_not_arrive() -> None:
    upstream = Scripted(httpx.Response(503))
    async with client_for(upstream) as client:
        assert (await client.post("/perpetuals/watchlist/add", json={"wallet_address": "x"})).status_code == 503
    assert upstream.calls == 1
    upstream = Scripted(httpx.ConnectError("refused"), httpx.Response(429, headers={"Retry-After": "0"}), OK)
    async with client_for(upstream) as client:
        assert (await client.post("/perpetuals/watchlist/add", json={"wallet_address": "x"})).status_code == 200
    assert upstream.calls == 3


async def test_a_stale_copy_answers_when_the_upstream_fails_and_is_marked() -> None:
    upstream = Scripted(OK, httpx.ConnectError("refused"), httpx.Response(503))
    overrides = {"cache_ttl_overrides": {"perpstracker.prices": 0.05}, "max_stale": 60.0, "upstream_retries": 0}
    async with client_for(upstream, **overrides) as client:
        await client.get("/prices")
        await asyncio.sleep(0.1)
        stats, token = operation.begin()
        try:
            refused = await client.get("/prices")  # connection refused
            unavailable = await client.get("/prices")  # 503
        finally:
            operation.end(token)
    assert refused.json() == unavailable.json() == {"SOL": "187.5"} and upstream.calls == 3
    assert [n.source for n in stats.stale] == ["perpstracker", "perpstracker"]
    assert all(0.05 <= n.age < 60 for n in stats.stale) and stats.uncacheable


async def test_without_a_young_enough_copy_the_failure_is_the_answer() -> None:
    upstream = Scripted(OK, httpx.ConnectError("refused"))
    overrides = {"cache_ttl_overrides": {"perpstracker.prices": 0.05}, "max_stale": 0.0, "upstream_retries": 0}
    async with client_for(upstream, **overrides) as client:
        await client.get("/prices")
        await asyncio.sleep(0.1)
        with pytest.raises(UpstreamUnavailable):
            await request_json(client, "perpstracker", "GET", "/prices")


async def test_the_circuit_opens_after_the_threshold_and_closes_after_a_good_trial() -> None:
    upstream = Scripted(httpx.ConnectError("refused"), httpx.ConnectError("refused"), OK)
    overrides = {"breaker_threshold": 2, "breaker_cooldown": 0.2, "upstream_retries": 0,
                 "cache_ttl_overrides": {"perpstracker.prices": 0}}
    async with client_for(upstream, **overrides) as client:
        for _ in range(2):
            with pytest.raises(UpstreamUnavailable, match="unreachable"):
                await request_json(client, "perpstracker", "GET", "/prices")
        with pytest.raises(UpstreamUnavailable, match="circuit open") as info:
            await request_json(client, "perpstracker", "GET", "/prices")
        assert upstream.calls == 2 and info.value.source == "perpstracker"
        await asyncio.sleep(0.25)
        assert (await client.get("/prices")).status_code == 200  # the trial
        assert (await client.get("/prices")).status_code == 200  # closed again
    assert upstream.calls == 4


async def test_an_open_circuit_is_answered_from_stale_cache() -> None:
    upstream = Scripted(OK, httpx.ConnectError("refused"))
    overrides = {"breaker_threshold": 1, "breaker_cooldown": 60.0, "upstream_retries": 0,
                 "cache_ttl_overrides": {"perpstracker.prices": 0.05}}
    async with client_for(upstream, **overrides) as client:
        await client.get("/prices")
        await asyncio.sleep(0.1)
        await client.get("/prices")  # refused: opens the circuit, answered stale
        stats, token = operation.begin()
        try:
            assert (await client.get("/prices")).json() == {"SOL": "187.5"}
        finally:
            operation.end(token)
    assert upstream.calls == 2 and stats.upstream_calls == 0 and len(stats.stale) == 1


async def test_no_rate_limit_slot_in_time_is_rate_limited_or_stale() -> None:
    upstream = Scripted(OK)
    overrides = {"perpstracker_rate_limits": {"live_trades": (1, 1)}, "rate_limit_wait": 0.1,
                 "cache_ttl_overrides": {"perpstracker.prices": 0.05}}
    async with client_for(upstream, **overrides) as client:
        await client.get("/prices")
        with pytest.raises(UpstreamRateLimited) as info:
            await request_json(client, "perpstracker", "GET", "/perpetuals/live-trades")
        assert 50 < info.value.retry_after <= 62  # the minute's one call is spent
        await asyncio.sleep(0.1)
        assert (await client.get("/prices")).json() == {"SOL": "187.5"}  # stale instead of refused
    assert upstream.calls == 1


@pytest.mark.redis
async def test_replicas_on_one_redis_share_one_call_and_its_answer(redis_url: str, redis_client: Redis) -> None:
    gate = asyncio.Event()
    positions = httpx.Response(200, json={"positions": []})
    upstreams = [Scripted(positions, gate=gate) for _ in range(3)]
    policies = [UpstreamPolicy(settings(redis_url=redis_url), redis_client) for _ in range(3)]
    path = f"/perpetuals/trader/{id(gate)}/positions"  # a key no other test uses
    async with client_for(upstreams[0], policy=policies[0]) as a, client_for(upstreams[1], policy=policies[1]) as b:
        calls = [asyncio.ensure_future(c.get(path)) for c in (a, b, a, b)]
        arrivals = [asyncio.ensure_future(u.arrived.wait()) for u in upstreams[:2]]
        await asyncio.wait(arrivals, return_when=asyncio.FIRST_COMPLETED)  # one replica's call is out
        for arrival in arrivals:
            arrival.cancel()
        gate.set()
        answers = await asyncio.gather(*calls)
    assert {r.status_code for r in answers} == {200} and upstreams[0].calls + upstreams[1].calls == 1
    async with client_for(upstreams[2], policy=policies[2]) as c:
        assert (await c.get(path)).json() == {"positions": []}
    assert upstreams[2].calls == 0


async def test_every_refusal_reaches_callers_as_its_gateway_error() -> None:
    upstream = Scripted(httpx.ConnectError("refused"))
    async with client_for(upstream, breaker_threshold=1, upstream_retries=0, max_stale=0.0) as client:
        with pytest.raises(GatewayError):
            await request_json(client, "perpstracker", "GET", "/prices")
        with pytest.raises(UpstreamUnavailable) as info:
            await request_json(client, "perpstracker", "GET", "/prices")
    assert info.value.extensions() == {"code": "UPSTREAM_UNAVAILABLE", "source": "perpstracker"}


HTML = httpx.Response(200, headers={"content-type": "text/html"}, content=b"<html>502 Bad Gateway</html>")


async def test_a_malformed_answer_is_an_upstream_error_and_never_cached() -> None:
    upstream = Scripted(HTML, BOARD)
    async with client_for(upstream, upstream_retries=2) as client:
        with pytest.raises(UpstreamError) as info:
            await request_json(client, "perpstracker", "GET", "/perpetuals/leaderboard/24h")
        assert await request_json(client, "perpstracker", "GET", "/perpetuals/leaderboard/24h") == BOARD.json()
        assert await request_json(client, "perpstracker", "GET", "/perpetuals/leaderboard/24h") == BOARD.json()
    assert info.value.extensions() == {"code": "UPSTREAM_ERROR", "source": "perpstracker"}
    assert "malformed" in info.value.message
    assert upstream.calls == 2  # not retried (the same request meets it again), not cached; the good one is


async def test_malformed_answers_count_as_failures_for_the_breaker() -> None:
    upstream = Scripted(httpx.Response(200, json=None))
    async with client_for(upstream, breaker_threshold=2, upstream_retries=0, max_stale=0.0) as client:
        for _ in range(2):
            with pytest.raises(UpstreamError):
                await request_json(client, "perpstracker", "GET", "/perpetuals/leaderboard/24h")
        with pytest.raises(UpstreamUnavailable) as info:
            await request_json(client, "perpstracker", "GET", "/perpetuals/leaderboard/24h")
    assert "circuit open" in info.value.message and upstream.calls == 2


async def test_a_malformed_answer_lets_the_last_good_one_stand_in_marked_stale() -> None:
    upstream = Scripted(BOARD, httpx.Response(200, json={"data": {"items": []}}))
    stats, token = operation.begin()
    try:
        async with client_for(upstream, cache_ttl_overrides={"perpstracker.leaderboard": 0.01}) as client:
            await client.get("/perpetuals/leaderboard/24h")
            await asyncio.sleep(0.02)  # the passage of time under test: past the 0.01 s TTL
            stale = await client.get("/perpetuals/leaderboard/24h")
    finally:
        operation.end(token)
    assert stale.json() == BOARD.json() and [n.source for n in stats.stale] == ["perpstracker"]


async def test_an_answer_past_the_body_limit_is_refused_while_it_streams() -> None:
    async def endless() -> AsyncIterator[bytes]:
        while True:
            yield b"x" * 65536

    upstream = Scripted(lambda request: httpx.Response(200, stream=ByteStream(endless())))
    async with client_for(upstream, upstream_max_body=2**20) as client:
        with pytest.raises(UpstreamError) as info:
            await request_json(client, "perpstracker", "GET", "/prices")
    assert "larger than 1048576 bytes" in info.value.message and upstream.calls == 1


class ByteStream(httpx.AsyncByteStream):
    def __init__(self, chunks: AsyncIterator[bytes]) -> None:
        self.chunks = chunks

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self.chunks:
            yield chunk


async def test_one_operation_shares_one_upstream_deadline() -> None:
    """Two calls in a row to a hanging upstream end together within one timeout, not one each."""
    gate = asyncio.Event()  # never set: the upstream never answers
    upstream = Scripted(BOARD, gate=gate)
    stats, token = operation.begin()
    loop = asyncio.get_running_loop()
    try:
        async with client_for(upstream, upstream_timeout=0.3, upstream_retries=0) as client:
            for path in ("/perpetuals/leaderboard/24h", "/perpetuals/leaderboard/7d"):
                with pytest.raises(httpx.ReadTimeout):
                    await client.get(path)
    finally:
        operation.end(token)
    assert stats.deadline is not None and loop.time() >= stats.deadline
    assert upstream.calls == 1  # the second call had no time left, so it never went out


async def test_a_task_that_outlives_its_operation_gets_deadlines_of_its_own() -> None:
    stats, token = operation.begin()
    first = stats.deadline_for(100.0, 1.0)
    operation.end(token)
    assert first == 101.0 and stats.deadline_for(500.0, 1.0) == 501.0  # not the spent 101
