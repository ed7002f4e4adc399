"""graphql-http's `auditServer` (the GraphQL-over-HTTP spec's own audit, tests/node/audit.mjs)
against the session's gateway: no MUST fails (`error`) and no SHOULD fails (`warn`)."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from pathlib import Path

import pytest

NODE_DIR = Path(__file__).resolve().parents[1] / "node"


def node_with_graphql_http() -> str:
    node = shutil.which("node")
    missing = None if node else "node is not installed"
    if node and not (NODE_DIR / "node_modules" / "graphql-http").is_dir():
        missing = "tests/node/node_modules is missing graphql-http (make test runs npm ci there)"
    if missing:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{missing}: required under CI")
        pytest.skip(missing)
    assert node is not None
    return node


async def test_graphql_http_audit_passes(gateway_url: str) -> None:
    node = node_with_graphql_http()
    proc = await asyncio.create_subprocess_exec(
        node, str(NODE_DIR / "audit.mjs"), f"{gateway_url}/graphql", cwd=NODE_DIR,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
    assert proc.returncode == 0, err.decode()
    results = [json.loads(line) for line in out.decode().splitlines() if line.strip()]
    assert len(results) > 30  # the audit ran
    failed = [r for r in results if r["status"] != "ok"]
    assert failed == [], "\n".join(f"{r['id']} {r['name']}: {r['reason']}" for r in failed)
