"""The circuit breaker's states: closed, open after consecutive failures, one trial when half-open."""

from __future__ import annotations

from gateway.policy.breaker import CircuitBreaker, State
from tests.clock import Clock


def test_consecutive_failures_open_it_and_a_success_resets_the_count() -> None:
    breaker = CircuitBreaker(3, 10.0, Clock(0.0))
    for _ in range(2):
        assert breaker.allow()
        breaker.failure()
    breaker.success()
    for _ in range(2):
        breaker.failure()
    assert breaker.state is State.CLOSED and breaker.allow()
    breaker.failure()
    assert breaker.state is State.OPEN and not breaker.allow()
    assert breaker.retry_after() == 10.0


def test_after_the_cooldown_one_trial_goes_out_and_its_success_closes_it() -> None:
    clock = Clock(0.0)
    breaker = CircuitBreaker(1, 10.0, clock)
    breaker.failure()
    clock.now = 9.9
    assert not breaker.allow()
    clock.now = 10.0
    assert breaker.allow()  # the trial
    assert breaker.state is State.HALF_OPEN and not breaker.allow()  # only one at a time
    breaker.success()
    assert breaker.state is State.CLOSED and breaker.allow() and breaker.allow()


def test_a_failed_trial_opens_it_for_another_cooldown() -> None:
    clock = Clock(0.0)
    breaker = CircuitBreaker(2, 5.0, clock)
    breaker.failure()
    breaker.failure()
    clock.now = 5.0
    assert breaker.allow()
    breaker.failure()
    assert breaker.state is State.OPEN and not breaker.allow()
    assert breaker.retry_after() == 5.0


def test_a_trial_that_says_nothing_lets_the_next_call_try() -> None:
    clock = Clock(0.0)
    breaker = CircuitBreaker(1, 1.0, clock)
    breaker.failure()
    clock.now = 1.0
    assert breaker.allow()
    breaker.neutral()  # e.g. a 429, or no rate-limit slot: the upstream's health is still unknown
    assert breaker.state is State.HALF_OPEN and breaker.allow()
