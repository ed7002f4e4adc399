"""StreamEvents as the text that crosses Redis pub/sub: the only place events are encoded.

In one process an event stays the Python object its bridge published: the in-memory backend
hands the very same `StreamEvent` (and the schema objects in its payload) to the hub's listener,
and subscription resolvers read those objects directly. Only the Redis backend calls `dumps` on
publish and `loads` on receipt, so an event is encoded at most once per replica it reaches,
and never when there is no Redis.

The text is `{"topic": …, "id": …, "payload": …}` (plus `"state": true` for a state event) with the payload's schema objects as plain JSON
(`codec.encode`); `loads` rebuilds them with the payload types of the topic's kind
(`types.PAYLOAD_TYPES`), so every replica's subscribers get exactly the objects a query returns.
"""

from __future__ import annotations

import json
from typing import Any

from gateway.streams.codec import decode, encode
from gateway.streams.types import PAYLOAD_TYPES, StreamEvent

CHANNEL_PREFIX = "gateway:stream:"


def channel_of(topic_name: str) -> str:
    """The broadcast channel (a Redis pub/sub channel with REDIS_URL) of a topic."""
    return CHANNEL_PREFIX + topic_name


def dumps(event: StreamEvent) -> str:
    data: dict[str, Any] = {"topic": event.topic, "id": event.id, "payload": encode(event.payload)}
    if event.state:
        data["state"] = True
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def loads(text: str | bytes) -> StreamEvent:
    """Parse a message back into objects; ValueError when it is not a stream event."""
    data = json.loads(text)
    try:
        topic, event_id, payload = data["topic"], data["id"], data["payload"]
    except (KeyError, TypeError) as exc:
        raise ValueError("not a stream event") from exc
    if not isinstance(topic, str) or not isinstance(event_id, str) or not isinstance(payload, dict):
        raise ValueError("not a stream event")
    return StreamEvent(topic=topic, id=event_id, payload=_decode_payload(topic, payload),
                       state=data.get("state") is True)


def _decode_payload(topic: str, payload: dict[str, Any]) -> dict[str, Any]:
    fields = PAYLOAD_TYPES.get(topic.split(":", 1)[0])
    if fields is None:
        raise ValueError(f"no payload types for the topic {topic!r}")
    try:
        return {name: decode(value, fields[name]) if name in fields else value
                for name, value in payload.items()}
    except (TypeError, KeyError, AttributeError) as exc:  # a payload of another shape (version)
        raise ValueError(f"a payload of {topic!r} that does not decode") from exc
