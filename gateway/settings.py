"""Configuration from the environment, with the contract's variable names and defaults.

Secrets (API keys, the webhook secret) are held as `Secret`, whose repr and str never show the
value, so a settings object can be logged or shown in an error without leaking them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar
from urllib.parse import urlsplit

from gateway.edge.settings import EdgeSettings, EdgeSettingsError
from gateway.envparse import Getter, SettingsError, number, parse_flag, parse_pairs, parse_rate

__all__ = ["Getter", "Secret", "Settings", "SettingsError", "number", "parse_flag", "parse_pairs", "parse_rate"]

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






HTTP_SCHEMES, WS_SCHEMES, REDIS_SCHEMES = ("http", "https"), ("ws", "wss"), ("redis", "rediss", "unix")


def url_schemes(name: str) -> tuple[str, ...]:
    """What a URL variable's client can speak, by the variable's name: every upstream section names
    its URLs `*_URL`, and its WebSocket ones `*_WS_URL` (so this names no upstream)."""
    if name == "REDIS_URL":
        return REDIS_SCHEMES
    return WS_SCHEMES if name.endswith("_WS_URL") else HTTP_SCHEMES


def check_url(name: str, value: str) -> str:
    """Reject at start-up a URL no client could use (wrong scheme, no host, bad port), naming the
    variable. The echo drops user info and query, where a password or key could sit."""
    parts = urlsplit(value)
    shown = f"{parts.scheme}://{parts.hostname or ''}{parts.path}" if parts.scheme else value.split("?")[0]
    schemes = url_schemes(name)
    if parts.scheme not in schemes:
        starts = ", ".join(s + "://" for s in schemes[:-1]) + f" or {schemes[-1]}://"
        raise SettingsError(f"{name} must be a URL starting with {starts}, not {shown!r}")
    if parts.scheme == "unix":
        if not parts.path:
            raise SettingsError(f"{name}: a unix:// URL needs a socket path")
        return value
    try:
        parts.port  # noqa: B018 - parsing it is the check
    except ValueError as exc:
        raise SettingsError(f"{name} has a bad port: {shown!r}") from exc
    if not parts.hostname:
        raise SettingsError(f"{name} has no host: {shown!r}")
    return value


def _share(value: float) -> float:
    if value > 1:
        raise SettingsError("GATEWAY_POLL_SHARE must be a fraction between 0.01 and 1")
    return value










def checked_urls(get: Getter) -> Getter:
    """`get`, checking every `*_URL` it returns (`check_url`): a malformed upstream or Redis URL is
    one clear line at start-up, not a traceback from deep inside a client."""

    def checked(name: str) -> str | None:
        value = get(name)
        if value and name.endswith("_URL"):
            check_url(name, value)
        return value

    return checked


def _upstream_sections(get: Getter) -> dict[str, Any]:
    from gateway.sources.registry import sections_from_env

    return sections_from_env(get)


def _no_env(name: str) -> str | None:
    return None


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    sandbox: str = "auto"  # auto | on | off
    sandbox_port: int = 0  # 0: pick a free port when the sandbox is embedded
    # each upstream's own section (gateway/sources/<name>/settings.py), by upstream name
    upstreams: Mapping[str, Any] = field(default_factory=lambda: _upstream_sections(_no_env))
    redis_url: str | None = None
    # ---- the public edge: access, fairness, browsers, persisted operations (gateway/edge/settings.py) ----
    edge: EdgeSettings = field(default_factory=EdgeSettings)
    upstream_timeout: float = 10.0  # seconds to wait for an upstream's answer (connect: 3 s at most)
    upstream_max_body: int = 32 * 2**20  # bytes of one upstream answer at most; a larger one is UPSTREAM_ERROR
    # ---- being frugal with upstreams (docs/operations.md) ----
    cache_ttl_overrides: Mapping[str, float] = field(default_factory=dict)  # endpoint name -> seconds
    max_stale: float = 300.0  # serve a cached copy this old when its upstream fails
    response_cache: bool = True  # whole-response cache for queries
    compiled_execution: bool = True  # queries through compiled plans (gateway/api/compiled); off: Strawberry only
    rate_limit_wait: float = 2.0  # longest a call waits for an upstream rate-limit slot
    upstream_retries: int = 2  # retries after a 429/5xx/transport failure (3 attempts in all)
    breaker_threshold: int = 5  # consecutive failures that open an upstream's circuit
    breaker_cooldown: float = 30.0  # seconds an open circuit waits before one trial call
    # ---- live streams and subscriptions (docs/operations-streams.md) ----
    stream_linger: float = 5.0  # seconds a topic's bridge keeps running after its last subscriber leaves
    stream_queue: int = 256  # events a hub subscriber may fall behind before it is dropped
    stream_lease_ttl: float = 5.0  # Redis lease on a topic's bridge; a dead holder is replaced after this
    stream_fail_after: float = 60.0  # a bridge failing this long without a fallback ends its subscribers with an error
    ws_send_buffer: int = 256  # messages a WebSocket may fall behind before it is dropped (close 1013)
    ws_max_subscriptions: int = 100  # operations at once on one WebSocket
    ws_init_timeout: float = 10.0  # seconds a socket may take to send connection_init (close 4408)
    ws_keepalive: float = 12.0  # legacy graphql-ws `ka` interval in seconds
    # ---- upstream bridges and the webhook receiver (docs/operations-bridges.md) ----
    poll_interval: float = 1.0  # shortest interval of any poller (the rate budget may lengthen it)
    poll_share: float = 0.5  # share of an upstream's per-minute rate limit that pollers may use
    # ---- request limits (docs/operations-limits.md) ----
    max_body: int = 1_000_000  # bytes of an HTTP request body; beyond: 413
    max_depth: int = 15  # nesting of a document's selections (GraphiQL's introspection query is 13 deep)
    max_aliases: int = 300  # aliased fields in one operation (Sai Keeper's explorer sends 200)
    max_tokens: int = 15_000  # lexer tokens of a document; counted before parsing
    max_cost: int = 5_000  # upstream keys an operation can reach x the rows their limits can return
    introspection: bool = True  # GATEWAY_INTROSPECTION=off refuses __schema and __type

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
        def num(name: str, default: float, *, minimum: float = 0.0) -> float:
            return number(get, name, default, minimum=minimum)

        def flag(name: str, default: bool) -> bool:
            return parse_flag(get, name, default)

        try:
            edge = EdgeSettings.from_env(env)
        except EdgeSettingsError as exc:
            raise SettingsError(str(exc)) from exc
        port_text = get("GATEWAY_PORT") or "8000"
        sandbox_port_text = get("GATEWAY_SANDBOX_PORT") or "0"
        try:
            port, sandbox_port = int(port_text), int(sandbox_port_text)
        except ValueError as exc:
            raise SettingsError("GATEWAY_PORT and GATEWAY_SANDBOX_PORT must be integers") from exc
        return cls(
            host=get("GATEWAY_HOST") or "127.0.0.1",
            port=port,
            sandbox=sandbox,
            sandbox_port=sandbox_port,
            upstreams=_upstream_sections(checked_urls(get)),
            edge=edge,
            redis_url=checked_urls(get)("REDIS_URL"),
            upstream_timeout=upstream_timeout,
            upstream_max_body=int(num("GATEWAY_UPSTREAM_MAX_BODY", 32 * 2**20, minimum=1024)),
            cache_ttl_overrides=parse_pairs(get("GATEWAY_CACHE_TTLS"), "GATEWAY_CACHE_TTLS", float),
            max_stale=num("GATEWAY_MAX_STALE", 300.0),
            response_cache=flag("GATEWAY_RESPONSE_CACHE", True),
            compiled_execution=flag("GATEWAY_COMPILED_EXECUTION", True),
            rate_limit_wait=num("GATEWAY_RATE_LIMIT_WAIT", 2.0),
            upstream_retries=int(num("GATEWAY_UPSTREAM_RETRIES", 2)),
            breaker_threshold=int(num("GATEWAY_BREAKER_THRESHOLD", 5, minimum=1)),
            breaker_cooldown=num("GATEWAY_BREAKER_COOLDOWN", 30.0),
            stream_linger=num("GATEWAY_STREAM_LINGER", 5.0),
            stream_queue=int(num("GATEWAY_STREAM_QUEUE", 256, minimum=1)),
            stream_lease_ttl=num("GATEWAY_STREAM_LEASE_TTL", 5.0, minimum=0.5),
            stream_fail_after=num("GATEWAY_STREAM_FAIL_AFTER", 60.0, minimum=0.1),
            ws_send_buffer=int(num("GATEWAY_WS_SEND_BUFFER", 256, minimum=1)),
            ws_max_subscriptions=int(num("GATEWAY_WS_MAX_SUBSCRIPTIONS", 100, minimum=1)),
            ws_init_timeout=num("GATEWAY_WS_INIT_TIMEOUT", 10.0, minimum=0.1),
            ws_keepalive=num("GATEWAY_WS_KEEPALIVE", 12.0, minimum=0.1),
            poll_interval=num("GATEWAY_POLL_INTERVAL", 1.0, minimum=0.05),
            poll_share=_share(num("GATEWAY_POLL_SHARE", 0.5, minimum=0.01)),
            max_body=int(num("GATEWAY_MAX_BODY", 1_000_000, minimum=1024)),
            max_depth=int(num("GATEWAY_MAX_DEPTH", 15, minimum=2)),
            max_aliases=int(num("GATEWAY_MAX_ALIASES", 300, minimum=0)),
            max_tokens=int(num("GATEWAY_MAX_TOKENS", 15_000, minimum=100)),
            max_cost=int(num("GATEWAY_MAX_COST", 5_000, minimum=1)),
            introspection=flag("GATEWAY_INTROSPECTION", True),
        )

    @property
    def explicit(self) -> bool:
        """True when the user configured any upstream URL or key."""
        return any(section.explicit for section in self.upstreams.values())

    @property
    def use_sandbox(self) -> bool:
        """`auto`: the sandbox serves only when no key and no upstream URL is configured."""
        if self.sandbox == "on":
            return True
        if self.sandbox == "off":
            return False
        return not self.explicit

    def upstream(self, name: str) -> Any:
        """The settings section of the upstream named `name`."""
        return self.upstreams[name]

    def with_upstream(self, name: str, **changes: Any) -> Settings:
        """A copy with fields of one upstream's section changed."""
        return replace(self, upstreams={**self.upstreams, name: replace(self.upstreams[name], **changes)})

    def with_sandbox(self, base_url: str, keys: Mapping[str, str]) -> Settings:
        """Settings pointing every upstream at a sandbox served at `base_url` (http://host:port),
        with the API `keys` it accepts by upstream name."""
        return replace(self, upstreams={n: s.sandbox(base_url, keys) for n, s in self.upstreams.items()})

    def upstream_env(self) -> dict[str, str]:
        """The environment that configures a gateway process with these upstream URLs and keys."""
        return {k: v for section in self.upstreams.values() for k, v in section.env().items()}
