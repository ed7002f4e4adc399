"""Each source's validators accept what its upstream really sends and refuse every bad-body fault.

Accepting: every recorded answer (tests/fixtures/<source>/: the upstream docs' examples, doc_*,
and the simulator's answers, sim_*) of an endpoint passes that endpoint's validator; a validator
stricter than the upstream would turn good answers into outages. Refusing: the same answers as
the sandbox's bad-body faults turn them (sandbox/faults.py: HTML, truncated, wrong shape, null)
fail it. Sai Keeper's recorded answers select only some fields (the docs' examples), so its
validators are checked on an answer of the gateway's own selection instead.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gateway.sources.nansen.validate import VALIDATORS as NANSEN
from gateway.sources.nibiru.validate import VALIDATORS as NIBIRU
from gateway.sources.perpstracker.validate import VALIDATORS as PERPSTRACKER
from gateway.sources.shape import WrongShape
from sandbox.faults import HTML_PAGE, wrap_lists

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
RECORDED = {  # endpoint -> fixture name without the doc_/sim_ prefix
    "perpstracker.prices": "perpstracker/prices",
    "perpstracker.leaderboard": "perpstracker/leaderboard",
    "perpstracker.leaderboard.fixed": "perpstracker/leaderboard_fixed",
    "perpstracker.compare": "perpstracker/compare",
    "perpstracker.live_trades": "perpstracker/live_trades",
    "perpstracker.trader.positions": "perpstracker/trader_positions",
    "perpstracker.trader.history": "perpstracker/trader_history",
    "perpstracker.trading.markets": "perpstracker/trading_markets",
    "perpstracker.account": "perpstracker/account",
    "perpstracker.watchlist": "perpstracker/watchlist",
    "perpstracker.watchlist.alerts.trades": "perpstracker/watchlist_alerts_trades",
    "nansen.profiler.positions": "nansen/profiler_perp_positions",
    "nansen.profiler.trades": "nansen/profiler_perp_trades",
    "nansen.leaderboard": "nansen/perp_leaderboard",
    "nansen.token_leaderboard": "nansen/tgm_perp_pnl_leaderboard",
    "nansen.screener": "nansen/perp_screener",
    "nansen.token.trades": "nansen/tgm_perp_trades",
}
VALIDATORS = {**PERPSTRACKER, **NANSEN}
TOKEN = {"symbol": "BTC", "name": "Bitcoin", "logoUrl": None}
MARKET = {"marketId": 0, "baseToken": TOKEN, "quoteToken": TOKEN, "collateralToken": TOKEN, "visible": True}
TRADE = {"id": 7, "trader": "nibi1x", "isOpen": True, "isLong": False, "tradeType": "trade", "leverage": 3,
         "collateralAmount": 2_377_788_350_000, "perpBorrowing": MARKET, "openBlock": {"block": 1, "block_ts":
         "2025-12-16T12:00:00Z"}, "closeBlock": None, "state": {"pnlCollateral": -1.5, "pnlPct": 0}}
SAI_ANSWERS = {
    "nibiru.trades": {"data": {"perp": {"trades": [TRADE]}}},
    "nibiru.trade": {"data": {"perp": {"trade": None}}},
    "nibiru.trade_history": {"data": {"perp": {"t0": [{"id": 1, "tradeChangeType": "position_opened",
                                                        "block": TRADE["openBlock"], "trade": TRADE}], "t1": []}}},
    "nibiru.borrowings": {"data": {"perp": {"borrowings": [MARKET]}}},
    "nibiru.borrowing": {"data": {"perp": {"borrowing": {**MARKET, "price": 97000, "oiLong": 1, "oiShort": 2}}}},
    "nibiru.leaderboard": {"data": {"perp": {"leaderboard": [
        {"rank": 1, "reward": 1000.0, "trader": "nibi1x", "traderEvmAddress": "0x00", "realizedPnlTotalUsd": 12.5,
         "roiTotal": 0.1, "capitalUsedUsd": 125.0, "volumeTotalUsd": 1250}]}}},
}


def recorded(name: str) -> list[tuple[str, bytes]]:
    source, rest = name.split("/")
    found = []
    for kind in ("doc", "sim"):
        path = FIXTURES / source / f"{kind}_{rest}.json"
        if path.exists():
            answer = json.loads(path.read_text())
            found.append((path.name, json.dumps(_without_notes(answer)).encode()))
    return found


def _without_notes(value: Any) -> Any:
    return {k: v for k, v in value.items() if not k.startswith("_")} if isinstance(value, dict) else value


ANSWERS = [(endpoint, file, body) for endpoint, name in RECORDED.items() for file, body in recorded(name)]
ANSWERS += [(endpoint, "constructed", json.dumps(answer).encode()) for endpoint, answer in SAI_ANSWERS.items()]
VALIDATORS.update(NIBIRU)


def test_every_endpoint_with_a_validator_is_checked_here() -> None:
    assert {endpoint for endpoint, _, _ in ANSWERS} == set(VALIDATORS)
    assert all(len(recorded(name)) == 2 for name in RECORDED.values())  # a doc and a sim answer each


@pytest.mark.parametrize(("endpoint", "file", "body"), ANSWERS, ids=[f"{e}-{f}" for e, f, _ in ANSWERS])
def test_a_real_answer_passes_its_validator(endpoint: str, file: str, body: bytes) -> None:
    VALIDATORS[endpoint](body)


FAULTS = {
    "html": lambda body: HTML_PAGE,
    "truncated": lambda body: body[: len(body) // 2],
    "wrong_shape": lambda body: json.dumps(wrap_lists(json.loads(body))).encode(),
    "null": lambda body: b"null",
}


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize(("endpoint", "file", "body"), ANSWERS, ids=[f"{e}-{f}" for e, f, _ in ANSWERS])
def test_a_bad_body_fails_its_validator(endpoint: str, file: str, body: bytes, fault: str) -> None:
    bad = FAULTS[fault](body)
    if fault == "wrong_shape" and bad == body:
        pytest.skip("no list in this answer to reshape")  # e.g. prices: a flat object
    with pytest.raises(WrongShape):
        VALIDATORS[endpoint](bad)
