"""Who is calling: the key that per-caller limits are counted under.

    verified API key   -> key:<first 16 hex of its SHA-256>
    verified JWT       -> sub:<first 16 hex of the SHA-256 of its subject>
    anything else      -> ip:<client address>

Only verified credentials name a caller: with caller access off, a header naming a key is
ignored, or a client could escape its limits by sending a new made-up key each time. The client
address is the socket's peer, unless the peer is a configured trusted proxy
(GATEWAY_TRUSTED_PROXIES): then `X-Forwarded-For` is read from the right, skipping trusted
proxies, and the first address that is not one is the client. A forwarded header from anyone
else is ignored (anyone can write one).
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Iterable, Sequence

from gateway.edge.settings import Network


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _trusted(address: str, proxies: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip.version == net.version and ip in net for net in proxies)


def client_ip(peer: str | None, forwarded_for: Iterable[str], proxies: Sequence[Network]) -> str:
    """The client's address (module docstring): `forwarded_for` holds every X-Forwarded-For value."""
    client = peer or "unknown"
    if not proxies or not _trusted(client, proxies):
        return client
    hops = [h.strip() for value in forwarded_for for h in value.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, proxies):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return client  # a malformed hop: the proxy's own peer is all we know
        client = hop
    return client


def ip_caller(address: str) -> str:
    return f"ip:{address}"
