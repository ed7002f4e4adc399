"""Every document a public Sai Keeper client sends validates against the gateway unchanged.

The documents are in tests/fixtures/nibiru/clients/ (PROVENANCE.md there); each also validates
against the observed Sai Keeper schema, so the fixtures themselves are Sai Keeper documents.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import build_schema, parse, validate

from gateway.api.build import schema as gateway_schema

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "nibiru"
DOCUMENTS = sorted((FIXTURES / "clients").glob("*.graphql"))
OBSERVED = build_schema((FIXTURES / "sai-keeper-schema-observed.graphql").read_text())


def test_the_client_documents_are_there() -> None:
    assert len(DOCUMENTS) >= 60


@pytest.mark.parametrize("path", DOCUMENTS, ids=[p.stem for p in DOCUMENTS])
def test_client_document_validates_against_the_gateway(path: Path) -> None:
    document = parse(path.read_text())
    assert validate(OBSERVED, document) == [], "the fixture is not a Sai Keeper document"
    assert [e.message for e in validate(gateway_schema._schema, document)] == []
