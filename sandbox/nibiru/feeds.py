"""Subscription sources: synchronous market listeners feeding bounded async queues.

The market calls listeners inline while it steps; a listener here only renders a small
snapshot (the state at that moment, which is what the event means) and `put_nowait`s it. When
a consumer lags `MAX_PENDING` payloads behind, the oldest are dropped: the market never waits
for a socket. Each source registers its listener as soon as the subscription is created and
removes it in `aclose`, which graphql-core calls when the subscription stream is closed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from sandbox.market import NIBIRU, Market, TradeEvent
from sandbox.nibiru import namespaces, render
from sandbox.nibiru.resolvers import Info, SaiEnv

log = logging.getLogger(__name__)

MAX_PENDING = 256
# Events that change open interest (and so a borrowing's oiLong/oiShort).
OI_ACTIONS = frozenset(("open", "increase", "reduce", "close", "liquidation"))


class Feed:
    """An async iterator of payloads pushed from synchronous code."""

    def __init__(self, maxsize: int = MAX_PENDING) -> None:
        self._queue: asyncio.Queue[Any] = asyncio.Queue(maxsize)
        self._cleanups: list[Callable[[], object]] = []
        self.closed = False
        self.dropped = 0

    def push(self, item: Any) -> None:
        if self.closed:
            return
        if self._queue.full():
            self._queue.get_nowait()
            self.dropped += 1
        self._queue.put_nowait(item)

    def on_close(self, cleanup: Callable[[], object]) -> None:
        self._cleanups.append(cleanup)

    def __aiter__(self) -> Feed:
        return self

    async def __anext__(self) -> Any:
        if self.closed:
            raise StopAsyncIteration
        return await self._queue.get()

    async def aclose(self) -> None:
        self.close()

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            for cleanup in self._cleanups:
                cleanup()


def _guarded(listener: Callable[[Any], None]) -> Callable[[Any], None]:
    """A failing subscriber must never break the market's step."""

    def call(arg: Any) -> None:
        try:
            listener(arg)
        except Exception:  # noqa: BLE001 - logged, and the market carries on
            log.exception("nibiru subscription listener failed")

    return call


def _on_events(env: SaiEnv, feed: Feed, listener: Callable[[TradeEvent], None]) -> None:
    feed.on_close(env.state.market.subscribe(_guarded(listener)))


def _on_steps(env: SaiEnv, feed: Feed, listener: Callable[[Market], None]) -> None:
    # `state.reset` hands this same list to the new market, so removing from it stays valid.
    steps = env.state.market.step_listeners
    guarded = _guarded(listener)
    steps.append(guarded)
    feed.on_close(lambda: steps.remove(guarded) if guarded in steps else None)


def _env(info: Info) -> SaiEnv:
    env = info.context
    env.market()
    return env


def _feed(env: SaiEnv) -> Feed:
    feed = Feed()
    env.closers.append(feed.close)
    return feed


def subscribe_perp_trades(_root: Any, info: Info, where: dict[str, Any]) -> Feed:
    """Per event of the trader: the list of trades it changed (one), as they are now."""
    env = _env(info)
    feed, trader = _feed(env), where["trader"]

    def on_event(ev: TradeEvent) -> None:
        if ev.venue == NIBIRU and ev.trader == trader:
            env.market()
            pos = env.index.trade(trader, ev.position_index)
            if pos is not None:
                feed.push([env.render_trade(pos)])

    _on_events(env, feed, on_event)
    return feed


def subscribe_perp_trade_history(_root: Any, info: Info, where: dict[str, Any]) -> Feed:
    """Per event of the trader: the history items it created (events without any are skipped)."""
    env = _env(info)
    feed, trader = _feed(env), where["trader"]

    def on_event(ev: TradeEvent) -> None:
        if ev.venue == NIBIRU and ev.trader == trader:
            env.market()
            rows = env.index.rows_by_seq.get(ev.seq, [])
            if rows:
                feed.push([env.render_row(row) for row in rows])

    _on_events(env, feed, on_event)
    return feed


def subscribe_perp_borrowing(
    _root: Any, info: Info, collateralId: int, marketId: int  # noqa: N803
) -> Feed:
    """After every market step; also after trades outside a step (injected ones) that move this
    borrowing's open interest, coalesced into one update per burst."""
    env = _env(info)
    feed = _feed(env)
    loop = asyncio.get_running_loop()
    flags = {"pending": False, "scheduled": False}

    def emit() -> None:
        flags["pending"] = False
        feed.push(env.render_borrowing(collateralId, marketId))

    def flush() -> None:
        flags["scheduled"] = False
        if flags["pending"]:
            emit()

    def on_event(ev: TradeEvent) -> None:
        if (ev.venue, ev.market_id, ev.collateral_id) == (NIBIRU, marketId, collateralId) and ev.action in OI_ACTIONS:
            flags["pending"] = True
            if not flags["scheduled"]:
                flags["scheduled"] = True
                loop.call_soon(flush)

    _on_events(env, feed, on_event)
    _on_steps(env, feed, lambda _market: emit())
    return feed


