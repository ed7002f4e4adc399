"""The GraphiQL page without a browser: it references only the gateway's own assets (served, intact,
licensed), under a CSP that allows nothing else, and its example documents are valid operations.
The browser test (test_graphiql_browser.py) shows that it then runs."""

from __future__ import annotations

import base64
import hashlib
import re

import httpx
from graphql import parse, validate

from gateway.api import graphiql
from gateway.api.build import schema

ASSET = re.compile(r'(?:src|href)="([^"]+)"')


async def test_a_browser_gets_the_page_with_local_assets_only(gateway: httpx.AsyncClient) -> None:
    for accept in ("text/html,application/xhtml+xml,*/*;q=0.8", "*/*"):
        r = await gateway.get("/graphql", headers={"Accept": accept})
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        assert r.headers["content-security-policy"] == graphiql.CSP
        assert "unpkg" not in r.text and "cdn" not in r.text.lower() and "Welcome to GraphiQL" not in r.text
    refs = [ref for ref in ASSET.findall(r.text) if not ref.startswith("data:")]
    assert refs and all(ref.startswith("graphiql/") for ref in refs), refs
    assert "connect-src 'self'" in graphiql.CSP and "script-src 'self';" in graphiql.CSP


async def test_every_asset_is_served_and_matches_its_pinned_integrity(gateway: httpx.AsyncClient) -> None:
    page = (await gateway.get("/graphql", headers={"Accept": "text/html"})).text
    manifest = graphiql.manifest()
    for name in (*graphiql.SCRIPTS, *graphiql.STYLES):
        r = await gateway.get(f"/graphiql/{name}")
        assert r.status_code == 200, name
        sri = "sha384-" + base64.b64encode(hashlib.sha384(r.content).digest()).decode()
        assert sri == manifest[name]["integrity"], name
        assert f'integrity="{sri}"' in page
    for name in ("app.js", "page.css"):
        assert (await gateway.get(f"/graphiql/{name}")).status_code == 200
    assert (await gateway.get("/graphiql/../settings.py")).status_code == 404


def test_versions_are_pinned_and_every_package_keeps_its_licence() -> None:
    packages = {entry["package"] for entry in graphiql.manifest().values()}
    assert packages == {"react@18.2.0", "react-dom@18.2.0", "graphiql@3.8.3", "@graphiql/plugin-explorer@1.0.2"}
    for package in packages:
        name = package.rsplit("@", 1)[0].lstrip("@").replace("/", "-")
        licence = (graphiql.STATIC / f"LICENSE.{name}").read_text()
        assert "MIT" in licence, package


def test_the_example_tabs_are_a_valid_perp_query_and_a_live_subscription() -> None:
    kinds = []
    for tab in graphiql.TABS:
        document = parse(tab["query"])
        assert validate(schema._schema, document) == [], tab["query"]
        kinds += [(d.operation.value, d.name.value) for d in document.definitions]  # type: ignore[attr-defined]
    assert kinds == [("query", "Leaderboard"), ("subscription", "LiveTrades")]
    assert "make trades" in graphiql.LIVE_TRADES


def test_the_page_config_cannot_close_its_script_element() -> None:
    assert "</script>" not in graphiql.page().split('id="graphiql-config"')[1].split("</script>")[0]
