"""Helpers and fixtures shared by the Sai Keeper simulator tests (no tests in here)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from sandbox.addresses import bech32_encode

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "nibiru"
RFC3339_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$")
CHANGE_TYPES = {
    "position_opened", "position_closed_user", "position_closed_sl", "position_closed_tp",
    "position_liquidated", "sl_updated", "tp_updated", "limit_order_created", "stop_order_created",
    "order_triggered", "order_closed_user",
}
CLOSE_TYPES = {"position_closed_user", "position_closed_sl", "position_closed_tp", "position_liquidated"}


def doc(name: str) -> dict[str, Any]:
    """A documented example request (tests/fixtures/nibiru/doc_<name>.json)."""
    data: dict[str, Any] = json.loads((FIXTURES / f"doc_{name}.json").read_text())
    return data


def fresh_trader(tag: str) -> str:
    """A valid bech32 nibi1 address nobody else in the shared sandbox uses."""
    return bech32_encode("nibi", hashlib.sha256(f"nibiru-test:{tag}".encode()).digest()[:20])


def ws_url(sandbox_url: str) -> str:
    return sandbox_url.replace("http://", "ws://", 1) + "/nibiru/query"


def is_int(value: Any) -> bool:
    return type(value) is int


def is_number(value: Any) -> bool:
    """gqlgen writes Float with %g: whole values come out as JSON integers."""
    return type(value) in (int, float)


def is_time(value: Any) -> bool:
    if not isinstance(value, str) or not RFC3339_UTC.match(value):
        return False
    return datetime.fromisoformat(value).utcoffset() is not None


async def post(client: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None,
               operation_name: str | None = None) -> httpx.Response:
    body: dict[str, Any] = {"query": query}
    if variables is not None:
        body["variables"] = variables
    if operation_name is not None:
        body["operationName"] = operation_name
    return await client.post("/query", json=body)


async def data_of(client: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None,
                  operation_name: str | None = None) -> dict[str, Any]:
    res = await post(client, query, variables, operation_name)
    assert res.status_code == 200, res.text
    body = res.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


async def inject(control: httpx.AsyncClient, **body: Any) -> list[dict[str, Any]]:
    res = await control.post("/inject", json={"venue": "NIBIRU", **body})
    assert res.status_code == 200, res.text
    events: list[dict[str, Any]] = res.json()["events"]
    return events


@pytest.fixture
async def sai(sandbox_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"{sandbox_url}/nibiru", timeout=30) as client:
        yield client


@pytest.fixture
async def nibiru_trader(sandbox_url: str) -> str:
    """A simulated Nibiru trader holding open and closed trades (from /_control/traders)."""
    async with httpx.AsyncClient(base_url=sandbox_url, timeout=30) as client:
        traders = (await client.get("/_control/traders", params={"venue": "NIBIRU"})).json()
    rich = [t for t in traders if t["open_positions"] and t["positions"] > t["open_positions"]]
    assert rich, "the seeded market has Nibiru traders with open and closed trades"
    address: str = max(rich, key=lambda t: (t["positions"], t["address"]))["address"]
    return address
