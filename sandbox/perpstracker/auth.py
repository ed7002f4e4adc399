"""API keys and plans. REST uses `Authorization: Bearer <key>`; the webhook API (port 5001 upstream)
is documented with `X-API-Key`, so there both spellings are accepted."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from sandbox.perpstracker.errors import ApiError
from sandbox.state import PERPSTRACKER_KEY, PERPSTRACKER_PRO_KEY

ELITE, PRO = "elite", "pro"
PLANS: dict[str, str] = {PERPSTRACKER_KEY: ELITE, PERPSTRACKER_PRO_KEY: PRO}
WATCHLIST_LIMITS: dict[str, int] = {ELITE: 100, PRO: 3}
MAX_WEBHOOKS = 3


def presented_key(conn: HTTPConnection, *, allow_x_api_key: bool = False) -> str | None:
    """The key the client sent, or None when it sent none."""
    auth = conn.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    if allow_x_api_key:
        key = conn.headers.get("x-api-key", "").strip()
        if key:
            return key
    return None


def authenticate(conn: HTTPConnection, *, allow_x_api_key: bool = False) -> tuple[str, str]:
    """(key, plan) for a known key; raises the documented 401 otherwise."""
    key = presented_key(conn, allow_x_api_key=allow_x_api_key)
    if key is None:
        how = "Authorization: Bearer YOUR_API_KEY" + (" or X-API-Key" if allow_x_api_key else "")
        raise ApiError(401, "Missing API key", "UNAUTHORIZED", f"Include your key in the request header: {how}")
    plan = PLANS.get(key)
    if plan is None:
        raise ApiError(401, "Invalid API key", "UNAUTHORIZED", "The API key is invalid or has been revoked")
    return key, plan
