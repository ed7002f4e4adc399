"""Sai Keeper's other roots, simulated from the NIBIRU venue of the market.

Everything derives from the market simulation, so the figures agree with the perp data: oracle
prices are the markets' prices (collaterals at 1 USD), a vault's TVL follows the open collateral
of its collateral token, leaderboards and portfolios are sums over the history rows, referral
figures over the traders a deterministic referrer brought. Units are the observed ones: micro-units
for Int amounts, USD for `*Usd`/`*USD`, `apy`/`feeApy` in percent points, `epochStart` in Unix ns.
"""

from __future__ import annotations

from typing import Any

from sandbox.market import NIBIRU
from sandbox.nibiru import render
from sandbox.nibiru.resolvers import Info, SaiEnv, page

Wire = dict[str, Any]
EPOCH_MS = 3 * render.DAY_MS
RANGE_DAYS = {"1d": 1, "7d": 7, "30d": 30}


def _env(info: Info) -> SaiEnv:
    env = info.context
    env.market()
    return env


def namespace(_root: Any, _info: Info) -> Wire:
    return {}


# ---- lp -------------------------------------------------------------------------------------

def vault(env: SaiEnv, cid: int) -> Wire:
    market = env.state.market
    open_collateral = sum(p.collateral_usd for p in market.open_positions[NIBIRU] if p.collateral_id == cid)
    tvl = 1_000_000.0 + open_collateral  # seed liquidity plus the traders' margin at stake
    epoch = market.now_ms // EPOCH_MS
    return {
        "address": f"nibi1vault{cid:02d}sandbox", "collateralDenom": f"erc20/0x{cid:040x}",
        "collateralToken": render.collateral_token(cid), "collateralERC20": f"0x{cid:040x}",
        "sharesDenom": f"tf/nibi1vault{cid:02d}sandbox/slp", "sharesERC20": f"0x{cid + 100:040x}",
        "tvl": render.micro(tvl), "sharePrice": 1.0 + open_collateral / tvl / 100, "apy": 12.5, "feeApy": 4.2,
        "availableAssets": render.micro(tvl * 0.8), "currentEpoch": int(epoch),
        "epochStart": int(epoch * EPOCH_MS) * 1_000_000,
        "revenueInfo": {"RevenueCumulative": render.micro(open_collateral / 50), "NetProfit": 0, "TraderLosses": 0,
                        "ClosedPnl": 0, "CurrentEpochPositiveOpenPnl": 0, "Liabilities": 0, "Rewards": 0},
    }


def vaults(env: SaiEnv, where: dict[str, Any] | None = None) -> list[Wire]:
    rows = [vault(env, cid) for cid in sorted(render.COLLATERALS)]
    address = (where or {}).get("address")
    return [v for v in rows if address is None or v["address"] == address]


def resolve_vaults(_root: Any, info: Info, where: dict[str, Any] | None = None, **args: Any) -> list[Wire]:
    return page(vaults(_env(info), where), args)


def _depositors(env: SaiEnv) -> list[str]:
    return sorted(env.index.trades_by_trader)[:3]


def deposit_history(env: SaiEnv) -> list[Wire]:
    rows = []
    for i, (depositor, v) in enumerate((d, v) for v in vaults(env) for d in _depositors(env)):
        rows.append({"id": i + 1, "depositor": depositor, "amount": 10_000 * render.MICRO,
                     "shares": 10_000 * render.MICRO, "isWithdraw": False, "action": "deposit",
                     "collateralPrice": 1.0, "txHash": f"{i + 1:064X}", "evmTxHash": f"0x{i + 1:064x}",
                     "vault": v, "block": render.block(1_000 + i, env.state.market.now_ms - render.DAY_MS)})
    return rows


def _lp_filter(rows: list[Wire], where: dict[str, Any] | None) -> list[Wire]:
    where = where or {}
    return [r for r in rows if where.get("depositor") in (None, r["depositor"])
            and where.get("vault") in (None, r["vault"]["address"])]


