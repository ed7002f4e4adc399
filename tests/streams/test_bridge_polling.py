"""The pieces every bridge uses, without sockets: the poll budget's rule, backoff, de-duplication,
and what counts as a change."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time

import pytest

from gateway.coord.backoff import Backoff
from gateway.coord.idset import IdSet
from gateway.errors import UpstreamRateLimited, UpstreamUnavailable
from gateway.model.time import Time
from gateway.model.types import Block, PerpTradeChangeType, PerpTradeHistoryItem
from gateway.streams.changes import ChangedTrades, NewItems, SnapshotChange, group_by_tx, trades_of
from gateway.streams.codec import digest
from gateway.streams.polling import MAX_PENALTY, PollBudget, poll_forever
from tests.clock import Clock
from tests.streams.test_codec import TRADE


def test_the_interval_spreads_the_budget_over_the_running_pollers() -> None:
    budget = PollBudget("nansen", per_minute=300, share=0.5, min_interval=5.0)
    assert budget.interval() == 5.0  # no poller: the floor
    with budget.join(2):
        assert budget.interval() == 5.0  # 2 requests every 5 s = 24/min, well inside 150/min
        with contextlib.ExitStack() as more:
            for _ in range(40):  # 41 pollers of 2 requests: 82 per poll round
                more.enter_context(budget.join(2))
            assert budget.interval() == pytest.approx(82 * 60 / 150)
        assert budget.interval() == 5.0  # stopped pollers give their share back
    assert budget.total_cost == 0


def test_rate_limited_answers_slow_every_poller_down_and_success_recovers() -> None:
    clock = Clock()
    budget = PollBudget("perpstracker", per_minute=50, share=0.5, min_interval=5.0, clock=clock)
    with budget.join(1):
        budget.rate_limited(retry_after=7)
        assert budget.interval() == 10.0 and budget.hold() == 7.0
        clock.now += 3
        assert budget.hold() == 4.0
        for _ in range(10):
            budget.rate_limited(1)
        assert budget.penalty == MAX_PENALTY
        for _ in range(100):
            budget.succeeded()
        assert budget.penalty == 1.0
    assert PollBudget("nibiru", None, min_interval=2.0).interval() == 2.0  # no limit: the floor


async def test_poll_forever_survives_upstream_failures_and_reports_rate_limits() -> None:
    budget = PollBudget("test", per_minute=6000, share=1.0, min_interval=0.001)
    answers: list[Exception | None] = [UpstreamUnavailable("x", "down"), UpstreamRateLimited("x", "slow", 0.0), None]
    done = asyncio.Event()

    async def poll() -> None:
        answer = answers.pop(0) if answers else None
        if not answers:
            done.set()
        if answer is not None:
            raise answer

    task = asyncio.create_task(poll_forever(budget, 1, poll, "test", backoff=Backoff(base=0.001, cap=0.002)))
    await asyncio.wait_for(done.wait(), 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert budget.penalty < 2.0 and budget.total_cost == 0  # rate limited once, then recovering


def test_backoff_grows_with_jitter_and_resets() -> None:
    low, high = Backoff(base=1, cap=8, rng=lambda: 0.0), Backoff(base=1, cap=8, rng=lambda: 1.0)
    assert [low.next() for _ in range(6)] == [0.5, 1, 2, 4, 4, 4]
    assert [high.next() for _ in range(5)] == [1, 2, 4, 8, 8]
    high.reset()
    assert high.next() == 1


def test_bounded_set_forgets_the_oldest() -> None:
    seen = IdSet(3)
    assert [seen.add(k) for k in "abca"] == [True, True, True, False]
    seen.add("d")  # evicts b (a was refreshed)
    assert "b" not in seen and "a" in seen and len(seen) == 3


def item(id_: int, tx: str) -> PerpTradeHistoryItem:
    return PerpTradeHistoryItem(
        id=id_, tradeChangeType=PerpTradeChangeType.position_opened,
        block=Block(block=None, block_ts=Time("2025-12-16T12:00:00Z")), trade=TRADE, realizedPnlCollateral=None,
        realizedPnlPct=None, txHash=tx, evmTxHash=None, venue=TRADE.venue, trader=TRADE.trader, market="SOL",
        price=1.0, sizeDeltaUsd=1.0)


def test_new_items_prime_first_then_group_by_transaction() -> None:
    new = NewItems()
    assert new.fresh([item(1, "a")]) == []  # the first answer is the baseline
    fresh = new.fresh([item(1, "a"), item(2, "b"), item(3, "b"), item(4, "c")])
    assert [i.id for i in fresh] == [2, 3, 4]
    assert [[i.id for i in g] for g in group_by_tx(fresh)] == [[2, 3], [4]]
    assert new.fresh([item(2, "b")]) == []
    assert trades_of(fresh) == [TRADE]


def test_trades_change_on_their_fields_not_on_live_pnl() -> None:
    changes = ChangedTrades()
    assert changes.changed([TRADE]) == []  # primed
    assert TRADE.state is not None
    repriced = dataclasses.replace(TRADE, state=dataclasses.replace(TRADE.state, pnlCollateral=1.0))
    assert changes.changed([repriced]) == []
    closed = dataclasses.replace(TRADE, isOpen=False, state=None)
    assert changes.changed([closed]) == [closed]


def test_snapshots_are_sent_when_they_change() -> None:
    change = SnapshotChange()
    first = change.changed({"borrowing": {"price": 1}})
    assert first == digest({"borrowing": {"price": 1}}) + ".1"  # the payload and the number of the change
    assert change.changed({"borrowing": {"price": 1}}) is None
    assert change.changed({"borrowing": {"price": 2}}) is not None


async def test_each_poll_refuses_the_answer_the_previous_poll_already_saw() -> None:
    """A poll's freshness hint is the end of the previous poll: the answer that poll fetched (and
    the upstream cache kept for its TTL) is not news, so the next poll does not reuse it and a
    trade reaches subscribers within one interval instead of one cache TTL."""
    from gateway.policy.freshness import min_fresh_at

    hints: list[float | None] = []
    fetched: list[float] = []
    second = asyncio.Event()

    async def poll() -> None:
        hints.append(min_fresh_at())
        await asyncio.sleep(0)  # the upstream call
        fetched.append(time.time())  # when this poll's answer was fetched (and cached)
        if len(fetched) == 2:
            second.set()

    budget = PollBudget("test", None, min_interval=0.01)
    task = asyncio.create_task(poll_forever(budget, 1.0, poll, "test"))
    try:
        await asyncio.wait_for(second.wait(), 10)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert hints[1] is not None and hints[1] >= fetched[0]
