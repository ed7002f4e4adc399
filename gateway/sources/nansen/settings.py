"""Nansen's settings: `NANSEN_API_URL`, `NANSEN_API_KEY` (without it HYPERLIQUID is not configured),
`NANSEN_RATE_LIMITS` (`per-second/per-minute`) and `NANSEN_LIVE_TOKENS` (coins the live feed polls)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from gateway.settings import Getter, Secret, parse_rate

API_URL = "https://api.nansen.ai"


@dataclass(frozen=True)
class NansenSettings:
    api_url: str = API_URL
    api_key: Secret | None = None
    rate_limits: tuple[int, int] | None = None  # (per second, per minute); None: the documented ones
    live_tokens: tuple[str, ...] = ()  # (): every coin of the market table
    explicit: bool = False

    @classmethod
    def from_env(cls, get: Getter) -> NansenSettings:
        url, key, rates = get("NANSEN_API_URL"), get("NANSEN_API_KEY"), get("NANSEN_RATE_LIMITS")
        tokens = tuple(t.strip() for t in (get("NANSEN_LIVE_TOKENS") or "").split(",") if t.strip())
        return cls(api_url=url or API_URL, api_key=Secret(key) if key else None,
                   rate_limits=parse_rate(rates) if rates else None, live_tokens=tokens,
                   explicit=bool(url or key))

    def env(self) -> dict[str, str]:
        return {"NANSEN_API_URL": self.api_url, "NANSEN_API_KEY": self.api_key.reveal() if self.api_key else ""}

    def sandbox(self, base_url: str, keys: Mapping[str, str]) -> NansenSettings:
        return NansenSettings(api_url=f"{base_url}/nansen", api_key=Secret(keys["nansen"]),
                              rate_limits=self.rate_limits, live_tokens=self.live_tokens)
