"""StreamEvents as the text that crosses the broadcast backend (broadcaster carries strings)."""

from __future__ import annotations

import json

from gateway.streams.types import StreamEvent

CHANNEL_PREFIX = "gateway:stream:"


def channel_of(topic_name: str) -> str:
    """The broadcast channel (a Redis pub/sub channel with REDIS_URL) of a topic."""
    return CHANNEL_PREFIX + topic_name


def dumps(event: StreamEvent) -> str:
    return json.dumps({"topic": event.topic, "id": event.id, "payload": event.payload},
                      separators=(",", ":"), ensure_ascii=False)


def loads(text: str) -> StreamEvent:
    """Parse a message; raises ValueError (json.JSONDecodeError, KeyError mapped) when malformed."""
    data = json.loads(text)
    try:
        topic, event_id, payload = data["topic"], data["id"], data["payload"]
    except (KeyError, TypeError) as exc:
        raise ValueError("not a stream event") from exc
    if not isinstance(topic, str) or not isinstance(event_id, str) or not isinstance(payload, dict):
        raise ValueError("not a stream event")
    return StreamEvent(topic=topic, id=event_id, payload=payload)
