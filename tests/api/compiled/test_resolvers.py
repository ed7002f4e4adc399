"""The key of DirectResolvers' conversion memo (gateway/api/compiled/resolvers.py)."""

from __future__ import annotations

import pytest

from gateway.api.compiled.resolvers import MAX_KEY_STRING, MAX_KEY_VALUES, frozen
from gateway.model.venue import Venue


def test_equal_arguments_give_equal_keys_and_types_are_told_apart() -> None:
    raw = {"where": {"trader": "0xabc", "venue": Venue.JUPITER}, "limit": 20, "ids": [1, 2]}
    assert frozen(raw) == frozen({"where": {"trader": "0xabc", "venue": Venue.JUPITER}, "limit": 20, "ids": [1, 2]})
    assert hash(frozen(raw))
    assert frozen({"x": 1}) != frozen({"x": True}) != frozen({"x": 1.0})  # equal in Python, not as arguments
    assert frozen({"x": [1]}) != frozen({"x": (1,)})


@pytest.mark.parametrize("raw", [
    {"trader": "x" * (MAX_KEY_STRING + 1)},
    {"ids": list(range(MAX_KEY_VALUES + 1))},
    {"where": {"set": {1, 2}}},
])
def test_values_not_worth_keeping_are_refused(raw: dict[str, object]) -> None:
    with pytest.raises(TypeError):
        frozen(raw)
