"""Nansen's endpoints for the policy chain: names, TTLs and its one rate-limit bucket.

Positions 3 s, trades 5 s (a new trade is what changes them), smart-money and token tapes 10 s,
leaderboards and the screener 60 s (windows of a day or more). Nansen reads by POST with a JSON
body, so the body is part of each answer's key.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from gateway.policy.endpoints import Endpoint, RestTable, Route
from gateway.sources.nansen.validate import VALIDATORS

BUCKET = "requests"
# docs/sandbox-nansen.md: Nansen enforces 20 requests per second and 300 per minute per key
# (the public docs give the headers, not the numbers). NANSEN_RATE_LIMITS overrides.
LIMITS = (20, 300)


def _screener_key(body: Any) -> Any:
    """The screener asks for "the last 24 h", a window ending now: key it by its length, so one
    answer serves the whole TTL instead of missing every second."""
    if isinstance(body, dict) and isinstance(body.get("date"), dict):
        try:
            span = (datetime.fromisoformat(body["date"]["to"].replace("Z", "+00:00"))
                    - datetime.fromisoformat(body["date"]["from"].replace("Z", "+00:00")))
        except (KeyError, TypeError, ValueError, AttributeError):
            return body
        return {**body, "date": {"span_s": span.total_seconds()}}
    return body


def _endpoint(name: str, ttl: float) -> Endpoint:
    return Endpoint(f"nansen.{name}", ttl, BUCKET, read=True,
                    key_body=_screener_key if name == "screener" else None,
                    validate=VALIDATORS.get(f"nansen.{name}"))  # its wire type, for the reads the gateway makes


_V = "/api/v1"
TABLE = RestTable([
    Route("POST", f"{_V}/profiler/perp-positions", _endpoint("profiler.positions", 3)),
    Route("POST", f"{_V}/profiler/perp-trades", _endpoint("profiler.trades", 5)),
    Route("POST", f"{_V}/perp-leaderboard", _endpoint("leaderboard", 60)),
    Route("POST", f"{_V}/tgm/perp-pnl-leaderboard", _endpoint("token_leaderboard", 60)),
    Route("POST", f"{_V}/perp-screener", _endpoint("screener", 60)),
    Route("POST", f"{_V}/smart-money/perp-trades", _endpoint("smart_money.trades", 10)),
    Route("POST", f"{_V}/tgm/perp-positions", _endpoint("token.positions", 10)),
    Route("POST", f"{_V}/tgm/perp-trades", _endpoint("token.trades", 10)),
], _endpoint("other", 0), reads=("POST",))

