"""Issues 4 and 13's query benchmark: one uvicorn worker, wrk -t1 -c16, a 100-row leaderboard and
a personalised mix.

Runs the sandbox and the gateway as separate processes, then for each mode (response cache warm,
response cache off, response cache off on Strawberry's executor alone, and the personalised mix)
starts a fresh gateway, checks one answer, and drives it with wrk for a fixed time. Prints and
records requests/s and latency percentiles in docs/benchmarks.md.

The personalised mix cycles through distinct traders of the three venues (`trades` with `state`,
20 rows each): every request a response-cache miss (the response cache is off) and, after one
warming round, an upstream-cache hit (the gateway runs with long upstream TTLs for this mode, so
the upstream answers stay cached for the whole run, as the target asks).

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

from bench.report import load, machine, today, write_section
from gateway.cli import gateway_process, sandbox_process, upstream_env
from gateway.settings import Settings
from gateway.sources.perpstracker.endpoints import LIMITS as PERPSTRACKER_LIMITS
from gateway.sources.registry import endpoint_names
from sandbox.state import KEYS as SANDBOX_KEYS

FIELDS = ("venue rank trader label pnl roi volume winRate trades accountValue score avgLeverage liquidations "
          "openPositions unrealizedPnl")
QUERY = f"{{ perp {{ leaderboard(where: {{venue: JUPITER, timeframe: DAY}}, limit: 100) {{ {FIELDS} }} }} }}"
# label -> (GATEWAY_RESPONSE_CACHE, GATEWAY_COMPILED_EXECUTION, every limit on)
MODES = {"response cache warm": ("on", "on", False),
         "response cache warm, every limit on": ("on", "on", True),
         "response cache off": ("off", "on", False),
         "response cache off, Strawberry's executor only": ("off", "off", False)}
# Issue 10's "every limit on": the limits on by default (cost, depth, aliases, tokens, body size,
# CORS, persisted queries) plus the two that are off by default, caller access by API key and a
# per-caller request limit (generous: wrk is one caller, and nothing is to be refused).
BENCH_KEY = "bench-key-0123456789"
LIMITS_ENV = {"GATEWAY_API_KEYS": BENCH_KEY, "GATEWAY_CALLER_RATE": "1000000/60000000"}
MIX_QUERY = ("query($t: String!) { perp { trades(where: {trader: $t}, limit: 20) { id trader isOpen isLong "
             "leverage collateralAmount openPrice market venue openTime state { pnlCollateral pnlPct "
             "liquidationPrice } } } }")
MIX_TRADERS = 30  # a venue

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
def gateway_for(sandbox: str, response_cache: str, compiled: str = "on", long_ttls: bool = False,
                limits: bool = False) -> Iterator[str]:
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(upstream_env(Settings(sandbox="off").with_sandbox(sandbox, SANDBOX_KEYS)),
               GATEWAY_SANDBOX="off", GATEWAY_RESPONSE_CACHE=response_cache, GATEWAY_COMPILED_EXECUTION=compiled)
    if limits:
        env.update(LIMITS_ENV)
    if long_ttls:  # the mix: upstream answers stay cached, and warming 90 traders is not throttled
        env["GATEWAY_CACHE_TTLS"] = ",".join(f"{name}=3600" for name in endpoint_names())
        env["PERPSTRACKER_RATE_LIMITS"] = ",".join(f"{c}=1000000/60" for c in PERPSTRACKER_LIMITS)
        env["NANSEN_RATE_LIMITS"] = "1000000/60"
        env["GATEWAY_CALLER_SHARE"] = "1"  # wrk is one caller: it may spend whole upstream budgets
    with gateway_process(env) as (base, _):
        yield base


def wrk(url: str, body: str | list[str], duration: int, connections: int,
        headers: dict[str, str] | None = None) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n')
        for name, value in (headers or {}).items():
            script.write(f"wrk.headers[{json.dumps(name)}] = {json.dumps(value)}\n")
        if isinstance(body, str):
            script.write(f"wrk.body = {json.dumps(body)}\n")
        else:  # a different body on each request, in turn
            script.write("bodies = {" + ", ".join(json.dumps(b) for b in body) + "}\nnext_body = 0\n"
                         "request = function()\n  next_body = next_body % #bodies + 1\n"
                         "  return wrk.format(nil, nil, nil, bodies[next_body])\nend\n")
        script.write(ERROR_COUNTER)
    try:
        out = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", "-s", script.name, url],
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


def _report(label: str, result: dict[str, float]) -> dict[str, float]:
    print(f"{label}: {result['rps']:.0f} req/s, p50 {result.get('p50_ms', 0):.2f} ms, "
          f"p99 {result.get('p99_ms', 0):.2f} ms, non-2xx {result['non_2xx']:.0f}, "
          f"GraphQL errors {result['graphql_errors']:.0f}", flush=True)
    return result


def _mix_bodies(sandbox: str) -> list[str]:
    """One request body per trader: the busiest MIX_TRADERS traders of each venue, interleaved."""
    per_venue = []
    for venue in ("NIBIRU", "JUPITER", "HYPERLIQUID"):
        listed = httpx.get(f"{sandbox}/_control/traders", params={"venue": venue}, timeout=30).json()
        busiest = sorted(listed, key=lambda t: -t["positions"])[:MIX_TRADERS]
        per_venue.append([json.dumps({"query": MIX_QUERY, "variables": {"t": t["address"]}}) for t in busiest])
    return [body for trio in zip(*per_venue, strict=False) for body in trio]


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
    started = load()
    # 300 traders a venue, so the 24-hour Jupiter leaderboard has its 100 rows
    with sandbox_process(live=False, start="now", traders=300, timeout=180) as sandbox:
        httpx.post(f"{sandbox}/_control/ratelimits", json={"enabled": True})
        for label, (flag, compiled, limits) in MODES.items():
            headers = {"X-API-Key": BENCH_KEY} if limits else {}
            with gateway_for(sandbox, flag, compiled, limits=limits) as base:
                check = httpx.post(f"{base}/graphql", json={"query": QUERY}, headers=headers, timeout=30).json()
                entries = check.get("data", {}).get("perp", {}).get("leaderboard") or []
                if check.get("errors") or len(entries) != 100 or len(entries[0]) != 15:
                    print(f"{label}: unexpected answer {str(check)[:300]}", file=sys.stderr)
                    return 1
                rows.append((label, _report(label, wrk(f"{base}/graphql", body, ns.duration, ns.connections,
                                                       headers))))
        bodies = _mix_bodies(sandbox)
        httpx.post(f"{sandbox}/_control/ratelimits", json={"enabled": False})
        for label, compiled in (("personalised mix", "on"), ("personalised mix, Strawberry's executor only", "off")):
            with gateway_for(sandbox, "off", compiled, long_ttls=True) as base:
                for mix_body in bodies:  # warm the upstream cache: every request of the run is a hit
                    answer = httpx.post(f"{base}/graphql", content=mix_body,
                                        headers={"content-type": "application/json"}, timeout=60).json()
                    if answer.get("errors") or not answer["data"]["perp"]["trades"]:
                        print(f"{label}: unexpected answer {str(answer)[:300]}", file=sys.stderr)
                        return 1
                rows.append((label, _report(label, wrk(f"{base}/graphql", bodies, ns.duration, ns.connections))))
    table = "\n".join(
        f"| {label} | {r['rps']:,.0f} | {r.get('p50_ms', float('nan')):.2f} | {r.get('p99_ms', float('nan')):.2f} "
        f"| {r['non_2xx']:.0f} | {r['graphql_errors']:.0f} |" for label, r in rows)
    write_section("queries", f"""## Queries: 100-row leaderboard, 15 scalar fields

