"""Sai Keeper subscriptions over graphql-transport-ws with gql: one upstream stream per call."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from gql import Client, GraphQLRequest
from gql.transport.exceptions import TransportError
from gql.transport.websockets import WebsocketsTransport

from gateway.errors import UpstreamUnavailable
from gateway.sources.nibiru import queries
from gateway.sources.nibiru.client import SOURCE, map_gql_error, parsed

SUB_TRADES = (
    "subscription GatewayTrades($where: SubPerpTradesFilter!) "
    f"{{ perpTrades(where: $where) {{ {queries.TRADE} }} }}"
)
SUB_HISTORY = (
    "subscription GatewayHistory($where: SubPerpTradeHistoryFilter!) "
    f"{{ perpTradeHistory(where: $where) {{ {queries.HISTORY} }} }}"
)
SUB_BORROWING = (
    "subscription GatewayBorrowing($collateralId: Int!, $marketId: Int!) "
    f"{{ perpBorrowing(collateralId: $collateralId, marketId: $marketId) {{ {queries.BORROWING} }} }}"
)
SUB_BORROWINGS = f"subscription GatewayBorrowings {{ perpBorrowings {{ {queries.SHORT_INFO} }} }}"


async def subscribe(ws_url: str, document: str, variables: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
    """Yield each `data` of one upstream subscription; failures are mapped, never raw."""
    transport = WebsocketsTransport(url=ws_url, subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
                                    connect_timeout=5, close_timeout=2)
    try:
        async with Client(transport=transport, fetch_schema_from_transport=False) as session:
            async for data in session.subscribe(GraphQLRequest(parsed(document), variable_values=variables)):
                yield data
    except TransportError as exc:
        raise map_gql_error(exc) from exc
    except OSError as exc:
        raise UpstreamUnavailable(SOURCE, "Sai Keeper's subscription endpoint is unreachable") from exc
