"""A `gateway serve` process pointed at the session's sandbox, its output kept for the test."""

from __future__ import annotations

import os

from sandbox.state import NANSEN_KEY, PERPSTRACKER_KEY
from tests.upstream_settings import without_policies_env


def sandbox_env(sandbox_url: str, **extra: str) -> dict[str, str]:
    """The environment of a gateway that serves the sandbox at `sandbox_url` (no embedded one),
    with no caching or retries: each request goes out once, as sent."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GATEWAY_", "OTEL_", "PROMETHEUS_"))}
    env.update(
        GATEWAY_SANDBOX="off",
        PERPSTRACKER_API_URL=f"{sandbox_url}/perpstracker/api", PERPSTRACKER_API_KEY=PERPSTRACKER_KEY,
        PERPSTRACKER_WS_URL=f"{sandbox_url.replace('http', 'ws', 1)}/perpstracker/ws/alerts",
        NANSEN_API_URL=f"{sandbox_url}/nansen", NANSEN_API_KEY=NANSEN_KEY,
        NIBIRU_GRAPHQL_URL=f"{sandbox_url}/nibiru/query",
        NIBIRU_WS_URL=f"{sandbox_url.replace('http', 'ws', 1)}/nibiru/query",
    )
    env.update(without_policies_env())
    env.update(extra)
    return env
