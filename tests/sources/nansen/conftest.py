"""Fixture files for the Nansen mapping tests: the docs' examples and recorded simulator answers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "nansen"


def load(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text())
