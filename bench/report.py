"""Writing results into docs/benchmarks.md: one section per benchmark, replaced on each run."""

from __future__ import annotations

import datetime
import os
import platform
import re
import subprocess
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
HEADER = """# Benchmarks

Each section is written by its benchmark (`make bench` runs them all; `python -m bench NAME` one)
and replaced when it runs again. Figures are from the machine named in the section; the
sandbox and the gateway run as separate processes on the same machine as the load generator.
"""


def machine() -> str:
    mem = ""
    try:
        out = subprocess.run(["free", "-h"], capture_output=True, text=True, check=False).stdout.splitlines()
        mem = out[1].split()[1] if len(out) > 1 else ""
    except OSError:
        pass
    return (f"{os.cpu_count()} cores, {mem} memory, {platform.system()} {platform.machine()}, "
            f"Python {platform.python_version()}")


def load() -> str:
    """The 1/5/15-minute load averages: the machine is shared, so figures say how busy it was."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} cores"


def today() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")


def write_section(name: str, body: str) -> None:
    """Replace (or append) the section between this benchmark's markers."""
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    text = DOC.read_text() if DOC.exists() else HEADER
    block = f"{start}\n{body.rstrip()}\n{end}"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    text = pattern.sub(lambda _: block, text) if pattern.search(text) else text.rstrip() + "\n\n" + block + "\n"
    DOC.write_text(text)
