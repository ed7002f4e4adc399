"""`configure(settings, **changes)`: gateway-wide fields and upstream section fields in one call.

An upstream's fields are named `<upstream>_<field>` (`perpstracker_api_key`, `nansen_rate_limits`,
`nibiru_graphql_url`), the way its environment variables are, and land in that upstream's section.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from gateway.settings import Settings


def configure(settings: Settings, **changes: Any) -> Settings:
    own: dict[str, Any] = {}
    for key, value in changes.items():
        name, _, field = key.partition("_")
        if name in settings.upstreams and field:
            settings = settings.with_upstream(name, **{field: value})
        else:
            own[key] = value
    return dataclasses.replace(settings, **own)