`python -m bench queries --duration {ns.duration} --connections {ns.connections}` ({today()}; {machine()}).
Load when it started: {started}. One uvicorn worker (`gateway serve --workers 1`); wrk
`-t1 -c{ns.connections} -d{ns.duration}s`, POST of `{QUERY}`. Each mode on a fresh gateway; the
sandbox is a separate process. "Response cache off" still has the upstream cache (the leaderboard
is fetched from PerpsTracker about once a minute), so it measures the execution of 1,500 fields per
request: through compiled plans (gateway/api/compiled), and for comparison on Strawberry's executor
alone (`GATEWAY_COMPILED_EXECUTION=off`). The personalised mix posts `{MIX_QUERY}` for
{MIX_TRADERS} traders of each venue in turn (90 distinct documents+variables), response cache off,
upstream TTLs raised to an hour so that every request is an upstream-cache hit. "Every limit on"
adds caller access by API key (`X-API-Key` on every request) and a per-caller request limit
(`GATEWAY_CALLER_RATE=1000000/60000000`, so that nothing is refused) to the limits on by default.

| mode | requests/s | p50 ms | p99 ms | non-2xx | answers with errors |
|---|---|---|---|---|---|
{table}

Targets: at least 2,500 requests/s with the response cache warm; at least 1,000 with it
off, and 1,000 for the personalised mix; with every limit on, the warm figure within 5% of
the warm figure without them (compare CPU per request with `python -m bench side-by-side`: one
run after another moves by more than 5% on a shared machine).
""")
    return 0
