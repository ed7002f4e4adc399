"""Nansen simulator failure modes: validation (422), auth (401), routing, rate limits (429), credits."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from sandbox.state import NANSEN_KEY

TRADES = "/api/v1/profiler/perp-trades"
ADDRESS = "0x45d26f28196d226497130c4bac709d808fed4029"
DATE = {"from": "2025-12-10", "to": "2025-12-15"}
RATE_HEADERS = (
    "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "X-RateLimit-Limit-Second",
    "X-RateLimit-Remaining-Second", "X-RateLimit-Limit-Minute", "X-RateLimit-Remaining-Minute",
)


@pytest.fixture
async def no_limits(control: httpx.AsyncClient) -> None:
    await control.post("/ratelimits", json={"enabled": False})


async def detail(client: httpx.AsyncClient, path: str, body: Any) -> list[dict[str, Any]]:
    resp = await client.post(path, json=body)
    assert resp.status_code == 422, resp.text
    errors = resp.json()["detail"]
    assert isinstance(errors, list) and errors
    for err in errors:
        assert {"loc", "msg", "type"} <= set(err) and err["loc"][0] == "body"
    return errors  # type: ignore[no-any-return]


def kinds(errors: list[dict[str, Any]]) -> list[tuple[tuple[Any, ...], str]]:
    return [(tuple(e["loc"]), e["type"]) for e in errors]


@pytest.mark.parametrize(
    ("path", "body", "expected"),
    [
        (TRADES, {"date": DATE}, [(("body", "address"), "missing")]),
        (TRADES, {"address": ADDRESS}, [(("body", "date"), "missing")]),
        (TRADES, {"address": 42, "date": DATE}, [(("body", "address"), "string_type")]),
        (TRADES, {"address": "0x45d2", "date": DATE}, [(("body", "address"), "string_too_short")]),
        (TRADES, {"address": "0x" + "g" * 40, "date": DATE}, [(("body", "address"), "string_pattern_mismatch")]),
        (TRADES, {"address": ADDRESS, "date": DATE, "pagination": {"per_page": 1001}},
         [(("body", "pagination", "per_page"), "less_than_equal")]),
        (TRADES, {"address": ADDRESS, "date": DATE, "pagination": {"page": 0}},
         [(("body", "pagination", "page"), "greater_than_equal")]),
        (TRADES, {"address": ADDRESS, "date": DATE, "pagination": {"page": "one"}},
         [(("body", "pagination", "page"), "int_parsing")]),
        (TRADES, {"address": ADDRESS, "date": DATE, "order_by": [{"field": "user", "direction": "DESC"}]},
         [(("body", "order_by", 0, "field"), "enum")]),
        (TRADES, {"address": ADDRESS, "date": DATE, "order_by": [{"field": "size", "direction": "desc"}]},
         [(("body", "order_by", 0, "direction"), "enum")]),
        (TRADES, {"address": ADDRESS, "date": DATE, "order_by": {"field": "size", "direction": "DESC"}},
         [(("body", "order_by"), "list_type")]),
        (TRADES, {"address": ADDRESS, "date": DATE, "filters": {"side": "Both"}},
         [(("body", "filters", "side"), "enum")]),
        (TRADES, {"address": ADDRESS, "date": DATE, "filters": {"action": "Open"}},
         [(("body", "filters", "action"), "enum")]),
        (TRADES, {"address": ADDRESS, "date": DATE, "filters": {"value_usd": {"min": "lots"}}},
         [(("body", "filters", "value_usd", "min"), "float_parsing")]),
        (TRADES, {"address": ADDRESS, "date": DATE, "filters": "all"},
         [(("body", "filters"), "model_attributes_type")]),
        # additionalProperties: false, on the request and on PerpTradeFilters
        (TRADES, {"address": ADDRESS, "date": DATE, "limit": 5}, [(("body", "limit"), "extra_forbidden")]),
        (TRADES, {"address": ADDRESS, "date": DATE, "filters": {"type": "Short"}},
         [(("body", "filters", "type"), "extra_forbidden")]),
        (TRADES, {"address": ADDRESS, "date": {"from": "last week"}}, [(("body", "date", "from"), "value_error")]),
        ("/api/v1/perp-leaderboard", {"date": DATE, "filters": {"roi": {"min": 1}}},
         [(("body", "filters", "roi"), "extra_forbidden")]),
        ("/api/v1/perp-screener", {"date": DATE, "only_smart_money": "maybe"},
         [(("body", "only_smart_money"), "bool_parsing")]),
        ("/api/v1/tgm/perp-pnl-leaderboard", {"date": DATE}, [(("body", "token_symbol"), "missing")]),
        ("/api/v1/smart-money/perp-trades", {"filters": {"type": "Stop"}}, [(("body", "filters", "type"), "enum")]),
        ("/api/v1/tgm/perp-positions", {"token_symbol": "BTC", "label_type": "everyone"},
         [(("body", "label_type"), "enum")]),
        ("/api/v1/tgm/perp-positions", {"token_symbol": "BTC", "filters": {"side": "Long"}},
         [(("body", "filters", "side"), "list_type")]),
        ("/api/v1/tgm/perp-trades", {"token_symbol": "BTC", "date": DATE, "filters": {"side": ["Up"]}},
         [(("body", "filters", "side", 0), "enum")]),
        ("/api/v1/profiler/perp-positions", {"address": ADDRESS, "pagination": {"page": 1}},
         [(("body", "pagination"), "extra_forbidden")]),
    ],
)
async def test_invalid_body_is_a_422_in_fastapi_shape(
    nansen: httpx.AsyncClient, no_limits: None, path: str, body: Any, expected: list[Any]
) -> None:
    assert kinds(await detail(nansen, path, body)) == expected


async def test_every_error_is_reported_at_once_with_pydantic_messages(nansen: httpx.AsyncClient, no_limits: None) -> None:
    errors = await detail(nansen, TRADES, {"pagination": {"per_page": 0}, "order_by": [{"field": "size"}], "x": 1})
    assert kinds(errors) == [
        (("body", "address"), "missing"), (("body", "date"), "missing"),
        (("body", "pagination", "per_page"), "greater_than_equal"),
        (("body", "order_by", 0, "direction"), "missing"), (("body", "x"), "extra_forbidden"),
    ]
    assert errors[0]["msg"] == "Field required"
    assert errors[2]["msg"] == "Input should be greater than or equal to 1" and errors[2]["ctx"] == {"ge": 1}
    assert errors[4]["msg"] == "Extra inputs are not permitted"
    enum = (await detail(nansen, TRADES, {"address": ADDRESS, "date": DATE, "filters": {"side": "long"}}))[0]
    assert enum["msg"] == "Input should be 'Long' or 'Short'"


async def test_lax_coercion_accepts_numeric_strings_like_pydantic(nansen: httpx.AsyncClient, no_limits: None) -> None:
    resp = await nansen.post(TRADES, json={"address": ADDRESS, "date": DATE, "pagination": {"page": "2", "per_page": 5.0}})
    assert resp.status_code == 200
    assert resp.json()["pagination"]["page"] == 2 and resp.json()["pagination"]["per_page"] == 5


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b'{"address": ', [(("body", 12), "json_invalid")]),
        (b"", [(("body",), "missing")]),
        (b"[1, 2]", [(("body",), "model_attributes_type")]),
    ],
)
async def test_malformed_or_missing_json(nansen: httpx.AsyncClient, no_limits: None, raw: bytes, expected: list[Any]) -> None:
    resp = await nansen.post(TRADES, content=raw, headers={"Content-Type": "application/json"})
    assert resp.status_code == 422
    assert kinds(resp.json()["detail"]) == expected


async def test_missing_key_is_401(sandbox_url: str) -> None:
    async with httpx.AsyncClient(base_url=f"{sandbox_url}/nansen") as anon:
        resp = await anon.post(TRADES, json={"address": ADDRESS, "date": DATE})
    assert resp.status_code == 401
    assert resp.json() == {"detail": "No API key found in request"}
    assert "X-Nansen-Credits-Used" not in resp.headers


async def test_wrong_key_is_401_even_with_a_bad_body(sandbox_url: str) -> None:
    async with httpx.AsyncClient(base_url=f"{sandbox_url}/nansen", headers={"apiKey": "nope"}) as client:
        resp = await client.post(TRADES, json={"bogus": True})
    assert resp.status_code == 401
    assert isinstance(resp.json()["detail"], str) and resp.json()["detail"]


async def test_key_header_name_is_case_insensitive_and_not_a_bearer(sandbox_url: str) -> None:
    async with httpx.AsyncClient(base_url=f"{sandbox_url}/nansen") as client:
        ok = await client.post(TRADES, json={"address": ADDRESS, "date": DATE}, headers={"APIKEY": NANSEN_KEY})
        bearer = await client.post(TRADES, json={"address": ADDRESS, "date": DATE},
                                   headers={"Authorization": f"Bearer {NANSEN_KEY}"})
    assert ok.status_code in (200, 429)
    assert bearer.status_code == 401


async def test_unknown_path_and_wrong_method(nansen: httpx.AsyncClient) -> None:
    missing = await nansen.post("/api/v1/profiler/perp-nothing", json={})
    assert missing.status_code == 404 and missing.json() == {"detail": "Not Found"}
    get = await nansen.get(TRADES)
    assert get.status_code == 405 and get.json() == {"detail": "Method Not Allowed"}


async def test_success_carries_rate_limit_and_credit_headers(nansen: httpx.AsyncClient, no_limits: None) -> None:
    first = await nansen.post(TRADES, json={"address": ADDRESS, "date": DATE})
    second = await nansen.post("/api/v1/tgm/perp-positions", json={"token_symbol": "BTC"})
    for resp in (first, second):
        assert resp.status_code == 200
        for name in RATE_HEADERS:
            assert int(resp.headers[name]) >= 0, name
        assert resp.headers["X-RateLimit-Limit-Second"] == "20"
        assert resp.headers["X-RateLimit-Limit-Minute"] == "300"
    assert first.headers["X-Nansen-Credits-Used"] == "1" and second.headers["X-Nansen-Credits-Used"] == "5"
    remaining = int(first.headers["X-Nansen-Credits-Remaining"])
    assert int(second.headers["X-Nansen-Credits-Remaining"]) == remaining - 5
    failed = await nansen.post(TRADES, json={})
    assert failed.status_code == 422 and "X-Nansen-Credits-Used" not in failed.headers
    assert "RateLimit-Remaining" in failed.headers


async def burst(client: httpx.AsyncClient, n: int) -> list[httpx.Response]:
    body = {"address": ADDRESS}
    return list(await asyncio.gather(*(client.post("/api/v1/profiler/perp-positions", json=body) for _ in range(n))))


async def test_exhausting_the_per_second_limit_gives_429(nansen: httpx.AsyncClient, control: httpx.AsyncClient) -> None:
    await control.post("/ratelimits", json={"enabled": True})
    refused: list[httpx.Response] = []
    for _ in range(10):  # a burst may straddle a second boundary; the next one will not
        refused = [r for r in await burst(nansen, 30) if r.status_code == 429]
        if refused:
            break
    assert refused, "30 requests at once must exceed 20 per second"
    resp = refused[0]
    body = resp.json()
    assert body["detail"] and isinstance(body["retry_after"], int) and body["retry_after"] >= 1
    assert resp.headers["Retry-After"] == str(body["retry_after"])
    for name in RATE_HEADERS:
        assert name in resp.headers, name
    assert resp.headers["X-RateLimit-Remaining-Second"] == "0"
    assert resp.headers["RateLimit-Remaining"] == "0" and resp.headers["RateLimit-Limit"] == "20"
    assert "X-Nansen-Credits-Used" not in resp.headers


async def test_disabled_rate_limits_admit_a_burst(nansen: httpx.AsyncClient, no_limits: None) -> None:
    statuses = {r.status_code for r in await burst(nansen, 40)}
    assert statuses == {200}
