"""PerpsTracker's settings, all `PERPSTRACKER_*`: the REST base and key (without the key JUPITER
is not configured), the alert socket, the webhook secret and tolerance, rate-limit overrides
(`historical=3/50,...`), wallet enrolment and the Trading API's markets path."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from gateway.settings import Getter, Secret, SettingsError, number, parse_flag, parse_pairs, parse_rate

API_URL = "https://perpstracker.com/api"
WS_URL = "wss://perpstracker.com:5001/ws/alerts"
MARKETS_PATH = "/trading/markets"


@dataclass(frozen=True)
class PerpsTrackerSettings:
    api_url: str = API_URL
    api_key: Secret | None = None
    ws_url: str = WS_URL
    webhook_secret: Secret | None = None
    webhook_tolerance: float = 300.0  # seconds a webhook's X-Webhook-Timestamp may be off
    rate_limits: Mapping[str, tuple[int, int]] = field(default_factory=dict)  # category -> overrides
    enrol: bool = True  # put subscribed wallets on the watchlist with alerts on
    markets_path: str = MARKETS_PATH  # below api_url, never a URL of its own (the key goes there)
    explicit: bool = False

    @classmethod
    def from_env(cls, get: Getter) -> PerpsTrackerSettings:
        url, key, ws, secret = (get(f"PERPSTRACKER_{n}") for n in ("API_URL", "API_KEY", "WS_URL", "WEBHOOK_SECRET"))
        path = get("PERPSTRACKER_MARKETS_PATH") or MARKETS_PATH
        if not path.startswith("/") or "://" in path or path.startswith("//"):
            raise SettingsError("PERPSTRACKER_MARKETS_PATH must be a path below PERPSTRACKER_API_URL, "
                                "e.g. /trading/markets")
        return cls(
            api_url=url or API_URL, api_key=Secret(key) if key else None, ws_url=ws or WS_URL,
            webhook_secret=Secret(secret) if secret else None,
            webhook_tolerance=number(get, "PERPSTRACKER_WEBHOOK_TOLERANCE", 300.0, minimum=1.0),
            rate_limits=parse_pairs(get("PERPSTRACKER_RATE_LIMITS"), "PERPSTRACKER_RATE_LIMITS", parse_rate),
            enrol=parse_flag(get, "PERPSTRACKER_ENROL", True), markets_path=path,
            explicit=bool(url or key or ws or secret),
        )

    def env(self) -> dict[str, str]:
        return {"PERPSTRACKER_API_URL": self.api_url, "PERPSTRACKER_WS_URL": self.ws_url,
                "PERPSTRACKER_API_KEY": self.api_key.reveal() if self.api_key else ""}

    def sandbox(self, base_url: str, keys: Mapping[str, str]) -> PerpsTrackerSettings:
        ws = "ws" + base_url[len("http"):]
        return PerpsTrackerSettings(
            api_url=f"{base_url}/perpstracker/api", api_key=Secret(keys["perpstracker"]),
            ws_url=f"{ws}/perpstracker/ws/alerts", webhook_secret=self.webhook_secret,
            webhook_tolerance=self.webhook_tolerance, rate_limits=self.rate_limits, enrol=self.enrol,
            markets_path=self.markets_path)
