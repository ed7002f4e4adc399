"""GraphiQL for browsers, served entirely by the gateway: no CDN, so it works with no internet.

Strawberry's own page loads React and GraphiQL from a CDN (a blank "Loading..." offline) and opens
on a generic welcome. The same files, at the same versions (same SRI hashes), are vendored from
npm into `static/graphiql/` by `tools/vendor-graphiql`, licences kept, `static/graphiql/MANIFEST.json` listing each
file's package and integrity. The page references only those files, relative to its own path
(`/graphql` and `/query` both find them under `/graphiql/`), with their integrity, under a
Content-Security-Policy that allows nothing but this origin; it opens with a perp query and a live
subscription as tabs.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

from starlette.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

STATIC = Path(__file__).resolve().parent / "static" / "graphiql"
MOUNT = "/graphiql"  # the page is at /graphql or /query: `graphiql/…` resolves here
SCRIPTS = ("react.production.min.js", "react-dom.production.min.js", "graphiql.min.js", "plugin-explorer.umd.js")
STYLES = ("graphiql.min.css", "plugin-explorer.css")

# Only this origin: scripts from the package, XHR and the subscription socket to the same host.
# Inline styles: GraphiQL's editors set them. data: fonts are inlined in graphiql.min.css.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'self'")

LEADERBOARD = """\
# One GraphQL endpoint over NIBIRU (Sai Keeper),
# JUPITER (PerpsTracker) and HYPERLIQUID (Nansen),
# in Sai Keeper's `perp` schema.
#
# Run: Ctrl-Enter or the play button.
# The next tab holds a live subscription.
# Docs and Explorer (left) list every field.
query Leaderboard {
  perp {
    leaderboard(where: {timeframe: DAY}, limit: 10) {
      venue
      rank
      trader
      pnl
      roi
      winRate
      volume
    }
  }
}
"""

LIVE_TRADES = """\
# Every trade of every venue as it happens,
# liquidations included. Narrow it with
#   perpLiveTrades(where: {venue: NIBIRU,
#     market: "BTC", minSizeUsd: 10000})
#
# Nothing arriving? On the embedded sandbox
# (`make run`), make trades happen now:
#   make trades
# (or .venv/bin/gateway sandbox-trade)
subscription LiveTrades {
  perpLiveTrades {
    venue
    market
    tradeChangeType
    price
    sizeDeltaUsd
    trader
    trade { isLong leverage }
    block { block_ts }
  }
}
"""

TABS = ({"query": LEADERBOARD}, {"query": LIVE_TRADES})


def manifest() -> dict[str, dict[str, str]]:
    """file name -> {package, file, integrity}, as `tools/vendor-graphiql` wrote it."""
    data: dict[str, dict[str, str]] = json.loads((STATIC / "MANIFEST.json").read_text())
    return data


@functools.cache
def page() -> str:
    assets = manifest()
    styles = "\n".join(f'<link rel="stylesheet" href="graphiql/{name}" integrity="{assets[name]["integrity"]}">'
                       for name in STYLES)
    scripts = "\n".join(f'<script src="graphiql/{name}" integrity="{assets[name]["integrity"]}"></script>'
                        for name in SCRIPTS)
    # Script text is not HTML-decoded: keep `</script>` out by JSON escapes instead.
    config = json.dumps({"tabs": TABS}).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>perp-gateway · GraphiQL</title>
<link rel="icon" href="data:,">
{styles}
<link rel="stylesheet" href="graphiql/page.css">
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script id="graphiql-config" type="application/json">{config}</script>
{scripts}
<script src="graphiql/app.js"></script>
</body>
</html>
"""


def response() -> HTMLResponse:
    return HTMLResponse(page(), headers={"Content-Security-Policy": CSP, "Cache-Control": "no-cache"})


def assets() -> StaticFiles:
    """The vendored files and the page's own script, with ETag/Last-Modified (StaticFiles)."""
    return StaticFiles(directory=STATIC)
