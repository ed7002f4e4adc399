"""`python -m bench`: every benchmark with its defaults; `python -m bench NAME [ARGS]`: one, with ARGS."""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = {
    "queries": "bench.queries",  # leaderboard query, response cache warm vs off (wrk)
    "subscriptions": "bench.subscriptions",  # many subscribers to one stream
    "bridges": "bench.bridges",  # upstream trade to hub event, per venue; reconnect time
}
# run only when named: they compare gateways already running (their URLs are arguments)
ON_DEMAND = {
    "side-by-side": "bench.side_by_side",  # two gateways' CPU per request under the same load at once
}


def main(argv: list[str]) -> int:
    known = {**BENCHMARKS, **ON_DEMAND}
    if argv and argv[0] not in known:
        print(f"unknown benchmark {argv[0]!r}; known: {', '.join(known)}", file=sys.stderr)
        return 2
    runs = [(argv[0], argv[1:])] if argv else [(name, []) for name in BENCHMARKS]
    status = 0
    for name, args in runs:
        try:
            module = importlib.import_module(known[name])
        except ModuleNotFoundError as exc:
            print(f"{name}: not available ({exc})", file=sys.stderr)
            status = 1
            continue
        status |= int(module.main(args))
    return status


raise SystemExit(main(sys.argv[1:]))
