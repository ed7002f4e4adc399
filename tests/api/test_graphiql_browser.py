"""GraphiQL in a real browser with no internet: headless Chromium (loopback only) loads /graphql from
a gateway on the sandbox, runs the default perp query, then the subscription tab, makes sandbox
trades happen (as `make trades` does) and sees an event arrive. Screenshots are kept under
`test-artifacts/` (gitignored) at the repository root, or `$GATEWAY_TEST_ARTIFACTS` (`.ci/run` points
it at the checkout it was started in, so they outlive its temporary clone): graphiql-query.png,
graphiql-subscription.png.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

from gateway.app import create_app
from gateway.cli import sandbox_process
from gateway.sandbox_trades import make_trades
from gateway.settings import Settings
from sandbox.state import KEYS as SANDBOX_KEYS
from tests.browser import chromium_binary, chromium_page
from tests.servers import serve

ARTIFACTS = Path(os.environ.get("GATEWAY_TEST_ARTIFACTS") or Path(__file__).resolve().parents[2] / "test-artifacts")
EDITOR = "document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.getValue()"
RESULT = "(document.querySelector('.result-window .CodeMirror')?.CodeMirror.getValue() || '')"
EXECUTE = "document.querySelector('.graphiql-execute-button').click()"


async def test_graphiql_runs_the_default_query_and_a_live_subscription_offline() -> None:
    chromium_binary()  # skip (or fail under CI) before starting anything
    with sandbox_process(live=False, start="now") as sandbox:
        settings = Settings(sandbox="off", poll_interval=0.2).with_sandbox(sandbox, SANDBOX_KEYS)
        with serve(create_app(settings)) as base:
            async with chromium_page() as page:
                await page.goto(f"{base}/graphql")
                await page.wait_for("document.getElementById('graphiql').dataset.operations === 'query:Leaderboard'")
                assert "query Leaderboard" in await page.evaluate(EDITOR)

                await page.evaluate(EXECUTE)
                text = await page.wait_for(f"{RESULT}.includes('\"leaderboard\"') && {RESULT}")
                body = json.loads(text)
                assert "errors" not in body, body
                entries = body["data"]["perp"]["leaderboard"]
                assert entries and {e["venue"] for e in entries} <= {"NIBIRU", "JUPITER", "HYPERLIQUID"}
                await page.screenshot(ARTIFACTS / "graphiql-query.png")

                await page.evaluate("document.querySelectorAll('.graphiql-tab-button')[1].click()")
                # GraphiQL runs what it has parsed, 100 ms after the switch: wait for that, not the text.
                await page.wait_for("document.getElementById('graphiql').dataset.operations === 'subscription:LiveTrades'")
                await page.evaluate(EXECUTE)
                event = None
                for _ in range(8):  # bounded: the live feed's first poll only sets its watermark
                    await asyncio.to_thread(make_trades, sandbox, 1)
                    try:
                        event = await page.wait_for(f"{RESULT}.includes('\"perpLiveTrades\": {{') && {RESULT}", 3000)
                        break
                    except AssertionError:
                        continue
                await page.screenshot(ARTIFACTS / "graphiql-subscription.png")
                assert event is not None, f"no live trade in GraphiQL: {await page.evaluate(RESULT)!r} {page.errors} {page.frames}"
                trade = (json.loads(event).get("data") or {}).get("perpLiveTrades")
                assert trade is not None, event
                assert trade["venue"] in {"NIBIRU", "JUPITER", "HYPERLIQUID"} and trade["sizeDeltaUsd"] is not None

                # Everything the page loaded came from the gateway itself.
                assert page.requests and all(u.startswith(base) or u.startswith("data:") for u in page.requests), \
                    page.requests
                assert page.errors == []
