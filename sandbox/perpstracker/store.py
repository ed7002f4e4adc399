"""Per-API-key account state held by the simulator: watchlist, copy-trading settings, webhooks.

In memory only, like the rest of the sandbox; `reset()` returns every account to its seeded state.
Ids and secrets come from hashlib over stable inputs, never from a random source.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from sandbox.perpstracker.auth import ELITE, PLANS, WATCHLIST_LIMITS
from sandbox.state import PERPSTRACKER_KEY

# The docs' own watchlist entry, seeded on the Elite key so the docs' examples find it.
SEED_WALLET = "DRVRvzf8pSiMJi5BY1NmZu5STahBYKMVcfkPp3vxPump"
SEED_LABEL = "WHALE1"
SEED_NOTES = "Top SOL trader"
SEED_ADDED_MS = 1765377000000  # 2025-12-10T14:30:00Z, the docs' `added_at`
SUBSCRIPTION_DAYS = 30


@dataclass
class WatchEntry:
    wallet: str
    notes: str | None
    label: str | None
    added_ms: int
    alerts: bool = False


@dataclass
class SimSettings:
    """Copy-trading simulation settings, with the docs' GET example as defaults."""

    copy_mode: str = "percentage"
    fixed_size_usd: float = 100
    percentage_of_trader: float = 10
    max_leverage: float = 10

    def wire(self) -> dict[str, object]:
        return {
            "copy_mode": self.copy_mode, "fixed_size_usd": self.fixed_size_usd,
            "percentage_of_trader": self.percentage_of_trader, "max_leverage": self.max_leverage,
        }


@dataclass
class Webhook:
    id: str
    key: str
    url: str
    events: list[str]
    secret: str
    created_ms: int
    retry_delays: tuple[float, ...] | None  # sandbox-only override of the documented 1 s, 5 s, 30 s
    is_active: bool = True
    success_count: int = 0
    failure_count: int = 0


@dataclass
class Account:
    key: str
    plan: str
    expires_ms: int
    watchlist: dict[str, WatchEntry] = field(default_factory=dict)  # insertion-ordered
    settings: SimSettings = field(default_factory=SimSettings)
    webhooks: dict[str, Webhook] = field(default_factory=dict)
    webhook_serial: int = 0

    @property
    def watchlist_limit(self) -> int:
        return WATCHLIST_LIMITS[self.plan]

    def alerting(self, wallet: str) -> bool:
        entry = self.watchlist.get(wallet)
        return entry is not None and entry.alerts

    def new_webhook(self, url: str, events: list[str], created_ms: int,
                    retry_delays: tuple[float, ...] | None) -> Webhook:
        self.webhook_serial += 1
        digest = hashlib.sha256(f"{self.key}:{self.webhook_serial}:{url}".encode()).hexdigest()
        hook_id = "whk_" + digest[:24]
        secret = "whsec_" + hashlib.sha256(f"secret:{self.key}:{hook_id}".encode()).hexdigest()[:40]
        hook = Webhook(hook_id, self.key, url, events, secret, created_ms, retry_delays)
        self.webhooks[hook_id] = hook
        return hook


class Store:
    def __init__(self, now_ms: int) -> None:
        self.accounts: dict[str, Account] = {}
        self.reset(now_ms)

    def reset(self, now_ms: int) -> None:
        """Seeded state: every known key, the Elite key watching the docs' wallet with alerts on.
        Subscriptions run 30 days from the simulated time the sandbox (or reset) started."""
        expires = now_ms + SUBSCRIPTION_DAYS * 86_400_000
        self.accounts = {key: Account(key, plan, expires) for key, plan in PLANS.items()}
        elite = self.accounts[PERPSTRACKER_KEY]
        assert elite.plan == ELITE
        elite.watchlist[SEED_WALLET] = WatchEntry(
            SEED_WALLET, SEED_NOTES, SEED_LABEL, min(SEED_ADDED_MS, now_ms), alerts=True
        )

    def account(self, key: str) -> Account:
        return self.accounts[key]

    def watching(self, wallet: str) -> list[Account]:
        """Accounts with `wallet` on their watchlist and alerts enabled for it, now."""
        return [a for a in self.accounts.values() if a.alerting(wallet)]
