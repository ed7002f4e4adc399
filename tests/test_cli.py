"""The command line as a newcomer meets it: --version, help with defaults, one clear line for every
bad setting before anything else is printed, SIGTERM stopping the embedded sandbox too, and
`make run` installing the runtime dependencies only. Real processes throughout."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gateway import __version__
from gateway.cli import free_port, sandbox_process, wait_until_answering

ROOT = Path(__file__).resolve().parents[1]
UPSTREAM_VARS = ("PERPSTRACKER_API_URL", "PERPSTRACKER_API_KEY", "PERPSTRACKER_WS_URL", "NANSEN_API_URL",
                 "NANSEN_API_KEY", "NIBIRU_GRAPHQL_URL", "NIBIRU_WS_URL", "PERPSTRACKER_WEBHOOK_SECRET",
                 "REDIS_URL", "GATEWAY_SANDBOX_PORT", "GATEWAY_PORT", "GATEWAY_HOST")


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in UPSTREAM_VARS}
    return {**env, "GATEWAY_SANDBOX": "auto", **extra}


def gateway(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "gateway", *args], env=env or clean_env(),
                          capture_output=True, text=True, timeout=60)


def test_version() -> None:
    r = gateway("--version")
    assert (r.returncode, r.stdout.strip()) == (0, f"gateway {__version__}")


@pytest.mark.parametrize(("command", "expected"), [
    ("serve", ["--host HOST", "interface to listen on (default: $GATEWAY_HOST, else 127.0.0.1)",
               "--port PORT", "(default: $GATEWAY_PORT, else 8000)", "--workers WORKERS", "(default: 1)"]),
    ("sandbox-trade", ["--sandbox SANDBOX", "(default: http://127.0.0.1:8001)", "--count COUNT",
                       "trades per venue (default: 2)"]),
])
def test_help_describes_every_option_with_its_default(command: str, expected: list[str]) -> None:
    r = gateway(command, "--help")
    text = " ".join(r.stdout.split())
    assert r.returncode == 0
    for piece in expected:
        assert piece in text, piece
    top = " ".join(gateway("--help").stdout.split())
    for sub in ("serve", "sandbox", "sandbox-trade", "schema"):
        assert f"{sub} " in top


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield int(s.getsockname()[1])


BAD = {
    "redis not a url": ({"REDIS_URL": "notaurl"}, "REDIS_URL must be a URL starting with redis://"),
    "redis bad port": ({"REDIS_URL": "redis://:hunter2@localhost:port/0"}, "REDIS_URL has a bad port"),
    "rest url without scheme": ({"NANSEN_API_URL": "api.nansen.ai"}, "NANSEN_API_URL must be a URL starting"),
    "ws url with http scheme": ({"NIBIRU_WS_URL": "https://sai-keeper.nibiru.fi/query"}, "NIBIRU_WS_URL must"),
    "url without host": ({"PERPSTRACKER_API_URL": "https://"}, "PERPSTRACKER_API_URL has no host"),
    "port not a number": ({"GATEWAY_PORT": "eighty"}, "GATEWAY_PORT and GATEWAY_SANDBOX_PORT must be integers"),
    "unknown host": ({"GATEWAY_HOST": "no-such-host.invalid"}, "cannot listen on no-such-host.invalid"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_setting_is_one_line_before_anything_else(case: str) -> None:
    env, message = BAD[case]
    r = gateway("serve", env=clean_env(**env))
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr.splitlines() == [r.stderr.strip()] and r.stderr.startswith("configuration error: ")
    assert message in r.stderr
    assert "hunter2" not in r.stderr


@pytest.mark.parametrize("variable", ["GATEWAY_PORT", "GATEWAY_SANDBOX_PORT"])
def test_a_port_in_use_is_one_line_before_anything_else(variable: str, busy_port: int) -> None:
    env = clean_env(**{"GATEWAY_PORT": str(free_port()), variable: str(busy_port)})
    r = gateway("serve", env=env)
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr == (f"configuration error: cannot listen on 127.0.0.1:{busy_port}: Address already in use "
                        f"(choose another with {variable if variable != 'GATEWAY_PORT' else 'GATEWAY_PORT or --port'})\n")


def children(pid: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def test_sigterm_stops_serve_and_its_embedded_sandbox() -> None:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "gateway", "serve"], env=clean_env(GATEWAY_PORT=str(port)),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    sandbox_pids: list[int] = []
    try:
        wait_until_answering(f"http://127.0.0.1:{port}/healthz", proc, 60, "gateway")
        sandbox_pids = children(proc.pid)
        assert len(sandbox_pids) == 1
        assert "-m\0sandbox" in Path(f"/proc/{sandbox_pids[0]}/cmdline").read_text()
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
        assert proc.returncode == 0, err
        assert "Traceback" not in err
        # `gateway serve` waited for its child before exiting: no such process any more.
        assert not Path(f"/proc/{sandbox_pids[0]}").exists()
    finally:
        for pid in sandbox_pids:
            if Path(f"/proc/{pid}").exists():
                os.kill(pid, signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def test_sandbox_trade_opens_positions_on_every_venue() -> None:
    with sandbox_process(live=False) as base:
        before = httpx.get(f"{base}/_control/state").json()["events"]
        r = gateway("sandbox-trade", "--sandbox", base, "--count", "2", "--seed", "3")
        after = httpx.get(f"{base}/_control/state").json()["events"]
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["NIBIRU"] * 2 + ["JUPITER"] * 2 + ["HYPERLIQUID"] * 2
    assert after >= before + 6


def test_sandbox_trade_without_a_sandbox_says_so_in_one_line() -> None:
    r = gateway("sandbox-trade", "--sandbox", f"http://127.0.0.1:{free_port()}")
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr.startswith("error: no sandbox answers at") and len(r.stderr.splitlines()) == 1


def make_dry_run(target: str, venv: Path) -> str:
    return subprocess.run(["make", "-n", "-C", str(ROOT), target, f"VENV={venv}"], capture_output=True,
                          text=True, check=True).stdout


def test_make_run_installs_the_runtime_dependencies_only(tmp_path: Path) -> None:
    """What make would do on a fresh clone (a dry run into an empty venv path): `make run` installs the
    package without extras, `make test` with the dev extras; each has its own marker."""
    run = make_dry_run("run", tmp_path / "venv")
    installs = [line for line in run.splitlines() if "pip install" in line and "--upgrade pip" not in line]
    assert installs == [f"{tmp_path}/venv/bin/python -m pip install --quiet -e ."]
    assert ".installed-runtime" in run and "[dev]" not in run
    test = make_dry_run("test", tmp_path / "venv")
    assert f"{tmp_path}/venv/bin/python -m pip install --quiet -e '.[dev]'" in test
    assert ".installed-dev" in test
