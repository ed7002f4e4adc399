"""The app's one Redis client: built once from REDIS_URL, handed to every user, closed once.

Every cross-replica feature (upstream answer cache, rate-limit windows, single-flight locks, the
response cache, stream pub/sub and leases, webhook replay memory) talks to the same Redis. One
`redis.asyncio.Redis` means one connection pool, one place for timeouts and one `aclose()` at
shutdown, instead of a pool per feature that each must remember to close. Pub/sub takes its own
connection from the same pool (`client.pubsub()`), which is how redis-py is meant to be used.

Connections open lazily, on first use, in the loop that serves the app: building the client in
`create_app` (before any loop runs) is safe.

Timeouts: a command that takes longer than `COMMAND_TIMEOUT` is treated by its caller like Redis
being down (a cache miss, no coordination), never as a failed request; pub/sub reads pass their
own timeout and are not cut by it.
"""

from __future__ import annotations

from redis.asyncio import Redis

COMMAND_TIMEOUT = 1.0  # seconds for one command: Redis answers in well under a millisecond
CONNECT_TIMEOUT = 2.0  # seconds to open a connection


def connect(url: str) -> Redis:
    """A client for `url` (any redis:// / rediss:// / unix:// form); no I/O until first used."""
    return Redis.from_url(url, socket_timeout=COMMAND_TIMEOUT, socket_connect_timeout=CONNECT_TIMEOUT)


def connect_optional(url: str | None) -> Redis | None:
    """The client when REDIS_URL is set; None means every feature runs in-process."""
    return connect(url) if url else None


async def close(client: Redis | None) -> None:
    """Close the client's pool (once, by the app that built it)."""
    if client is not None:
        await client.aclose()
