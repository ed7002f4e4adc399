"""The leaderboard figures beyond pnl/roi/volume, from the docs' own example rows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gateway.sources.nansen.mapping import map_token_leaderboard
from gateway.sources.perpstracker.mapping import map_fixed_row, map_leaderboard_row

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def load(path: str) -> Any:
    return json.loads((FIXTURES / path).read_text())


def test_perpstracker_rolling_row_carries_score_leverage_liquidations_and_open_positions() -> None:
    row = load("perpstracker/doc_leaderboard.json")["data"][0]
    e = map_leaderboard_row(row)
    assert (e.score, e.avgLeverage, e.liquidations, e.openPositions, e.unrealizedPnl) == (82.8, 23.91, 0, 2, 166.39)


def test_perpstracker_fixed_row_has_score_and_leverage_only() -> None:
    e = map_fixed_row(load("perpstracker/doc_leaderboard_fixed.json")["data"][0])
    assert (e.score, e.avgLeverage) == (86.9, 8.59)
    assert (e.liquidations, e.openPositions, e.unrealizedPnl) == (None, None, None)


def test_nansen_token_leaderboard_has_unrealized_pnl() -> None:
    (e,) = map_token_leaderboard(load("nansen/doc_tgm_perp_pnl_leaderboard.json")["data"], 0)
    assert e.unrealizedPnl == 100.25 and e.score is None and e.liquidations is None
