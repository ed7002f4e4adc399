"""Every Sai Keeper client document kept as a fixture passes the default limits; the figures are
computed for those that do not validate yet against the schema too."""

from __future__ import annotations

import pytest
from graphql import parse

from gateway.api.build import schema
from gateway.api.costs import GatewayCostModel
from gateway.limits.documents import DocumentEntry
from gateway.limits.extension import Limits
from gateway.limits.figures import analyze
from gateway.settings import Settings
from tests.nibiru_docs import client_documents

DOCUMENTS = client_documents()
DEFAULTS = Settings.from_env({})
LIMITS = Limits(max_depth=DEFAULTS.max_depth, max_aliases=DEFAULTS.max_aliases,
                max_tokens=DEFAULTS.max_tokens, max_cost=DEFAULTS.max_cost)


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_client_document_passes_the_default_limits(name: str) -> None:
    document = parse(DOCUMENTS[name], max_tokens=LIMITS.max_tokens)  # within the token limit too
    entry = DocumentEntry.of(document)
    for figures in analyze(schema._schema, entry.operations, entry.fragments, GatewayCostModel()).values():
        # sai-mcp asks up to `limit: 500` through its variables
        assert LIMITS.refusal(figures, {"limit": 500, "offset": 0}) is None, figures


def test_explorer_alias_document_is_the_widest() -> None:
    """sai-explorer's 200 aliases of perp.borrowing: what the alias default was chosen for."""
    entry = DocumentEntry.of(parse(DOCUMENTS["explorer-MarketsByAlias"]))
    figures = analyze(schema._schema, entry.operations, entry.fragments, GatewayCostModel())["MarketsByAlias"]
    assert (figures.aliases, figures.cost_with(None)) == (200, 200)