def subscribe_perp_borrowings(_root: Any, info: Info) -> Feed:
    """The list of all borrowings after every market step."""
    env = _env(info)
    feed = _feed(env)
    _on_steps(env, feed, lambda _market: feed.push([row[2] for row in env.short_infos()]))
    return feed


def resolve_payload(payload: Any, _info: Info, **_args: Any) -> Any:
    return payload


def _on_step_snapshot(make: Callable[[SaiEnv, dict[str, Any]], Any], at_once: bool = False) -> Callable[..., Feed]:
    """A subscription that sends its state after every market step (Sai's other subscriptions).

    `at_once`: also the state as it is at subscribe time. Assumed for `userBalances` and `userInfo`,
    which Sai Keeper serves only as subscriptions (no query reads them): a snapshot subscription
    that stayed silent until the next change would leave its clients blank (docs/sandbox-nibiru.md)."""

    def subscribe(_root: Any, info: Info, **args: Any) -> Feed:
        env = _env(info)
        feed = _feed(env)
        if at_once:
            feed.push(make(env, args))

        def on_step(_market: Market) -> None:
            env.market()
            feed.push(make(env, args))

        _on_steps(env, feed, on_step)
        return feed

    return subscribe


def _balances(env: SaiEnv, args: dict[str, Any]) -> list[Any]:
    user = args["where"]["user"]
    held = {cid: 0.0 for cid in render.COLLATERALS}
    for pos in env.state.market.open_positions[NIBIRU]:
        if pos.trader == user:
            held[pos.collateral_id] = held.get(pos.collateral_id, 0.0) + pos.collateral_usd
    return [{"amount": str(render.micro(usd)), "token_info": {
        "bank_denom": f"erc20/0x{cid:040x}", "symbol": render.COLLATERALS[cid][0], "name": render.COLLATERALS[cid][1],
        "decimals": 6, "logo": None, "type": "erc20", "erc20_contract_address": f"0x{cid:040x}"}}
        for cid, usd in sorted(held.items())]


def _user_info(env: SaiEnv, args: dict[str, Any]) -> Any:
    user = args["where"]["user"]
    market = env.state.market
    worth = sum(p.collateral_usd + p.unrealized_pnl(market.instrument(NIBIRU, p.symbol).price)
                for p in market.open_positions[NIBIRU] if p.trader == user)
    return {"netWorthUSD": round(worth, 6)}


def _prices(env: SaiEnv, args: dict[str, Any]) -> list[Any]:
    rows = namespaces.prices(env)
    token_id = (args.get("where") or {}).get("tokenId")
    return [r for r in rows if token_id is None or r["token"]["id"] == token_id]


def _silent(_root: Any, info: Info, **_args: Any) -> Feed:
    """LP deposits and withdraw requests: the simulation has no LP activity, so nothing is sent."""
    return _feed(_env(info))


def _counted(name: str, subscribe: Callable[..., Feed]) -> Callable[..., Feed]:
    """Counts the subscription operations started per root field (/_control/counters)."""

    def counted(root: Any, info: Info, **args: Any) -> Feed:
        info.context.state.subscriptions[name] += 1
        return subscribe(root, info, **args)

    return counted


_SUBSCRIBE: dict[str, Callable[..., Feed]] = {
    "tokenPricesUsd": _on_step_snapshot(_prices),
    "lpVaults": _on_step_snapshot(lambda env, _a: namespaces.vaults(env)),
    "lpDepositHistory": _silent,
    "lpWithdrawRequests": _silent,
    "userBalances": _on_step_snapshot(_balances, at_once=True),
    "userInfo": _on_step_snapshot(_user_info, at_once=True),
    "perpTrades": subscribe_perp_trades,
    "perpTradeHistory": subscribe_perp_trade_history,
    "perpBorrowing": subscribe_perp_borrowing,
    "perpBorrowings": subscribe_perp_borrowings,
}
SUBSCRIPTIONS: dict[str, Callable[..., Feed]] = {name: _counted(name, f) for name, f in _SUBSCRIBE.items()}
