"""Nansen's numbers and times are read exactly."""

from __future__ import annotations

import datetime

import pytest

from gateway.model.time import format_time
from gateway.sources.units import micro, number, opt_number, utc


@pytest.mark.parametrize(("text", "value"), [
    ("5231.62029", 5231.62029), ("-50367.0", -50367.0), ("2.2836393396", 2.2836393396),
    ("4643143.4382309997", 4643143.4382309997), (1.25e-05, 0.0000125), (0, 0.0),
])
def test_number_is_the_decimal_spelled(text: str | float, value: float) -> None:
    assert number(text) == value


@pytest.mark.parametrize(("text", "units"), [
    ("1743.87343", 1_743_873_430), ("16677.54047", 16_677_540_470), ("-623.219722", -623_219_722),
    ("2377788.35", 2_377_788_350_000), (0.434851, 434_851), ("0.0000005", 0), ("0.0000015", 2),
])
def test_micro_units_have_no_binary_float_drift(text: str | float, units: int) -> None:
    assert micro(text) == units


def test_a_missing_or_empty_number_is_none() -> None:
    assert opt_number(None) is None and opt_number("") is None


@pytest.mark.parametrize("bad", ["abc", "NaN", "inf", True])
def test_a_non_number_is_refused(bad: str | bool) -> None:
    with pytest.raises(ValueError):
        number(bad)


def test_zone_less_profiler_time_is_utc() -> None:
    at = utc("2025-10-08T18:46:11.452000")
    assert at == datetime.datetime(2025, 10, 8, 18, 46, 11, 452000, tzinfo=datetime.UTC)
    assert format_time(at) == "2025-10-08T18:46:11.452Z"
    assert format_time(utc("2025-10-01T12:00:00Z")) == "2025-10-01T12:00:00Z"
    assert format_time(utc("2025-10-01T14:00:00+02:00")) == "2025-10-01T12:00:00Z"
