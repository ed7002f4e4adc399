"""The owner-checked lock on a real redis-server: only its holder extends or releases it."""

from __future__ import annotations

import secrets

import pytest
from redis.asyncio import Redis

from gateway.coord.lock import OwnerLock, new_token

pytestmark = pytest.mark.redis


def fresh_name() -> str:
    return secrets.token_hex(6)  # a key no other test uses


async def test_only_one_owner_takes_the_lock_and_it_expires_by_itself(redis_client: Redis) -> None:
    locks, name = OwnerLock(redis_client, "test:lock:"), fresh_name()
    assert await locks.acquire(name, "a", ttl=5.0)
    assert not await locks.acquire(name, "b", ttl=5.0)
    assert await locks.holder(name) == "a" and await locks.held(name)
    assert 0 < await redis_client.pttl("test:lock:" + name) <= 5000  # SET ... PX: it cannot outlive its ttl


async def test_release_deletes_only_the_holders_lock(redis_client: Redis) -> None:
    locks, name = OwnerLock(redis_client, "test:lock:"), fresh_name()
    assert await locks.acquire(name, "a", ttl=5.0)
    assert not await locks.release(name, "b")  # not the holder: nothing happens
    assert await locks.holder(name) == "a"
    assert await locks.release(name, "a")
    assert not await locks.held(name) and await locks.acquire(name, "b", ttl=5.0)


async def test_a_lock_taken_over_after_expiry_is_not_released_by_its_former_holder(redis_client: Redis) -> None:
    locks, name = OwnerLock(redis_client, "test:lock:"), fresh_name()
    assert await locks.acquire(name, "a", ttl=5.0)
    await redis_client.delete(locks.key(name))  # what expiry does while "a" is paused
    assert await locks.acquire(name, "b", ttl=5.0)
    assert not await locks.release(name, "a") and not await locks.extend(name, "a", ttl=30.0)
    assert await locks.holder(name) == "b" and await redis_client.pttl(locks.key(name)) <= 5000


async def test_extend_resets_the_expiry_for_the_holder_only(redis_client: Redis) -> None:
    locks, name = OwnerLock(redis_client, "test:lock:"), fresh_name()
    assert await locks.acquire(name, "a", ttl=1.0)
    assert await locks.extend(name, "a", ttl=30.0)
    assert 1000 < await redis_client.pttl(locks.key(name)) <= 30_000
    assert not await locks.extend(fresh_name(), "a", ttl=30.0)  # nothing held: nothing to extend


def test_tokens_are_distinct() -> None:
    assert len({new_token() for _ in range(100)}) == 100
