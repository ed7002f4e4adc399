"""The stream hub: one upstream stream per topic, fanned out to every subscriber.

- `subscribe(topic, ...)` registers a bounded `HubSubscription`; the first subscriber of a topic
  on this replica subscribes the hub to the topic's broadcast channel (before returning, so no
  event published afterwards is missed) and starts its `TopicRunner`, which runs the bridge while
  this replica holds the topic's lease (always, without Redis). The last one leaving starts a
  linger timer (`linger` seconds); a subscriber arriving in time keeps the bridge running.
- `publish(event)` goes through the event backend (backend.py: in-memory, or
  `RedisPubSubBackend` with REDIS_URL, which reaches every replica). One listener task per
  replica takes events off the backend, drops ids the topic saw recently (`coord.idset`) and puts
  each event on every local subscriber's queue. Events stay objects: without Redis the listener
  gets the very object the bridge published (nothing is encoded in one process). A full queue drops that subscriber only
  (subscriber.py states the policy); dispatch never waits for a reader.
- A subscription is *accepted* when `open` returns: after the channel is subscribed and after the
  topic's bridge (when this replica runs it) has taken its baseline (`BridgeStatus.primed`, waited
  at most `prime_wait` seconds, and not past the bridge's first failed attempt), so every
  upstream event after the acceptance is owed to it and
  sent (docs/operations-streams.md states the guarantee). A topic whose bridge is `failed` refuses
  new subscriptions with the bridge's error and ends the current ones with it.
- A topic that carries states (events with `state=True`: a market list, prices, balances) keeps
  its last one; a subscriber joining the topic later gets it first, at once, in the same step that
  registers it (so nothing dispatched afterwards can come before it, and nothing is sent twice).
- `stop()` ends every subscription (their streams complete), cancels every bridge and releases
  every lease.

broadcaster's `Broadcast` class is not used: its per-subscriber queues are unbounded, and it
carries text. The hub keeps broadcaster's backend shape (connect, subscribe, publish,
next_published) for objects and does the local fan-out itself with bounded queues.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from gateway.coord.idset import IdSet
from gateway.errors import GatewayError, TooManySubscriptions
from gateway.observe.metrics import STREAM_EVENTS, STREAM_SUBSCRIBERS, STREAM_TOPICS, MirroredCounter
from gateway.streams.backend import EventBackend
from gateway.streams.lease import Lease, LocalLease
from gateway.streams.messages import channel_of
from gateway.streams.runner import TopicRunner
from gateway.streams.subscriber import HubSubscription
from gateway.streams.types import BridgeFactory, StreamEvent, Topic

log = logging.getLogger("gateway.streams")


@dataclass
class _TopicState:
    topic: Topic
    subscribers: set[HubSubscription] = field(default_factory=set)
    recent: IdSet = field(default_factory=IdSet)
    last_id: str | None = None  # the newest event delivered here: where a bridge started here resumes
    last_state: StreamEvent | None = None  # the newest state event: what a late joiner gets first
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    retired: asyncio.Event = field(default_factory=asyncio.Event)
    retiring: bool = False
    runner: TopicRunner | None = None
    task: asyncio.Task[None] | None = None
    linger: asyncio.TimerHandle | None = None


class Hub:
    def __init__(self, bridges: BridgeFactory, backend: EventBackend, lease: Lease | None = None, *,
                 linger: float = 5.0, queue_size: int = 256, dedup_size: int = 2048,
                 queue_bytes: int = 4 * 2**20, max_topics: int = 1000, prime_wait: float = 5.0,
                 fail_after: float | None = None) -> None:
        self._bridges = bridges
        self._backend = backend
        self._lease: Lease = lease or LocalLease()
        self.linger = linger
        self.queue_size = queue_size
        self.queue_bytes = queue_bytes
        self.max_topics = max_topics  # upstream topics open at once on this replica (lingering ones count)
        self._dedup_size = dedup_size
        self.prime_wait = prime_wait
        self.fail_after = fail_after
        self._topics: dict[str, _TopicState] = {}
        self._listener: asyncio.Task[None] | None = None
        self._stopping = False
        self.counters: Counter[str] = MirroredCounter(STREAM_EVENTS, "counter")  # also in /metrics
        self.bridge_starts: Counter[str] = Counter()

    # ---- lifecycle ----

    async def start(self) -> None:
        await self._backend.connect()
        self._listener = asyncio.create_task(self._listen(), name="stream hub listener")

    async def stop(self) -> None:
        """Complete every subscription, cancel every bridge, release every lease."""
        self._stopping = True
        states = list(self._topics.values())
        for state in states:
            for sub in list(state.subscribers):
                sub.end()
            if state.linger is not None:
                state.linger.cancel()
        tasks = [s.task for s in states if s.task is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        await self._backend.disconnect()

    # ---- subscribing ----

    @contextlib.asynccontextmanager
    async def subscribe(self, topic: Topic, *more: Topic) -> AsyncIterator[HubSubscription]:
        """The events of `topic` (and `more`), as published, until the block exits."""
        sub = await self.open(topic, *more)
        try:
            yield sub
        finally:
            await sub.aclose()

    async def open(self, *topics: Topic) -> HubSubscription:
        """A registered subscription, ready to receive; the caller must `aclose()` it."""
        if self._stopping:
            raise RuntimeError("the stream hub is stopping")
        new = {t.name for t in topics} - set(self._topics)
        if new and len(self._topics) + len(new) > self.max_topics:
            self.counters["topics_refused"] += 1
            raise TooManySubscriptions(
                f"This gateway already follows {len(self._topics)} upstream streams (the limit); retry later")
        sub = HubSubscription(tuple(topics), self.queue_size, self._release, self.queue_bytes)
        states = []
        for topic in dict.fromkeys(topics):
            state = await self._state_for(topic)
            if state.linger is not None:
                state.linger.cancel()
                state.linger = None
            state.subscribers.add(sub)
            if state.last_state is not None:  # no await since the add: nothing can come before it
                sub.put(state.last_state)
                self.counters["states_replayed"] += 1
            STREAM_SUBSCRIBERS.inc()
            states.append(state)
        self.counters["subscriptions"] += 1
        try:
            for state in states:
                await state.ready.wait()
                await self._accepted(state)
        except BaseException:
            await sub.aclose()
            raise
        return sub

    async def _accepted(self, state: _TopicState) -> None:
        """Wait (bounded) until the topic's bridge on this replica has its baseline; refuse a failed one."""
        runner = state.runner
        if runner is None:
            return

        async def primed() -> None:
            await runner.decided.wait()
            if runner.holding:
                await runner.started.wait()
                assert runner.status is not None
                await runner.status.settled.wait()

        try:
            await asyncio.wait_for(primed(), self.prime_wait)
        except TimeoutError:
            self.counters["accepted_unprimed"] += 1
            log.warning("accepted a subscription to %s before its bridge took a baseline", state.topic.name)
        status = runner.status
        if status is not None and status.state == "failed" and status.last_error is not None:
            raise status.last_error

    def _topic_failed(self, topic: Topic, error: GatewayError) -> None:
        """The topic's bridge failed for good: every subscriber gets the error and is released."""
        state = self._topics.get(topic.name)
        if state is None:
            return
        self.counters["streams_failed"] += 1
        log.warning("stream %s failed (%s); ending its %d subscribers", topic.name, error.code, len(state.subscribers))
        for sub in list(state.subscribers):
            sub.fail(error)
            self._release(sub)

    async def _state_for(self, topic: Topic) -> _TopicState:
        """The topic's live state, waiting out a retirement in progress (its channel is being left)."""
        while True:
            state = self._topics.get(topic.name)
            if state is None:
                return self._activate(topic)
            if not state.retiring:
                return state
            await state.retired.wait()

    def _activate(self, topic: Topic) -> _TopicState:
        state = _TopicState(topic, recent=IdSet(self._dedup_size))
        state.runner = TopicRunner(topic, self._bridges, self._lease, self.publish, on_start=self._bridge_started,
                                   on_failed=self._topic_failed, fail_after=self.fail_after,
                                   resume_from=lambda: state.last_id)
        self._topics[topic.name] = state
        STREAM_TOPICS.inc()
        state.task = asyncio.create_task(self._run_topic(state), name=f"topic {topic.name}")
        return state

    async def _run_topic(self, state: _TopicState) -> None:
        try:
            await self._backend.subscribe(channel_of(state.topic.name))
        except Exception:
            log.exception("subscribing to the channel of %s", state.topic.name)
        finally:
            state.ready.set()
        assert state.runner is not None
        await state.runner.run()

    def _bridge_started(self, topic: Topic) -> None:
        self.bridge_starts[topic.name] += 1
        log.info("bridge %s started on this replica", topic.name)

    def _release(self, sub: HubSubscription) -> None:
        for topic in sub.topics:
            state = self._topics.get(topic.name)
            if state is None or sub not in state.subscribers:
                continue
            state.subscribers.discard(sub)
            STREAM_SUBSCRIBERS.dec()
            if not state.subscribers and not state.retiring and not self._stopping:
                loop = asyncio.get_running_loop()
                state.linger = loop.call_later(self.linger, self._linger_expired, state)

    def _linger_expired(self, state: _TopicState) -> None:
        state.linger = None
        if state.subscribers or state.retiring:
            return
        state.retiring = True
        asyncio.get_running_loop().create_task(self._retire(state))

    async def _retire(self, state: _TopicState) -> None:
        try:
            if state.task is not None:
                state.task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await state.task
            await self._backend.unsubscribe(channel_of(state.topic.name))
        except Exception:
            log.exception("retiring topic %s", state.topic.name)
        finally:
            if self._topics.get(state.topic.name) is state:
                del self._topics[state.topic.name]
            STREAM_TOPICS.dec()
            state.retired.set()

    # ---- publishing and fan-out ----

    async def publish(self, event: StreamEvent) -> None:
        """Send an event to every replica's subscribers of its topic. Never raises: a backend
        failure is logged and the event is still delivered on this replica."""
        self.counters["published"] += 1
        try:
            await self._backend.publish(channel_of(event.topic), event)
        except Exception as exc:
            self.counters["publish_failures"] += 1
            log.warning("broadcast of %s failed (%s); delivering on this replica only",
                        event.topic, type(exc).__name__)
            self.dispatch(event)

    async def _listen(self) -> None:
        while True:
            try:
                event = await self._backend.next_published()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("stream hub listener")
                await asyncio.sleep(0.1)
                continue
            self.dispatch(event)

    def dispatch(self, event: StreamEvent, size: int = 0) -> None:
        """Deliver one event (`size`: its encoded length where it crossed Redis, else 0: in one process
        it is the bridge's own object, so only the count bounds a queue) to this replica's subscribers of its topic,
        once per event id."""
        state = self._topics.get(event.topic)
        if state is None or state.retiring:
            return
        if state.recent.seen(event.id):
            self.counters["duplicates_dropped"] += 1
            return
        state.last_id = event.id
        if event.state:
            state.last_state = event
        self.counters["events"] += 1
        for sub in list(state.subscribers):
            if not sub.put(event, size):
                self.counters["slow_subscribers_dropped"] += 1
                log.warning("dropped a subscriber of %s: its queue of %d events was full",
                            event.topic, self.queue_size)
                self._release(sub)

    # ---- introspection (readyz, tests) ----

    def stats(self) -> dict[str, Any]:
        """Per topic: subscribers, whether this replica runs its bridge, and the bridge's state
        (`starting|live|reconnecting|polling|failed`, plus `last_error` {code, source, message});
        `elsewhere` when another replica holds the topic's lease."""
        return {
            "topics": {name: self._topic_stats(name, s) for name, s in self._topics.items()},
            "counters": dict(self.counters),
        }

    def _topic_stats(self, name: str, state: _TopicState) -> dict[str, Any]:
        runner = state.runner
        holding = bool(runner and runner.holding)
        out: dict[str, Any] = {"subscribers": len(state.subscribers), "bridge": holding,
                               "bridge_starts": self.bridge_starts[name]}
        if holding and runner is not None and runner.status is not None:
            out.update(runner.status.describe())
        else:
            out["state"] = "elsewhere" if runner is not None and runner.decided.is_set() else "starting"
        return out
