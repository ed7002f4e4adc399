"""Dual-layer (per second, per minute) rate limits per API key and endpoint category."""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.ratelimit import Decision, Limiter

LEADERBOARD = "Leaderboard"
LIVE_TRADES = "Live trades"
TRADER_PROFILES = "Trader profiles"
HISTORICAL = "Historical data"

# The docs' table: (burst per second, sustained per minute).
CATEGORY_LIMITS: dict[str, tuple[int, int]] = {
    LEADERBOARD: (5, 100),
    LIVE_TRADES: (10, 200),
    TRADER_PROFILES: (5, 150),
    HISTORICAL: (3, 50),
}


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset: int
    window_s: float  # the binding window: 1 (burst) or 60 (sustained)

    def headers(self) -> dict[str, str]:
        out = {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset),
        }
        if not self.allowed:
            out["Retry-After"] = str(self.reset)
        return out


class RateLimits:
    """One `Limiter` per (API key, category), created on first use."""

    def __init__(self) -> None:
        self._limiters: dict[tuple[str, str], Limiter] = {}

    def _limiter(self, key: str, category: str) -> Limiter:
        lim = self._limiters.get((key, category))
        if lim is None:
            burst, sustained = CATEGORY_LIMITS[category]
            lim = self._limiters[(key, category)] = Limiter([(burst, 1.0), (sustained, 60.0)])
        return lim

    def check(self, key: str, category: str, *, enforce: bool) -> Verdict:
        """Count the request and decide. With `enforce` off nothing is counted, so switching limits
        back on does not refuse requests that were made while they were off."""
        lim = self._limiter(key, category)
        if enforce:
            d = lim.check()
            return Verdict(d.allowed, d.limit, d.remaining, d.reset, _binding_seconds(d))
        now = lim.clock()
        for w in lim.windows:
            w.roll(now)
        w = min(lim.windows, key=lambda w: (w.remaining(), w.seconds))
        return Verdict(True, w.limit, w.remaining(), w.reset_in(now), w.seconds)


def _binding_seconds(d: Decision) -> float:
    if not d.allowed:
        return next(w.seconds for w in d.windows if w.count >= w.limit)
    return min(d.windows, key=lambda w: (w.remaining(), w.seconds)).seconds
