"""Webhook management (Elite): create (max 3 per key, secret shown once), list with delivery
counts, delete, and send a test event. Upstream serves these on port 5001 with `X-API-Key`;
here they sit at /perpstracker/api/webhooks and accept that header or a Bearer token."""

from __future__ import annotations

from sandbox.perpstracker.auth import MAX_WEBHOOKS
from sandbox.perpstracker.errors import ApiError, invalid, not_found
from sandbox.perpstracker.http import Ctx, Result, Spec
from sandbox.perpstracker.limits import TRADER_PROFILES
from sandbox.perpstracker.params import json_body
from sandbox.perpstracker.store import Webhook
from sandbox.perpstracker.wire import iso_ms, iso_s, js_dumps

EVENTS = ("trade.new", "trade.close", "trade.liquidation")


def _retry_delays(value: object) -> tuple[float, ...] | None:
    """Sandbox-only body field: this webhook's retry schedule instead of 1 s, 5 s, 30 s."""
    if value is None:
        return None
    if not isinstance(value, list) or len(value) > 3 or not all(
            isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v <= 60 for v in value):
        raise invalid("retry_delays", "retry_delays must be a list of at most 3 delays in seconds (0-60)")
    return tuple(float(v) for v in value)


async def create(ctx: Ctx) -> Result:
    body = await json_body(ctx.request)
    url = body.get("url")
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        raise invalid("url", "url must be an http(s) URL")
    events = body.get("events")
    if not isinstance(events, list) or not events or any(e not in EVENTS for e in events):
        raise invalid("events", "events must be a non-empty list of: " + ", ".join(EVENTS))
    delays = _retry_delays(body.get("retry_delays"))
    acct = ctx.account
    if len(acct.webhooks) >= MAX_WEBHOOKS:
        raise ApiError(400, "Webhook limit reached", "WEBHOOK_LIMIT_REACHED",
                       f"At most {MAX_WEBHOOKS} webhooks per account")
    hook = acct.new_webhook(url, list(dict.fromkeys(events)), ctx.market.now_ms, delays)
    return {
        "success": True,
        "webhook": {"id": hook.id, "url": hook.url, "events": hook.events, "secret": hook.secret},
        "message": "Webhook created. Save your secret - it will only be shown once!",
    }


async def list_hooks(ctx: Ctx) -> Result:
    hooks = [
        {"id": h.id, "url": h.url, "events": h.events, "is_active": h.is_active,
         "created_at": iso_s(h.created_ms), "success_count": h.success_count, "failure_count": h.failure_count}
        for h in ctx.account.webhooks.values()
    ]
    return {"webhooks": hooks, "count": len(hooks), "max_webhooks": MAX_WEBHOOKS}


def _hook(ctx: Ctx) -> Webhook:
    hook = ctx.account.webhooks.get(ctx.path("id"))
    if hook is None:
        raise not_found("Webhook not found", f"No webhook {ctx.path('id')}")
    return hook


async def delete(ctx: Ctx) -> Result:
    hook = _hook(ctx)
    del ctx.account.webhooks[hook.id]
    hook.is_active = False  # stops any retries still pending
    return {"success": True, "message": "Webhook deleted"}


async def test(ctx: Ctx) -> Result:
    """One signed delivery of a `test` event, attempted now (no retries); counted like any other."""
    hook = _hook(ctx)
    now = ctx.market.now_ms
    payload = {
        "event": "test",
        "created_at": iso_ms(now),
        "data": {
            "wallet": "DRVRvzf8pSiMJi5BY1NmZu5STahBYKMVcfkPp3vxPump", "token": "SOL", "side": "LONG",
            "action": "Open Long", "size_usd": 25000, "collateral_usd": 3000, "leverage": 8.33,
            "entry_price": 185.5, "pnl_usd": None,
            "transaction_signature": "5GHqt7RvPnL2cYsW9xTmKjN8bDfVhXzQgE4wJpMk3dZr6HqYtNvBcX8sLmRpTn2V",
            "timestamp": iso_ms(now),
        },
    }
    ok, status = await ctx.svc.sender.post(hook, js_dumps(payload))
    return {"success": ok, "message": "Test event delivered" if ok else "Test event delivery failed",
            "webhook_id": hook.id, "status_code": status}


W = "/api/webhooks"
SPECS = [
    Spec("POST", W, TRADER_PROFILES, create, x_api_key=True, elite_only=True),
    Spec("GET", W, TRADER_PROFILES, list_hooks, x_api_key=True, elite_only=True),
    Spec("DELETE", f"{W}/{{id}}", TRADER_PROFILES, delete, x_api_key=True, elite_only=True),
    Spec("POST", f"{W}/{{id}}/test", TRADER_PROFILES, test, x_api_key=True, elite_only=True),
]
