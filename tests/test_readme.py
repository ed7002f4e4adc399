"""The README, checked line by line against live processes: the sandbox examples return data on a
live sandbox (no fixed dates), the query examples answer without errors through a gateway on it,
and the Node snippet runs on this machine's Node (20: no global WebSocket) and receives a trade
that `gateway sandbox-trade` (what `make trades` runs) made happen."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.app import create_app
from gateway.cli import sandbox_process
from gateway.sandbox_trades import make_trades
from gateway.settings import Settings
from sandbox.state import KEYS as SANDBOX_KEYS
from tests.node_tools import NODE_DIR, node_with
from tests.servers import serve

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
GATEWAY = str(Path(sys.executable).parent / "gateway")


def block(after: str, lang: str) -> str:
    """The first fenced `lang` block after the heading or sentence `after`."""
    start = README.index(after)
    match = re.search(rf"```{lang}\n(.*?)```", README[start:], re.S)
    assert match, f"no {lang} block after {after!r}"
    return match.group(1)


def commands(text: str) -> list[str]:
    """Shell commands of a block, continuation lines joined."""
    return [c.strip() for c in re.sub(r"\\\n\s*", " ", text).splitlines() if c.strip()]


@pytest.fixture(scope="module")
def live() -> Iterator[tuple[str, str]]:
    """A live sandbox (started now, following the clock, as `gateway sandbox` runs) and a gateway on it."""
    with (sandbox_process(live=True) as sandbox,
          serve(create_app(Settings(sandbox="off", poll_interval=0.2).with_sandbox(sandbox, SANDBOX_KEYS))) as gw):
        yield sandbox, gw


def run_shell(lines: list[str]) -> list[str]:
    """Run the commands in one bash (variables carry over); one output per command."""
    script = "set -euo pipefail\n" + "".join(f"{c}\necho; echo '---8<---'\n" for c in lines)
    r = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    return [o.strip() for o in r.stdout.split("---8<---")[:-1]]


def test_the_sandbox_examples_return_data_on_a_live_sandbox(live: tuple[str, str]) -> None:
    sandbox, _ = live
    port = sandbox.rsplit(":", 1)[1]
    lines = [c.replace("127.0.0.1:8001", f"127.0.0.1:{port}").replace(".venv/bin/gateway", GATEWAY)
             for c in commands(block("## The sandbox", "sh")) if not c.endswith("&")]
    outputs = dict(zip(lines, run_shell(lines), strict=True))
    results = [(c, o) for c, o in outputs.items() if c.startswith(("curl", GATEWAY))]
    assert len(results) == 4
    prices, leaderboard, borrowings, trades = (o for _, o in results)
    assert json.loads(prices)
    assert json.loads(leaderboard)["data"], "the Nansen example must find traders on a live sandbox"
    assert json.loads(borrowings)["data"]["perp"]["borrowings"]
    assert [line.split()[0] for line in trades.splitlines()] == ["NIBIRU"] * 2 + ["JUPITER"] * 2 + ["HYPERLIQUID"] * 2


QUERY_EXAMPLES = [c.strip() for c in block("## Querying", "sh").split("\n\n")]  # one per paragraph



@pytest.mark.parametrize("example", [
    pytest.param(0, id="leaderboard"),
    pytest.param(1, id="jupiter-trader-trades"),
    pytest.param(2, id="nibiru-borrowing"),
])
def test_the_query_examples_answer_without_errors(live: tuple[str, str], example: int) -> None:
    _, gw = live
    assert len(QUERY_EXAMPLES) == 3
    (output,) = run_shell([QUERY_EXAMPLES[example].replace("http://127.0.0.1:8000", gw)])
    body = json.loads(output)
    assert "errors" not in body, body
    data = body["data"]["perp"]
    assert data[("leaderboard", "trades", "borrowing")[example]]


async def test_the_node_snippet_receives_a_live_trade(live: tuple[str, str], tmp_path: Path) -> None:
    node = node_with("ws")
    sandbox, gw = live
    snippet = block("Details: `docs/operations-streams.md`", "js")
    assert 'from "ws"' in snippet and "webSocketImpl" in snippet
    script = NODE_DIR / f"readme-snippet-{os.getpid()}.mjs"  # beside node_modules, so imports resolve
    script.write_text(snippet.replace("ws://127.0.0.1:8000", gw.replace("http", "ws", 1)))
    proc = await asyncio.create_subprocess_exec(node, str(script), stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.PIPE, cwd=NODE_DIR)
    try:
        assert proc.stdout is not None
        line = b""
        for _ in range(20):  # bounded: the client subscribes asynchronously, the live feed polls
            await asyncio.to_thread(make_trades, sandbox, 1)
            try:
                line = await asyncio.wait_for(proc.stdout.readline(), 3)
                break
            except TimeoutError:
                assert proc.returncode is None, (await proc.stderr.read()).decode() if proc.stderr else ""
        assert line, "the README's Node snippet printed no event"
        trade = json.loads(line)["perpLiveTrades"]
        # the filter's USD size: the change's own where the venue gives one, else the position's
        size = trade["sizeDeltaUsd"] if trade["sizeDeltaUsd"] is not None else trade["trade"]["sizeUsd"]
        assert trade["venue"] in {"NIBIRU", "JUPITER", "HYPERLIQUID"} and abs(size) >= 10000
    finally:
        script.unlink()
        if proc.returncode is None:
            proc.terminate()
            await proc.wait()
