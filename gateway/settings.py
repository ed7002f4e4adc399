"""Configuration from the environment, with the contract's variable names and defaults.

Secrets (API keys, the webhook secret) are held as `Secret`, whose repr and str never show the
value, so a settings object can be logged or shown in an error without leaking them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TypeVar

T = TypeVar("T")


class Secret:
    """A string that does not print itself."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


DEFAULTS = {
    "PERPSTRACKER_API_URL": "https://perpstracker.com/api",
    "PERPSTRACKER_WS_URL": "wss://perpstracker.com:5001/ws/alerts",
    "NANSEN_API_URL": "https://api.nansen.ai",
    "NIBIRU_GRAPHQL_URL": "https://sai-keeper.nibiru.fi/query",
    "NIBIRU_WS_URL": "wss://sai-keeper.nibiru.fi/query",
}

_UPSTREAM_VARS = (
    "PERPSTRACKER_API_URL", "PERPSTRACKER_WS_URL", "NANSEN_API_URL",
    "NIBIRU_GRAPHQL_URL", "NIBIRU_WS_URL",
)
_KEY_VARS = ("PERPSTRACKER_API_KEY", "NANSEN_API_KEY", "PERPSTRACKER_WEBHOOK_SECRET")


class SettingsError(ValueError):
    """A configuration value is malformed; raised at start-up, never at request time."""


def _rate(text: str | None) -> tuple[int, int]:
    """`5/100`: per second / per minute."""
    try:
        second, minute = (int(x) for x in (text or "").split("/"))
    except ValueError as exc:
        raise SettingsError(f"rate limit {text!r} must look like 5/100 (per second/per minute)") from exc
    if second < 1 or minute < 1:
        raise SettingsError(f"rate limit {text!r} must be positive")
    return second, minute


def _share(value: float) -> float:
    if value > 1:
        raise SettingsError("GATEWAY_POLL_SHARE must be a fraction between 0.01 and 1")
    return value


