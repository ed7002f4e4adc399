"""The whole-response cache for GraphQL queries over HTTP (docs/operations-caching.md).

`keys` derives a request's cache key without parsing a known document again, `store` and
`redis_store` hold serialized response bytes (in-process, or Redis with an in-process L1), and
`asgi` is the layer in front of Strawberry that serves hits as ready bytes, makes concurrent
identical misses share one execution (`gateway.coord.singleflight`) and decides what a miss may
store.
"""
