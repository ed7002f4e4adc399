"""No secret in a log line: configured values and credential patterns are redacted, whoever logs."""

from __future__ import annotations

import io
import logging
import logging.config
from collections.abc import Iterator

import pytest
from graphql import GraphQLError

from gateway.api.extensions.errors import map_error
from gateway.observe.logs import log_config
from gateway.observe.redact import MASK, Redactor

KEY = "pt-live-9f8e7d6c5b4a"
WEBHOOK = "whsec-0123456789abcdef"


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    """The gateway's logging configuration, as `gateway serve` applies it, writing to a buffer;
    the process's logging is put back as it was afterwards."""
    monkeypatch.setenv("PERPSTRACKER_API_KEY", KEY)
    monkeypatch.setenv("PERPSTRACKER_WEBHOOK_SECRET", WEBHOOK)
    monkeypatch.setenv("GATEWAY_LOG_FORMAT", "text")
    managed = [logging.getLogger(name) for name in log_config()["loggers"]]
    saved = (logging.root.handlers[:], logging.root.level, [(lg, lg.level, lg.handlers[:], lg.propagate) for lg in managed])
    logging.config.dictConfig(log_config())
    buffer = io.StringIO()
    handler = logging.root.handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(buffer)
    try:
        yield buffer
    finally:
        logging.root.handlers[:] = saved[0]
        logging.root.setLevel(saved[1])
        for lg, level, handlers, propagate in saved[2]:
            lg.setLevel(level)
            lg.handlers[:] = handlers
            lg.propagate = propagate


def test_an_unexpected_error_with_a_key_in_it_is_logged_without_the_key(captured: io.StringIO) -> None:
    # the error path: a bug inside a resolver is logged with its traceback by the error mapping
    try:
        raise RuntimeError(f"upstream said no to GET /api/x?apiKey={KEY} with Authorization: Bearer {KEY}")
    except RuntimeError as exc:
        mapped = map_error(GraphQLError("boom", original_error=exc, path=["perp", "trades"]))
    assert mapped.extensions == {"code": "INTERNAL_SERVER_ERROR"}
    logging.getLogger("gateway.sources").warning("webhook %s rejected; secret %s", "sig", WEBHOOK)
    output = captured.getvalue()
    assert "unexpected error at ['perp', 'trades']" in output and "Traceback" in output
    assert KEY not in output and WEBHOOK not in output
    assert output.count(MASK) >= 3
    first = output.splitlines()[0]  # time, level, logger, request id, message
    assert first.split(" ", 4)[1:4] == ["ERROR", "gateway.errors", "[-]"]


@pytest.mark.parametrize(("text", "left"), [
    ("GET /v1/x?apiKey=abc123&limit=5", "GET /v1/x?apiKey=[REDACTED]&limit=5"),
    ('{"apiKey": "abc123", "n": 1}', '{"apiKey": "[REDACTED]", "n": 1}'),
    ("Authorization: Bearer abc.def", "Authorization: Bearer [REDACTED]"),
    ("{'authorization': 'Basic dXNlcg=='}", "{'authorization': 'Basic [REDACTED]'}"),
    ("redis://:hunter2@cache:6379/0", "redis://:[REDACTED]@cache:6379/0"),
    ("nothing secret here", "nothing secret here"),
])
def test_credential_patterns_are_redacted_whatever_their_value(text: str, left: str) -> None:
    assert Redactor([]).__call__(text) == left


def test_short_values_are_not_treated_as_secrets() -> None:
    assert Redactor(["abc"])("abc is fine") == "abc is fine"
