"""A logging filter that keeps secrets out of every log line, whoever wrote it.

Two nets. The configured secret values themselves, read from the environment when the filter
is built (every variable named `*_KEY`, `*_KEYS`, `*_SECRET`, `*_TOKEN`, `*_PASSWORD`: the
upstreams' API keys, a webhook secret, the callers' API keys; and a password in `REDIS_URL`),
are replaced wherever they appear: in the message, its arguments, a traceback. And
patterns that carry a credential whatever its value (`apiKey=...`, `"apiKey": "..."`,
`Authorization: Bearer ...`, `user:password@` in a URL) lose the credential part, for secrets
the gateway was never told about (a caller's key in a logged header, an upstream's echo).

It runs on the handler, so it sees records from every logger (uvicorn's, httpx's, websockets'
debug frames) after their arguments are known and before anything is written.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

MASK = "[REDACTED]"
MIN_SECRET = 6  # shorter values would mask ordinary words and numbers: such a secret is no secret
# Names of variables holding secrets, whichever upstream or feature they belong to; `*_KEYS`
# (and any of them) may hold several comma-separated values.
SECRET_NAME = re.compile(r"[A-Z0-9_]*_(KEY|KEYS|SECRET|SECRETS|TOKEN|PASSWORD)")

# (a substring every match contains, in lower case; the pattern)
_PATTERNS = (
    # apiKey=..., api_key: ..., "apiKey": "...", x-api-key=...   (query strings, headers, JSON)
    ("key", re.compile(r"""(?i)((?:x-)?api[-_]?key["']?\s*[:=]\s*["']?)[^\s"'&,;}]+""")),
    # Authorization: Bearer abc / 'authorization': 'Basic abc' / Bearer abc
    ("authorization", re.compile(r"""(?i)(authorization["']?\s*[:=]\s*["']?(?:bearer|basic|token)?\s*)[^\s"',;}]+""")),
    ("bearer", re.compile(r"""(?i)(\bbearer\s+)[A-Za-z0-9._~+/=-]+""")),
    # scheme://user:password@host
    ("://", re.compile(r"""([a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s/]+(?=@)""")),
)


def secrets_from_env(env: Mapping[str, str] | None = None) -> list[str]:
    env = os.environ if env is None else env
    values: list[str] = []
    for name, value in env.items():
        if SECRET_NAME.fullmatch(name):
            values.append(value.strip())
            values.extend(v.strip() for v in value.split(",") if "," in value)
    password = urlsplit(env.get("REDIS_URL", "").strip()).password if env.get("REDIS_URL") else None
    if password:
        values.append(password)
    # longest first: a secret that contains another is masked whole
    return sorted({v for v in values if len(v) >= MIN_SECRET}, key=len, reverse=True)


class Redactor:
    def __init__(self, secrets: Iterable[str]) -> None:
        self.secrets = [s for s in secrets if len(s) >= MIN_SECRET]

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        lowered = text.lower()
        for needle, pattern in _PATTERNS:
            if needle in lowered:  # a substring test first: most lines (every access line) carry none
                text = pattern.sub(lambda m: m.group(1) + MASK, text)
        return text


class RedactSecrets(logging.Filter):
    """Rewrites each record's message, traceback and stack so that no secret is left in them."""

    def __init__(self, secrets: Iterable[str] | None = None) -> None:
        super().__init__()
        self.redact = Redactor(secrets_from_env() if secrets is None else secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.redact(message)
        if redacted != message or record.args:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True
