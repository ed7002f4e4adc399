"""The API-key gate in front of every endpoint: authentication, rate limits, credits.

Nansen sits behind an API gateway (Kong: its `apiKey` key-auth message and its rate-limit header
set). The docs name the headers but not the numbers, so the simulator picks them here, in one
place; docs/sandbox-nansen.md repeats them. Order per request: key check (401), rate limits (429),
then the endpoint (422/200); a refused request does not count against the windows, and only a
200 costs credits.
"""

from __future__ import annotations

from sandbox.ratelimit import Decision, Limiter
from sandbox.state import NANSEN_KEY

# (requests, window seconds): 20 per calendar second and 300 per calendar minute, per API key.
RATE_LIMITS: tuple[tuple[int, float], ...] = ((20, 1.0), (300, 60.0))
# Credits a key starts with (and gets back on /_control/reset), and each endpoint's price.
STARTING_CREDITS = 1_000_000
CREDIT_COSTS = {
    "/api/v1/profiler/perp-positions": 1,
    "/api/v1/profiler/perp-trades": 1,
    "/api/v1/perp-leaderboard": 5,
    "/api/v1/perp-screener": 5,
    "/api/v1/tgm/perp-pnl-leaderboard": 5,
    "/api/v1/smart-money/perp-trades": 5,
    "/api/v1/tgm/perp-positions": 5,
    "/api/v1/tgm/perp-trades": 5,
}

MISSING_KEY = "No API key found in request"
BAD_KEY = "Invalid authentication credentials"
RATE_LIMITED = "API rate limit exceeded"
NO_CREDITS = "Insufficient credits: this request needs more credits than the account has left"


def rate_headers(decision: Decision) -> dict[str, str]:
    """The seven rate-limit headers every authenticated response carries (values are strings)."""
    second, minute = decision.windows
    return {
        "RateLimit-Limit": str(decision.limit),
        "RateLimit-Remaining": str(decision.remaining),
        "RateLimit-Reset": str(decision.reset),
        "X-RateLimit-Limit-Second": str(second.limit),
        "X-RateLimit-Remaining-Second": str(second.remaining()),
        "X-RateLimit-Limit-Minute": str(minute.limit),
        "X-RateLimit-Remaining-Minute": str(minute.remaining()),
    }


class Gate:
    """Per-key limiters and credit balances for one sandbox (in-process, like the market)."""

    def __init__(self) -> None:
        self.limiters: dict[str, Limiter] = {}
        self.credits: dict[str, int] = {}

    def authenticate(self, key: str | None) -> str | None:
        """None when the key is good, else the 401 detail."""
        if not key:
            return MISSING_KEY
        return None if key == NANSEN_KEY else BAD_KEY

    def admit(self, key: str, enabled: bool) -> Decision:
        limiter = self.limiters.get(key)
        if limiter is None:
            limiter = self.limiters[key] = Limiter(list(RATE_LIMITS))
        if enabled:
            return limiter.check()
        # Limits off (/_control/ratelimits): answer with the current windows but count nothing, so
        # traffic sent while they were off cannot trip them once they are back on.
        now = limiter.clock()
        for w in limiter.windows:
            w.roll(now)
        binding = min(limiter.windows, key=lambda w: (w.remaining(), w.seconds))
        return Decision(True, binding.limit, binding.remaining(), binding.reset_in(now), limiter.windows)

    def affordable(self, key: str, path: str) -> bool:
        return self.credits.get(key, STARTING_CREDITS) >= CREDIT_COSTS.get(path, 1)

    def charge(self, key: str, path: str) -> tuple[int, int]:
        """(used, remaining) after charging a successful request's price."""
        cost = CREDIT_COSTS.get(path, 1)
        remaining = max(0, self.credits.get(key, STARTING_CREDITS) - cost)
        self.credits[key] = remaining
        return cost, remaining

    def reset(self) -> None:
        self.credits.clear()
