"""Fan-out of market events to alert WebSockets and webhooks, for watch-listed wallets.

The market calls `on_event` synchronously for every event; it decides at that moment which
accounts watch the wallet with alerts on, and only ever `put_nowait`s into bounded queues, so a
dead or slow client can never block the simulation.
"""

from __future__ import annotations

import asyncio

from sandbox.market import JUPITER, TradeEvent
from sandbox.perpstracker.render import webhook_payload, ws_trade
from sandbox.perpstracker.store import Store
from sandbox.perpstracker.webhook_sender import WebhookSender

ALERT_ACTIONS = ("open", "increase", "reduce", "close", "liquidation")  # not TP/SL orders
CONNECTION_QUEUE = 256


class Connection:
    """One authenticated alert socket. `None` in the queue means: too slow, close it."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.queue: asyncio.Queue[dict[str, object] | None] = asyncio.Queue(maxsize=CONNECTION_QUEUE)
        self.overflowed = False

    def offer(self, message: dict[str, object]) -> None:
        if self.overflowed:
            return
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            # Drop what is queued and tell the writer to close: a client this far behind would
            # otherwise act on stale alerts; it can reconnect and poll /watchlist/alerts/trades.
            self.overflowed = True
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(None)


class AlertHub:
    def __init__(self, store: Store, sender: WebhookSender) -> None:
        self.store = store
        self.sender = sender
        self.connections: set[Connection] = set()

    def on_event(self, ev: TradeEvent) -> None:
        if ev.venue != JUPITER or ev.action not in ALERT_ACTIONS:
            return
        accounts = self.store.watching(ev.trader)
        if not accounts:
            return
        keys = {a.key for a in accounts}
        message = ws_trade(ev)
        for conn in list(self.connections):
            if conn.key in keys:
                conn.offer(message)
        payload = webhook_payload(ev)
        for account in accounts:
            for hook in account.webhooks.values():
                if hook.is_active and payload["event"] in hook.events:
                    self.sender.enqueue(hook, payload)
