"""Simulator of Nansen's Hyperliquid API (venue HYPERLIQUID), mounted under `/nansen`.

Eight POST endpoints below `/api/v1/` with JSON bodies, the `apiKey` header, FastAPI-style 422s,
per-key rate limits with Nansen's headers, and credits; all data comes from the shared market.
Layout: `routes.py` (HTTP), `access.py` (key, limits, credits), `validation.py` + `schemas.py`
(request models), `profiler.py` / `leaderboards.py` / `screener.py` / `tokens.py` (queries),
`listing.py` (dates, filters, order_by, pagination), `render.py` (market objects to wire dicts).
"""

from __future__ import annotations

from sandbox.nansen.routes import build_routes

__all__ = ["build_routes"]
