"""graphql-http's `auditServer` (the GraphQL-over-HTTP spec's own audit, tests/node/audit.mjs)
against the session's gateway: no MUST fails (`error`) and no SHOULD fails (`warn`)."""

from __future__ import annotations

import asyncio
import json

from tests.node_tools import NODE_DIR, node_with


async def test_graphql_http_audit_passes(gateway_url: str) -> None:
    node = node_with("graphql-http")
    proc = await asyncio.create_subprocess_exec(
        node, str(NODE_DIR / "audit.mjs"), f"{gateway_url}/graphql", cwd=NODE_DIR,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
    assert proc.returncode == 0, err.decode()
    results = [json.loads(line) for line in out.decode().splitlines() if line.strip()]
    assert len(results) > 30  # the audit ran
    failed = [r for r in results if r["status"] != "ok"]
    assert failed == [], "\n".join(f"{r['id']} {r['name']}: {r['reason']}" for r in failed)
