"""Coordination primitives every layer shares: one of each, so a fix or a tuning lands once.

`redis` (the app's one client), `lock` (owner-checked Redis lock), `singleflight` (in-process),
`lru` (bounded recency map), `idset` (bounded memory of ids), `backoff` (waits between attempts).
Nothing here knows about upstreams, GraphQL or HTTP.
"""
