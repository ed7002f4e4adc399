"""The chain's own refusals reach callers as the gateway errors they carry, through httpx and through gql."""

from __future__ import annotations

import httpx
import pytest
from gql.transport.exceptions import TransportConnectionFailed

from gateway.errors import SourceError, UpstreamRateLimited, UpstreamUnavailable
from gateway.policy.refusal import PolicyRefusal, refusal_in
from gateway.policy.runtime import UpstreamPolicy
from gateway.sources.http import map_transport_error
from gateway.sources.nibiru.client import NibiruClient, map_gql_error
from gateway.sources.nibiru.queries import BORROWINGS
from tests.policy.helpers import SAI, Scripted, settings, upstream_transport

REFUSALS = [
    UpstreamUnavailable("nibiru", "Sai Keeper is unavailable (circuit open)"),
    UpstreamRateLimited("nansen", "nansen rate limit reached", 12.5),
]


@pytest.mark.parametrize("error", REFUSALS, ids=lambda e: e.code)
def test_the_http_boundary_unwraps_a_refusal(error: SourceError) -> None:
    assert map_transport_error(error.source, PolicyRefusal(error)) is error


@pytest.mark.parametrize("error", REFUSALS, ids=lambda e: e.code)
def test_the_gql_boundary_unwraps_a_refusal_gql_wrapped(error: SourceError) -> None:
    """gql's HTTPX transport turns any exception of httpx into TransportConnectionFailed from it."""
    try:
        try:
            raise PolicyRefusal(error)
        except PolicyRefusal as refusal:
            raise TransportConnectionFailed(str(refusal)) from refusal
    except TransportConnectionFailed as wrapped:
        assert map_gql_error(wrapped) is error
    assert refusal_in(ValueError("x")) is None


def test_a_refusal_is_a_transport_error_for_code_that_does_not_know_it() -> None:
    refusal = PolicyRefusal(REFUSALS[0])
    assert isinstance(refusal, httpx.TransportError) and str(refusal) == REFUSALS[0].message


async def test_sai_keeper_behind_an_open_circuit_fails_at_once_as_unavailable() -> None:
    upstream = Scripted(httpx.ConnectError("refused"))
    policy = UpstreamPolicy(settings(breaker_threshold=1, upstream_retries=0, max_stale=0.0))
    client = NibiruClient(SAI, 5.0, transport=upstream_transport(policy, "nibiru", httpx.MockTransport(upstream)))
    try:
        with pytest.raises(UpstreamUnavailable, match="unreachable"):
            await client.execute(BORROWINGS, {})
        with pytest.raises(UpstreamUnavailable, match="circuit open") as info:
            await client.execute(BORROWINGS, {})
    finally:
        await client.aclose()
    assert upstream.calls == 1 and info.value.source == "nibiru"
