"""Request limits decided before execution: document figures (depth, aliases, tokens, cost)
computed once per distinct document, and the extension that refuses an operation over them.

Nothing here names an upstream or a venue: which fields reach an upstream, and how many, is the
API layer's cost model (`CostModel`), handed in when the schema is built.
"""
