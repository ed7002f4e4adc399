"""Cross-cutting policies around upstream calls: cache, single-flight, limits, retries, breaker.

Each concern is its own module and wraps any client; sources and clients know none of them.
"""
