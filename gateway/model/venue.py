"""`Venue`: the venues this gateway serves, one per registered upstream (gateway/registry.py).

Built from the registry's names, so a venue added there (or by a plugin) is a member here and a
value of the GraphQL enum without any other change. Which upstream serves a venue, and the
address rule that infers it, belong to that upstream's package (gateway.sources.registry).
"""

from __future__ import annotations

import enum

import strawberry

from gateway.registry import venue_names


@strawberry.enum(description="A perpetual-futures venue and the upstream that serves it.")
class Venue(enum.Enum):
    # One member per registered venue, in registry order (the enum's documented `_ignore_` idiom).
    _ignore_ = ["_name"]
    for _name in venue_names():
        vars()[_name] = _name
