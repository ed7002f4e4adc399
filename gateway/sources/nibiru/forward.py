"""NIBIRU-only fields answered by Sai Keeper itself: the caller's selection, forwarded.

`lp`, `oracle`, `referral`, `saiPoints`, `appVersion`, `explorer` and the extra `perp` fields
(portfolio, fee tiers, Sai's leaderboards) are not re-implemented: the caller's selection of the
field is printed (gateway/api/selection.py) and sent to Sai Keeper through the Nibiru client, hence
through the policy chain (cached, single-flighted, rate-limited like every Sai Keeper call). The
forwarded fields of one operation are loaded by one DataLoader and sent as one document
(`GatewayForward`), each under its own alias; the answer is Sai Keeper's, read by
gateway/model/forwarded.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from strawberry.types import Info

from gateway.api import loaders
from gateway.api.selection import field_text
from gateway.errors import GatewayError
from gateway.model.forwarded import Forwarded, wrap
from gateway.sources.nibiru.venue import VENUE

ForwardInfo = Info[Any, None]
Execute = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]
Key = tuple[tuple[str, ...], str]  # (namespaces the field sits in, its printed text)


def document(keys: Sequence[Key]) -> str:
    """`query GatewayForward { f0: lp { … } perp { f1: leaderboard(…) { … } } }`."""
    parts = []
    for i, (within, text) in enumerate(keys):
        piece = f"f{i}: {text}"
        for name in reversed(within):
            piece = f"{name} {{ {piece} }}"
        parts.append(piece)
    return "query GatewayForward { " + " ".join(parts) + " }"


def answers(data: Mapping[str, Any], keys: Sequence[Key]) -> list[Any]:
    out = []
    for i, (within, _) in enumerate(keys):
        node: Any = data
        for name in within:
            node = node[name]
        out.append(node[f"f{i}"])
    return out


async def forward_many(execute: Execute, keys: Sequence[Key]) -> list[Any]:
    """The DataLoader's batch function: one document for every forwarded field of the operation."""
    try:
        data = await execute(document(keys), {})
    except GatewayError as exc:
        return [exc] * len(keys)
    return answers(data, keys)


async def forward_raw(info: ForwardInfo, *within: str, rename: Mapping[str, str | None] | None = None) -> Any:
    """Sai Keeper's JSON answer for the field being resolved (sitting in namespaces `within`)."""
    source = info.context.source(VENUE)
    key: Key = (tuple(within), field_text(info._raw_info, rename))

    async def single(k: Key) -> Any:
        result = (await source.forward_many([k]))[0]
        if isinstance(result, Exception):
            raise result
        return result

    return await loaders._load("forward", source, key, getattr(source, "forward_many", None), single)


async def forward(info: ForwardInfo, *within: str) -> Any:
    return wrap(await forward_raw(info, *within))


def pick(root: object, info: ForwardInfo) -> Any:
    """A field with arguments of a forwarded object: read by response key (aliases kept upstream)."""
    assert isinstance(root, Forwarded)
    return wrap(root.data.get(str(info.path.key)))
