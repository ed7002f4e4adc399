"""Two running gateways compared side by side: CPU per request of each, under the same load at once.

On this machine a gateway's throughput moves by ±20% from minute to minute (steal from the host),
so two gateways timed one after the other cannot be compared to within 5%. Here both worker
processes are pinned to core 0 and driven at the same time, each by its own wrk (`-t1 -c16`) on
core 1: whatever the machine does, it does to both. Each pair prints the CPU time of each worker
(`/proc/<pid>/stat` utime+stime) divided by the requests it answered, and the ratio B ÷ A.

    python -m bench side-by-side URL_A URL_B [--pairs 4] [--duration 8] [--body FILE] [--header 'Name: value']

URL_A and URL_B are gateways already running (`gateway serve --workers 1`) on this machine; the
body (default: the queries benchmark's 100-row leaderboard) is POSTed to `/graphql`. To compare
with an older commit: `git worktree add --detach /tmp/old <commit>`, then start its gateway from
there (`cd /tmp/old && PYTHONPATH=/tmp/old python -m gateway serve`) with the same environment.
Needs `wrk`, `taskset` and `ss` (iproute2).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from bench.queries import QUERY


def worker_pid(url: str) -> int:
    """The pid of the process listening on the URL's port."""
    port = urlsplit(url).port
    listing = subprocess.run(["ss", "-ltnpH"], capture_output=True, text=True, check=True).stdout
    for line in listing.splitlines():
        if re.search(rf":{port}\s", line):
            found = re.search(r"pid=(\d+)", line)
            if found:
                return int(found.group(1))
    raise SystemExit(f"nothing of ours listens on {url}")


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime (fields 14 and 15 of stat)


def pair(urls: tuple[str, str], pids: tuple[int, int], script: str, duration: int) -> list[float]:
    """CPU microseconds per request of each gateway, both loaded at once."""
    before = [cpu_ticks(p) for p in pids]
    loads = [subprocess.Popen(["taskset", "-c", "1", "wrk", "-t1", "-c16", f"-d{duration}s", "-s", script,
                               f"{url}/graphql"], stdout=subprocess.PIPE, text=True) for url in urls]
    outputs = [load.communicate(timeout=duration + 60)[0] for load in loads]
    after = [cpu_ticks(p) for p in pids]
    tick = os.sysconf("SC_CLK_TCK")
    result = []
    for out, b, a in zip(outputs, before, after, strict=True):
        found = re.search(r"(\d+) requests in", out)
        if found is None:
            raise SystemExit(f"wrk said: {out}")
        result.append((a - b) / tick * 1e6 / int(found.group(1)))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench side-by-side")
    parser.add_argument("url_a")
    parser.add_argument("url_b")
    parser.add_argument("--pairs", type=int, default=4)
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--body", help="a file holding the JSON body to POST (default: the 100-row leaderboard)")
    parser.add_argument("--header", action="append", default=[], help="'Name: value', sent with every request")
    ns = parser.parse_args(argv if argv is not None else [])
    body = Path(ns.body).read_text() if ns.body else json.dumps({"query": QUERY})
    urls = (ns.url_a.rstrip("/"), ns.url_b.rstrip("/"))
    pids = (worker_pid(urls[0]), worker_pid(urls[1]))
    for pid in pids:
        subprocess.run(["taskset", "-p", "-c", "0", str(pid)], check=True, capture_output=True)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(f'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = {json.dumps(body)}\n')
        for header in ns.header:
            name, _, value = header.partition(":")
            script.write(f"wrk.headers[{json.dumps(name.strip())}] = {json.dumps(value.strip())}\n")
    try:
        print(f"A {urls[0]} (pid {pids[0]}), B {urls[1]} (pid {pids[1]}), both on core 0; wrk on core 1")
        for _ in range(ns.pairs):
            a, b = pair(urls, pids, script.name, ns.duration)
            print(f"A {a:.0f} us/request, B {b:.0f} us/request, B/A {b / a:.3f}", flush=True)
    finally:
        os.unlink(script.name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
