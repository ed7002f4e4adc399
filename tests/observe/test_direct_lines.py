"""The access line written without a LogRecord (gateway/observe/logs.py `DirectLines`): the same
line logging would write, in both formats, redacted; and logging's own way whenever the setup is
not the gateway's (a capture handler, a filter, another formatter)."""

from __future__ import annotations

import io
import json
import logging
import logging.config
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from gateway.observe.logs import DirectLines, GatewayHandler, log_config
from gateway.observe.request import begin, end

MESSAGE = "POST /graphql 200 1.2ms op=Board cache=HIT upstream_calls=0"
FIELDS = {"method": "POST", "path": "/graphql", "status": 200, "duration_ms": 1.234, "operation": "Board",
          "cache": "HIT", "upstream_calls": 0}
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
SECRET = "sk-live-0123456789abcdef"


@dataclass
class Setup:
    logger: logging.Logger
    buffer: io.StringIO

    def use(self, fmt: str) -> None:
        """The gateway's own logging setup in `fmt`, its handler writing into `buffer`."""
        logging.config.dictConfig(log_config("INFO", fmt))
        handler = logging.root.handlers[0]
        assert isinstance(handler, GatewayHandler)
        handler.setStream(self.buffer)

    def both(self, message: str) -> tuple[str, str]:
        """(the line `DirectLines` writes, the line logging writes), timestamps cut off."""
        record, token = begin("req-1")
        try:
            assert DirectLines(self.logger).write(message, FIELDS, "req-1")
            self.logger.handle(self.logger.makeRecord(self.logger.name, logging.INFO, __file__, 0, message, (),
                                                      None, extra=FIELDS))
        finally:
            end(token)
        direct, standard = self.buffer.getvalue().splitlines()
        return direct, standard


@pytest.fixture
def setup(monkeypatch: pytest.MonkeyPatch) -> Iterator[Setup]:
    monkeypatch.setenv("NANSEN_API_KEY", SECRET)  # the redaction filter reads secrets from the environment
    saved = logging.root.handlers[:], logging.root.level
    try:
        yield Setup(logging.getLogger("gateway.access.test"), io.StringIO())
    finally:
        logging.root.handlers[:] = saved[0]
        logging.root.setLevel(saved[1])


def test_the_direct_text_line_is_the_line_logging_writes(setup: Setup) -> None:
    setup.use("text")
    direct, standard = setup.both(MESSAGE)
    assert STAMP.match(direct) and STAMP.match(standard)
    assert STAMP.sub("", direct) == STAMP.sub("", standard) == f" INFO {setup.logger.name} [req-1] {MESSAGE}"


def test_the_direct_json_line_is_the_line_logging_writes(setup: Setup) -> None:
    setup.use("json")
    direct, standard = (json.loads(line) for line in setup.both(MESSAGE))
    assert STAMP.fullmatch(direct.pop("time")) and STAMP.fullmatch(standard.pop("time"))
    assert direct == standard == {"level": "INFO", "logger": setup.logger.name, "message": MESSAGE,
                                  "request_id": "req-1", **FIELDS}


def test_a_secret_in_the_line_is_redacted_as_logging_would(setup: Setup) -> None:
    setup.use("text")
    direct, standard = setup.both(f"GET /graphql/{SECRET} 404 0.1ms op=apiKey={SECRET}")
    assert STAMP.sub("", direct) == STAMP.sub("", standard)
    assert SECRET not in direct and "[REDACTED]" in direct


def test_any_other_setup_is_left_to_logging(setup: Setup, caplog: pytest.LogCaptureFixture) -> None:
    setup.use("text")
    direct = DirectLines(setup.logger)
    assert direct.write(MESSAGE, FIELDS, "x")
    logging.root.addHandler(caplog.handler)  # a capture handler beside the gateway's: logging's way
    try:
        assert not direct.write(MESSAGE, FIELDS, "x")
    finally:
        logging.root.removeHandler(caplog.handler)
    assert direct.write(MESSAGE, FIELDS, "x")
    setup.logger.addFilter(lambda record: True)
    try:
        assert not direct.write(MESSAGE, FIELDS, "x")  # a filter on the way would be skipped
    finally:
        setup.logger.filters.clear()
    logging.root.handlers[0].setFormatter(logging.Formatter("%(message)s"))
    assert not direct.write(MESSAGE, FIELDS, "x")  # a formatter it does not know
