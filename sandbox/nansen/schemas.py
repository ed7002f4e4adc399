"""The request models of the eight Hyperliquid endpoints, as declarative tables.

`PERP_TRADES` is the OpenAPI file's `PerpTradeRequest` field for field (with `PerpTradeFilters`,
`PerpTradeSortField`, `additionalProperties: false`). The other seven have no published OpenAPI
here, so they are built the same way from the fields their doc pages list: the request and its
`filters` forbid unknown keys, ranges are `NumericRangeFilter`s, and `order_by` fields are an enum
of the endpoint's response fields (the docs do not list them; see docs/sandbox-nansen.md).
"""

from __future__ import annotations

from sandbox.nansen.validation import Bool, Enum, Field, Int, ListOf, Num, Obj, Str

# The OpenAPI only says 42 characters; a real address is also 0x + 40 hex digits.
ADDRESS = Str(min_length=42, max_length=42, pattern=r"^0x[0-9a-fA-F]{40}$")
SIDE = Enum(("Long", "Short"))
NUMERIC_RANGE = Obj("NumericRangeFilter", {"min": Field(Num()), "max": Field(Num())}, forbid_extra=False)
INTEGER_RANGE = Obj("IntegerRangeFilter", {"min": Field(Int()), "max": Field(Int())}, forbid_extra=False)
DATE_RANGE = Obj("DateRange", {"from": Field(Str()), "to": Field(Str())}, forbid_extra=False)
PAGINATION = Obj(
    "PaginationRequest",
    {
        "page": Field(Int(ge=1), nullable=False, default=1),
        "per_page": Field(Int(ge=1, le=1000), nullable=False, default=10),
    },
    forbid_extra=False,
)
DEFAULT_PAGINATION = {"page": 1, "per_page": 10}


def _order_by(sort_fields: tuple[str, ...]) -> Field:
    item = Obj(
        "SortOrder",
        {
            "field": Field(Enum(sort_fields), required=True, nullable=False),
            "direction": Field(Enum(("ASC", "DESC")), required=True, nullable=False),
        },
        forbid_extra=False,
    )
    return Field(ListOf(item))


def _request(
    name: str,
    fields: dict[str, Field],
    filters: dict[str, Field],
    sort_fields: tuple[str, ...],
    *,
    paginated: bool = True,
) -> Obj:
    body = dict(fields)
    body["filters"] = Field(Obj(name.replace("Request", "Filters"), filters))
    if paginated:
        body["pagination"] = Field(PAGINATION, nullable=False, default=DEFAULT_PAGINATION)
    body["order_by"] = _order_by(sort_fields)
    return Obj(name, body)


_RANGE = Field(NUMERIC_RANGE)
_STRING = Field(Str())
_REQUIRED_DATE = Field(DATE_RANGE, required=True, nullable=False)
_REQUIRED_SYMBOL = Field(Str(), required=True, nullable=False)

PERP_POSITIONS = _request(
    "PerpPositionsRequest",
    {"address": Field(ADDRESS, required=True, nullable=False)},
    {"position_value_usd": _RANGE, "unrealized_pnl_usd": _RANGE},
    (
        "position_value_usd", "unrealized_pnl_usd", "size", "entry_price_usd", "leverage_value",
        "liquidation_price_usd", "margin_used_usd", "return_on_equity",
        "cumulative_funding_all_time_usd", "token_symbol",
    ),
    paginated=False,
)

PERP_TRADES = _request(
    "PerpTradeRequest",
    {"address": Field(ADDRESS, required=True, nullable=False), "date": _REQUIRED_DATE},
    {
        "token_symbol": _STRING,
        "side": Field(SIDE),
        "action": Field(Enum(("Open/Add", "Close/Reduce", "Liquidation"))),
        "crossed": Field(Bool()),
        "size": _RANGE,
        "start_position": _RANGE,
        "closed_pnl": _RANGE,
        "fee_usd": _RANGE,
        "fee_token_symbol": _STRING,
        "oid": Field(INTEGER_RANGE),
        "price": _RANGE,
        "value_usd": _RANGE,
    },
    ("timestamp", "size", "fee_usd", "closed_pnl", "price", "value_usd"),
)

PERP_LEADERBOARD = _request(
    "PerpLeaderboardRequest",
    {"date": _REQUIRED_DATE},
    {"account_value": _RANGE, "total_pnl": _RANGE, "trader_address_label": _STRING},
    ("total_pnl", "roi", "account_value"),
)

SCREENER_SORT = (
    "volume", "buy_volume", "sell_volume", "buy_sell_pressure", "trader_count", "mark_price",
    "funding", "open_interest", "previous_price_usd", "token_symbol", "smart_money_volume",
    "smart_money_buy_volume", "smart_money_sell_volume", "net_position_change",
    "current_smart_money_position_longs_usd", "current_smart_money_position_shorts_usd",
    "smart_money_longs_count", "smart_money_shorts_count",
)
PERP_SCREENER = _request(
    "PerpScreenerRequest",
    {"date": _REQUIRED_DATE, "only_smart_money": Field(Bool(), default=False)},
    {
        "token_symbol": _STRING, "volume": _RANGE, "buy_sell_pressure": _RANGE,
        "open_interest": _RANGE, "smart_money_volume": _RANGE,
    },
    SCREENER_SORT,
)

PNL_LEADERBOARD = _request(
    "PerpPnlLeaderboardRequest",
    {"token_symbol": _REQUIRED_SYMBOL, "date": _REQUIRED_DATE},
    {"pnl_usd_realised": _RANGE, "position_value_usd": _RANGE, "trader_address_label": _STRING},
    (
        "price_usd", "pnl_usd_realised", "pnl_usd_unrealised", "holding_amount", "position_value_usd",
        "max_balance_held", "max_balance_held_usd", "still_holding_balance_ratio", "netflow_amount_usd",
        "netflow_amount", "roi_percent_total", "roi_percent_realised", "roi_percent_unrealised",
        "pnl_usd_total", "nof_trades",
    ),
)

_TRADE_SORT = ("block_timestamp", "token_amount", "price_usd", "value_usd")

SMART_MONEY_TRADES = _request(
    "SmartMoneyPerpTradesRequest",
    {"only_new_positions": Field(Bool(), default=False)},
    {
        "action": _STRING, "side": Field(SIDE), "token_symbol": _STRING,
        "type": Field(Enum(("Limit", "Market"))), "value_usd": _RANGE,
    },
    _TRADE_SORT,
)

TGM_POSITIONS = _request(
    "TgmPerpPositionsRequest",
    {
        "token_symbol": _REQUIRED_SYMBOL,
        "label_type": Field(Enum(("all_traders", "smart_money", "whale", "public_figure")),
                            default="all_traders"),
    },
    {
        "include_smart_money_labels": Field(ListOf(Str())),
        "position_value_usd": _RANGE,
        "side": Field(ListOf(SIDE)),
        "upnl_usd": _RANGE,
    },
    (
        "position_value_usd", "position_size", "entry_price", "mark_price", "liquidation_price",
        "funding_usd", "upnl_usd",
    ),
)

TGM_TRADES = _request(
    "TgmPerpTradesRequest",
    {"token_symbol": _REQUIRED_SYMBOL, "date": _REQUIRED_DATE},
    {
        "order_type": Field(ListOf(Enum(("MARKET", "LIMIT")))),
        "side": Field(ListOf(SIDE)),
        "action": Field(ListOf(Enum(("Open", "Add", "Reduce", "Close", "Liquidation")))),
    },
    _TRADE_SORT,
)
