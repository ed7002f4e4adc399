"""Sai Keeper answers checked against their wire types (wire.py) before the gateway keeps them.

The policy table names Sai Keeper's endpoints by operation (`GatewayTrades`, its batches
`GatewayTradesBatch` too), and every value under `data.perp` of one operation has one type: a
list of trades, one trade or null, and so on, whatever its alias. An answer carrying GraphQL
`errors` is passed: gql turns it into `UPSTREAM_ERROR` and the chain never caches it. Anything else
(an HTML page, truncated JSON, `null`, `data.perp.trades` that is not a list of trades) fails its
check: `UPSTREAM_ERROR` with `source: nibiru`, never cached, counted by the breaker.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gateway.sources.nibiru import wire
from gateway.sources.shape import WrongShape, check, json_of


def answer_of(field_type: Any) -> Callable[[bytes], None]:
    """A validator of `{"data": {"perp": {<any alias>: field_type, ...}}}`."""

    def validate(body: bytes) -> None:
        answer = json_of(body)
        if not isinstance(answer, dict):
            raise WrongShape("$: expected a GraphQL answer object")
        if isinstance(answer.get("errors"), list) and answer["errors"]:
            return  # a GraphQL error answer: gql maps it, the chain does not cache it
        data = answer.get("data")
        perp = data.get("perp") if isinstance(data, dict) else None
        if not isinstance(perp, dict) or not perp:
            raise WrongShape("$.data.perp: expected an object")
        for alias, value in perp.items():
            check(value, field_type, f"$.data.perp.{alias}")

    return validate


VALIDATORS = {
    "nibiru.trades": answer_of(list[wire.Trade]),
    "nibiru.trade": answer_of(wire.Trade | None),
    "nibiru.trade_history": answer_of(list[wire.HistoryItem]),
    "nibiru.borrowings": answer_of(list[wire.ShortInfo]),
    "nibiru.borrowing": answer_of(wire.Borrowing | None),
    "nibiru.leaderboard": answer_of(list[wire.LeaderboardRow]),
}
