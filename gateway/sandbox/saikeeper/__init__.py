"""Simulator of the saikeeper upstream (placeholder until its simulator lands)."""

from __future__ import annotations

from starlette.routing import BaseRoute

from gateway.sandbox.state import SandboxState


def build_routes(state: SandboxState) -> list[BaseRoute]:
    return []
