"""The example documents of Sai Keeper's published docs, read from the docs themselves."""

from __future__ import annotations

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "shared" / "upstream-docs" / "nibiru-sai-keeper-perp-api.txt"


def example_documents() -> dict[str, str]:
    """name -> document, for every `query …`/`subscription …` example (signature blocks excluded)."""
    text = DOCS.read_text()
    docs: dict[str, str] = {}
    for match in re.finditer(r"^(query|subscription) (\w+)[^\n]*\{", text, re.M):
        depth, i = 0, match.start()
        while i < len(text):
            if text[i] == "{":
                depth += 1
            elif text[i] == "}":
                depth -= 1
                if depth == 0:
                    break
            i += 1
        body = text[match.start():i + 1]
        body = re.sub(r"#[^\n]*", "", body)  # the docs annotate with comments (# BTC market)
        docs[match.group(2)] = body
    return docs
