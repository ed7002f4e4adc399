"""The app factory, health endpoint, settings and the CLI."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest

from gateway.app import create_app
from gateway.settings import Secret, Settings, SettingsError


async def test_healthz_answers() -> None:
    transport = httpx.ASGITransport(app=create_app(Settings()))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        r = await client.get("/healthz")
    assert r.status_code == 200 and r.json()["status"] == "ok"


def test_settings_defaults_follow_the_contract() -> None:
    s = Settings.from_env({})
    assert (s.host, s.port, s.sandbox) == ("127.0.0.1", 8000, "auto")
    assert s.upstream("perpstracker").api_url == "https://perpstracker.com/api"
    assert s.upstream("nansen").api_url == "https://api.nansen.ai"
    assert s.upstream("nibiru").graphql_url == "https://sai-keeper.nibiru.fi/query"
    assert s.use_sandbox and s.redis_url is None


def test_any_key_or_upstream_url_turns_auto_sandbox_off() -> None:
    assert not Settings.from_env({"NANSEN_API_KEY": "k"}).use_sandbox
    assert not Settings.from_env({"NIBIRU_GRAPHQL_URL": "http://x/query"}).use_sandbox
    assert Settings.from_env({"NANSEN_API_KEY": "k", "GATEWAY_SANDBOX": "on"}).use_sandbox
    assert not Settings.from_env({"GATEWAY_SANDBOX": "off"}).use_sandbox


def test_secrets_never_print_themselves() -> None:
    s = Settings.from_env({"PERPSTRACKER_API_KEY": "super-secret-value"})
    assert "super-secret-value" not in repr(s) and "super-secret-value" not in str(s)
    assert isinstance(s.upstream("perpstracker").api_key, Secret)
    assert s.upstream("perpstracker").api_key.reveal() == "super-secret-value"


def test_bad_configuration_is_refused_clearly() -> None:
    with pytest.raises(SettingsError, match="GATEWAY_SANDBOX"):
        Settings.from_env({"GATEWAY_SANDBOX": "maybe"})
    with pytest.raises(SettingsError, match="GATEWAY_PORT"):
        Settings.from_env({"GATEWAY_PORT": "eighty"})


def test_cli_schema_prints_the_committed_sdl() -> None:
    out = subprocess.run([sys.executable, "-m", "gateway", "schema"], capture_output=True, text=True, check=True)
    with open("schema.graphql") as f:
        assert out.stdout == f.read()
