"""Reading configuration values from the environment: one parser per kind, one error type.

Shared by the gateway's settings, the edge's and every upstream's section, so a malformed value
reads the same whichever part of the configuration it belongs to.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class SettingsError(ValueError):
    """A configuration value is malformed; raised at start-up, never at request time."""


def parse_rate(text: str | None) -> tuple[int, int]:
    """`5/100`: per second / per minute."""
    try:
        second, minute = (int(x) for x in (text or "").split("/"))
    except ValueError as exc:
        raise SettingsError(f"rate limit {text!r} must look like 5/100 (per second/per minute)") from exc
    if second < 1 or minute < 1:
        raise SettingsError(f"rate limit {text!r} must be positive")
    return second, minute


def parse_pairs(text: str | None, name: str, parse: Callable[[str], T]) -> dict[str, T]:
    """`a=1,b=2` into {"a": parse("1"), "b": parse("2")}."""
    out: dict[str, T] = {}
    for item in (text or "").split(","):
        if not item.strip():
            continue
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise SettingsError(f"{name} entries must look like name=value")
        try:
            out[key.strip()] = parse(value.strip())
        except (ValueError, SettingsError) as exc:
            raise SettingsError(f"{name}: bad value for {key.strip()!r}") from exc
    return out


Getter = Callable[[str], "str | None"]


def number(get: Getter, name: str, default: float, *, minimum: float = 0.0) -> float:
    text = get(name)
    if text is None:
        return default
    try:
        value = float(text)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a number") from exc
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum:g}")
    return value


def parse_flag(get: Getter, name: str, default: bool) -> bool:
    text = (get(name) or ("on" if default else "off")).lower()
    if text not in ("on", "true", "1", "off", "false", "0"):
        raise SettingsError(f"{name} must be on or off")
    return text in ("on", "true", "1")
