"""The bounded LRU map: count bound, weight bound, recency."""

from __future__ import annotations

import pytest

from gateway.coord.lru import LRU


def test_the_least_recently_used_goes_first_past_the_count() -> None:
    lru: LRU[str, int] = LRU(2)
    lru.put("a", 1)
    lru.put("b", 2)
    assert lru.get("a") == 1  # a is now more recent than b
    lru.put("c", 3)
    assert "b" not in lru and lru.get("a") == 1 and lru.get("c") == 3 and len(lru) == 2
    assert list(lru) == ["a", "c"]


def test_the_weight_bound_evicts_and_accounts_for_replaced_and_popped_values() -> None:
    lru: LRU[str, bytes] = LRU(100, max_weight=10, weigh=len)
    lru.put("a", b"1234")
    lru.put("b", b"1234")
    lru.put("a", b"12")  # replaced: its old weight is given back
    assert lru.weight == 6
    lru.put("c", b"123456")  # 12 > 10: b (least recent) goes
    assert "b" not in lru and lru.weight == 8
    assert lru.pop("a") == b"12" and lru.weight == 6 and lru.pop("a") is None
    lru.put("huge", b"x" * 11)  # heavier than the whole bound: nothing can hold it
    assert len(lru) == 0 and lru.weight == 0


def test_falsy_values_are_values_not_misses() -> None:
    lru: LRU[str, object] = LRU(4)
    lru.put("empty", "")
    lru.put("no", False)
    assert lru.get("empty") == "" and lru.get("no") is False and lru.get("absent") is None


def test_a_bound_needs_sense() -> None:
    with pytest.raises(ValueError):
        LRU(0)
    with pytest.raises(ValueError):
        LRU(10, max_weight=100)  # a weight bound without a way to weigh
