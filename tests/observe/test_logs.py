"""Logs of a real `gateway serve --workers 2`: one format for every line (uvicorn's too), one
access line per request with its id, operation, duration, cache result and upstream calls."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx

from gateway.cli import gateway_process
from tests.observe.helpers import sandbox_env

QUERY = "query Borrowings { perp { borrowings(limit: 2) { marketId } } }"


def test_json_logs_of_two_workers_carry_time_level_logger_and_request_ids(
    sandbox_url: str, tmp_path: Path
) -> None:
    log_path = tmp_path / "gateway.log"
    env = sandbox_env(sandbox_url, GATEWAY_LOG_FORMAT="json", GATEWAY_LOG_LEVEL="INFO")
    with log_path.open("w") as out, gateway_process(env, workers=2, stdout=out) as (base, _):
        ok = httpx.post(f"{base}/graphql", json={"query": QUERY}, headers={"X-Request-Id": "req-42.a:b"}, timeout=30)
        bad = httpx.post(f"{base}/graphql", json={"query": "{ perp { nope } }"},
                         headers={"X-Request-Id": "evil id\twith spaces"}, timeout=30)
        long_id = httpx.post(f"{base}/graphql", json={"query": "{ perp { nope } }"},
                             headers={"X-Request-Id": "a" * 200}, timeout=30)
    # honoured when sane, returned in the response and in every error's extensions
    assert ok.status_code == 200 and "errors" not in ok.json()
    assert ok.headers["x-request-id"] == "req-42.a:b"
    generated = bad.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)  # an insane id is replaced, not echoed
    assert [e["extensions"]["requestId"] for e in bad.json()["errors"]] == [generated]
    assert long_id.headers["x-request-id"] != "a" * 200

    lines = log_path.read_text().splitlines()
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    for entry in entries:
        assert {"time", "level", "logger", "message", "request_id"} <= entry.keys(), entry
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", entry["time"])
    # uvicorn's own lines, from the parent and from both workers, in the same format
    started = [e for e in entries if e["logger"] == "uvicorn.error" and e["message"].startswith("Started server process")]
    assert len(started) == 2
    assert not any(e["logger"] == "uvicorn.access" for e in entries)  # replaced by gateway.access

    access = {e["request_id"]: e for e in entries if e["logger"] == "gateway.access"}
    line = access["req-42.a:b"]
    assert (line["method"], line["path"], line["status"]) == ("POST", "/graphql", 200)
    assert line["operation"] == "Borrowings" and line["cache"] == "BYPASS" and line["upstream_calls"] == 1
    assert line["duration_ms"] > 0
    assert access[generated]["upstream_calls"] == 0 and "operation" not in access[generated]
    assert sum(1 for e in entries if e["logger"] == "gateway.access" and e["path"] == "/graphql") == 3
