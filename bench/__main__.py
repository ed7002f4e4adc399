"""`python -m bench`: every benchmark with its defaults; `python -m bench NAME [ARGS]`: one, with ARGS."""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = {
    "queries": "bench.queries",  # leaderboard query, response cache warm vs off (wrk)
    "subscriptions": "bench.subscriptions",  # many subscribers to one stream
    "bridges": "bench.bridges",  # upstream trade to hub event, per venue; reconnect time
}


def main(argv: list[str]) -> int:
    if argv and argv[0] not in BENCHMARKS:
        print(f"unknown benchmark {argv[0]!r}; known: {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    runs = [(argv[0], argv[1:])] if argv else [(name, []) for name in BENCHMARKS]
    status = 0
    for name, args in runs:
        try:
            module = importlib.import_module(BENCHMARKS[name])
        except ModuleNotFoundError as exc:
            print(f"{name}: not available ({exc})", file=sys.stderr)
            status = 1
            continue
        status |= int(module.main(args))
    return status


raise SystemExit(main(sys.argv[1:]))
