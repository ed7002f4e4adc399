"""Helpers shared by the PerpsTracker simulator tests (no tests here).

Kept in a `test_perpstracker*` module because the simulator's tests may only add files by that name.
"""

from __future__ import annotations

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sandbox.addresses import b58encode
from sandbox.state import PERPSTRACKER_KEY, PERPSTRACKER_PRO_KEY

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "perpstracker"
ELITE = {"Authorization": f"Bearer {PERPSTRACKER_KEY}"}
PRO = {"Authorization": f"Bearer {PERPSTRACKER_PRO_KEY}"}
DOC_WALLET = "DRVRvzf8pSiMJi5BY1NmZu5STahBYKMVcfkPp3vxPump"
DOC_WHALE_KEY = "BD5tKkWiJxT8gH4KwPvRM5nL2sYbVcXdKpQhzkqdryTnF"


def doc(name: str) -> Any:
    """A documented example response, saved as tests/fixtures/perpstracker/doc_<name>.json."""
    return json.loads((FIXTURES / f"doc_{name}.json").read_text())


def fresh_wallet(tag: str) -> str:
    """A valid Solana address no simulated trader uses, distinct per tag."""
    return b58encode(hashlib.sha256(f"perpstracker-test:{tag}".encode()).digest())


def is_number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


# Fields the docs' single example shows with a value that the simulator legitimately answers with
# null in other rows (e.g. `leverage` on closing trades, `pnl` on opens, `rank` off a leaderboard).
NULLABLE = {
    "leverage", "pnl", "pnl_usd", "pnlPercent", "amount_out", "rank", "leaderboard", "label", "stats",
    "maxRank", "long_short_ratio", "take_profit", "stop_loss", "notes", "entry", "status_code",
    "rank_24h", "rank_7d", "rank_30d", "rank_365d", "24h", "7d", "30d", "365d", "daily", "weekly",
    "monthly", "profit_factor",
}
# Objects keyed by data (market symbols), not by field name: compare values, not keys.
DATA_KEYED = {"by_market"}


def assert_shape(documented: Any, actual: Any, path: str = "$") -> None:
    """`actual` has every documented field, with the documented JSON type, recursively."""
    if documented is None:
        return
    if actual is None:
        assert path.rsplit(".", 1)[-1].split("[")[0] in NULLABLE, f"{path}: null, documented {documented!r}"
        return
    if isinstance(documented, bool):
        assert isinstance(actual, bool), f"{path}: {actual!r} is not a boolean"
    elif is_number(documented):
        assert is_number(actual), f"{path}: {actual!r} is not a number"
    elif isinstance(documented, str):
        assert isinstance(actual, str), f"{path}: {actual!r} is not a string"
    elif isinstance(documented, list):
        assert isinstance(actual, list), f"{path}: {actual!r} is not a list"
        if documented:
            for i, item in enumerate(actual[:25]):
                assert_shape(documented[0], item, f"{path}[{i}]")
    elif isinstance(documented, dict):
        assert isinstance(actual, dict), f"{path}: {actual!r} is not an object"
        if path.rsplit(".", 1)[-1] in DATA_KEYED:
            sample = next(iter(documented.values()), None)
            for k, v in actual.items():
                assert_shape(sample, v, f"{path}.{k}")
            return
        for key, value in documented.items():
            assert key in actual, f"{path}: missing {key!r}"
            assert_shape(value, actual[key], f"{path}.{key}")


def assert_error_body(body: Any, code: str) -> None:
    assert set(body) == {"error", "code", "details", "timestamp"}, body
    assert body["code"] == code
    assert all(isinstance(body[k], str) for k in body)


class Receiver:
    """A small local HTTP server standing in for a webhook endpoint (127.0.0.1, free port).

    Answers with the statuses in `script` in turn (then 200) and records every request.
    """

    def __init__(self, script: list[int] | None = None) -> None:
        self.script = list(script or [])
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with outer._lock:
                    outer.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                    status = outer.script.pop(0) if outer.script else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    def received(self) -> list[tuple[dict[str, str], bytes]]:
        with self._lock:
            return list(self.requests)
