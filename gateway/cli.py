"""`gateway serve | sandbox | schema`."""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import httpx

from gateway.settings import Settings, SettingsError


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def sandbox_process(
    port: int = 0, *, live: bool = True, seed: int = 7, start: str | None = None, traders: int | None = None,
    timeout: float = 30.0, keys: Mapping[str, str] | None = None,
) -> Iterator[str]:
    """Run the sandbox as a child process; yields its base URL once it answers.

    `keys` (by upstream name) replace the sandbox's demo API keys where it has one."""
    port = port or free_port()
    args = [sys.executable, "-m", "sandbox", "--port", str(port), "--seed", str(seed)]
    if not live:
        args.append("--no-live")
    if start:
        args += ["--start", start]
    if traders:
        args += ["--traders", str(traders)]
    env = {**os.environ, **{f"SANDBOX_{name.upper()}_KEY": key for name, key in (keys or {}).items()}}
    proc = subprocess.Popen(args, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(f"{base}/_control/health", proc, timeout, "sandbox")
        yield base
    finally:
        stop(proc, signal.SIGTERM, 10)


def wait_until_answering(url: str, proc: subprocess.Popen[Any], timeout: float, what: str) -> None:
    """Poll `url` until it answers 200; fail early if the child process exits."""
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with code {proc.returncode}")
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start in time")
        time.sleep(0.1)


def stop(proc: subprocess.Popen[Any], sig: int, timeout: float) -> None:
    """Ask a child to stop with `sig`; kill it if it has not within `timeout` seconds."""
    if proc.poll() is None:
        proc.send_signal(sig)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def upstream_env(settings: Settings) -> dict[str, str]:
    """The environment that configures a gateway process with `settings`' upstream URLs and keys."""
    return settings.upstream_env()


@contextlib.contextmanager
def gateway_process(
    env: Mapping[str, str], *, workers: int = 1, stdout: Any = subprocess.DEVNULL, timeout: float = 60.0,
) -> Iterator[tuple[str, subprocess.Popen[Any]]]:
    """`gateway serve` as a child process with exactly `env` (plus a free GATEWAY_PORT); yields
    (base URL, process) once /healthz answers, and stops it with SIGINT, as Ctrl-C would."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "gateway", "serve", "--workers", str(workers)],
                            env={**env, "GATEWAY_PORT": str(port)}, stdout=stdout, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(f"{base}/healthz", proc, timeout, "gateway")
        yield base, proc
    finally:
        stop(proc, signal.SIGINT, 30)


def cmd_serve(ns: argparse.Namespace) -> int:
    from gateway.ws import server

    settings = Settings.from_env()
    host = ns.host or settings.host
    port = ns.port or settings.port
    with contextlib.ExitStack() as stack:
        if settings.use_sandbox:
            keys = {name: secrets.token_urlsafe(24) for name in settings.upstreams}
            base = stack.enter_context(sandbox_process(settings.sandbox_port, live=True, keys=keys))
            sb = settings.with_sandbox(base, keys)
            # Workers read their settings from the environment: point them at the sandbox.
            os.environ.update({"GATEWAY_SANDBOX": "off", **upstream_env(sb)})
            print(f"sandbox upstreams at {base} (GATEWAY_SANDBOX=auto and no upstream configured)",
                  file=sys.stderr)
        print(f"gateway at http://{host}:{port}/graphql", file=sys.stderr)
        server.run("gateway.app:create_app", factory=True, host=host, port=port,
                   workers=ns.workers, log_level="info")
    return 0


def cmd_sandbox(ns: argparse.Namespace) -> int:
    """The sandbox is its own program (package `sandbox`); the gateway only runs it."""
    return subprocess.call([sys.executable, "-m", "sandbox", *ns.args])


def cmd_schema(ns: argparse.Namespace) -> int:
    from gateway.api.build import print_schema

    sys.stdout.write(print_schema())
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gateway", description="Perpetual-futures GraphQL gateway")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the gateway")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(func=cmd_serve)
    sandbox = sub.add_parser("sandbox", help="serve the three simulated upstreams alone")
    sandbox.add_argument("args", nargs=argparse.REMAINDER, help="passed to `python -m sandbox` (see its --help)")
    sandbox.set_defaults(func=cmd_sandbox)
    schema = sub.add_parser("schema", help="print the GraphQL SDL")
    schema.set_defaults(func=cmd_schema)
    ns = parser.parse_args(argv)
    try:
        return int(ns.func(ns))
    except SettingsError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
