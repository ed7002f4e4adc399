"""The backoff: exponential up to a cap, with the jitter each user needs."""

from __future__ import annotations

import pytest

from gateway.coord.backoff import Backoff


def test_equal_jitter_keeps_half_of_each_wait_fixed_and_resets() -> None:
    low, high = Backoff(1, 8, rng=lambda: 0.0), Backoff(1, 8, rng=lambda: 1.0)
    assert [low.next() for _ in range(6)] == [0.5, 1, 2, 4, 4, 4]
    assert [high.next() for _ in range(5)] == [1, 2, 4, 8, 8]
    high.reset()
    assert high.next() == 1 and high.attempts == 1


def test_full_jitter_spreads_over_zero_to_the_ceiling() -> None:
    low, high = Backoff(0.2, 5.0, jitter="full", rng=lambda: 0.0), Backoff(0.2, 5.0, jitter="full", rng=lambda: 1.0)
    assert [low.delay(a) for a in range(3)] == [0.0, 0.0, 0.0]
    assert [high.delay(a) for a in (0, 1, 2, 10)] == [0.2, 0.4, 0.8, 5.0]
    assert low.attempts == 0, "delay() is stateless"


def test_no_jitter_is_the_plain_exponential_and_huge_attempts_stay_capped() -> None:
    plain = Backoff(0.1, 5.0, jitter="none")
    assert [plain.delay(a) for a in range(4)] == [0.1, 0.2, 0.4, 0.8] and plain.delay(10_000) == 5.0


def test_a_backoff_needs_a_positive_base_below_its_cap() -> None:
    for base, cap in ((0.0, 1.0), (2.0, 1.0)):
        with pytest.raises(ValueError):
            Backoff(base, cap)
