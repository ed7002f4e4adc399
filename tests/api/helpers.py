"""Small helpers for gateway integration tests."""

from __future__ import annotations

from typing import Any

import httpx


async def gql_post(client: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    """POST a document to /graphql; returns the decoded body (asserting HTTP 200)."""
    r = await client.post("/graphql", json={"query": query, "variables": variables})
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def codes(body: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]


async def traders(control: httpx.AsyncClient, venue: str) -> list[dict[str, Any]]:
    r = await control.get("/traders", params={"venue": venue})
    result: list[dict[str, Any]] = r.json()
    return result


async def busiest(control: httpx.AsyncClient, venue: str) -> str:
    """The trader of a venue with the most positions, open ones first."""
    listed = await traders(control, venue)
    return str(max(listed, key=lambda t: (t["open_positions"] > 0, t["positions"]))["address"])


def without_request_id(extensions: dict[str, Any]) -> dict[str, Any]:
    """An error's extensions less `requestId`, which every error carries (tests/observe checks it)."""
    return {k: v for k, v in extensions.items() if k != "requestId"}
