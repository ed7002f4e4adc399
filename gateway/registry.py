"""The one registry of upstreams: which venue each serves and where its package is.

Adding a venue is one package under `gateway/sources/<name>/` (whose `__init__` defines
`DESCRIPTOR`, a `gateway.sources.descriptor.Descriptor`) and one line below. Operators and tests may
add venues without touching this file: `GATEWAY_VENUE_PLUGINS=DYDX=my_pkg.dydx,...` names further
modules with a `DESCRIPTOR`, loaded the same way (read once, when the model's `Venue` enum is built).

This module imports nothing from the gateway: the model needs the venue names before any source
package (which imports the model) can be loaded.
"""

from __future__ import annotations

import os

BUILTIN: tuple[tuple[str, str], ...] = (
    ("NIBIRU", "gateway.sources.nibiru"),
    ("JUPITER", "gateway.sources.perpstracker"),
    ("HYPERLIQUID", "gateway.sources.nansen"),
)

PLUGINS_VAR = "GATEWAY_VENUE_PLUGINS"


def plugins(text: str | None) -> tuple[tuple[str, str], ...]:
    """`DYDX=pkg.dydx,DRIFT=pkg.drift` into ((venue, module), ...)."""
    out = []
    for item in (text or "").split(","):
        venue, sep, module = item.strip().partition("=")
        if not item.strip():
            continue
        if not sep or not venue.strip().isidentifier() or not module.strip():
            raise ValueError(f"{PLUGINS_VAR} entries must look like VENUE=package.module, got {item.strip()!r}")
        out.append((venue.strip().upper(), module.strip()))
    return tuple(out)


ENTRIES: tuple[tuple[str, str], ...] = BUILTIN + plugins(os.environ.get(PLUGINS_VAR))


def venue_names() -> list[str]:
    return [venue for venue, _ in ENTRIES]
