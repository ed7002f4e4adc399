"""The bounded id set: remembers recent ids, forgets the oldest, refreshes on a repeat."""

from __future__ import annotations

import pytest

from gateway.coord.idset import IdSet


def test_a_repeat_is_recognised_and_the_oldest_is_forgotten() -> None:
    ids = IdSet(3)
    assert [ids.add(k) for k in "abca"] == [True, True, True, False]
    assert ids.seen("d") is False  # new: remembered now, evicting b (a was refreshed)
    assert "b" not in ids and "a" in ids and ids.seen("d") and len(ids) == 3


def test_discard_lets_a_retry_through() -> None:
    ids = IdSet(10)
    ids.update(["x", "y"])
    ids.discard("x")
    ids.discard("never")
    assert ids.add("x") and not ids.add("y")


def test_the_limit_is_positive() -> None:
    with pytest.raises(ValueError):
        IdSet(0)
