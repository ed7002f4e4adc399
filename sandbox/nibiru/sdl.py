"""Sai Keeper's GraphQL schema as SDL: the observed live schema, shipped with the package.

`observed.graphql` is the reconstruction of the live Sai Keeper schema from its public clients
(tests/fixtures/nibiru/PROVENANCE.md), verbatim. The simulator adds one thing the gateway's
NIBIRU source relies on: `PerpTradeHistoryFilter.trader` is optional and the filter takes
`tradeChangeType` (docs/sandbox-nibiru.md). `Int` is Go's 64-bit int (gqlgen's default
binding), not GraphQL's 32-bit Int; `Unobserved` passes values through (scalars.py).
"""

from __future__ import annotations

from importlib.resources import files

OBSERVED = files("sandbox.nibiru").joinpath("observed.graphql").read_text()

HISTORY_FILTER = '''input PerpTradeHistoryFilter {       # [DOC] "trader (required)"
  trader: String!
}'''
SANDBOX_HISTORY_FILTER = '''input PerpTradeHistoryFilter {
  trader: String
  tradeChangeType: [PerpTradeChangeType!]
}'''

assert HISTORY_FILTER in OBSERVED
SDL = OBSERVED.replace(HISTORY_FILTER, SANDBOX_HISTORY_FILTER)
