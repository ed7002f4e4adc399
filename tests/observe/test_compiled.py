"""The compiled execution path (gateway/api/compiled) is observed like Strawberry's: its answers
carry the request id in every error, and the access line names the operation."""

from __future__ import annotations

import logging

import httpx
import pytest

from tests.api.compiled.test_http import QUERY, gateway_with


async def test_a_compiled_answer_carries_the_request_id_and_names_its_operation(
    live_sandbox_url: str, live_control: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    await live_control.post("/faults", json={"upstream": "perpstracker", "mode": "error", "status": 500})
    body = {"query": QUERY, "variables": {"n": 3}, "operationName": "Q"}
    with caplog.at_level(logging.INFO, logger="gateway.access"), gateway_with(live_sandbox_url) as (url, app):
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            answer = await client.post("/graphql", json=body, headers={"X-Request-Id": "compiled-1"})
        assert app.state.compiled.compiled == 1  # the observe extension leaves the compiled path on
    errors = answer.json()["errors"]
    assert errors and [e["extensions"]["requestId"] for e in errors] == ["compiled-1"] * len(errors)
    assert answer.headers["x-request-id"] == "compiled-1"
    (line,) = [r for r in caplog.records if r.name == "gateway.access" and getattr(r, "path", None) == "/graphql"]
    assert (line.operation, line.status) == ("Q", 200)  # type: ignore[attr-defined]
