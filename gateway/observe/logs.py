"""Logging, configured once per process with the standard library (`logging.config.dictConfig`).

    GATEWAY_LOG_LEVEL   DEBUG | INFO (default) | WARNING | ERROR
    GATEWAY_LOG_FORMAT  text (default): `2025-01-01T12:00:00.123Z INFO gateway.access [<request id>] ...`
                        json: one object per line: time, level, logger, message, request_id, fields

The same configuration is handed to uvicorn (`log_config`), which applies it in every worker it
starts, so uvicorn's own lines (`uvicorn`, `uvicorn.error`) come out in the same format under
`--workers N`; `uvicorn.access` is off, replaced by the gateway's access line (access.py), which
knows the request id, the operation and the cache result. Every handler carries two filters:
`RequestIdFilter` (the current request's id on every record) and `RedactSecrets` (redact.py).
Chatty client libraries (httpx logs each upstream call at INFO) are held at WARNING unless the
level is DEBUG.
"""

from __future__ import annotations

import json
import logging
import logging.config
import os
import time
from collections.abc import Mapping
from typing import Any

from gateway.observe.redact import RedactSecrets
from gateway.observe.request import current_id
from gateway.settings import SettingsError

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
FORMATS = ("text", "json")
CHATTY = ("httpx", "httpcore", "websockets", "gql", "hpack", "asyncio")
# fields the access line (and others) pass as `extra=`, written by the JSON formatter as they are
FIELDS = ("method", "path", "status", "duration_ms", "operation", "cache", "upstream_calls", "client")


class LogSettingsError(SettingsError):
    """GATEWAY_LOG_LEVEL or GATEWAY_LOG_FORMAT is not one of its values."""


def read_env() -> tuple[str, str]:
    level = (os.environ.get("GATEWAY_LOG_LEVEL") or "INFO").strip().upper()
    fmt = (os.environ.get("GATEWAY_LOG_FORMAT") or "text").strip().lower()
    if level not in LEVELS:
        raise LogSettingsError(f"GATEWAY_LOG_LEVEL must be one of {', '.join(LEVELS)} (got {level!r})")
    if fmt not in FORMATS:
        raise LogSettingsError(f"GATEWAY_LOG_FORMAT must be text or json (got {fmt!r})")
    return level, fmt


class RequestIdFilter(logging.Filter):
    """Puts the current request's id (or `-`) on every record as `request_id`."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_id() or "-"
        return True


_last_second: tuple[int, str] = (-1, "")  # the last whole second formatted, and its text (one tuple: thread-safe)


def _timestamp(record: logging.LogRecord) -> str:
    return stamp(record.created, int(record.msecs))


def stamp(created: float, msecs: int) -> str:
    """RFC 3339 in UTC with milliseconds: sortable, and the same on every replica. The seconds
    part is formatted once per second (strftime was a twentieth of an access line's cost)."""
    global _last_second
    whole = int(created)
    last = _last_second
    if last[0] != whole:
        last = _last_second = (whole, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)))
    return f"{last[1]}.{msecs:03d}Z"


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = self.line(_timestamp(record), record.levelname, record.name,
                         getattr(record, "request_id", "-"), record.getMessage(), record.__dict__)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line += "\n" + record.exc_text
        if record.stack_info:
            line += "\n" + record.stack_info
        return line

    @staticmethod
    def line(when: str, level: str, logger: str, request_id: str, message: str, fields: Mapping[str, Any]) -> str:
        """A line without traceback (`fields` are not printed in text)."""
        return f"{when} {level} {logger} [{request_id}] {message}"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = self.entry(_timestamp(record), record.levelname, record.name,
                           getattr(record, "request_id", "-"), record.getMessage(), record.__dict__)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, default=str, ensure_ascii=False)

    @staticmethod
    def entry(when: str, level: str, logger: str, request_id: str, message: str,
              fields: Mapping[str, Any]) -> dict[str, Any]:
        entry: dict[str, Any] = {"time": when, "level": level, "logger": logger, "message": message,
                                 "request_id": request_id}
        for name in FIELDS:
            value = fields.get(name)
            if value is not None:
                entry[name] = value
        return entry

    @classmethod
    def line(cls, when: str, level: str, logger: str, request_id: str, message: str, fields: Mapping[str, Any]) -> str:
        """A line without traceback."""
        return json.dumps(cls.entry(when, level, logger, request_id, message, fields), default=str, ensure_ascii=False)


class GatewayHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The gateway's stderr handler (`log_config`): a StreamHandler that `DirectLines` recognises."""


