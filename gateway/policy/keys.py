"""Cache keys for upstream requests: equal for requests that must get the same answer, and only then.

A key is `{source}:{endpoint}:{digest}`, the digest over the method, the URL with its query
parameters sorted, the body as canonical JSON (sorted keys, no spaces; an endpoint may normalise
it first, see `Endpoint.key_body`) and a digest of the credential headers: two gateways with
different API keys (a Pro and an Elite plan answer differently) never share answers, and no key
ever appears in Redis. The readable prefix lets an operator see what a Redis key is for.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import httpx

from gateway.policy.endpoints import Endpoint

CREDENTIAL_HEADERS = ("authorization", "apikey", "x-api-key")


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_body(body: bytes, endpoint: Endpoint) -> str:
    """The body as canonical JSON (after the endpoint's normalisation), or its digest if not JSON."""
    if not body:
        return ""
    try:
        parsed = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return "sha256:" + hashlib.sha256(body).hexdigest()
    if endpoint.key_body is not None:
        parsed = endpoint.key_body(parsed)
    return _canonical(parsed)


def credential_digest(request: httpx.Request) -> str:
    """A short digest of the credential headers: tells keys apart without revealing them."""
    material = "\n".join(f"{h}={request.headers.get(h, '')}" for h in CREDENTIAL_HEADERS)
    return hashlib.sha256(material.encode()).hexdigest()[:16]


def cache_key(source: str, endpoint: Endpoint, request: httpx.Request, body: bytes) -> str:
    url = request.url
    material = _canonical({
        "method": request.method,
        "origin": f"{url.scheme}://{url.host}:{url.port or ''}",
        "path": url.path,
        "query": sorted(url.params.multi_items()),
        "body": canonical_body(body, endpoint),
        "credential": credential_digest(request),
    })
    return f"{source}:{endpoint.name}:{hashlib.sha256(material.encode()).hexdigest()}"
