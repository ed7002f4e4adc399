"""Query and body parameter parsing with the documented defaults and maxima.

Policy (docs/sandbox-perpstracker.md): a value that is not of the documented type, or not one of a
documented set, is a 400 INVALID_PARAMETER; a well-formed number outside its documented range is
clamped, as "max 500" reads.
"""

from __future__ import annotations

import json

from starlette.requests import Request

from sandbox.perpstracker.errors import ApiError, invalid
from sandbox.perpstracker.wire import is_solana_address

MARKETS = ("SOL", "ETH", "BTC")


def int_param(request: Request, name: str, default: int, *, lo: int = 0, hi: int | None = None) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise invalid(name, f"{name} must be an integer") from None
    value = max(lo, value)
    return min(hi, value) if hi is not None else value


def opt_int(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except ValueError:
        raise invalid(name, f"{name} must be an integer") from None


def opt_float(request: Request, name: str) -> float | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    try:
        return float(raw)
    except ValueError:
        raise invalid(name, f"{name} must be a number") from None


def choice(request: Request, name: str, allowed: tuple[str, ...], default: str | None) -> str | None:
    """One of `allowed` (case-insensitive), returned in the spelling of `allowed`."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    for a in allowed:
        if raw.lower() == a.lower():
            return a
    raise invalid(name, f"{name[:1].upper()}{name[1:]} must be one of: " + ", ".join(allowed))


def pick(request: Request, name: str, allowed: tuple[str, ...], default: str) -> str:
    """`choice` with a default, so never None."""
    return choice(request, name, allowed, default) or default


def market_param(request: Request, default: str | None = None) -> str | None:
    return choice(request, "market", MARKETS, default)


def wallet_value(value: object, name: str = "wallet") -> str:
    if not isinstance(value, str) or not is_solana_address(value):
        raise invalid(name, f"{name} must be a Solana wallet address (base58)")
    return value


async def json_body(request: Request) -> dict[str, object]:
    raw = await request.body()
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        raise ApiError(400, "Invalid JSON body", "INVALID_PARAMETER", "Request body must be JSON") from None
    if not isinstance(data, dict):
        raise ApiError(400, "Invalid JSON body", "INVALID_PARAMETER", "Request body must be a JSON object")
    return data
