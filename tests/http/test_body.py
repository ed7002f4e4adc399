"""gateway/http/body.py: a body read once, replayed to the app behind, and not read again by a
second layer that looks at it too."""

from __future__ import annotations

from typing import Any

from gateway.http.body import read_body, replaying


def chunks(*parts: bytes) -> Any:
    messages = [{"type": "http.request", "body": p, "more_body": i < len(parts) - 1} for i, p in enumerate(parts)]
    messages.append({"type": "http.disconnect"})
    calls = []

    async def receive() -> dict[str, Any]:
        calls.append(1)
        return messages.pop(0)

    receive.calls = calls  # type: ignore[attr-defined]
    return receive


async def test_a_body_in_chunks_is_read_whole_and_replayed_once_then_the_stream_goes_on() -> None:
    receive = chunks(b'{"query":', b' "{ x }"}')
    body = await read_body(receive)
    assert body == b'{"query": "{ x }"}'
    replay = replaying(body, receive)
    assert await replay() == {"type": "http.request", "body": body, "more_body": False}
    assert await replay() == {"type": "http.disconnect"}


async def test_a_second_layer_gets_the_body_without_reading_again() -> None:
    receive = chunks(b"abc")
    body = await read_body(receive)
    replay = replaying(body, receive)
    assert await read_body(replay) is body and len(receive.calls) == 1  # no await on the stream
    assert replaying(body, replay) is replay  # nothing new to wrap
    assert (await replay())["body"] == body  # the app behind still gets the body


async def test_a_replay_already_read_offers_no_shortcut() -> None:
    receive = chunks(b"abc")
    replay = replaying(await read_body(receive), receive)
    await replay()  # the app read it
    assert await read_body(replay) == b""  # what reading a consumed body gives: the stream's end


def test_a_replay_leaves_nothing_for_the_cyclic_collector() -> None:
    """Every request replays its body: garbage in a reference cycle per request made the young
    collection run every few thousand hits (the replay was a closure that referred to itself)."""
    import gc

    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    gc.collect()
    gc.disable()
    try:
        for _ in range(100):
            replay = replaying(b'{"query": "{ x }"}', receive)
            step = replay()
            try:
                step.send(None)  # the body is at hand: the coroutine returns without suspending
            except StopIteration as done:
                assert done.value["body"] == b'{"query": "{ x }"}'
            del replay, step
        unreachable = gc.collect()
    finally:
        gc.enable()
    assert unreachable == 0
