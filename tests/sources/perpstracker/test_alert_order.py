"""A gap fill is sent in the upstream's time order, whatever order the listing came in."""

from __future__ import annotations

import random

from gateway.sources.perpstracker.alert_mapping import AlertFact, fact_from_alert_trade, in_time_order

WALLET = "J83ZtxeoHLwMNvjVrsD4gQw5nE8PKXUV9Ph6tW2dVamK"


def row(signature: str, second: int, kind: str) -> dict[str, object]:
    return {"wallet_address": WALLET, "signature": signature, "timestamp": f"2025-12-16T05:08:{second:02d}Z",
            "instruction_type": "instantIncreasePosition", "trade_classification": kind, "token": "WSOL",
            "side": "long", "size": 1000.0, "collateral_usd": 100.0, "leverage": 10.0, "entry_exit_price": 198.0}


LIFE = [row("open", 1, "OPEN"), row("increase", 2, "INCREASE"), row("close", 3, "CLOSE")]


def order(rows: list[dict[str, object]]) -> list[str]:
    facts: list[AlertFact] = [fact_from_alert_trade(r) for r in rows]
    return [f.signature for f in in_time_order(facts)]


def test_newest_first_oldest_first_and_shuffled_listings_give_open_increase_close() -> None:
    assert order(list(reversed(LIFE))) == ["open", "increase", "close"]
    assert order(LIFE) == ["open", "increase", "close"]  # the old code sent close, increase, open here
    for seed in range(20):
        shuffled = LIFE[:]
        random.Random(seed).shuffle(shuffled)
        assert order(shuffled) == ["open", "increase", "close"]


def test_trades_of_one_second_keep_the_listings_order_in_its_direction() -> None:
    same = [row("a", 5, "OPEN"), row("b", 5, "INCREASE")]
    newest_first = [row("later", 9, "CLOSE"), *reversed(same), row("early", 1, "OPEN")]
    assert order(newest_first) == ["early", "a", "b", "later"]
    oldest_first = [row("early", 1, "OPEN"), *same, row("later", 9, "CLOSE")]
    assert order(oldest_first) == ["early", "a", "b", "later"]
