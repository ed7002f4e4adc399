"""Sai Keeper client documents kept as fixtures (tests/fixtures/nibiru/clients, provenance in its README)."""

from __future__ import annotations

import re
from pathlib import Path

CLIENTS = Path(__file__).resolve().parent / "fixtures" / "nibiru" / "clients"  # provenance: README.md there


def example_documents() -> dict[str, str]:
    """name -> document, for every `query …`/`subscription …` example of the docs (docs-*.graphql)."""
    docs: dict[str, str] = {}
    for path in sorted(CLIENTS.glob("docs-*.graphql")):
        body = re.sub(r"#[^\n]*", "", path.read_text().strip())  # the docs annotate with comments (# BTC market)
        docs[path.stem.removeprefix("docs-")] = body
    return docs


def client_documents() -> dict[str, str]:
    """file stem -> document, for every client document kept under fixtures/nibiru/clients."""
    return {p.stem: re.sub(r"#[^\n]*", "", p.read_text()) for p in sorted(CLIENTS.glob("*.graphql"))}
