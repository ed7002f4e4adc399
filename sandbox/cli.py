"""`python -m sandbox`: serve the three simulated upstreams on one port."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC, datetime


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="sandbox", description="Serve simulated PerpsTracker, Nansen and Sai Keeper upstreams on one port.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--host", default="127.0.0.1", help="interface to listen on")
    p.add_argument("--port", type=int, default=8001, help="port to listen on")
    p.add_argument("--seed", type=int, default=7, help="seed of the market simulation")
    p.add_argument("--no-live", action="store_true", help="do not follow the wall clock")
    p.add_argument("--traders", type=int, default=40, help="traders per venue")
    p.add_argument("--start", help="simulated 'now' after the warm-up: ISO date-time or 'now' "
                   "(default: now when live, else 2025-12-16T12:00Z)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    import uvicorn

    from sandbox.server import create_sandbox_app
    from sandbox.state import SandboxState

    ns = parser().parse_args(argv)
    live = not ns.no_live
    now = datetime.now(UTC).replace(microsecond=0)
    if ns.start == "now" or (ns.start is None and live):
        start: datetime | None = now
    elif ns.start:
        start = datetime.fromisoformat(ns.start)
    else:
        start = None  # the fixed default start, for reproducible tests
    state = SandboxState.create(seed=ns.seed, start=start, traders_per_venue=ns.traders)
    app = create_sandbox_app(state, live=live)
    print(f"sandbox at http://{ns.host}:{ns.port} (seed {ns.seed}, live={live})", file=sys.stderr)
    uvicorn.run(app, host=ns.host, port=ns.port, log_level="warning", ws="websockets-sansio")
    return 0
