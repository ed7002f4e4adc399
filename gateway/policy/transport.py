"""The upstream policy chain as an httpx transport: every upstream client sends through it.

    request ─> classify (the upstream's table) ─> fresh in cache? ── yes ─> cached answer
                                             │ no
                           single-flight (in-process, then Redis lock)
                                             │ the one caller that goes out:
                      ┌─> circuit closed? ─> rate-limit slot ─> send, read body ─> judge ─┐
                      └──────── retry (429/502/503/504/transport), backoff + jitter ──────┘
                                             │
                               2xx: the endpoint's validator (its source's wire type)
                                             │
          valid 2xx: store (ttl + max_stale)      failure or malformed: stale copy, if one is young enough

An answer is checked before anything keeps it: a body past `upstream_max_body` bytes is dropped
while it streams in, and a 2xx body that fails its endpoint's validator (an HTML page, truncated
JSON, a wrong shape, `null`) is a failed attempt, counted by the breaker like a 5xx and raised as
the source's `UPSTREAM_ERROR` (a `PolicyRefusal`); neither is retried (the same request would meet
it again) nor cached, and either lets a stale copy stand in.

Deadlines are per operation (`OperationStats.deadline_for`): the first upstream call of a GraphQL
operation starts `upstream_timeout`, and later calls of the same operation share what is left, so
the operation answers (fresh, stale or with an error) within one timeout however many calls it
makes in a row.

A freshness hint (`freshness.py`: `min_fresh_at`, set by a stream that re-reads after an event)
narrows "fresh": a cached answer fetched before the hint is not used, and the call goes out under
a single-flight key of its own (`…@fresh>hint`), so it never joins a call that started earlier.

Sources and clients know none of this: they are built with `transport=` (`runtime.py`). What the
chain raises is an httpx exception (see `refusal.py`), mapped at the usual boundary. Each answer
used is recorded on the operation: `touched(seconds it stays fresh)`, `served_stale(...)`, and
every network attempt in `upstream_calls` (and on the HTTP request's record, for its access line).
Each attempt is a client span carrying the W3C `traceparent` upstream, and a duration sample by
source, endpoint name and status class (gateway/observe).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpx

from gateway.coord.backoff import Backoff
from gateway.errors import UpstreamError, UpstreamUnavailable
from gateway.observe import request as request_record
from gateway.observe import tracing
from gateway.observe.metrics import CIRCUIT_OPENED, UPSTREAM_DURATION, UPSTREAM_MALFORMED, UPSTREAM_REQUESTS
from gateway.policy import caller, memo, operation
from gateway.policy.breaker import CircuitBreaker, State
from gateway.policy.endpoints import Classifier, Endpoint, with_ttl
from gateway.policy.fairness import CallerShares
from gateway.policy.freshness import min_fresh_at
from gateway.policy.keys import cache_key, credential_digest
from gateway.policy.ratelimit import RateLimiter
from gateway.policy.refusal import PolicyRefusal
from gateway.policy.retry import BACKOFF_BASE, BACKOFF_CAP, retry_after, retryable_error, retryable_status
from gateway.policy.shared import Shared
from gateway.policy.singleflight import across_replicas
from gateway.policy.store import Answer

OUTAGE_STATUSES = frozenset({429, 500, 502, 503, 504})  # answers that stale copies stand in for


@dataclass
class Upstream:
    """What the chain knows about one upstream."""

    source: str  # the `source` of errors: the upstream's one name
    label: str  # how messages name it
    table: Classifier
    base_path: str  # the configured base URL's path; tables match below it
    limiter: RateLimiter
    breaker: CircuitBreaker
    graphql: bool = False  # a 200 carrying `errors` is a failed answer, not data
    shares: CallerShares | None = None  # each caller's share of the buckets (fairness.py)


class PolicyTransport(httpx.AsyncBaseTransport):
    def __init__(self, upstream: Upstream, shared: Shared, inner: httpx.AsyncBaseTransport) -> None:
        self.up, self.shared, self.inner = upstream, shared, inner
        settings = shared.settings
        self.timeout, self.rate_limit_wait = settings.upstream_timeout, settings.rate_limit_wait
        self.ttl_overrides, self.max_stale = settings.cache_ttl_overrides, settings.max_stale
        self.retries = settings.upstream_retries
        self.backoff = Backoff(BACKOFF_BASE, BACKOFF_CAP, jitter="full")
        self.max_body = settings.upstream_max_body
        # the calls this transport has out: a single-flight call runs as its own task and outlives
        # a caller that went away, so closing must end them before the pool under them closes
        self._loads: set[asyncio.Task[object]] = set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        path = request.url.path
        if path.startswith(self.up.base_path):
            path = path[len(self.up.base_path):] or "/"
        endpoint = with_ttl(self.up.table.classify(request.method, path, body), self.ttl_overrides)
        stats = operation.current()
        deadline = stats.deadline_for(asyncio.get_running_loop().time(), self.timeout)
        if endpoint.ttl <= 0:
            stats.touched(0.0)  # data that must not be cached makes its response uncacheable too
            await self._charge(endpoint)
            memo.unkept()
            return (await self._call(request, endpoint, deadline)).response(request)
        key = cache_key(self.up.source, endpoint, request, body)
        hint = min_fresh_at()
        store = self.shared.store
        cached = await store.get(key)
        if cached is not None and _usable(cached, endpoint.ttl, hint):
            stats.touched(endpoint.ttl - cached.age())
            memo.used(store, key, cached.fetched_at, endpoint.ttl)
            return cached.response(request)
        flight = key if hint is None else f"{key}@fresh>{hint:.6f}"
        try:
            await self._charge(endpoint)  # a miss this caller asks for: its share pays (fairness.py)
            answer = await self.shared.flights.run(flight, lambda: self._load(key, endpoint, request, deadline, hint))
        except httpx.TransportError:  # unreachable, timed out, circuit open, no rate-limit slot, no share
            memo.unkept()
            stale = await self._stale(key, endpoint)
            if stale is None:
                raise
            return stale.response(request)
        if self._keepable(answer):
            stats.touched(max(0.0, endpoint.ttl - answer.age()))
            memo.used(store, key, answer.fetched_at, endpoint.ttl)  # valid only if the store kept it
        else:
            memo.unkept()
            stale = await self._stale(key, endpoint) if answer.status in OUTAGE_STATUSES else None
            if stale is not None:
                return stale.response(request)
            stats.uncacheable = True
        return answer.response(request)

    async def _charge(self, endpoint: Endpoint) -> None:
        if self.up.shares is not None:
            await self.up.shares.charge(caller.current(), endpoint.bucket)

    def _keepable(self, answer: Answer) -> bool:
        return answer.ok and not (self.up.graphql and b'"errors"' in answer.body)

    async def _load(self, key: str, endpoint: Endpoint, request: httpx.Request, deadline: float,
                    hint: float | None = None) -> Answer:
        """The call this process makes for `key` (its concurrent callers share it)."""
        task = asyncio.current_task()
        if task is not None:  # the flight's own task (coord.singleflight): `aclose` ends it
            self._loads.add(task)
            task.add_done_callback(self._loads.discard)
        store = self.shared.store

        async def fetch() -> Answer:
            answer = await self._call(request, endpoint, deadline)
            if self._keepable(answer):
                await store.put(key, answer, endpoint.ttl)
            return answer

        async def look() -> Answer | None:
            found = await store.get(key)
            return found if found is not None and _usable(found, endpoint.ttl, hint) else None

        if self.shared.lock is None:
            return await fetch()
        return await across_replicas(self.shared.lock, key, deadline, fetch, look)

    async def _stale(self, key: str, endpoint: Endpoint) -> Answer | None:
        found = await self.shared.store.get(key)
        if found is None or not self._keepable(found) or found.age() >= endpoint.ttl + self.max_stale:
            return None
        operation.current().served_stale(self.up.source, found.age())
        return found

    async def _call(self, request: httpx.Request, endpoint: Endpoint, deadline: float) -> Answer:
        """Attempts until one is final: breaker, rate-limit slot, send; retries within the deadline."""
        loop = asyncio.get_running_loop()
        key_id = credential_digest(request)
        attempt = 0
        while True:
            if not self.up.breaker.allow():
                raise PolicyRefusal(UpstreamUnavailable(
                    self.up.source, f"{self.up.label} is unavailable (circuit open)"), request)
            answer: Answer | None = None
            failure: httpx.TransportError | None = None
            judged = False
            try:
                slot = await self.up.limiter.acquire(
                    endpoint.bucket, key_id, min(deadline, loop.time() + self.rate_limit_wait), deadline)
                try:
                    answer = await self._attempt(request, endpoint, deadline)
                except httpx.TransportError as exc:
                    failure, judged = exc, True
                    self._failed()
                finally:
                    await slot.release()
                if answer is not None:
                    problem = self._malformed(endpoint, answer)
                    if problem is None:
                        self._judge(answer.status)
                    else:
                        self._failed()
                        UPSTREAM_MALFORMED.labels(source=self.up.source).inc()
                        failure = PolicyRefusal(UpstreamError(self.up.source, problem), request)
                    judged = True
                    await self.up.limiter.learn(endpoint.bucket, key_id, answer.status, dict(answer.headers))
            finally:
                if not judged:  # no slot, or cancelled: this attempt says nothing about the upstream
                    self.up.breaker.neutral()
            again = (retryable_error(failure, endpoint.read) if failure is not None
                     else answer is not None and retryable_status(answer.status, endpoint.read))
            if again and attempt < self.retries:
                floor = retry_after(dict(answer.headers), answer.status) if answer is not None else None
                delay = max(self.backoff.delay(attempt), floor or 0.0)
                if loop.time() + delay < deadline:  # a retry that cannot finish in time is not made
                    await asyncio.sleep(delay)
                    attempt += 1
                    continue
            if failure is not None:
                raise failure
            assert answer is not None
            return answer

    def _malformed(self, endpoint: Endpoint, answer: Answer) -> str | None:
        """Why a 2xx answer is not the endpoint's wire type, or None when it is (or is not a 2xx)."""
        if not answer.ok or endpoint.validate is None:
            return None
        try:
            endpoint.validate(answer.body)
        except Exception as exc:  # a validator's every complaint means the same thing: not this wire type
            return f"{self.up.label} sent a malformed answer ({_reason(exc)})"
        return None

    def _failed(self) -> None:
        was_open = self.up.breaker.state is State.OPEN
        self.up.breaker.failure()
        if not was_open and self.up.breaker.state is State.OPEN:
            CIRCUIT_OPENED.labels(source=self.up.source).inc()

    def _judge(self, status: int) -> None:
        if status >= 500:
            self._failed()
        elif status == 429:
            self.up.breaker.neutral()
        else:
            self.up.breaker.success()

    async def _attempt(self, request: httpx.Request, endpoint: Endpoint, deadline: float) -> Answer:
        """One network call, body read in full, bounded by what is left of the deadline."""
        loop = asyncio.get_running_loop()
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise httpx.ReadTimeout("the upstream deadline passed", request=request)
        operation.current().upstream_calls += 1
        record = request_record.current()
        if record is not None:
            record.upstream_calls += 1
        source = self.up.source
        started = loop.time()
        status: str | None = None  # stays None when cancelled: that attempt is not counted
        attributes = {"gateway.source": source, "gateway.endpoint": endpoint.name,
                      "http.request.method": request.method}
        with tracing.span(f"upstream {source} {endpoint.name}", tracing.SpanKind.CLIENT,
                          attributes=attributes) as span:
            tracing.inject(request.headers)  # this attempt's span is the upstream's parent
            try:
                async with asyncio.timeout(remaining):
                    response = await self.inner.handle_async_request(request)
                    try:
                        body = await self._read(response, request)
                    finally:
                        await response.aclose()
            except TimeoutError as exc:
                status = "timeout"
                raise httpx.ReadTimeout("the upstream did not answer before the deadline", request=request) from exc
            except PolicyRefusal:  # the body grew past `upstream_max_body`
                status = "too_large"
                raise
            except httpx.TransportError:
                status = "unreachable"
                raise
            else:
                status = f"{response.status_code // 100}xx"
                span.set_attribute("http.response.status_code", response.status_code)
                if response.status_code >= 500:
                    tracing.mark_error(span, f"HTTP {response.status_code}")
            finally:
                if status is not None:
                    UPSTREAM_REQUESTS.labels(outcome=status, source=source).inc()
                    UPSTREAM_DURATION.labels(source=source, endpoint=endpoint.name, status=status).observe(
                        loop.time() - started)
        return Answer.of(response, body)

    async def _read(self, response: httpx.Response, request: httpx.Request) -> bytes:
        """The body in full (decoded), or a refusal as soon as it passes `upstream_max_body` bytes."""
        chunks, size = [], 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > self.max_body:
                raise PolicyRefusal(UpstreamError(
                    self.up.source, f"{self.up.label} sent an answer larger than {self.max_body} bytes"), request)
            chunks.append(chunk)
        return b"".join(chunks)

    async def aclose(self) -> None:
        """End the calls still out, then close the pool. A flight whose callers were cancelled
        keeps running (single-flight shields it); closing the pool under it would leave a socket
        it is still connecting open, reported later as an unclosed transport when collected."""
        loads = [t for t in self._loads if not t.done()]
        for task in loads:
            task.cancel()
        if loads:
            await asyncio.gather(*loads, return_exceptions=True)
        await self.inner.aclose()  # the shared Redis client is the app's to close


def _usable(answer: Answer, ttl: float, hint: float | None) -> bool:
    """A cached answer may serve: a success, within its TTL, and not fetched before the hint."""
    return answer.ok and answer.age() < ttl and (hint is None or answer.fetched_at >= hint)


def _reason(exc: Exception) -> str:
    """A short, caller-safe reason: the validator's message, cut (it never holds a URL or a key)."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:120]
