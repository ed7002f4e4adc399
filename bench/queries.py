"""Query benchmark: one uvicorn worker, wrk with 16 connections, a 100-row leaderboard.

Runs the sandbox and the gateway as separate processes, then for each mode (response cache warm,
response cache off) starts a fresh gateway, checks one answer, and drives it with wrk for a fixed
time. Prints and records requests/s and latency percentiles in docs/benchmarks.md.

    python -m bench queries [--duration 10] [--connections 16]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from bench.report import machine, today, write_section
from gateway.cli import gateway_process, sandbox_process, upstream_env
from gateway.settings import Settings
from sandbox.state import KEYS as SANDBOX_KEYS

FIELDS = ("venue rank trader label pnl roi volume winRate trades accountValue score avgLeverage liquidations "
          "openPositions unrealizedPnl")
QUERY = f"{{ perp {{ leaderboard(where: {{venue: JUPITER, timeframe: DAY}}, limit: 100) {{ {FIELDS} }} }} }}"
MODES = {"response cache warm": "on", "response cache off": "off"}

# Counts 200 answers that carry GraphQL errors (e.g. an upstream rate limit), per wrk thread.
ERROR_COUNTER = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) errors = 0 end
function response(status, headers, body)
  if string.find(body, '"errors"', 1, true) then errors = errors + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + t:get("errors") end
  io.write(string.format("graphql errors: %d\\n", total))
end
"""


@contextmanager
def gateway_for(sandbox: str, response_cache: str) -> Iterator[str]:
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(upstream_env(Settings(sandbox="off").with_sandbox(sandbox, SANDBOX_KEYS)),
               GATEWAY_SANDBOX="off", GATEWAY_RESPONSE_CACHE=response_cache)
    with gateway_process(env) as (base, _):
        yield base


def wrk(url: str, body: str, duration: int, connections: int) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                     f"wrk.body = {json.dumps(body)}\n" + ERROR_COUNTER)
    try:
        out = subprocess.run(
            ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "-s", script.name, url],
            capture_output=True, text=True, check=True, timeout=duration + 60).stdout
    finally:
        os.unlink(script.name)
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}  # type: ignore[union-attr]
    for pct in ("50", "99"):
        m = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if m:
            scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]
            result[f"p{pct}_ms"] = float(m.group(1)) * scale
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    result["non_2xx"] = float(errors.group(1)) if errors else 0.0
    graphql_errors = re.search(r"graphql errors: (\d+)", out)
    result["graphql_errors"] = float(graphql_errors.group(1)) if graphql_errors else float("nan")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench queries")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    ns = parser.parse_args(argv if argv is not None else [])
    if shutil.which("wrk") is None:
        print("wrk is needed: apt-get install wrk", file=sys.stderr)
        return 1
    body = json.dumps({"query": QUERY})
    rows = []
    # 300 traders a venue, so the 24-hour Jupiter leaderboard has its 100 rows
    with sandbox_process(live=False, start="now", traders=300) as sandbox:
        httpx.post(f"{sandbox}/_control/ratelimits", json={"enabled": True})
        for label, flag in MODES.items():
            with gateway_for(sandbox, flag) as base:
                check = httpx.post(f"{base}/graphql", json={"query": QUERY}, timeout=30).json()
                entries = check.get("data", {}).get("perp", {}).get("leaderboard") or []
                if check.get("errors") or len(entries) != 100 or len(entries[0]) != 15:
                    print(f"{label}: unexpected answer {str(check)[:300]}", file=sys.stderr)
                    return 1
                result = wrk(f"{base}/graphql", body, ns.duration, ns.connections)
                rows.append((label, result))
                print(f"{label}: {result['rps']:.0f} req/s, p50 {result.get('p50_ms', 0):.2f} ms, "
                      f"p99 {result.get('p99_ms', 0):.2f} ms, non-2xx {result['non_2xx']:.0f}, "
                      f"GraphQL errors {result['graphql_errors']:.0f}")
    table = "\n".join(
        f"| {label} | {r['rps']:,.0f} | {r.get('p50_ms', float('nan')):.2f} | {r.get('p99_ms', float('nan')):.2f} "
        f"| {r['non_2xx']:.0f} | {r['graphql_errors']:.0f} |" for label, r in rows)
    write_section("queries", f"""## Queries: 100-row leaderboard, 15 scalar fields

`python -m bench queries --duration {ns.duration} --connections {ns.connections}` ({today()}; {machine()}).
One uvicorn worker (`gateway serve --workers 1`); wrk `-t2 -c{ns.connections} -d{ns.duration}s`, POST of
`{QUERY}`. Each mode on a fresh gateway; the sandbox is a separate process. "Response cache off"
still has the upstream cache (the leaderboard is fetched from PerpsTracker about once a minute), so it
measures parsing, validation, execution and serialization of 1,500 fields per request.

| mode | requests/s | p50 ms | p99 ms | non-2xx | answers with errors |
|---|---|---|---|---|---|
{table}

Target: at least 2,500 requests/s with the response cache warm.
""")
    return 0
