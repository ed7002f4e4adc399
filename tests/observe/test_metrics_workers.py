"""`gateway serve --workers 2`: /metrics adds up both workers, so scrapes agree with each other."""

from __future__ import annotations

from pathlib import Path

import httpx

from gateway.cli import gateway_process
from tests.api.test_metrics import value
from tests.observe.helpers import sandbox_env

REQUESTS = 24
QUERY = "query Stable { perp { borrowings(limit: 1) { marketId } } }"


def test_a_counter_is_the_same_in_six_scrapes_whichever_worker_answers(sandbox_url: str, tmp_path: Path) -> None:
    env = sandbox_env(sandbox_url, TMPDIR=str(tmp_path))  # the serve command's metrics dir goes here
    with gateway_process(env, workers=2) as (base, _):
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith("gateway-metrics-")]
        for _ in range(REQUESTS):  # a new connection each: the kernel hands them to either worker
            with httpx.Client(base_url=base, timeout=30) as client:
                assert "errors" not in client.post("/graphql", json={"query": QUERY}).json()
        scrapes = []
        for _ in range(6):
            with httpx.Client(base_url=base, timeout=30) as client:
                scrapes.append(client.get("/metrics").text)
    executions = [value(text, "gateway_graphql_executions_total") for text in scrapes]
    durations = [value(text, 'gateway_request_duration_seconds_count{operation="Stable",outcome="ok"}')
                 for text in scrapes]
    assert executions == [REQUESTS] * 6
    assert durations == [REQUESTS] * 6
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("gateway-metrics-")]  # removed at exit
