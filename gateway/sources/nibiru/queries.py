"""The documents the gateway sends to Sai Keeper: every Sai field of each type, nothing more.

Selecting all of Sai's fields (rather than the caller's selection) keeps one upstream document per
root field, which caching and batching can share; the answer for any Sai field is unchanged.
"""

from __future__ import annotations

TOKEN = "symbol name logoUrl"
SHORT_INFO = f"marketId baseToken {{ {TOKEN} }} quoteToken {{ {TOKEN} }} collateralToken {{ {TOKEN} }} visible"
TRADE = (
    "id trader isOpen isLong tradeType leverage collateralAmount openCollateralAmount openPrice closePrice "
    f"sl tp perpBorrowing {{ {SHORT_INFO} }} openBlock {{ block block_ts }} closeBlock {{ block block_ts }} "
    "state { pnlCollateral pnlPct pnlCollateralAfterFees positionValue liquidationPrice "
    "borrowingFeeCollateral borrowingFeePct closingFeeCollateral closingFeePct remainingCollateralAfterFees }"
)
HISTORY = (
    f"id tradeChangeType block {{ block block_ts }} trade {{ {TRADE} }} realizedPnlCollateral realizedPnlPct "
    "txHash evmTxHash"
)
BORROWING = (
    f"marketId baseToken {{ {TOKEN} }} quoteToken {{ {TOKEN} }} collateralToken {{ {TOKEN} }} price oiLong "
    "oiShort oiMax feesPerHourLong feesPerHourShort openFeePct closeFeePct triggerOrderFeePct maxLeverage "
    "minLeverage minPositionSizeUSD visible"
)

TRADES = (
    "query GatewayTrades($where: PerpTradesFilter!, $limit: Int, $offset: Int, $order_by: PerpTradesOrder, "
    "$order_desc: Boolean) { perp { trades(where: $where, limit: $limit, offset: $offset, "
    f"order_by: $order_by, order_desc: $order_desc) {{ {TRADE} }} }} }}"
)
TRADE_ONE = (
    "query GatewayTrade($id: Int!, $trader: String!) "
    f"{{ perp {{ trade(id: $id, trader: $trader) {{ {TRADE} }} }} }}"
)
TRADE_HISTORY = (
    "query GatewayTradeHistory($where: PerpTradeHistoryFilter, $limit: Int, $offset: Int, "
    "$order_by: PerpTradeHistoryOrder, $order_desc: Boolean) { perp { tradeHistory(where: $where, "
    f"limit: $limit, offset: $offset, order_by: $order_by, order_desc: $order_desc) {{ {HISTORY} }} }} }}"
)
BORROWING_ONE = (
    "query GatewayBorrowing($collateralId: Int!, $marketId: Int!) "
    f"{{ perp {{ borrowing(collateralId: $collateralId, marketId: $marketId) {{ {BORROWING} }} }} }}"
)
BORROWINGS = (
    "query GatewayBorrowings($where: PerpBorrowingsFilter, $limit: Int, $offset: Int, "
    "$order_by: PerpBorrowingsOrder, $order_desc: Boolean) { perp { borrowings(where: $where, limit: $limit, "
    f"offset: $offset, order_by: $order_by, order_desc: $order_desc) {{ {SHORT_INFO} }} }} }}"
)
