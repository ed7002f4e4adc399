"""Settings for test gateways whose tests are not about the upstream policies.

The policy chain (gateway/policy) remembers across requests by design: answers (fresh for their
TTL, then stale for `max_stale`), each upstream's circuit breaker, and the rate-limit windows. A
session-wide gateway shared by tests that inject trades and faults, and that switch the sandbox's
limits off, would carry that memory from one test into the next: a cached board answering where a
test expects the injected 500, a circuit opened by one test failing the next, a minute's budget
spent by earlier tests refusing a later one. `without_policies` makes such a gateway behave as it
did before the chain (every request goes out once, as sent); the chain still classifies and
forwards every request. The policy tests build their own gateways with the real defaults
(tests/api/test_upstream_*.py).
"""

from __future__ import annotations

import dataclasses

from gateway.settings import Settings
from gateway.sources.perpstracker.endpoints import LIMITS as PERPSTRACKER_LIMITS
from gateway.sources.registry import endpoint_names
from tests.configure import configure

UNLIMITED = (1_000_000, 1_000_000)


def one_caller(settings: Settings) -> Settings:
    """Per-caller shares off: every test calls from 127.0.0.1, one caller, and tests that are not
    about fairness (tests/edge/test_fairness.py) may let it spend whole upstream budgets."""
    return dataclasses.replace(
        settings, edge=dataclasses.replace(settings.edge, caller_share=1.0, caller_upstream_rate=None))


def without_policies(settings: Settings) -> Settings:
    """No caching (upstream or whole-response), no stale answers, no retries, a breaker that never
    opens, no gateway-side limits (per-caller shares included: every test calls from 127.0.0.1)."""
    return configure(
        one_caller(settings), response_cache=False, cache_ttl_overrides=dict.fromkeys(endpoint_names(), 0.0), max_stale=0.0,
        upstream_retries=0, breaker_threshold=1_000_000,
        perpstracker_rate_limits=dict.fromkeys(PERPSTRACKER_LIMITS, UNLIMITED), nansen_rate_limits=UNLIMITED)


def without_policies_env() -> dict[str, str]:
    """`without_policies` as environment variables, for a `gateway serve` subprocess."""
    limits = ",".join(f"{c}={UNLIMITED[0]}/{UNLIMITED[1]}" for c in PERPSTRACKER_LIMITS)
    return {
        "GATEWAY_CACHE_TTLS": ",".join(f"{name}=0" for name in endpoint_names()), "GATEWAY_MAX_STALE": "0",
        "GATEWAY_RESPONSE_CACHE": "off", "GATEWAY_UPSTREAM_RETRIES": "0", "GATEWAY_BREAKER_THRESHOLD": "1000000",
        "PERPSTRACKER_RATE_LIMITS": limits, "NANSEN_RATE_LIMITS": f"{UNLIMITED[0]}/{UNLIMITED[1]}",
        "GATEWAY_CALLER_SHARE": "1", "GATEWAY_CALLER_UPSTREAM_RATE": "off",
    }
