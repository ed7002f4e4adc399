"""Endpoint classification: names, TTLs, rate-limit categories, and agreement with the sandbox."""

from __future__ import annotations

import json
import re

import pytest

from gateway.policy.endpoints import operation_of, with_ttl
from gateway.sources.nansen.endpoints import BUCKET as NANSEN_BUCKET
from gateway.sources.nansen.endpoints import TABLE as NANSEN
from gateway.sources.nibiru import queries
from gateway.sources.nibiru.endpoints import TABLE as NIBIRU_TABLE
from gateway.sources.perpstracker.endpoints import (
    DOCS_CATEGORY,
    HISTORICAL,
    LEADERBOARD,
    TRADER_PROFILES,
)
from gateway.sources.perpstracker.endpoints import LIMITS as PERPSTRACKER_LIMITS
from gateway.sources.perpstracker.endpoints import TABLE as PERPSTRACKER
from gateway.sources.registry import endpoint_names
from sandbox.perpstracker import SPECS, category_of

WALLET = "DRVRvzf8pSiMJi5BY1NmZu5STahBYKMVcfkPp3vxPump"


def gql_body(document: str, **extra: object) -> bytes:
    return json.dumps({"query": document, "variables": {}, **extra}).encode()


@pytest.mark.parametrize(("method", "path", "name", "ttl", "bucket"), [
    ("GET", "/prices", "perpstracker.prices", 30, "live_trades"),
    ("GET", "/trading/markets", "perpstracker.trading.markets", 60, "live_trades"),
    ("GET", f"/perpetuals/trader/{WALLET}/positions", "perpstracker.trader.positions", 3, TRADER_PROFILES),
    ("GET", f"/perpetuals/trader/{WALLET}/history", "perpstracker.trader.history", 5, HISTORICAL),
    ("GET", f"/perpetuals/trader/{WALLET}", "perpstracker.trader.profile", 30, TRADER_PROFILES),
    ("GET", "/perpetuals/leaderboard/24h", "perpstracker.leaderboard", 60, LEADERBOARD),
    ("GET", "/perpetuals/leaderboard/fixed/weekly", "perpstracker.leaderboard.fixed", 60, HISTORICAL),
    ("GET", "/perpetuals/leaderboard/periods", "perpstracker.leaderboard.periods", 300, HISTORICAL),
    ("GET", "/perpetuals/compare", "perpstracker.compare", 60, LEADERBOARD),
    ("GET", "/perpetuals/live-trades", "perpstracker.live_trades", 2, "live_trades"),
    ("GET", "/perpetuals/account", "perpstracker.account", 0, TRADER_PROFILES),
    ("GET", "/perpetuals/nowhere", "perpstracker.other", 0, HISTORICAL),
])
def test_perpstracker_paths_are_classified(method: str, path: str, name: str, ttl: float, bucket: str) -> None:
    endpoint = PERPSTRACKER.classify(method, path, b"")
    assert (endpoint.name, endpoint.ttl, endpoint.bucket) == (name, ttl, bucket)


def test_writes_are_never_cached_nor_retried_as_reads() -> None:
    for method, path in (("POST", "/perpetuals/watchlist/add"), ("DELETE", f"/perpetuals/watchlist/{WALLET}"),
                         ("PATCH", f"/perpetuals/watchlist/{WALLET}/notes"), ("PUT", "/prices")):
        endpoint = PERPSTRACKER.classify(method, path, b"")
        assert endpoint.ttl == 0 and not endpoint.read, (method, path)


def test_nansen_reads_by_post_in_one_bucket() -> None:
    positions = NANSEN.classify("POST", "/api/v1/profiler/perp-positions", b"{}")
    board = NANSEN.classify("POST", "/api/v1/perp-leaderboard", b"{}")
    assert (positions.name, positions.ttl, positions.read) == ("nansen.profiler.positions", 3, True)
    assert (board.name, board.ttl) == ("nansen.leaderboard", 60)
    assert {positions.bucket, board.bucket} == {NANSEN_BUCKET}


