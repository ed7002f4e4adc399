"""Helpers shared by the HYPERLIQUID integration tests (no tests here): GraphQL calls checked for key
leaks, fresh traders, injection, and direct questions to the simulated Nansen."""

from __future__ import annotations

import secrets
from typing import Any

import httpx

from sandbox.state import NANSEN_KEY

TRADE_FIELDS = """
  id trader isOpen isLong tradeType leverage collateralAmount openCollateralAmount openPrice closePrice sl tp
  perpBorrowing { marketId baseToken { symbol name logoUrl } quoteToken { symbol } collateralToken { symbol }
                  visible venue }
  openBlock { block block_ts } closeBlock { block block_ts }
  state { pnlCollateral pnlPct pnlCollateralAfterFees positionValue liquidationPrice borrowingFeeCollateral
          borrowingFeePct closingFeeCollateral closingFeePct remainingCollateralAfterFees }
  venue venueTradeId market sizeUsd collateralUsd openTime closeTime
"""

HISTORY_FIELDS = f"""
  id tradeChangeType block {{ block block_ts }} realizedPnlCollateral realizedPnlPct txHash evmTxHash
  venue trader market price sizeDeltaUsd trade {{ {TRADE_FIELDS} }}
"""


def fresh_trader() -> str:
    """A Hyperliquid address no other test uses (lower case, as the gateway sends it upstream)."""
    return "0x" + secrets.token_hex(20)


async def gql(gateway: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    """POST a document; every answer is checked for the sandbox's Nansen key."""
    response = await gateway.post("/graphql", json={"query": query, "variables": variables})
    assert NANSEN_KEY not in response.text
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def data(gateway: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    body = await gql(gateway, query, **variables)
    assert "errors" not in body, body["errors"]
    perp: dict[str, Any] = body["data"]["perp"]
    return perp


async def inject(control: httpx.AsyncClient, trader: str, symbol: str, action: str, **fields: Any) -> dict[str, Any]:
    """One injected HYPERLIQUID trade; returns its (first) market event."""
    body = {"venue": "HYPERLIQUID", "trader": trader, "symbol": symbol, "action": action, **fields}
    response = await control.post("/inject", json=body)
    assert response.status_code == 200, response.text
    events: list[dict[str, Any]] = response.json()["events"]
    return events[0]


async def nansen(sandbox_url: str, path: str, body: dict[str, Any]) -> Any:
    """Ask the simulated upstream directly, to compare the gateway's mapping with its answer."""
    async with httpx.AsyncClient(base_url=f"{sandbox_url}/nansen", headers={"apiKey": NANSEN_KEY},
                                 timeout=30) as client:
        response = await client.post(path, json=body)
        response.raise_for_status()
        return response.json()
