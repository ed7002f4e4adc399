"""The simulator's own state for one `SandboxState`: accounts, rate limiters, alert fan-out, sender.

`build_routes` and `lifespan` are called separately by the sandbox server, so both find the one
`Service` of a state through `service_for`.
"""

from __future__ import annotations

from sandbox.market import Market
from sandbox.perpstracker.alerts import AlertHub
from sandbox.perpstracker.limits import RateLimits
from sandbox.perpstracker.store import Store, Webhook
from sandbox.perpstracker.webhook_sender import WebhookSender
from sandbox.state import SandboxState


class Service:
    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.store = Store(state.market.now_ms)
        self.limits = RateLimits()
        self.sender = WebhookSender(self._hook_live)
        self.hub = AlertHub(self.store, self.sender)
        state.subscribe(self.hub.on_event)  # listeners move to the new market on reset
        state.reset_hooks.append(self._on_reset)

    def _on_reset(self, market: Market) -> None:
        self.store.reset(market.now_ms)

    def _hook_live(self, hook: Webhook) -> bool:
        account = self.store.accounts.get(hook.key)
        return account is not None and account.webhooks.get(hook.id) is hook and hook.is_active


# SandboxState is an unhashable dataclass, so key by id(); the Service keeps its state alive,
# so an id cannot be reused while its entry exists.
_SERVICES: dict[int, Service] = {}


def service_for(state: SandboxState) -> Service:
    svc = _SERVICES.get(id(state))
    if svc is None or svc.state is not state:
        svc = _SERVICES[id(state)] = Service(state)
    return svc
