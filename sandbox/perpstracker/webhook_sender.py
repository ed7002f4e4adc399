"""Delivers webhook events: signed POSTs with a 10 s timeout and retries after 1 s, 5 s and 30 s.

Market listeners only `enqueue` (never block, never await): a bounded queue feeds one worker
started in the simulator's lifespan, and each delivery runs as its own task so a receiver that
is slow or failing (and waiting out its retry delays) does not hold up the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import httpx

from sandbox.perpstracker.store import Webhook
from sandbox.perpstracker.wire import js_dumps

log = logging.getLogger(__name__)

# The documented retry schedule. A webhook created with the sandbox-only `retry_delays` body
# field uses its own schedule instead (tests cannot reach into the sandbox process).
RETRY_DELAYS: tuple[float, ...] = (1.0, 5.0, 30.0)
TIMEOUT_S = 10.0
QUEUE_MAX = 1000
USER_AGENT = "PerpsTracker-Webhooks/1.0"


@dataclass(frozen=True)
class Delivery:
    hook: Webhook
    body: bytes


def signature(secret: str, body: bytes) -> str:
    """`sha256=<hex HMAC-SHA256 of the exact raw body bytes>`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookSender:
    def __init__(self, is_live: Callable[[Webhook], bool]) -> None:
        self._is_live = is_live
        self._queue: asyncio.Queue[Delivery] = asyncio.Queue(maxsize=QUEUE_MAX)
        self._client: httpx.AsyncClient | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.dropped = 0

    def enqueue(self, hook: Webhook, payload: dict[str, object]) -> None:
        try:
            self._queue.put_nowait(Delivery(hook, js_dumps(payload)))
        except asyncio.QueueFull:
            self.dropped += 1

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        async with httpx.AsyncClient(timeout=TIMEOUT_S, trust_env=False) as client:
            self._client = client
            worker = asyncio.create_task(self._run())
            try:
                yield
            finally:
                worker.cancel()
                pending = [worker, *self._tasks]
                for task in self._tasks:
                    task.cancel()
                await asyncio.gather(*pending, return_exceptions=True)
                self._client = None

    async def _run(self) -> None:
        while True:
            delivery = await self._queue.get()
            task = asyncio.create_task(self._deliver(delivery))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _deliver(self, d: Delivery) -> None:
        delays = d.hook.retry_delays if d.hook.retry_delays is not None else RETRY_DELAYS
        for attempt in range(len(delays) + 1):
            if attempt:
                await asyncio.sleep(delays[attempt - 1])
            if not self._is_live(d.hook):  # deleted (or the sandbox was reset) meanwhile
                return
            ok, _ = await self.post(d.hook, d.body)
            if ok:
                return

    async def post(self, hook: Webhook, body: bytes) -> tuple[bool, int | None]:
        """One attempt; counts it on the webhook. Returns (delivered, HTTP status or None)."""
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Webhook-Signature": signature(hook.secret, body),
            "X-Webhook-Timestamp": str(int(time.time() * 1000)),
            "X-Webhook-Id": hook.id,
        }
        status: int | None = None
        try:
            if self._client is not None:
                resp = await self._client.post(hook.url, content=body, headers=headers)
            else:  # outside the lifespan (e.g. an app run without it): a one-off client
                async with httpx.AsyncClient(timeout=TIMEOUT_S, trust_env=False) as client:
                    resp = await client.post(hook.url, content=body, headers=headers)
            status = resp.status_code
        except httpx.HTTPError as exc:
            log.info("webhook %s: %s", hook.id, exc)
        ok = status is not None and 200 <= status < 300
        if ok:
            hook.success_count += 1
        else:
            hook.failure_count += 1
        return ok, status
