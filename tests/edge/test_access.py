"""Caller access: API keys and JWTs (HS256, RS256 by PEM or JWKS) over HTTP and connection_init.

Unit tests drive the Authenticator; the integration tests serve a gateway on a real socket with
scripted bridges (no upstream is needed to be refused or admitted).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
import websockets
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from gateway.edge.access import Authenticator
from gateway.edge.settings import EdgeSettings
from gateway.errors import Unauthenticated
from tests.api.ws_helpers import (
    TRANSPORT,
    ScriptedGateway,
    closed_with,
    recv_json,
    scripted_gateway,
    send_json,
)

KEY = "k-3f9a0c1d2e"
SECRET = "an-hs256-secret-of-thirty-two-bytes!!"
QUERY = {"query": "{ __typename }"}


def _rsa() -> tuple[Any, str]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.public_key().public_bytes(serialization.Encoding.PEM,
                                            serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, pem


PRIVATE, PUBLIC_PEM = _rsa()


def token(key: Any = SECRET, alg: str = "HS256", **claims: Any) -> str:
    body = {"sub": "alice", "exp": int(time.time()) + 300, **claims}
    return jwt.encode({k: v for k, v in body.items() if v is not None}, key, algorithm=alg,
                      headers={"kid": "k1"} if alg == "RS256" else None)


def test_access_is_off_by_default() -> None:
    auth = Authenticator(EdgeSettings())
    assert not auth.enabled and auth.caller(None) is None and auth.caller("anything") is None


def test_api_keys_plain_or_hashed_name_distinct_callers() -> None:
    hashed = "sha256:" + hashlib.sha256(b"second-key").hexdigest()
    auth = Authenticator(EdgeSettings(api_keys=(KEY, hashed)))
    a, b = auth.caller(KEY), auth.caller("second-key")
    assert a is not None and b is not None and a.startswith("key:") and a != b
    assert KEY not in a  # the caller key never holds the secret
    for bad in (None, "", "wrong", KEY + " "):
        with pytest.raises(Unauthenticated):
            auth.caller(bad)


def test_hs256_checks_signature_expiry_audience_issuer_and_subject() -> None:
    auth = Authenticator(EdgeSettings(jwt_secret=SECRET, jwt_audience="gateway", jwt_issuer="https://idp"))
    good = auth.caller(token(aud="gateway", iss="https://idp"))
    assert good is not None and good.startswith("sub:")
    assert auth.caller(token(aud="gateway", iss="https://idp", sub="bob")) != good
    for bad in (token("another-secret-of-thirty-two-bytes!", aud="gateway", iss="https://idp"),
                token(aud="gateway", iss="https://idp", exp=int(time.time()) - 3600),
                token(aud="elsewhere", iss="https://idp"), token(aud="gateway", iss="https://evil"),
                token(aud="gateway", iss="https://idp", sub=None), "a.b.c"):
        with pytest.raises(Unauthenticated):
            auth.caller(bad)


def test_rs256_by_pem_and_by_jwks_and_no_algorithm_confusion(tmp_path: Path) -> None:
    by_pem = Authenticator(EdgeSettings(jwt_public_key=PUBLIC_PEM))
    assert by_pem.caller(token(PRIVATE, "RS256")) == by_pem.caller(token(PRIVATE, "RS256"))
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(PRIVATE.public_key()))
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [{**jwk, "kid": "k1", "alg": "RS256", "use": "sig"}]}))
    by_jwks = Authenticator(EdgeSettings(jwt_jwks_file=str(jwks)))
    assert by_jwks.caller(token(PRIVATE, "RS256")) is not None
    other, _ = _rsa()
    with pytest.raises(Unauthenticated):
        by_jwks.caller(token(other, "RS256"))
    # the classic confusion: an HS256 token signed with the public key as its "secret" must not pass
    # (PyJWT refuses to sign with a PEM as an HMAC key, so the token is built by hand)
    import base64
    import hmac

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    signing = b64(b'{"alg":"HS256","typ":"JWT"}') + "." + b64(b'{"sub":"mallory"}')
    forged = signing + "." + b64(hmac.new(PUBLIC_PEM.encode(), signing.encode(), hashlib.sha256).digest())
    with pytest.raises(Unauthenticated):
        by_pem.caller(forged)


@pytest.fixture(scope="module")
def gw() -> Iterator[ScriptedGateway]:
    edge = dataclasses.replace(EdgeSettings(), api_keys=(KEY,), jwt_secret=SECRET)
    with scripted_gateway(edge=edge) as gateway:
        yield gateway


def http_url(gw: ScriptedGateway) -> str:
    return gw.url.replace("ws", "http", 1).removesuffix("/graphql")


async def test_http_without_or_with_bad_credentials_is_401_unauthenticated(gw: ScriptedGateway) -> None:
    async with httpx.AsyncClient(base_url=http_url(gw), timeout=10) as client:
        for headers in ({}, {"X-API-Key": "nope"}, {"Authorization": "Bearer nope"},
                        {"Authorization": f"Bearer {token('wrong-secret-of-thirty-two-bytes!!!')}"}):
            answer = await client.post("/graphql", json=QUERY, headers=headers)
            assert answer.status_code == 401, headers
            extensions = answer.json()["errors"][0]["extensions"]
            assert extensions["code"] == "UNAUTHENTICATED"
            assert extensions["requestId"] == answer.headers["x-request-id"]  # like every error (observe)
            assert answer.headers["www-authenticate"].startswith("Bearer")
        get = await client.get("/graphql", params=QUERY)
        assert get.status_code == 401
        for path in ("/healthz", "/readyz", "/metrics"):  # operations endpoints stay open
            assert (await client.get(path)).status_code == 200, path


async def test_http_with_a_key_or_a_token_is_served(gw: ScriptedGateway) -> None:
    async with httpx.AsyncClient(base_url=http_url(gw), timeout=10) as client:
        for headers in ({"X-API-Key": KEY}, {"Authorization": f"Bearer {KEY}"},
                        {"Authorization": f"Bearer {token()}"}):
            answer = await client.post("/graphql", json=QUERY, headers=headers)
            assert answer.status_code == 200 and answer.json() == {"data": {"__typename": "Query"}}, headers
            assert (await client.get("/graphql", params=QUERY, headers=headers)).status_code == 200


async def test_websocket_init_without_credentials_closes_4403(gw: ScriptedGateway) -> None:
    for payload in ({}, {"Authorization": "Bearer nope"}, None):
        async with websockets.connect(gw.url, subprotocols=[TRANSPORT]) as ws:  # type: ignore[list-item]
            await send_json(ws, {"type": "connection_init", **({"payload": payload} if payload is not None else {})})
            assert await closed_with(ws) == 4403


async def test_websocket_init_with_a_key_or_token_is_acknowledged(gw: ScriptedGateway) -> None:
    for payload in ({"X-API-Key": KEY}, {"Authorization": f"Bearer {token()}"}, {"token": token()}):
        async with websockets.connect(gw.url, subprotocols=[TRANSPORT]) as ws:  # type: ignore[list-item]
            await send_json(ws, {"type": "connection_init", "payload": payload})
            assert (await recv_json(ws))["type"] == "connection_ack"
    # a non-browser client may put the credential on the handshake instead
    async with websockets.connect(gw.url, subprotocols=[TRANSPORT],  # type: ignore[list-item]
                                  additional_headers={"X-API-Key": KEY}) as ws:
        await send_json(ws, {"type": "connection_init"})
        assert (await recv_json(ws))["type"] == "connection_ack"


class CountingAuthenticator(Authenticator):
    """Counts the signature checks a JWT costs (the memo's work is to spare them)."""

    checked = 0

    def _jwt(self, token: str) -> tuple[str, float]:
        self.checked += 1
        return super()._jwt(token)


def test_a_verified_jwt_is_remembered_until_its_expiry_and_leeway_only() -> None:
    clock = [time.time()]
    auth = CountingAuthenticator(EdgeSettings(jwt_secret=SECRET), clock=lambda: clock[0])
    expiring = token(exp=int(clock[0]) - 10)  # past its exp, still inside the leeway: valid for ~20 s more
    first = auth.caller(expiring)
    assert auth.caller(expiring) == first and auth.checked == 1  # the second request: no signature check
    clock[0] += 25  # the leeway is spent: it must be checked again, not served from memory
    assert auth.caller(expiring) == first and auth.checked == 2  # (still valid for PyJWT's real clock)
    with pytest.raises(Unauthenticated):
        auth.caller(expiring[:-2] + ("AA" if not expiring.endswith("AA") else "BB"))  # a forged signature
    assert auth.checked == 3


def test_only_verified_credentials_are_remembered_and_a_wrong_key_stays_refused() -> None:
    auth = Authenticator(EdgeSettings(api_keys=(KEY,), jwt_secret=SECRET))
    caller = auth.caller(KEY)
    for attempt in range(200):
        with pytest.raises(Unauthenticated):
            auth.caller(f"guess-{attempt}")
        with pytest.raises(Unauthenticated):
            auth.caller(f"not.a.jwt{attempt}")
    assert auth.caller(KEY) == caller
    assert len(auth._keys) == 1 and not auth._tokens  # nothing an attacker sends is kept


def test_a_socket_naming_a_credential_while_access_is_off_is_the_client_behind_a_trusted_proxy() -> None:
    """With access off a credential names no caller: a socket whose connection_init carries one is
    its client address, read from X-Forwarded-For when its peer is a trusted proxy, as over HTTP."""
    import ipaddress

    from gateway.edge.gate import EdgeGate
    from gateway.settings import Settings

    base = Settings(sandbox="off")
    settings = dataclasses.replace(base, edge=dataclasses.replace(
        base.edge, trusted_proxies=(ipaddress.ip_network("10.0.0.0/8"),)))
    gate = EdgeGate(lambda scope, receive, send: None, settings)  # type: ignore[arg-type,return-value]
    handshake = {"type": "websocket", "client": ("10.1.2.3", 5000),
                 "headers": [(b"host", b"gw"), (b"x-forwarded-for", b"203.0.113.7")]}
    assert gate.caller(handshake) == "ip:203.0.113.7"
    assert gate.caller_of({"token": "anything"}, handshake) == "ip:203.0.113.7"  # was the proxy, 10.1.2.3
