"""`PerpTraderStats`: one trader's figures over a rolling window, as the venue ranks them.

Its own module because it names `PerpTimeframe` (an input enum) and `types.py` must not import
`inputs.py` (which imports it). Served by JUPITER only (PerpsTracker's `/perpetuals/compare`);
docs/mapping-jupiter.md has the fields.
"""

from __future__ import annotations

import strawberry

from gateway.schema.inputs import PerpTimeframe
from gateway.venues import Venue


@strawberry.type(description="A trader's figures over a rolling window, as the venue ranks them. "
                 "A trader the venue does not rank in that window has rank and figures null.")
class PerpTraderStats:
    venue: Venue
    trader: str
    timeframe: PerpTimeframe
    rank: int | None = strawberry.field(description="Place on the venue's leaderboard for the window.")
    pnl: float | None = strawberry.field(description="USD.")
    roi: float | None = strawberry.field(description="Percent.")
    winRate: float | None = strawberry.field(description="Percent.")
    trades: int | None = strawberry.field(description="Trades in the window.")
