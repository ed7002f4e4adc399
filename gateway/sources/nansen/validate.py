"""Nansen answers checked against their wire types (wire.py) before the gateway keeps them.

`VALIDATORS` maps the policy table's endpoint names to a validator of a 2xx body; the table
attaches them (`Endpoint.validate`), and the upstream policy chain refuses, never caches, and lets
a stale copy stand in for, any answer that fails its check (gateway/policy/transport.py).
"""

from __future__ import annotations

from gateway.sources.nansen import wire
from gateway.sources.shape import validator

VALIDATORS = {
    "nansen.profiler.positions": validator(wire.PositionsResponse),
    "nansen.profiler.trades": validator(wire.Paged[wire.Fill]),
    "nansen.leaderboard": validator(wire.Paged[wire.LeaderboardRow]),
    "nansen.token_leaderboard": validator(wire.Paged[wire.TokenLeaderboardRow]),
    "nansen.screener": validator(wire.Paged[wire.ScreenerRow]),
    "nansen.token.trades": validator(wire.Paged[wire.TokenTrade]),
}
