"""Times as the model holds them: RFC 3339 strings in UTC with Go's trimmed fraction.

Sai Keeper (a Go server) sends `2025-12-16T11:59:58.452Z`; every venue's times are written the same
way, so Nibiru answers pass through byte for byte and the others look alike.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import NewType


def format_time(value: datetime | str) -> str:
    """RFC 3339 in UTC with Go's trimmed fraction (`…:58.452Z`, `…:00Z`)."""
    if isinstance(value, str):
        return value
    value = value.astimezone(UTC)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += ("." + f"{value.microsecond:06d}").rstrip("0")
    return text + "Z"



Time = NewType("Time", str)
"""A Time value as held in schema objects: an RFC 3339 string (see `format_time`)."""
