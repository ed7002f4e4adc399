"""A freshness hint: "do not answer me with anything fetched before this moment".

A live stream learns of an upstream fact (an alert, a webhook) and then re-reads the upstream for
the fact's full record. A cached answer fetched before the fact was known cannot hold it, so such
a re-read sets `min_fresh_at` (wall-clock seconds, like `Answer.fetched_at`) around its calls:

    with fresh_after(received_at):
        items = await source.trade_history(query)

The policy transport then uses a cached answer only if it was fetched at or after that time, and
does not join a call in flight for the same request that started before it (its answer may
predate the fact); the fresh answer it fetches is stored as usual, so the queries that follow
benefit. The hint travels in a context variable, so it crosses the source and client layers
without any of them knowing of it, and tasks spawned inside the block inherit it.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

_min_fresh_at: contextvars.ContextVar[float | None] = contextvars.ContextVar("min_fresh_at", default=None)


def min_fresh_at() -> float | None:
    """The oldest fetch time an answer may have in this context; None: any fresh-by-TTL answer."""
    return _min_fresh_at.get()


@contextlib.contextmanager
def fresh_after(moment: float) -> Iterator[None]:
    """Within the block, cached answers fetched before `moment` (time.time()) are not used."""
    token = _min_fresh_at.set(moment)
    try:
        yield
    finally:
        _min_fresh_at.reset(token)