def _pairs(text: str | None, name: str, parse: Callable[[str], T]) -> dict[str, T]:
    """`a=1,b=2` into {"a": parse("1"), "b": parse("2")}."""
    out: dict[str, T] = {}
    for item in (text or "").split(","):
        if not item.strip():
            continue
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise SettingsError(f"{name} entries must look like name=value")
        try:
            out[key.strip()] = parse(value.strip())
        except (ValueError, SettingsError) as exc:
            raise SettingsError(f"{name}: bad value for {key.strip()!r}") from exc
    return out


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    sandbox: str = "auto"  # auto | on | off
    sandbox_port: int = 0  # 0: pick a free port when the sandbox is embedded
    perpstracker_api_url: str = DEFAULTS["PERPSTRACKER_API_URL"]
    perpstracker_api_key: Secret | None = None
    perpstracker_ws_url: str = DEFAULTS["PERPSTRACKER_WS_URL"]
    perpstracker_webhook_secret: Secret | None = None
    nansen_api_url: str = DEFAULTS["NANSEN_API_URL"]
    nansen_api_key: Secret | None = None
    nibiru_graphql_url: str = DEFAULTS["NIBIRU_GRAPHQL_URL"]
    nibiru_ws_url: str = DEFAULTS["NIBIRU_WS_URL"]
    redis_url: str | None = None
    upstream_timeout: float = 10.0  # seconds to wait for an upstream's answer (connect: 3 s at most)
    # ---- being frugal with upstreams (docs/operations.md) ----
    cache_ttl_overrides: Mapping[str, float] = field(default_factory=dict)  # endpoint name -> seconds
    max_stale: float = 300.0  # serve a cached copy this old when its upstream fails
    response_cache: bool = True  # whole-response cache for queries
    rate_limit_wait: float = 2.0  # longest a call waits for an upstream rate-limit slot
    upstream_retries: int = 2  # retries after a 429/5xx/transport failure (3 attempts in all)
    breaker_threshold: int = 5  # consecutive failures that open an upstream's circuit
    breaker_cooldown: float = 30.0  # seconds an open circuit waits before one trial call
    perpstracker_rate_limits: Mapping[str, tuple[int, int]] = field(default_factory=dict)  # overrides
    nansen_rate_limits: tuple[int, int] | None = None  # (per second, per minute); None: defaults
    # ---- live streams and subscriptions (docs/operations-streams.md) ----
    stream_linger: float = 5.0  # seconds a topic's bridge keeps running after its last subscriber leaves
    stream_queue: int = 256  # events a hub subscriber may fall behind before it is dropped
    stream_lease_ttl: float = 5.0  # Redis lease on a topic's bridge; a dead holder is replaced after this
    ws_send_buffer: int = 256  # messages a WebSocket may fall behind before it is dropped (close 1013)
    ws_max_subscriptions: int = 100  # operations at once on one WebSocket
    ws_init_timeout: float = 10.0  # seconds a socket may take to send connection_init (close 4408)
    ws_keepalive: float = 12.0  # legacy graphql-ws `ka` interval in seconds
    # ---- upstream bridges and the webhook receiver (docs/operations-bridges.md) ----
    poll_interval: float = 5.0  # shortest interval of any poller (the rate budget may lengthen it)
    poll_share: float = 0.5  # share of an upstream's per-minute rate limit that pollers may use
    perpstracker_enrol: bool = True  # put subscribed JUPITER wallets on the watchlist with alerts on
    perpstracker_webhook_tolerance: float = 300.0  # seconds a webhook's X-Webhook-Timestamp may be off
    hyperliquid_live_tokens: tuple[str, ...] = ()  # coins the HYPERLIQUID live feed polls; (): the market table
    explicit: frozenset[str] = field(default_factory=frozenset)  # upstream vars set by the user

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        def secret(name: str) -> Secret | None:
            value = get(name)
            return Secret(value) if value else None

        sandbox = (get("GATEWAY_SANDBOX") or "auto").lower()
        if sandbox not in ("auto", "on", "off"):
            raise SettingsError("GATEWAY_SANDBOX must be one of auto, on, off")
        try:
            upstream_timeout = float(get("GATEWAY_UPSTREAM_TIMEOUT") or "10")
        except ValueError as exc:
            raise SettingsError("GATEWAY_UPSTREAM_TIMEOUT must be a number of seconds") from exc
        if upstream_timeout <= 0:
            raise SettingsError("GATEWAY_UPSTREAM_TIMEOUT must be positive")
        def number(name: str, default: float, *, minimum: float = 0.0) -> float:
            text = get(name)
            if text is None:
                return default
            try:
                value = float(text)
            except ValueError as exc:
                raise SettingsError(f"{name} must be a number") from exc
            if value < minimum:
                raise SettingsError(f"{name} must be at least {minimum:g}")
            return value

        def flag(name: str, default: bool) -> bool:
            text = (get(name) or ("on" if default else "off")).lower()
            if text not in ("on", "off", "true", "false", "1", "0"):
                raise SettingsError(f"{name} must be on or off")
            return text in ("on", "true", "1")

        port_text = get("GATEWAY_PORT") or "8000"
        sandbox_port_text = get("GATEWAY_SANDBOX_PORT") or "0"
        try:
            port, sandbox_port = int(port_text), int(sandbox_port_text)
        except ValueError as exc:
            raise SettingsError("GATEWAY_PORT and GATEWAY_SANDBOX_PORT must be integers") from exc
        explicit = frozenset(n for n in _UPSTREAM_VARS + _KEY_VARS if get(n))
        return cls(
            host=get("GATEWAY_HOST") or "127.0.0.1",
            port=port,
            sandbox=sandbox,
            sandbox_port=sandbox_port,
            perpstracker_api_url=get("PERPSTRACKER_API_URL") or DEFAULTS["PERPSTRACKER_API_URL"],
            perpstracker_api_key=secret("PERPSTRACKER_API_KEY"),
            perpstracker_ws_url=get("PERPSTRACKER_WS_URL") or DEFAULTS["PERPSTRACKER_WS_URL"],
            perpstracker_webhook_secret=secret("PERPSTRACKER_WEBHOOK_SECRET"),
            nansen_api_url=get("NANSEN_API_URL") or DEFAULTS["NANSEN_API_URL"],
            nansen_api_key=secret("NANSEN_API_KEY"),
            nibiru_graphql_url=get("NIBIRU_GRAPHQL_URL") or DEFAULTS["NIBIRU_GRAPHQL_URL"],
            nibiru_ws_url=get("NIBIRU_WS_URL") or DEFAULTS["NIBIRU_WS_URL"],
            redis_url=get("REDIS_URL"),
            upstream_timeout=upstream_timeout,
            cache_ttl_overrides=_pairs(get("GATEWAY_CACHE_TTLS"), "GATEWAY_CACHE_TTLS", float),
            max_stale=number("GATEWAY_MAX_STALE", 300.0),
            response_cache=flag("GATEWAY_RESPONSE_CACHE", True),
            rate_limit_wait=number("GATEWAY_RATE_LIMIT_WAIT", 2.0),
            upstream_retries=int(number("GATEWAY_UPSTREAM_RETRIES", 2)),
            breaker_threshold=int(number("GATEWAY_BREAKER_THRESHOLD", 5, minimum=1)),
            breaker_cooldown=number("GATEWAY_BREAKER_COOLDOWN", 30.0),
            perpstracker_rate_limits=_pairs(get("PERPSTRACKER_RATE_LIMITS"), "PERPSTRACKER_RATE_LIMITS", _rate),
            nansen_rate_limits=_rate(get("NANSEN_RATE_LIMITS")) if get("NANSEN_RATE_LIMITS") else None,
            stream_linger=number("GATEWAY_STREAM_LINGER", 5.0),
            stream_queue=int(number("GATEWAY_STREAM_QUEUE", 256, minimum=1)),
            stream_lease_ttl=number("GATEWAY_STREAM_LEASE_TTL", 5.0, minimum=0.5),
            ws_send_buffer=int(number("GATEWAY_WS_SEND_BUFFER", 256, minimum=1)),
            ws_max_subscriptions=int(number("GATEWAY_WS_MAX_SUBSCRIPTIONS", 100, minimum=1)),
            ws_init_timeout=number("GATEWAY_WS_INIT_TIMEOUT", 10.0, minimum=0.1),
            ws_keepalive=number("GATEWAY_WS_KEEPALIVE", 12.0, minimum=0.1),
            poll_interval=number("GATEWAY_POLL_INTERVAL", 5.0, minimum=0.05),
            poll_share=_share(number("GATEWAY_POLL_SHARE", 0.5, minimum=0.01)),
            perpstracker_enrol=flag("PERPSTRACKER_ENROL", True),
            perpstracker_webhook_tolerance=number("PERPSTRACKER_WEBHOOK_TOLERANCE", 300.0, minimum=1.0),
            hyperliquid_live_tokens=tuple(t.strip() for t in (get("HYPERLIQUID_LIVE_TOKENS") or "").split(",")
                                          if t.strip()),
            explicit=explicit,
        )

    @property
    def use_sandbox(self) -> bool:
        """`auto`: the sandbox serves only when no key and no upstream URL is configured."""
        if self.sandbox == "on":
            return True
        if self.sandbox == "off":
            return False
        return not self.explicit

    def with_sandbox(self, base_url: str, keys: Mapping[str, str]) -> Settings:
        """Settings pointing every upstream at a sandbox served at `base_url` (http://host:port),
        with the API `keys` it accepts ({"perpstracker": ..., "nansen": ...})."""
        ws = "ws" + base_url[len("http"):]
        return replace(
            self,
            perpstracker_api_url=f"{base_url}/perpstracker/api",
            perpstracker_api_key=Secret(keys["perpstracker"]),
            perpstracker_ws_url=f"{ws}/perpstracker/ws/alerts",
            nansen_api_url=f"{base_url}/nansen",
            nansen_api_key=Secret(keys["nansen"]),
            nibiru_graphql_url=f"{base_url}/nibiru/query",
            nibiru_ws_url=f"{ws}/nibiru/query",
        )
