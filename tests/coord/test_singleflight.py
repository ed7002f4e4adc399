"""The in-process single-flight, under both failure rules its users need."""

from __future__ import annotations

import asyncio

import pytest

from gateway.coord.singleflight import SingleFlight


class Work:
    """Counts calls; each call waits for `gate`, then fails while `failures` remain."""

    def __init__(self, failures: int = 0) -> None:
        self.calls = 0
        self.failures = failures
        self.gate = asyncio.Event()
        self.entered = asyncio.Event()

    async def __call__(self) -> str:
        self.calls += 1
        call = self.calls
        self.entered.set()
        await self.gate.wait()
        if self.failures:
            self.failures -= 1
            raise RuntimeError(f"call {call} failed")
        return f"answer {call}"


async def test_concurrent_callers_of_one_key_share_one_call() -> None:
    flight: SingleFlight[str] = SingleFlight()
    work = Work()
    calls = [asyncio.ensure_future(flight.share("k", work)) for _ in range(5)]
    await work.entered.wait()
    work.gate.set()
    results = await asyncio.gather(*calls)
    assert work.calls == 1 and {r for r, _ in results} == {"answer 1"}
    assert [led for _, led in results].count(True) == 1
    assert len(flight) == 0, "a finished flight leaves the table"


async def test_a_shared_failure_reaches_every_waiter_and_is_not_retried() -> None:
    flight: SingleFlight[str] = SingleFlight(share_failure=True)
    work = Work(failures=1)
    calls = [asyncio.ensure_future(flight.run("k", work)) for _ in range(3)]
    await work.entered.wait()
    work.gate.set()
    results = await asyncio.gather(*calls, return_exceptions=True)
    assert work.calls == 1
    assert all(isinstance(r, RuntimeError) and str(r) == "call 1 failed" for r in results)


async def test_an_unshared_failure_fails_its_leader_only_and_a_waiter_leads_the_retry() -> None:
    flight: SingleFlight[str] = SingleFlight(share_failure=False)
    work = Work(failures=1)
    leader = asyncio.ensure_future(flight.share("k", work))
    await work.entered.wait()
    waiters = [asyncio.ensure_future(flight.share("k", work)) for _ in range(3)]
    await asyncio.sleep(0)  # one loop turn: each waiter runs up to awaiting the flight (FIFO)
    work.gate.set()
    with pytest.raises(RuntimeError, match="call 1 failed"):
        await leader
    results = await asyncio.gather(*waiters)
    assert work.calls == 2, "one retry for all the waiters, not one each"
    assert {r for r, _ in results} == {"answer 2"} and [led for _, led in results].count(True) == 1


async def test_a_caller_that_goes_away_does_not_cancel_the_call_the_others_wait_for() -> None:
    for share_failure in (True, False):
        flight: SingleFlight[str] = SingleFlight(share_failure=share_failure)
        work = Work()
        first = asyncio.ensure_future(flight.run("k", work))
        await work.entered.wait()
        second = asyncio.ensure_future(flight.run("k", work))
        await asyncio.sleep(0)  # one loop turn: `second` joins the flight
        first.cancel()
        with pytest.raises(asyncio.CancelledError):
            await first
        work.gate.set()
        assert await second == "answer 1" and work.calls == 1


async def test_different_keys_fly_separately() -> None:
    flight: SingleFlight[str] = SingleFlight()
    work = Work()
    work.gate.set()
    assert [await flight.run(k, work) for k in "ab"] == ["answer 1", "answer 2"]
