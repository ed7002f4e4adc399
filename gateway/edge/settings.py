"""Settings of the public edge: caller access, fairness, browsers, persisted operations, socket limits.

Kept apart from `gateway/settings.py` (upstreams, caching, streams) so that one concern reads in
one place; `Settings.edge` holds an `EdgeSettings`, parsed from the same environment. Every name
and default is documented in docs/operations-edge.md.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass

from gateway.envparse import SettingsError, number

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class EdgeSettingsError(SettingsError):
    """A malformed edge setting; raised at start-up."""


def _list(text: str | None) -> tuple[str, ...]:
    return tuple(item.strip() for item in (text or "").split(",") if item.strip())


def _rate(name: str, text: str | None) -> tuple[int, int] | None:
    """`10/300` (per second/per minute), or None for `off`/unset."""
    if text is None or text.lower() in ("off", "0", "none"):
        return None
    try:
        second, minute = (int(x) for x in text.split("/"))
    except ValueError as exc:
        raise EdgeSettingsError(f"{name} must look like 10/300 (per second/per minute) or off") from exc
    if second < 1 or minute < 1:
        raise EdgeSettingsError(f"{name} must be positive")
    return second, minute


@dataclass(frozen=True)
class EdgeSettings:
    # ---- caller access (off unless keys or a JWT key are configured) ----
    api_keys: tuple[str, ...] = ()  # plain keys or `sha256:<hex>` digests of them
    jwt_secret: str | None = None  # HS256 shared secret
    jwt_public_key: str | None = None  # RS256 PEM (the text, or read from a path)
    jwt_jwks_file: str | None = None  # RS256 keys as a JWKS document (a path)
    jwt_audience: str | None = None
    jwt_issuer: str | None = None
    # ---- fairness (docs/operations-edge.md#fairness) ----
    trusted_proxies: tuple[Network, ...] = ()  # X-Forwarded-For is believed only from these peers
    caller_rate: tuple[int, int] | None = None  # requests per second/minute per caller; None: no limit
    caller_share: float = 0.5  # share of each upstream rate bucket one caller may spend
    caller_upstream_rate: tuple[int, int] | None = (10, 300)  # per caller, for upstreams without buckets
    # ---- browsers ----
    cors_origins: tuple[str, ...] = ("*",)  # `*`: any origin, without credentials
    ws_origins: tuple[str, ...] | None = None  # None: the same as cors_origins
    # ---- persisted operations ----
    persisted_only: str | None = None  # a file of allowed operations; only those run
    apq: bool = True  # Apollo automatic persisted queries
    # ---- WebSocket and stream limits ----
    ws_max_message: int = 64 * 1024  # bytes of one client message (close 4400 beyond)
    ws_max_id: int = 128  # characters of an operation id (close 4400 beyond)
    ws_send_buffer_bytes: int = 4 * 2**20  # bytes a socket may fall behind before it is dropped
    stream_queue_bytes: int = 4 * 2**20  # bytes of events a hub subscriber may fall behind
    ws_max_topics: int = 20  # distinct upstream topics one WebSocket may hold
    stream_max_topics: int = 1000  # upstream topics open at once on one replica
    caller_max_topics: int = 250  # distinct upstream topics one caller's sockets may hold on one replica

    @property
    def access_enabled(self) -> bool:
        return bool(self.api_keys or self.jwt_secret or self.jwt_public_key or self.jwt_jwks_file)

    @property
    def allowed_ws_origins(self) -> tuple[str, ...]:
        return self.cors_origins if self.ws_origins is None else self.ws_origins

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> EdgeSettings:
        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        def integer(name: str, default: int, minimum: int = 1) -> int:
            return int(number(get, name, default, minimum=minimum))

        share = number(get, "GATEWAY_CALLER_SHARE", 0.5, minimum=0.01)
        if share > 1:
            raise EdgeSettingsError("GATEWAY_CALLER_SHARE must be a fraction between 0.01 and 1")
        try:
            proxies = tuple(ipaddress.ip_network(p, strict=False) for p in _list(get("GATEWAY_TRUSTED_PROXIES")))
        except ValueError as exc:
            raise EdgeSettingsError("GATEWAY_TRUSTED_PROXIES must be comma-separated IPs or CIDRs") from exc
        ws_origins = get("GATEWAY_WS_ORIGINS")
        return cls(
            api_keys=_list(get("GATEWAY_API_KEYS")),
            jwt_secret=get("GATEWAY_JWT_SECRET"),
            jwt_public_key=get("GATEWAY_JWT_PUBLIC_KEY"),
            jwt_jwks_file=get("GATEWAY_JWT_JWKS_FILE"),
            jwt_audience=get("GATEWAY_JWT_AUDIENCE"),
            jwt_issuer=get("GATEWAY_JWT_ISSUER"),
            trusted_proxies=proxies,
            caller_rate=_rate("GATEWAY_CALLER_RATE", get("GATEWAY_CALLER_RATE")),
            caller_share=share,
            caller_upstream_rate=_rate("GATEWAY_CALLER_UPSTREAM_RATE", get("GATEWAY_CALLER_UPSTREAM_RATE") or "10/300"),
            cors_origins=_list(get("GATEWAY_CORS_ORIGINS") or "*"),
            ws_origins=_list(ws_origins) if ws_origins else None,
            persisted_only=get("GATEWAY_PERSISTED_ONLY"),
            apq=(get("GATEWAY_APQ") or "on").lower() in ("on", "true", "1"),
            ws_max_message=integer("GATEWAY_WS_MAX_MESSAGE", 64 * 1024, 256),
            ws_max_id=integer("GATEWAY_WS_MAX_ID", 128),
            ws_send_buffer_bytes=integer("GATEWAY_WS_SEND_BUFFER_BYTES", 4 * 2**20, 1024),
            stream_queue_bytes=integer("GATEWAY_STREAM_QUEUE_BYTES", 4 * 2**20, 1024),
            ws_max_topics=integer("GATEWAY_WS_MAX_TOPICS", 20),
            stream_max_topics=integer("GATEWAY_STREAM_MAX_TOPICS", 1000),
            caller_max_topics=integer("GATEWAY_CALLER_MAX_TOPICS", 250),
        )