def test_the_screener_window_ending_now_does_not_split_the_cache() -> None:
    screener = NANSEN.classify("POST", "/api/v1/perp-screener", b"")
    assert screener.key_body is not None
    a = {"date": {"from": "2025-12-15T12:00:00Z", "to": "2025-12-16T12:00:00Z"}, "pagination": {"page": 1}}
    b = {"date": {"from": "2025-12-15T12:00:07Z", "to": "2025-12-16T12:00:07Z"}, "pagination": {"page": 1}}
    c = {"date": {"from": "2025-12-15T00:00:00Z", "to": "2025-12-16T12:00:00Z"}, "pagination": {"page": 1}}
    assert screener.key_body(a) == screener.key_body(b) != screener.key_body(c)


@pytest.mark.parametrize(("document", "name", "ttl"), [
    (queries.TRADES, "nibiru.trades", 3),
    (queries.TRADE_ONE, "nibiru.trade", 3),
    (queries.TRADE_HISTORY, "nibiru.trade_history", 5),
    (queries.BORROWING_ONE, "nibiru.borrowing", 10),
    (queries.BORROWINGS, "nibiru.borrowings", 60),
    ("query GatewayTradesBatch($where0: PerpTradesFilter!) { perp { t0: trades(where: $where0) { id } } }",
     "nibiru.trades", 3),
    ("query GatewayTradeHistoryBatch { perp { t0: tradeHistory { id } } }", "nibiru.trade_history", 5),
    ("{ perp { borrowings { marketId } } }", "nibiru.query", 3),
])
def test_sai_keeper_documents_are_classified_by_operation_name(document: str, name: str, ttl: float) -> None:
    endpoint = NIBIRU_TABLE.classify("POST", "/query", gql_body(document))
    assert (endpoint.name, endpoint.ttl, endpoint.bucket) == (name, ttl, None)


def test_sai_keeper_subscriptions_and_mutations_are_not_cached() -> None:
    for document in ("subscription S { perpTrades(where: {trader: \"x\"}) { id } }", "mutation M { x }"):
        endpoint = NIBIRU_TABLE.classify("POST", "/query", gql_body(document))
        assert endpoint.ttl == 0 and not endpoint.read


def test_an_explicit_operation_name_wins_over_the_first_declared() -> None:
    body = gql_body("query A { a } query GatewayBorrowings { b }", operationName="GatewayBorrowings")
    assert operation_of(body) == ("query", "GatewayBorrowings")
    assert operation_of(b"not json") == ("", "")


def test_ttls_are_overridden_by_endpoint_name() -> None:
    endpoint = PERPSTRACKER.classify("GET", "/prices", b"")
    assert with_ttl(endpoint, {"perpstracker.prices": 5}).ttl == 5
    assert with_ttl(endpoint, {"nansen.leaderboard": 5}).ttl == 30
    assert with_ttl(endpoint, {"perpstracker.prices": -1}).ttl == 0


def test_endpoint_names_are_unique_and_dotted() -> None:
    names = endpoint_names()
    assert len(names) == len(set(names))
    assert all(re.fullmatch(r"(perpstracker|nansen|nibiru)\.[a-z_.]+", n) for n in names), names


def _example(path: str) -> str:
    """A concrete path for a sandbox route pattern (`{wallet}` -> a wallet)."""
    return re.sub(r"\{[^}]+\}", lambda m: {"{timeframe}": "24h", "{periodType}": "daily"}.get(m.group(0), WALLET),
                  path)


# The sandbox names its categories after the docs' rows, shortened: "Leaderboard" for "Leaderboard queries".
_SANDBOX_NAME = {LEADERBOARD: "Leaderboard", **{c: DOCS_CATEGORY[c] for c in PERPSTRACKER_LIMITS if c != LEADERBOARD}}


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: f"{s.method} {s.path}")
def test_our_category_table_agrees_with_the_sandbox(spec: object) -> None:
    """Two readings of the docs' rate-limit table, written apart: the gateway's and the simulator's."""
    method, path = spec.method, _example(spec.path)  # type: ignore[attr-defined]
    assert path.startswith("/api/")
    ours = PERPSTRACKER.classify(method, path[len("/api"):], b"")
    assert ours.name != "perpstracker.other", f"{method} {path} is not in the gateway's table"
    assert _SANDBOX_NAME[ours.bucket or ""] == category_of(method, path)
