"""Fills grouped into position lives: opening, changes, the fill that returns to zero, orphans."""

from __future__ import annotations

from gateway.sources.nansen.lives import Fill, attach, group
from tests.sources.nansen.factories import fill, position


def lives_of(*rows):  # type: ignore[no-untyped-def]
    return group([Fill.parse(r) for r in rows])


def test_open_add_reduce_close_is_one_life() -> None:
    (life,) = lives_of(fill("Open", 2, 0, oid=11), fill("Add", 1, 2), fill("Reduce", 1.5, 3),
                       fill("Close", 1.5, 1.5))
    assert life.key == "BTC:11" and life.is_long and life.ended
    assert [f.action for f in life.fills] == ["Open", "Add", "Reduce", "Close"]
    assert life.closing is life.fills[-1]


def test_a_reduce_of_the_whole_position_closes_it() -> None:
    first, second = lives_of(fill("Open", 3, 0, oid=21), fill("Reduce", 3, 3, oid=22),
                             fill("Open", 1, 0, side="Short", oid=23))
    assert first.closing is not None and first.closing.oid == 22 and first.ended
    assert second.key == "BTC:23" and not second.is_long and not second.ended


def test_a_partial_reduce_does_not() -> None:
    (life,) = lives_of(fill("Open", 3, 0), fill("Reduce", 2.999, 3))
    assert life.closing is None and not life.ended


def test_liquidation_ends_a_life() -> None:
    (life,) = lives_of(fill("Open", 1, 0, side="Short"), fill("Liquidation", 1, -1))
    assert life.ended and life.closing is not None and not life.is_long


def test_coins_are_separate_and_input_order_does_not_matter() -> None:
    rows = [fill("Open", 1, 0, coin="ETH", oid=31), fill("Open", 5, 0, coin="SOL", oid=32),
            fill("Close", 1, 1, coin="ETH")]
    lives = group([Fill.parse(r) for r in reversed(rows)])  # Nansen's newest-first order
    assert [(life.key, life.ended) for life in lives] == [("ETH:31", True), ("SOL:32", False)]


def test_fills_before_any_open_are_a_life_begun_before_the_window() -> None:
    (orphan, fresh) = lives_of(fill("Add", 1, -4), fill("Close", 5, -5, oid=41), fill("Open", 2, 0, oid=42))
    assert orphan.opening is None and not orphan.is_long and orphan.key == "BTC:41"
    assert orphan.open_price is None
    assert fresh.key == "BTC:42"


def test_open_price_is_size_weighted_over_open_and_add() -> None:
    (life,) = lives_of(fill("Open", 1, 0, price=100), fill("Add", 3, 1, price=200),
                       fill("Reduce", 2, 4, price=50), fill("Close", 2, 2, price=300))
    assert life.open_price == (100 * 1 + 200 * 3) / 4
    # largest |position| × price seen at a fill: 4 coins right after the add at 200
    assert life.peak_notional == 800


def test_an_open_position_takes_the_unfinished_life_of_its_coin() -> None:
    lives = lives_of(fill("Open", 2, 0, oid=51), fill("Add", 1, 2))
    ((life, pos),) = attach(lives, [position("BTC", "3.0")])
    assert pos is not None and life.key == "BTC:51" and not life.ended


def test_an_open_position_without_its_opening_fill_is_keyed_by_coin() -> None:
    lives = lives_of(fill("Add", 1, -2, coin="DOGE"))
    ((life, pos),) = attach(lives, [position("DOGE", "-3.0")])
    assert pos is not None and life.key == "DOGE" and life.fills and not life.ended


def test_a_position_with_no_fills_at_all_is_keyed_by_coin() -> None:
    ((life, pos),) = attach([], [position("STBL", "-50367.0")])
    assert life.key == "STBL" and not life.is_long and life.fills == []


def test_an_unfinished_life_without_a_position_has_ended_unseen() -> None:
    lives = lives_of(fill("Open", 2, 0, oid=61))
    ((life, pos),) = attach(lives, [])
    assert pos is None and life.ended and life.closing is None and life.key == "BTC:61"


def test_a_position_on_the_other_side_is_not_the_unfinished_life() -> None:
    lives = lives_of(fill("Open", 2, 0, oid=71))
    pairs = attach(lives, [position("BTC", "-1.0")])
    assert sorted((life.key, pos is not None) for life, pos in pairs) == [("BTC", True), ("BTC:71", False)]


def test_an_open_while_a_life_is_unfinished_ends_that_life() -> None:
    first, second = lives_of(fill("Open", 2, 0, oid=81), fill("Open", 1, 0, oid=82))
    assert first.ended and first.closing is None and not second.ended


def test_zero_size_positions_are_ignored() -> None:
    assert attach([], [position("BTC", "0.0")]) == []
