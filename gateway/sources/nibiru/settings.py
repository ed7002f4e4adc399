"""Sai Keeper's settings: `NIBIRU_GRAPHQL_URL` and `NIBIRU_WS_URL`. It is public: no key."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from gateway.settings import Getter

GRAPHQL_URL = "https://sai-keeper.nibiru.fi/query"
WS_URL = "wss://sai-keeper.nibiru.fi/query"


@dataclass(frozen=True)
class NibiruSettings:
    graphql_url: str = GRAPHQL_URL
    ws_url: str = WS_URL
    explicit: bool = False

    @classmethod
    def from_env(cls, get: Getter) -> NibiruSettings:
        graphql, ws = get("NIBIRU_GRAPHQL_URL"), get("NIBIRU_WS_URL")
        return cls(graphql_url=graphql or GRAPHQL_URL, ws_url=ws or WS_URL, explicit=bool(graphql or ws))

    def env(self) -> dict[str, str]:
        return {"NIBIRU_GRAPHQL_URL": self.graphql_url, "NIBIRU_WS_URL": self.ws_url}

    def sandbox(self, base_url: str, keys: Mapping[str, str]) -> NibiruSettings:
        ws = "ws" + base_url[len("http"):]
        return NibiruSettings(graphql_url=f"{base_url}/nibiru/query", ws_url=f"{ws}/nibiru/query")
