"""A schema-driven fuzz run (hypothesis-graphql) against the gateway on the sandbox, bounded to
about a minute: no 5xx, no INTERNAL_SERVER_ERROR, no traceback logged."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

import httpx
import pytest
from graphql import parse_value
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import queries

from gateway.api.build import print_schema

SDL = print_schema()
EXAMPLES = int(os.environ.get("GATEWAY_FUZZ_EXAMPLES", "150"))


class Tracebacks(logging.Handler):
    """Keeps every record that carries an exception (a traceback in the log)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            self.records.append(record)


@pytest.fixture(scope="module")
def tracebacks() -> Iterator[Tracebacks]:
    handler = Tracebacks()
    logging.getLogger().addHandler(handler)
    yield handler
    logging.getLogger().removeHandler(handler)


# A uvloop TCP transport left unclosed by an earlier test of the session gateway (seen after
# tests/api/test_batching.py; reported, not this test's) is collected during this allocation-
# heavy run; that one warning is not what this test is about.
@pytest.mark.filterwarnings(
    "ignore:Exception ignored in. 'uvloop.loop.UVHandle.__dealloc__':pytest.PytestUnraisableExceptionWarning")
def test_fuzzed_queries_never_fail_internally(gateway_url: str, tracebacks: Tracebacks) -> None:
    client = httpx.Client(base_url=gateway_url, timeout=60)
    scalars = {"Time": st.just(parse_value('"2024-01-01T00:00:00Z"')), "Date": st.just(parse_value('"2024-01-01"'))}

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(query=queries(SDL, custom_scalars=scalars))
    def check(query: str) -> None:
        r = client.post("/graphql", json={"query": query}, headers={"x-gateway-cache": "bypass"})
        assert r.status_code < 500, (query, r.text)
        body = r.json()
        codes = [e.get("extensions", {}).get("code") for e in body.get("errors", [])]
        assert "INTERNAL_SERVER_ERROR" not in codes, (query, body)

    try:
        check()
    finally:
        client.close()
    assert [r.getMessage() for r in tracebacks.records] == []
