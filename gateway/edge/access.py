"""Caller access: API keys or JWTs, over HTTP headers or a WebSocket's connection_init payload.

Off unless GATEWAY_API_KEYS or a GATEWAY_JWT_* key is set. When on, every GraphQL request needs
one credential: `X-API-Key: <key>`, or `Authorization: Bearer <key or JWT>`. A token with two
dots is read as a JWT, anything else as an API key.

API keys are held as SHA-256 digests (GATEWAY_API_KEYS may list `sha256:<hex>` instead of the key
itself, so the configuration need not hold the secret) and compared in constant time.

A credential that verified is remembered (by its whole text) so that its next request costs one
dict lookup, not a SHA-256 and a comparison with every key, nor a signature check (measured: with
API keys on, a response-cache hit cost 5-9% more CPU before). Only verified credentials are kept:
API keys, as many as are configured (a presented key is one of them); JWTs, at most
`REMEMBERED_TOKENS`, each only until its `exp` (with the leeway). A dict lookup tells an attacker
nothing new: whether a string is a valid key is the answer anyway, and strings are compared only
when their (per-process keyed) hashes are equal.

JWTs are verified with PyJWT: HS256 against GATEWAY_JWT_SECRET, RS256 against
GATEWAY_JWT_PUBLIC_KEY (PEM text or a path to it) or the keys of GATEWAY_JWT_JWKS_FILE (chosen by
`kid`). Each key admits only its own algorithm (a public key is never taken as an HMAC secret).
`exp` and `nbf` are checked when present, `aud`/`iss` when configured, and `sub` is required: it
names the caller for the per-caller limits.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import jwt

from gateway.edge.caller import digest
from gateway.edge.settings import EdgeSettings, EdgeSettingsError
from gateway.errors import Unauthenticated

LEEWAY = 30.0  # seconds of clock skew tolerated on exp/nbf
REMEMBERED_TOKENS = 10_000  # verified JWTs kept, the oldest dropped first


def _key_digest(entry: str) -> str:
    if entry.lower().startswith("sha256:"):
        return entry[7:].strip().lower()
    return hashlib.sha256(entry.encode()).hexdigest()


def _read(text: str) -> str:
    """A PEM given inline, or the path of a file holding one."""
    if "-----BEGIN" in text:
        return text.replace("\\n", "\n")
    try:
        return Path(text).read_text()
    except OSError as exc:
        raise EdgeSettingsError("GATEWAY_JWT_PUBLIC_KEY is neither a PEM nor a readable file") from exc


class Authenticator:
    def __init__(self, settings: EdgeSettings, clock: Callable[[], float] = time.time) -> None:
        self.enabled = settings.access_enabled
        self.clock = clock
        self._digests = tuple(_key_digest(k) for k in settings.api_keys)
        self._secret = settings.jwt_secret
        self._audience, self._issuer = settings.jwt_audience, settings.jwt_issuer
        self._rsa: Any = None
        self._keys: dict[str, str] = {}  # a configured API key as presented -> its caller
        self._tokens: dict[str, tuple[str, float]] = {}  # a verified JWT -> (its caller, valid until)
        self._jwks: jwt.PyJWKSet | None = None
        try:
            if settings.jwt_public_key:
                self._rsa = jwt.algorithms.RSAAlgorithm(jwt.algorithms.RSAAlgorithm.SHA256).prepare_key(
                    _read(settings.jwt_public_key))
            if settings.jwt_jwks_file:
                self._jwks = jwt.PyJWKSet.from_json(Path(settings.jwt_jwks_file).read_text())
        except (OSError, ValueError, jwt.PyJWTError) as exc:
            raise EdgeSettingsError(f"the JWT verification key cannot be loaded ({type(exc).__name__})") from exc

    def caller(self, token: str | None) -> str | None:
        """The caller a credential names; None when access is off. Raises Unauthenticated."""
        if not self.enabled:
            return None
        if not token:
            raise Unauthenticated("Credentials required: send X-API-Key or Authorization: Bearer <token>")
        known = self._keys.get(token)
        if known is not None:
            return known
        if token.count(".") == 2:
            return self._remembered_jwt(token)
        given = hashlib.sha256(token.encode()).hexdigest()
        found = False
        for known in self._digests:  # every digest is compared: the time says nothing about which
            found |= hmac.compare_digest(given, known)
        if not found:
            raise Unauthenticated("Invalid API key")
        caller = self._keys[token] = f"key:{given[:16]}"
        return caller

    def _remembered_jwt(self, token: str) -> str:
        now = self.clock()
        known = self._tokens.get(token)
        if known is not None:
            if now < known[1]:
                return known[0]
            del self._tokens[token]
        caller, expires = self._jwt(token)
        if len(self._tokens) >= REMEMBERED_TOKENS:
            del self._tokens[next(iter(self._tokens))]
        self._tokens[token] = (caller, expires + LEEWAY)
        return caller

    def _jwt(self, token: str) -> tuple[str, float]:
        """The caller a JWT names and its `exp` (infinity without one); raises Unauthenticated."""
        try:
            header = jwt.get_unverified_header(token)
            algorithm = header.get("alg")
            key: Any
            if algorithm == "HS256" and self._secret:
                key = self._secret
            elif algorithm == "RS256" and self._jwks is not None and header.get("kid"):
                key = self._jwks[str(header["kid"])].key
            elif algorithm == "RS256" and self._rsa is not None:
                key = self._rsa
            else:
                raise Unauthenticated("Invalid token: unsupported algorithm or unknown key")
            claims = jwt.decode(token, key, algorithms=[algorithm], audience=self._audience, issuer=self._issuer,
                                leeway=LEEWAY, options={"require": ["sub"], "verify_aud": self._audience is not None})
        except (jwt.PyJWTError, KeyError, ValueError) as exc:
            raise Unauthenticated(f"Invalid token: {_reason(exc)}") from exc
        exp = claims.get("exp")
        return f"sub:{digest(str(claims['sub']))}", float(exp) if isinstance(exp, int | float) else math.inf


def _reason(exc: Exception) -> str:
    if isinstance(exc, jwt.ExpiredSignatureError):
        return "expired"
    if isinstance(exc, jwt.InvalidAudienceError):
        return "wrong audience"
    if isinstance(exc, jwt.InvalidIssuerError):
        return "wrong issuer"
    if isinstance(exc, jwt.MissingRequiredClaimError):
        return "no subject"
    if isinstance(exc, jwt.InvalidSignatureError):
        return "bad signature"
    return "malformed or not verifiable"


def credential(headers: Mapping[str, str]) -> str | None:
    """The credential of a request or connection_init payload (keys compared case-insensitively)."""
    lowered = {k.lower(): v for k, v in headers.items() if isinstance(k, str) and isinstance(v, str)}
    found = header_credential(lowered.get("x-api-key") or lowered.get("apikey"), lowered.get("authorization"))
    if found is not None:
        return found
    token = lowered.get("token")
    return token.strip() if token else None


def header_credential(api_key: str | None, authorization: str | None) -> str | None:
    """The credential of an `X-API-Key` and an `Authorization` header (either may be None)."""
    if api_key:
        return api_key.strip()
    auth = (authorization or "").strip()
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip() or None
    return None
