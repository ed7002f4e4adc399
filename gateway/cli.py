"""`gateway serve | sandbox | sandbox-trade | schema`, and the child processes they start.

Every bad setting is one line on stderr (`configuration error: …`, exit 2) before anything else is
printed or started: settings are parsed and the listening socket is bound first, then the embedded
sandbox starts. SIGTERM stops `gateway serve` the way Ctrl-C does, its sandbox child included.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import httpx

from gateway import __version__
from gateway.settings import Settings, SettingsError


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def sandbox_process(
    port: int = 0, *, live: bool = True, seed: int = 7, start: str | None = None, traders: int | None = None,
    timeout: float = 60.0, keys: Mapping[str, str] | None = None,
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


class Terminated(Exception):
    """SIGTERM arrived: unwind like Ctrl-C, so the embedded sandbox is stopped on the way out."""


def _terminate(signum: int, frame: Any) -> None:
    raise Terminated


def listen(host: str, port: int, setting: str = "GATEWAY_PORT or --port") -> socket.socket:
    """Bind before anything is printed or started: a port in use is one line, not a traceback
    after the URL was announced. uvicorn serves on this very socket (no window for another
    process to take the port)."""
    try:
        family, kind, proto, _, addr = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                          flags=socket.AI_PASSIVE)[0]
    except socket.gaierror as exc:
        raise SettingsError(f"cannot listen on {host}:{port}: {exc.strerror} (GATEWAY_HOST or --host)") from exc
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(addr)
    except OSError as exc:
        sock.close()
        raise SettingsError(f"cannot listen on {host}:{port}: {exc.strerror} "
                            f"(choose another with {setting})") from exc
    sock.set_inheritable(True)  # uvicorn's worker processes serve on it when --workers > 1
    return sock


@contextlib.contextmanager
def metrics_dir(workers: int) -> Iterator[None]:
    """With several workers, a fresh PROMETHEUS_MULTIPROC_DIR for their metric files (made before
    they start, removed after they stop), so /metrics adds up every worker. An operator's own
    directory is used as it is."""
    from gateway.observe.metrics import MULTIPROC_ENV

    if workers <= 1 or os.environ.get(MULTIPROC_ENV):
        yield
        return
    path = tempfile.mkdtemp(prefix="gateway-metrics-")
    os.environ[MULTIPROC_ENV] = path
    try:
        yield
    finally:
        os.environ.pop(MULTIPROC_ENV, None)
        shutil.rmtree(path, ignore_errors=True)


def cmd_serve(ns: argparse.Namespace) -> int:
    from gateway.observe import logs
    from gateway.ws import server

    log_config = logs.configure()  # before anything is logged; uvicorn applies it in each worker
    log = logging.getLogger("gateway.serve")
    settings = Settings.from_env()
    host = ns.host or settings.host
    port = settings.port if ns.port is None else ns.port
    if ns.workers < 1:
        raise SettingsError("--workers must be at least 1")
    sock = listen(host, port)
    if settings.use_sandbox and settings.sandbox_port:
        listen("127.0.0.1", settings.sandbox_port, "GATEWAY_SANDBOX_PORT").close()  # the sandbox's port
    signal.signal(signal.SIGTERM, _terminate)
    with contextlib.ExitStack() as stack:
        stack.callback(sock.close)
        try:
            if settings.use_sandbox:
                keys = {name: secrets.token_urlsafe(24) for name in settings.upstreams}
                base = stack.enter_context(sandbox_process(settings.sandbox_port, live=True, keys=keys))
                sb = settings.with_sandbox(base, keys)
                # Workers read their settings from the environment: point them at the sandbox.
                os.environ.update({"GATEWAY_SANDBOX": "off", **upstream_env(sb)})
                log.info("sandbox upstreams at %s (GATEWAY_SANDBOX=auto and no upstream configured); "
                         "make trades happen: gateway sandbox-trade --sandbox %s", base, base)
            stack.enter_context(metrics_dir(ns.workers))
            log.info("gateway at http://%s:%d/graphql", host, sock.getsockname()[1])
            server.run("gateway.app:create_app", factory=True, host=host, port=port,
                       workers=ns.workers, log_config=log_config, access_log=False, sockets=[sock])
        except Terminated:
            pass  # uvicorn re-raises the SIGTERM it handled once it has shut down; then the sandbox stops
    return 0


def cmd_sandbox(ns: argparse.Namespace) -> int:
    """The sandbox is its own program (package `sandbox`); the gateway only runs it."""
    return subprocess.call([sys.executable, "-m", "sandbox", *ns.args])


def cmd_sandbox_trade(ns: argparse.Namespace) -> int:
    from gateway.sandbox_trades import SandboxUnreachable, make_trades

    try:
        trades = make_trades(ns.sandbox, ns.count, ns.seed)
    except SandboxUnreachable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for t in trades:
        print(f"{t.venue:<12} {t.symbol:<4} {'long ' if t.is_long else 'short'} {t.size_usd:>10,.0f} USD  {t.trader}")
    return 0


def cmd_schema(ns: argparse.Namespace) -> int:
    from gateway.api.build import print_schema

    sys.stdout.write(print_schema())
    return 0


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows defaults, except where the default is "from the environment" (None): the help says so."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default is None:
            return action.help
        return super()._get_help_string(action)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gateway", formatter_class=HelpFormatter,
        description="One GraphQL endpoint over Sai Keeper (NIBIRU), PerpsTracker (JUPITER) and Nansen "
                    "(HYPERLIQUID) perp data. Configured from the environment (README, Configuration).")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = sub.add_parser(
        "serve", formatter_class=HelpFormatter, help="serve the gateway (GraphQL, GraphiQL, health, metrics)",
        description="Serve the gateway. With no API key and no upstream URL set (GATEWAY_SANDBOX=auto) "
                    "it starts the embedded sandbox and points every upstream at it.")
    serve.add_argument("--host", help="interface to listen on (default: $GATEWAY_HOST, else 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default: $GATEWAY_PORT, else 8000)")
    serve.add_argument("--workers", type=int, default=1,
                       help="worker processes (each has its own caches and streams unless REDIS_URL is set)")
    serve.set_defaults(func=cmd_serve)
    sandbox = sub.add_parser(
        "sandbox", formatter_class=HelpFormatter, help="serve the three simulated upstreams alone",
        description="Run `python -m sandbox`: PerpsTracker, Nansen and Sai Keeper simulators on one port.")
    sandbox.add_argument("args", nargs=argparse.REMAINDER, help="passed to `python -m sandbox` (see its --help)")
    sandbox.set_defaults(func=cmd_sandbox)
    trade = sub.add_parser(
        "sandbox-trade", formatter_class=HelpFormatter,
        help="open positions in a running sandbox, so subscriptions see events now",
        description="Ask a running sandbox (its /_control surface) to open positions on every venue; "
                    "a perpLiveTrades subscription through the gateway then sees them.")
    trade.add_argument("--sandbox", default=os.environ.get("GATEWAY_SANDBOX_URL", "http://127.0.0.1:8001"),
                       help="the sandbox's base URL ($GATEWAY_SANDBOX_URL; `make run` puts it on port 8001)")
    trade.add_argument("--count", type=int, default=2, help="trades per venue")
    trade.add_argument("--seed", type=int, help="seed for the choice of traders (default: random)")
    trade.set_defaults(func=cmd_sandbox_trade)
    schema = sub.add_parser("schema", formatter_class=HelpFormatter, help="print the GraphQL SDL",
                            description="Print the schema in SDL (schema.graphql is kept equal to it).")
    schema.set_defaults(func=cmd_schema)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    ns = build_parser().parse_args(argv)
    try:
        return int(ns.func(ns))
    except SettingsError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
