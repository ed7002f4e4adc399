"""Runs one topic's bridge on this replica for as long as it holds the topic's lease.

The loop: try to take the lease (every `lease.retry` seconds while another replica holds it);
once held, start the bridge and renew the lease every ttl/3. If a renewal finds the lease gone,
or Redis cannot confirm it for a whole ttl, the bridge is cancelled (another replica may already
run it) and the loop goes back to trying. `decided` is set after the first lease attempt, and
`status` is the running bridge's `BridgeStatus` (status.py), so the hub can wait for the bridge's
baseline before it accepts a subscription and report the stream's state. A bridge that crashes is restarted with backoff: a
bridge's `run` is meant to return only when cancelled, so a crash is a bug, logged with its
traceback, but the topic's readers should not lose their stream for it. Cancelling the runner
cancels the bridge and releases the lease.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable

from gateway.coord.backoff import Backoff
from gateway.errors import GatewayError
from gateway.streams.lease import Lease
from gateway.streams.status import BridgeStatus, status_of
from gateway.streams.types import BridgeFactory, Publish, Topic

log = logging.getLogger("gateway.streams")

MAX_BACKOFF = 30.0


class TopicRunner:
    def __init__(self, topic: Topic, factory: BridgeFactory, lease: Lease, publish: Publish,
                 on_start: Callable[[Topic], None] | None = None,
                 on_failed: Callable[[Topic, GatewayError], None] | None = None, fail_after: float | None = None,
                 resume_from: Callable[[], str | None] | None = None) -> None:
        self.topic = topic
        self._factory = factory
        self._lease = lease
        self._publish = publish
        self._on_start = on_start
        self._on_failed = on_failed
        self._fail_after = fail_after
        self._resume_from = resume_from  # the last event id this replica delivered for the topic
        self.holding = False
        self.bridge_starts = 0
        self.decided = asyncio.Event()  # the first lease attempt is over (held or not)
        self.status: BridgeStatus | None = None  # the running bridge's, when it keeps one
        self.started = asyncio.Event()  # a bridge (and so `status`) exists

    async def run(self) -> None:
        name = self.topic.name
        while True:
            try:
                got = await self._lease.acquire(name)
            except Exception as exc:  # Redis unreachable: keep trying, readers still get other replicas' events
                log.warning("lease %s: cannot reach the lease store (%s)", name, type(exc).__name__)
                got = False
            self.holding = bool(got)
            self.decided.set()
            if not got:
                await asyncio.sleep(self._lease.retry * random.uniform(0.8, 1.2))
                continue
            self.holding = True
            try:
                await self._hold(name)
            finally:
                self.holding = False
                with contextlib.suppress(Exception):
                    await asyncio.shield(self._lease.release(name))

    async def _hold(self, name: str) -> None:
        """Run the bridge until the lease is lost (returns) or the runner is cancelled."""
        bridge = asyncio.create_task(self._run_bridge(), name=f"bridge {name}")
        try:
            ttl = self._lease.ttl
            if ttl is None:
                await bridge
                return
            confirmed = time.monotonic()
            while True:
                await asyncio.sleep(ttl / 3)
                try:
                    if not await self._lease.renew(name):
                        log.warning("lease %s: lost to another replica; stopping its bridge here", name)
                        return
                    confirmed = time.monotonic()
                except Exception as exc:
                    if time.monotonic() - confirmed > ttl:
                        log.warning("lease %s: unconfirmed for %.1fs (%s); stopping its bridge here",
                                    name, ttl, type(exc).__name__)
                        return
        finally:
            bridge.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await bridge

    def _watch(self, status: BridgeStatus | None) -> BridgeStatus:
        """The bridge's status, wired to the hub; a bridge without one counts as live at once."""
        if status is None:
            status = BridgeStatus()
            status.ok()
        if self._fail_after is not None:
            status.fail_after = self._fail_after
        on_failed = self._on_failed
        if on_failed is not None:
            status.on_failed = lambda error: on_failed(self.topic, error)
        return status

    async def _run_bridge(self) -> None:
        backoff = Backoff(1.0, MAX_BACKOFF)
        while True:
            self.bridge_starts += 1
            if self._on_start is not None:
                self._on_start(self.topic)
            started = time.monotonic()
            try:
                bridge = self._factory(self.topic)
                # a bridge started here after another replica's (a lease takeover) or after a crash
                # continues after the last event subscribers got, instead of priming from "now"
                last = self._resume_from() if self._resume_from is not None else None
                resume = getattr(bridge, "resume_after", None)
                if last is not None and resume is not None:
                    resume(last)
                self.status = self._watch(status_of(bridge))
                self.started.set()
                await bridge.run(self._publish)
                log.error("bridge %s returned without being cancelled; restarting it", self.topic.name)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("bridge %s failed; restarting it", self.topic.name)
            if time.monotonic() - started > MAX_BACKOFF:
                backoff.reset()  # it ran for a while: a new failure starts from the shortest wait
            await asyncio.sleep(backoff.next())