class DirectLines:
    """INFO lines of one logger, written to the gateway's own handler without a LogRecord.

    Why by hand: the access line is written for every request, and logging's way (a LogRecord of
    some twenty attributes, the logger's filters, the walk up to the root's handlers, the
    handler's filters, the formatter) cost more than a third of a response-cache hit inside the
    app (measured in-process: 34 of 80 us). When logging is set up the gateway's way (`configure`:
    the root's one `GatewayHandler`, its request-id and redaction filters, the text or JSON
    formatter, no handler or filter on the loggers between), `write` makes the same line (the
    formatter's own `line`, the redaction filter's own `redact`) and writes it under the
    handler's lock, as `StreamHandler.emit` does. In any other setup (a test's log capture, an
    embedding application's handlers) it returns False and the caller logs the usual way.
    """

    def __init__(self, logger: logging.Logger) -> None:
        self.logger = logger

    def _handler(self) -> GatewayHandler | None:
        node: logging.Logger | None = self.logger
        while node is not None and node is not logging.root:
            if node.handlers or node.filters or node.disabled or not node.propagate:
                return None
            node = node.parent
        root = logging.root
        if root.filters or len(root.handlers) != 1:
            return None
        handler = root.handlers[0]
        if type(handler) is not GatewayHandler or handler.level > logging.INFO:
            return None
        filters = handler.filters  # indexed, not a list made per line (a third of this check's time)
        if len(filters) != 2 or type(filters[0]) is not RequestIdFilter or type(filters[1]) is not RedactSecrets:
            return None
        if type(handler.formatter) not in (TextFormatter, JsonFormatter):
            return None
        return handler

    def write(self, message: str, fields: Mapping[str, Any], request_id: str) -> bool:
        """Write an INFO line of `message` (and, in JSON, `fields`); False: log it the usual way."""
        handler = self._handler()
        if handler is None:
            return False
        redaction: Any = handler.filters[1]
        formatter: Any = handler.formatter  # TextFormatter or JsonFormatter (checked above)
        created = time.time()
        line = formatter.line(stamp(created, int((created % 1) * 1000)), "INFO", self.logger.name,
                              request_id, redaction.redact(message), fields)
        try:
            with handler.lock:  # type: ignore[union-attr]  # made with the handler (logging.Handler.createLock)
                stream = handler.stream
                stream.write(line + handler.terminator)
                if not getattr(stream, "line_buffering", False):  # a line-buffered stream wrote it already
                    stream.flush()
        except RecursionError:
            raise
        except Exception:  # noqa: BLE001 - as StreamHandler.emit: logging never breaks a request
            handler.handleError(self.logger.makeRecord(self.logger.name, logging.INFO, __file__, 0, message, (), None))
        return True


def log_config(level: str | None = None, fmt: str | None = None) -> dict[str, Any]:
    """The dictConfig for this process's environment (or the given level and format)."""
    env_level, env_fmt = read_env()
    level, fmt = level or env_level, fmt or env_fmt
    quiet = "DEBUG" if level == "DEBUG" else max(("WARNING", level), key=LEVELS.index)
    formatter = JsonFormatter if fmt == "json" else TextFormatter
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": f"{__name__}.RequestIdFilter"},
            "redact": {"()": "gateway.observe.redact.RedactSecrets"},
        },
        "formatters": {"gateway": {"()": f"{formatter.__module__}.{formatter.__qualname__}"}},
        "handlers": {
            "stderr": {"class": f"{__name__}.GatewayHandler", "stream": "ext://sys.stderr", "formatter": "gateway",
                       "filters": ["request_id", "redact"]},
        },
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            # uvicorn's loggers propagate to the root handler: one format, one set of filters
            "uvicorn": {"level": level, "handlers": [], "propagate": True},
            "uvicorn.error": {"level": level, "handlers": [], "propagate": True},
            "uvicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
            **{name: {"level": quiet} for name in CHATTY},
        },
    }


def lean_records() -> None:
    """No format here prints a record's thread, process or multiprocessing names, so records do
    not gather them (the logging HOWTO's "Optimization" switches; measured: a third of the cost
    of making the access line's record). Called by `configure` and by every worker's app."""
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False


def configure(level: str | None = None, fmt: str | None = None) -> dict[str, Any]:
    """Configure this process's logging; returns the config (for uvicorn's `log_config`)."""
    lean_records()
    config = log_config(level, fmt)
    logging.config.dictConfig(config)
    return config