def resolve_deposit_history(_root: Any, info: Info, where: dict[str, Any] | None = None, **args: Any) -> list[Wire]:
    return page(_lp_filter(deposit_history(_env(info)), where), args)


def resolve_deposits(_root: Any, info: Info, where: dict[str, Any] | None = None, **args: Any) -> list[Wire]:
    rows = [{"depositor": r["depositor"], "shares": r["shares"], "vault": r["vault"]}
            for r in deposit_history(_env(info))]
    return page(_lp_filter(rows, where), args)


def withdraw_requests(env: SaiEnv) -> list[Wire]:
    rows = []
    for v in vaults(env)[:1]:
        for depositor in _depositors(env)[:1]:
            rows.append({"depositor": depositor, "shares": 1_000 * render.MICRO, "status": "pending",
                         "unlockEpoch": v["currentEpoch"] + 1, "autoRedeem": False, "vault": v})
    return rows


def resolve_withdraw_requests(_root: Any, info: Info, where: dict[str, Any] | None = None, **args: Any) -> list[Wire]:
    return page(_lp_filter(withdraw_requests(_env(info)), where), args)


def resolve_vault_stats(_root: Any, info: Info, vault: str, range: str) -> list[Wire]:  # noqa: A002
    env = _env(info)
    found = [v for v in vaults(env) if v["address"] == vault]
    if not found:
        return []
    now = env.state.market.now_ms
    return [{"timestamp": render.rfc3339nano(now - d * render.DAY_MS), "sharePrice": found[0]["sharePrice"],
             "apy": 12.5, "deposits": 0.0, "depositsUsd": 0.0, "withdrawals": 0.0, "withdrawalsUsd": 0.0,
             "volume": 0.0, "volumeUsd": 0.0} for d in reversed(range_(RANGE_DAYS.get(range, 30)))]


def range_(n: int) -> list[int]:
    return list(range(n))


LP = {"vaults": resolve_vaults, "deposits": resolve_deposits, "depositHistory": resolve_deposit_history,
      "withdrawRequests": resolve_withdraw_requests, "vaultStats": resolve_vault_stats,
      "epochDurationDays": lambda _r, _i: 3, "epochDurationHours": lambda _r, _i: 72}


# ---- oracle ---------------------------------------------------------------------------------

def tokens(env: SaiEnv) -> list[Wire]:
    out = [render.collateral_token(cid) for cid in sorted(render.COLLATERALS)]
    out += [render.base_token(inst) for inst in env.instruments()]
    return out


def prices(env: SaiEnv) -> list[Wire]:
    market = env.state.market
    latest = render.block(market.block_at(NIBIRU, market.now_ms), market.now_ms)
    by_id = {render.token_id(i.symbol, i.market_id): float(i.price) for i in env.instruments()}
    return [{"token": t, "priceUsd": by_id.get(t["id"], 1.0), "lastUpdatedBlock": latest} for t in tokens(env)]


def resolve_token(_root: Any, info: Info, id: int) -> Wire | None:  # noqa: A002
    return next((t for t in tokens(_env(info)) if t["id"] == id), None)


def resolve_tokens(_root: Any, info: Info, where: dict[str, Any] | None = None, **args: Any) -> list[Wire]:
    rows = tokens(_env(info))
    name = (where or {}).get("name")
    if name:
        rows = [t for t in rows if name.strip("%").casefold() in t["name"].casefold()]
    return page(rows, args)


def resolve_prices(_root: Any, info: Info, where: dict[str, Any] | None = None, **args: Any) -> list[Wire]:
    rows = prices(_env(info))
    token_id = (where or {}).get("tokenId")
    if token_id is not None:
        rows = [r for r in rows if r["token"]["id"] == token_id]
    if args.get("order_desc"):
        rows.reverse()
    return page(rows, args)


ORACLE = {"token": resolve_token, "tokens": resolve_tokens, "tokenPricesUsd": resolve_prices}
