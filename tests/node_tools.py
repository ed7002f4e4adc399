"""Node for the tests that drive JavaScript clients: where its packages are, or skip (fail under CI)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

NODE_DIR = Path(__file__).resolve().parent / "node"  # `make test` runs `npm ci` there


def node_with(package: str) -> str:
    """The `node` binary, once `package` is installed in tests/node; skips (CI: fails) otherwise."""
    node = shutil.which("node")
    missing = None if node else "node is not installed"
    if node and not (NODE_DIR / "node_modules" / package).is_dir():
        missing = f"tests/node/node_modules is missing {package} (make test runs npm ci there)"
    if missing:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{missing}: required under CI")
        pytest.skip(missing)
    assert node is not None
    return node
