"""The error tree and how errors reach callers."""

from __future__ import annotations

import httpx
import pytest
from graphql import GraphQLError

from gateway import errors
from gateway.api.extensions.errors import map_error
from gateway.sources.http import map_status, map_transport_error, request_json


def test_every_code_of_the_contract_has_a_class() -> None:
    codes = {cls.code for cls in vars(errors).values()
             if isinstance(cls, type) and issubclass(cls, errors.GatewayError)}
    assert {"BAD_USER_INPUT", "SOURCE_NOT_CONFIGURED", "UPSTREAM_UNAVAILABLE", "UPSTREAM_TIMEOUT",
            "UPSTREAM_ERROR", "RATE_LIMITED", "UNAUTHENTICATED", "QUERY_TOO_COMPLEX"} <= codes


def test_source_errors_name_their_source_and_rate_limits_their_wait() -> None:
    e = errors.UpstreamRateLimited("nansen", "slow down", 2.5)
    assert e.extensions() == {"code": "RATE_LIMITED", "source": "nansen", "retryAfter": 2.5}
    assert errors.UpstreamTimeout("nibiru", "x").extensions() == {"code": "UPSTREAM_TIMEOUT", "source": "nibiru"}


@pytest.mark.parametrize(("status", "code"), [
    (429, "RATE_LIMITED"), (502, "UPSTREAM_UNAVAILABLE"), (503, "UPSTREAM_UNAVAILABLE"),
    (504, "UPSTREAM_UNAVAILABLE"), (500, "UPSTREAM_ERROR"), (401, "UPSTREAM_ERROR"), (404, "UPSTREAM_ERROR"),
])
def test_every_failing_status_is_mapped(status: int, code: str) -> None:
    error = map_status("perpstracker", httpx.Response(status, headers={"Retry-After": "3"}))
    assert error is not None and error.code == code and error.extensions()["source"] == "perpstracker"
    if code == "RATE_LIMITED":
        assert error.extensions()["retryAfter"] == 3


@pytest.mark.parametrize(("exc", "code"), [
    (httpx.ReadTimeout("t"), "UPSTREAM_TIMEOUT"), (httpx.ConnectTimeout("t"), "UPSTREAM_TIMEOUT"),
    (httpx.ConnectError("c"), "UPSTREAM_UNAVAILABLE"), (httpx.RemoteProtocolError("r"), "UPSTREAM_UNAVAILABLE"),
    (httpx.ReadError("r"), "UPSTREAM_UNAVAILABLE"),
])
def test_every_transport_error_is_mapped(exc: httpx.HTTPError, code: str) -> None:
    assert map_transport_error("nansen", exc).code == code


async def test_request_json_maps_failures_without_leaking_the_url() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/boom":
            raise httpx.ConnectError("refused", request=request)
        if request.url.path == "/html":
            return httpx.Response(200, text="<html>")
        return httpx.Response(500)

    secret_url = "http://user:hunter2@upstream.invalid"
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler), base_url=secret_url) as client:
        for path, code in (("/boom", "UPSTREAM_UNAVAILABLE"), ("/html", "UPSTREAM_ERROR"), ("/x", "UPSTREAM_ERROR")):
            with pytest.raises(errors.GatewayError) as info:
                await request_json(client, "nansen", "GET", path)
            assert info.value.code == code
            assert "hunter2" not in str(info.value) and "upstream.invalid" not in str(info.value)


def test_unexpected_exceptions_are_masked() -> None:
    wrapped = GraphQLError("boom", original_error=RuntimeError("internal detail /etc/passwd"), path=["perp"])
    mapped = map_error(wrapped)
    assert mapped.message == "Internal server error"
    assert mapped.extensions == {"code": "INTERNAL_SERVER_ERROR"}


def test_gateway_errors_keep_their_code_and_message() -> None:
    wrapped = GraphQLError("x", original_error=errors.BadUserInput("bad address"), path=["perp", "trades"])
    mapped = map_error(wrapped)
    assert mapped.message == "bad address" and mapped.extensions == {"code": "BAD_USER_INPUT"}
    assert mapped.path == ["perp", "trades"]


def test_syntax_and_validation_errors_get_codes() -> None:
    assert map_error(GraphQLError("Syntax Error: Unexpected Name")).extensions == {"code": "GRAPHQL_PARSE_FAILED"}
    assert map_error(GraphQLError("Cannot query field 'x'")).extensions == {"code": "GRAPHQL_VALIDATION_FAILED"}
    assert map_error(GraphQLError("Variable '$t' got invalid value 1")).extensions == {"code": "BAD_USER_INPUT"}
