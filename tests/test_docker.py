"""docker/: the Dockerfile passes hadolint and keeps to the brief (multi-stage, slim, non-root,
HEALTHCHECK on /healthz, runtime dependencies only); compose.yaml passes `docker-compose config`
and its gateway replicas are configured in a way the gateway itself accepts. Both tools work
offline; no image is built (this workplace has no Docker engine or registry; docs/deploy.md).
Missing tools skip, except under CI=true, where they fail (.ci/run installs them)."""

from __future__ import annotations

import ipaddress

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from gateway.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
DOCKER = ROOT / "docker"


def tool(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{name} is required under CI (.ci/run and the dev extras install it)")
        pytest.skip(f"{name} not installed")
    return found


def test_hadolint_passes_the_dockerfile() -> None:
    r = subprocess.run([tool("hadolint"), "--no-color", str(DOCKER / "Dockerfile")], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr


def test_the_dockerfile_is_multi_stage_slim_non_root_health_checked_and_runtime_only() -> None:
    text = (DOCKER / "Dockerfile").read_text()
    stages = re.findall(r"^FROM (\S+)", text, re.M)
    assert len(stages) == 2 and all(s.endswith("-slim") for s in stages)
    runtime = text.split("\nFROM ")[-1]
    assert re.search(r"^USER (?!root|0\b)\S+", runtime, re.M)
    assert re.search(r"^HEALTHCHECK .*\n?.*/healthz", runtime, re.M)
    assert "[dev]" not in text and "pytest" not in text
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", "tests"} <= set(ignored)


def compose_config() -> dict:  # type: ignore[type-arg]
    r = subprocess.run([tool("docker-compose"), "-f", str(DOCKER / "compose.yaml"), "config"], cwd=ROOT,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    quiet = subprocess.run([tool("docker-compose"), "-f", str(DOCKER / "compose.yaml"), "config", "-q"], cwd=ROOT,
                           capture_output=True, text=True, timeout=60)
    assert (quiet.returncode, quiet.stdout) == (0, ""), quiet.stderr
    loaded: dict = yaml.safe_load(r.stdout)  # type: ignore[type-arg]
    return loaded


def test_compose_validates_with_redis_two_replicas_a_load_balancer_and_the_sandbox() -> None:
    services = compose_config()["services"]
    assert set(services) == {"redis", "sandbox", "gateway-1", "gateway-2", "lb"}
    assert services["sandbox"]["command"][0] == "sandbox"
    for name in ("gateway-1", "gateway-2"):
        env = {k: str(v) for k, v in services[name]["environment"].items()}
        settings = Settings.from_env(env)  # the replicas' configuration is one the gateway accepts
        assert settings.redis_url == "redis://redis:6379/0" and not settings.use_sandbox
        for key, value in settings.upstream_env().items():
            if key.endswith("_URL"):
                assert "//sandbox:8001/" in value, key
        assert services[name]["build"]["dockerfile"] == "docker/Dockerfile"
        # behind nginx every caller would be nginx (one caller's limits for everyone) unless the
        # replicas read X-Forwarded-For from it; nginx alone, not the network (Docker's gateway on
        # it is where host clients come from)
        lb_address = ipaddress.ip_address(services["lb"]["networks"]["default"]["ipv4_address"])
        assert [lb_address in net for net in settings.edge.trusted_proxies] == [True]
        assert all(net.num_addresses == 1 for net in settings.edge.trusted_proxies)
    nginx = (DOCKER / "nginx.conf").read_text()
    assert "server gateway-1:8000;" in nginx and "server gateway-2:8000;" in nginx
    assert "proxy_set_header Upgrade $http_upgrade;" in nginx and "proxy_http_version 1.1;" in nginx
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in nginx
    assert services["lb"]["volumes"] == [f"{DOCKER / 'nginx.conf'}:/etc/nginx/nginx.conf:ro"]
