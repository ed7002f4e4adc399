"""Sai Keeper's GraphQL schema as SDL (kept in Python so it ships inside the package).

Sai Keeper (Nibiru perps indexer) schema, as far as its public "Perp API" docs show it.
Types the docs use without defining them (Token, Block, PerpTradeHistoryItem,
PerpBorrowingShortInfo, the filters and order enums) are reconstructed from the docs'
examples and from public clients of the real service; docs/sandbox-nibiru.md lists each
decision. `Int` is Go's 64-bit int (gqlgen's default binding), not GraphQL's 32-bit Int.
"""

from __future__ import annotations

SDL = """\
scalar Time

type Query {
  perp: PerpQuery!
}

type PerpQuery {
  trade(id: Int!, trader: String!): PerpTrade
  trades(
    where: PerpTradesFilter!
    limit: Int
    offset: Int
    order_by: PerpTradesOrder
    order_desc: Boolean
  ): [PerpTrade!]!
  tradeHistory(
    where: PerpTradeHistoryFilter
    limit: Int
    offset: Int
    order_by: PerpTradeHistoryOrder
    order_desc: Boolean
  ): [PerpTradeHistoryItem!]!
  borrowing(collateralId: Int!, marketId: Int!): PerpBorrowing
  borrowings(
    where: PerpBorrowingsFilter
    limit: Int
    offset: Int
    order_by: PerpBorrowingsOrder
    order_desc: Boolean
  ): [PerpBorrowingShortInfo!]!
}

type Subscription {
  perpTrades(where: SubPerpTradesFilter!): [PerpTrade!]!
  perpTradeHistory(where: SubPerpTradeHistoryFilter!): [PerpTradeHistoryItem!]!
  perpBorrowing(collateralId: Int!, marketId: Int!): PerpBorrowing
  perpBorrowings: [PerpBorrowingShortInfo!]!
}

type Token {
  symbol: String!
  name: String!
  logoUrl: String
}

type Block {
  block: Int!
  block_ts: Time!
}

type PerpTrade {
  id: Int!
  trader: String!
  isOpen: Boolean!
  isLong: Boolean!
  tradeType: PerpTradeType!
  leverage: Float!
  collateralAmount: Int!
  openCollateralAmount: Int!
  openPrice: Float!
  closePrice: Float
  sl: Float
  tp: Float
  perpBorrowing: PerpBorrowingShortInfo!
  openBlock: Block
  closeBlock: Block
  state: PerpTradeState
}

type PerpTradeState {
  pnlCollateral: Float!
  pnlPct: Float!
  pnlCollateralAfterFees: Float!
  positionValue: Float!
  liquidationPrice: Float!
  borrowingFeeCollateral: Float!
  borrowingFeePct: Float!
  closingFeeCollateral: Float!
  closingFeePct: Float!
  remainingCollateralAfterFees: Float!
}

type PerpTradeHistoryItem {
  id: Int!
  tradeChangeType: PerpTradeChangeType!
  block: Block!
  trade: PerpTrade!
  realizedPnlCollateral: Float
  realizedPnlPct: Float
  txHash: String
  evmTxHash: String
}

type PerpBorrowing {
  marketId: Int!
  baseToken: Token!
  quoteToken: Token!
  collateralToken: Token!
  price: Float!
  oiLong: Int!
  oiShort: Int!
  oiMax: Int!
  feesPerHourLong: Float!
  feesPerHourShort: Float!
  openFeePct: Float!
  closeFeePct: Float!
  triggerOrderFeePct: Float!
  maxLeverage: Float!
  minLeverage: Float!
  minPositionSizeUSD: Int!
  visible: Boolean!
}

type PerpBorrowingShortInfo {
  marketId: Int!
  baseToken: Token!
  quoteToken: Token!
  collateralToken: Token!
  visible: Boolean!
}

enum PerpTradeType {
  trade
  limit
  stop
}

enum PerpTradeChangeType {
  position_opened
  position_closed_user
  position_closed_sl
  position_closed_tp
  position_liquidated
  sl_updated
  tp_updated
  limit_order_created
  stop_order_created
  order_triggered
  order_closed_user
}

input PerpTradesFilter {
  trader: String!
  isOpen: Boolean
  perpMarketId: Int
  perpCollateralId: Int
}

input PerpTradeHistoryFilter {
  trader: String
  tradeChangeType: [PerpTradeChangeType!]
}

input PerpBorrowingsFilter {
  marketId: Int
  collateralId: Int
}

input SubPerpTradesFilter {
  trader: String!
}

input SubPerpTradeHistoryFilter {
  trader: String!
}

enum PerpTradesOrder {
  sequence
}

enum PerpTradeHistoryOrder {
  sequence
  trade_id
}

enum PerpBorrowingsOrder {
  base_token_name
}
"""
