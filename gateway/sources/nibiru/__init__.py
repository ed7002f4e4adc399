"""Sai Keeper, Nibiru's perp indexer (GraphQL over HTTP, subscriptions over WebSocket): venue NIBIRU.

    venue.py     NIBIRU and its address rule (bech32, `nibi`)
    settings.py  NIBIRU_GRAPHQL_URL, NIBIRU_WS_URL
    client.py    queries over gql's httpx transport          queries.py  the documents it sends
    mapping.py   Sai Keeper's JSON -> model objects (wire types: its own GraphQL schema)
    endpoints.py its operations' TTLs for the policy chain
    socket.py    its graphql-transport-ws subscriptions      streams.py  bridges for the hub
    forward.py   NIBIRU-only fields answered by Sai Keeper    sai_types.py  their types (generated)
"""

from __future__ import annotations

from typing import Any

from gateway.sources.descriptor import Built, Descriptor, StreamContext
from gateway.sources.nibiru import venue
from gateway.sources.nibiru.settings import NibiruSettings


def _build(section: NibiruSettings, built: Built) -> Any:
    from gateway.sources.nibiru.client import NibiruClient
    from gateway.sources.nibiru.source import NibiruSource

    return NibiruSource(NibiruClient(section.graphql_url, built.settings.upstream_timeout, transport=built.transport))


def _policy(section: NibiruSettings, settings: Any) -> Any:
    from gateway.policy.runtime import UpstreamSpec
    from gateway.sources.nibiru.endpoints import TABLE

    return UpstreamSpec("nibiru", "Sai Keeper", section.graphql_url, TABLE, graphql=True)


def _bridges(section: NibiruSettings, ctx: StreamContext) -> Any:
    from gateway.sources.nibiru.streams import bridges

    return bridges(section, ctx)


def _schema_parts() -> dict[str, type]:
    from gateway.sources.nibiru.sai_types import SaiPerpFields, SaiQueryFields
    from gateway.sources.nibiru.subscriptions import SaiSubscriptionFields

    return {"Query": SaiQueryFields, "PerpQuery": SaiPerpFields, "Subscription": SaiSubscriptionFields}


def _names() -> list[str]:
    from gateway.sources.nibiru.endpoints import TABLE

    return TABLE.names()


DESCRIPTOR = Descriptor(
    name="nibiru", venue="NIBIRU", label="Sai Keeper", section_from_env=NibiruSettings.from_env,
    build=_build, policy=_policy, owns_address=venue.owns_address, address_hint=venue.ADDRESS_HINT,
    bridges=_bridges, sai_default=True, leaderboard=True, leaderboard_windows=False, endpoint_names=_names, schema_parts=_schema_parts,
)
