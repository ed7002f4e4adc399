"""The API's cost model for the request limits (gateway/limits): which fields call an upstream.

Every field of a namespace type (`perp` today; `lp`, `oracle`, … as the schema grows) is one
upstream call: its resolver asks a source. The types below the namespaces are plain data, read
from what the call returned. A call reaches one upstream key, except a leaderboard without a
venue, which asks every venue that has a leaderboard.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from graphql import EnumValueNode, ObjectValueNode, ValueNode

from gateway.model.source import DEFAULT_LIMIT, MAX_LIMIT
from gateway.sources.registry import venues_with

NAMESPACES = frozenset({"PerpQuery"})


@dataclass(frozen=True)
class GatewayCostModel:
    default_limit: int = DEFAULT_LIMIT
    max_limit: int = MAX_LIMIT
    introspection_cost: int = 200  # an introspection answer is ~30 kB; 25 of them reach the default max cost
    namespaces: frozenset[str] = field(default=NAMESPACES)

    def upstream_keys(self, parent: str, field_name: str, arguments: Mapping[str, ValueNode]) -> int:
        if parent not in self.namespaces:
            return 0
        if field_name == "leaderboard" and not _names_venue(arguments.get("where")):
            return len(venues_with("leaderboard"))
        return 1


def _names_venue(where: ValueNode | None) -> bool:
    """Whether a literal `where` names one venue (a variable may name none: count every venue)."""
    if not isinstance(where, ObjectValueNode):
        return False
    return any(f.name.value == "venue" and isinstance(f.value, EnumValueNode) for f in where.fields)
