"""The market simulation: determinism, consistency of positions and events, injection."""

from __future__ import annotations

import dataclasses

import pytest

from sandbox import addresses
from sandbox.market import HYPERLIQUID, JUPITER, NIBIRU, VENUES, Market


@pytest.fixture(scope="module")
def market() -> Market:
    return Market(seed=11, warmup_days=2)


def test_same_seed_same_history() -> None:
    a, b = Market(seed=3, warmup_days=1), Market(seed=3, warmup_days=1)
    a.step(60)
    b.step(60)
    assert [dataclasses.astuple(e) for e in a.events] == [dataclasses.astuple(e) for e in b.events]
    assert {k: i.price for k, i in a.instruments.items()} == {k: i.price for k, i in b.instruments.items()}


def test_different_seed_different_history() -> None:
    a, b = Market(seed=3, warmup_days=1), Market(seed=4, warmup_days=1)
    assert [e.tx for e in a.events[:20]] != [e.tx for e in b.events[:20]]


def test_every_venue_trades_and_liquidates_over_time(market: Market) -> None:
    for venue in VENUES:
        actions = {e.action for e in market.events if e.venue == venue}
        assert {"open", "close"} <= actions, venue
    assert any(e.action == "liquidation" for e in market.events)
    assert {"increase", "reduce"} <= {e.action for e in market.events if e.venue == JUPITER}


def test_sequence_numbers_are_dense_and_increasing(market: Market) -> None:
    seqs = [e.seq for e in market.events]
    assert seqs == list(range(1, len(seqs) + 1))
    assert all(x.ts_ms <= y.ts_ms for x, y in zip(market.events, market.events[1:], strict=False))


def test_open_positions_match_events(market: Market) -> None:
    for venue in VENUES:
        for pos in market.open_positions[venue]:
            assert pos.is_open and pos.size_usd > 0 and pos.collateral_usd > 0
        closed = [p for p in market.positions if p.venue == venue and not p.is_open]
        assert all(p.close_ts is not None and p.close_price for p in closed)


def test_inject_open_then_close_emits_events_with_realized_pnl() -> None:
    m = Market(seed=5, warmup_days=0.1)
    trader = "nibi1" + "q" * 38
    opened = m.inject(NIBIRU, trader, "BTC", "open", is_long=True, size_usd=50_000, collateral_usd=5_000)
    assert [e.action for e in opened] == ["open"]
    closed = m.inject(NIBIRU, trader, "BTC", "close", price=opened[0].price * 1.01)
    assert closed[0].action == "close"
    assert closed[0].realized_pnl_usd == pytest.approx(500.0, rel=1e-3)
    assert closed[0].seq == opened[0].seq + 1


def test_inject_rejects_unknown_market() -> None:
    m = Market(seed=5, warmup_days=0.1)
    with pytest.raises(ValueError, match="no market"):
        m.inject(HYPERLIQUID, "0x" + "1" * 40, "NOPE", "open")


def test_large_collateral_exceeds_32_bits_in_micro_units(market: Market) -> None:
    whale = market.by_key["BD5tKkWiJxT8gH4KwPvRM5nL2sYbVcXdKpQhzkqdryTnF"]
    assert whale.is_open and whale.collateral_usd == 2377788.35
    assert round(whale.collateral_usd * 1_000_000) == 2_377_788_350_000 > 2**31


def test_addresses_have_real_encodings() -> None:
    import random

    rng = random.Random(1)
    nibi = addresses.nibiru_address(rng)
    assert nibi.startswith("nibi1") and len(nibi) == 43
    # a bech32 reference vector (BIP-173): empty data under hrp "a"
    assert addresses.bech32_encode("a", b"") == "a12uel5l"
    sol = addresses.solana_address(rng)
    assert 32 <= len(sol) <= 44 and not set(sol) & set("0OIl")
    assert addresses.b58encode(b"\x00\x01") == "12"
    evm = addresses.evm_address(rng)
    assert len(evm) == 42 and int(evm, 16) >= 0


def test_leaderboard_stats_ranked_by_pnl(market: Market) -> None:
    stats = market.stats(JUPITER, market.now_ms - 86_400_000)
    assert stats, "a day of Jupiter trading produces a leaderboard"
    assert [s.rank for s in stats] == list(range(1, len(stats) + 1))
    assert all(a.pnl >= b.pnl for a, b in zip(stats, stats[1:], strict=False))
