"""Sai Keeper subscriptions over graphql-transport-ws with gql: one socket, one subscription.

`SaiStream.open` connects, subscribes, and only then yields, so the caller can send its gap-fill
queries *over the same socket*: Sai Keeper (gqlgen) sets an operation up before it reads the next
frame, so a query sent after the `subscribe` frame sees every event the subscription will not
deliver, and the subscription delivers every event after it. Those queries also bypass the
gateway's HTTP response cache, which could otherwise hide the newest history items from a
gap fill made seconds after a drop.

gql does not resubscribe after a drop; the bridges loop around `open` themselves.
Failures are mapped into the error tree here, never raw (gql, websockets and OS errors alike).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from gql import Client, GraphQLRequest
from gql.client import AsyncClientSession
from gql.transport.exceptions import TransportError, TransportQueryError, TransportServerError
from gql.transport.websockets import WebsocketsTransport
from websockets.exceptions import WebSocketException

from gateway.errors import GatewayError, UpstreamTimeout, UpstreamUnavailable
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

PING_INTERVAL = 20.0  # graphql-transport-ws ping: a half-open socket is noticed within ~30 s
SUBSCRIBED_TIMEOUT = 10.0
_END = object()


def map_stream_error(exc: BaseException) -> GatewayError:
    """Anything a subscription can raise, as the error tree's retryable upstream errors."""
    if isinstance(exc, GatewayError):
        return exc
    if isinstance(exc, TransportQueryError | TransportServerError):
        return map_gql_error(exc)  # Sai Keeper answered, and refused
    if isinstance(exc, TimeoutError):
        return UpstreamTimeout(SOURCE, "Sai Keeper's subscription endpoint did not answer in time")
    return UpstreamUnavailable(SOURCE, "Sai Keeper's subscription socket was closed or refused")


STREAM_ERRORS = (GatewayError, TransportError, WebSocketException, OSError, TimeoutError)


class SaiStream:
    """An open subscription: iterate it for `data` payloads; `query` runs a document on its socket."""

    def __init__(self, session: AsyncClientSession, queue: asyncio.Queue[Any]) -> None:
        self._session = session
        self._queue = queue

    async def query(self, document: str, variables: dict[str, Any]) -> dict[str, Any]:
        values = {k: v for k, v in variables.items() if v is not None}
        try:
            result: dict[str, Any] = await self._session.execute(
                GraphQLRequest(parsed(document), variable_values=values))
        except STREAM_ERRORS as exc:
            raise map_stream_error(exc) from exc
        return result

    def __aiter__(self) -> SaiStream:
        return self

    async def __anext__(self) -> dict[str, Any]:
        item = await self._queue.get()
        if item is _END:
            raise UpstreamUnavailable(SOURCE, "Sai Keeper ended the subscription")
        if isinstance(item, BaseException):
            raise map_stream_error(item) from item
        data: dict[str, Any] = item
        return data

    @classmethod
    @contextlib.asynccontextmanager
    async def open(cls, ws_url: str, document: str, variables: dict[str, Any]) -> AsyncIterator[SaiStream]:
        """Connect and subscribe; yields once the `subscribe` frame is on the wire."""
        transport = WebsocketsTransport(
            url=ws_url, subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL], connect_timeout=5,
            close_timeout=2, ack_timeout=10, ping_interval=PING_INTERVAL, pong_timeout=PING_INTERVAL / 2)
        client = Client(transport=transport, fetch_schema_from_transport=False)
        try:
            session = await client.connect_async(reconnecting=False)  # type: ignore[no-untyped-call]
        except STREAM_ERRORS as exc:
            raise map_stream_error(exc) from exc
        queue: asyncio.Queue[Any] = asyncio.Queue()
        pump = asyncio.create_task(_pump(session, GraphQLRequest(parsed(document), variable_values=variables),
                                         queue), name="sai-subscription")
        try:
            await _subscribed(transport, pump)
            yield cls(session, queue)
        finally:
            pump.cancel()
            with contextlib.suppress(asyncio.CancelledError, *STREAM_ERRORS):
                await pump
            with contextlib.suppress(*STREAM_ERRORS):
                await client.close_async()  # type: ignore[no-untyped-call]


async def _pump(session: AsyncClientSession, request: GraphQLRequest, queue: asyncio.Queue[Any]) -> None:
    try:
        async for data in session.subscribe(request):
            queue.put_nowait(data)
        queue.put_nowait(_END)
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # noqa: BLE001 - handed to the reader, which maps it
        queue.put_nowait(exc)


async def _subscribed(transport: WebsocketsTransport, pump: asyncio.Task[None]) -> None:
    """Wait until gql has sent the `subscribe` frame (it registers the listener right after)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SUBSCRIBED_TIMEOUT
    while not transport.listeners:
        if pump.done():
            return  # failed before subscribing: the reader gets the error from the queue
        if loop.time() > deadline:
            raise UpstreamTimeout(SOURCE, "Sai Keeper did not take the subscription in time")
        await asyncio.sleep(0.005)
