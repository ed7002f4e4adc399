"""An unexpected error is logged once per distinct cause per minute, not once per alias."""

from __future__ import annotations

from gateway.api.extensions.errors import CauseThrottle


def _raised(kind: type[Exception]) -> Exception:
    try:
        raise kind("boom")
    except Exception as exc:  # noqa: BLE001
        return exc


def test_same_cause_is_logged_once_per_interval() -> None:
    throttle = CauseThrottle(interval=60)
    errors = [_raised(RuntimeError) for _ in range(1000)]  # one line of code, as 1,000 aliases would
    assert [throttle.first(e, now=0.0) for e in errors].count(True) == 1
    assert throttle.suppressed == 999
    assert throttle.first(errors[0], now=61.0)  # a minute later it is logged again


def test_distinct_causes_are_each_logged() -> None:
    throttle = CauseThrottle(interval=60)
    assert throttle.first(_raised(RuntimeError), now=0.0)
    assert throttle.first(_raised(KeyError), now=0.0)
