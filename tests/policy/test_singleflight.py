"""Single-flight across replicas (gateway/policy/singleflight.py), its waiting side, with an
in-memory stand-in for the Redis lock so that the holder's steps can be placed exactly."""

from __future__ import annotations

from typing import Any, cast

from gateway.coord.lock import OwnerLock
from gateway.policy.singleflight import across_replicas


class Lock:
    """The owner-checked lock's interface, held by another replica to start with."""

    def __init__(self) -> None:
        self.owner: str | None = "the other replica"

    async def acquire(self, name: str, owner: str, ttl: float) -> bool:
        if self.owner is not None:
            return False
        self.owner = owner
        return True

    async def release(self, name: str, owner: str) -> bool:
        if self.owner != owner:
            return False
        self.owner = None
        return True

    async def held(self, name: str) -> bool:
        return self.owner is not None


async def test_an_answer_stored_just_before_the_release_is_taken_not_fetched_again() -> None:
    """The holder stores its answer and releases the lock between the waiter's look and its lock
    check: the waiter must find the answer, not take the free lock and call the upstream again."""
    lock, stored, fetched = Lock(), [], []

    async def look() -> Any:
        if stored:
            return stored[0]
        stored.append("the holder's answer")  # right after this look: the holder stores it...
        lock.owner = None  # ...and releases the lock
        return None

    async def fetch() -> Any:
        fetched.append(1)
        return "a second upstream call"

    answer = await across_replicas(cast(OwnerLock, lock), "k", deadline=1e12, fetch=fetch, look=look)
    assert answer == "the holder's answer" and fetched == []


async def test_a_lock_released_without_an_answer_is_taken_and_fetched() -> None:
    lock, fetched = Lock(), []

    async def look() -> Any:
        lock.owner = None  # the holder failed: released, nothing stored
        return None

    async def fetch() -> Any:
        fetched.append(1)
        return "fetched here"

    assert await across_replicas(cast(OwnerLock, lock), "k", deadline=1e12, fetch=fetch, look=look) == "fetched here"
    assert fetched == [1] and lock.owner is None  # taken, then released
