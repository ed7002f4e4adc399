"""The domain model: what sources produce and the API exposes (venues, trades, markets, queries).

Imports nothing from `gateway.api`. The output types carry Strawberry's decorators as metadata
(descriptions, nullability) so the API can expose them as they are, without a copy per type.
"""
