"""A clean clone is enough: nothing the suite, the package or the docs use lives outside the repository.

CI proves it end to end (`.ci/run` runs `make test` in a fresh clone in an empty directory); these
tests catch a new reference to the shared design folder before CI does, and check that the copied
upstream docs are the ones their PROVENANCE.md lists.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHECKED = ("tests", "gateway", "sandbox", "bench", "docs", "Makefile", "README.md", ".ci", "docker")
OUTSIDE = re.compile(r"\.\./shared|\"shared\"|/work/shared|upstream-docs/")


def tracked(*paths: str) -> list[Path]:
    out = subprocess.run(["git", "ls-files", "--", *paths], cwd=ROOT, capture_output=True, text=True, check=True)
    return [ROOT / line for line in out.stdout.splitlines() if (ROOT / line).is_file()]


def test_no_tracked_file_points_at_the_shared_folder_beside_the_repository() -> None:
    offenders = []
    for path in tracked(*CHECKED):
        if path == Path(__file__).resolve() or (
                path.name in ("PROVENANCE.md", "README.md") and path.is_relative_to(ROOT / "tests" / "fixtures")):
            continue  # provenance notes say where a copy came from; this file names the pattern
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        offenders += [f"{path.relative_to(ROOT)}:{n}" for n, line in enumerate(text.splitlines(), 1)
                      if OUTSIDE.search(line)]
    assert offenders == []


def test_the_copied_upstream_docs_are_the_files_their_provenance_lists() -> None:
    notes = sorted((ROOT / "tests" / "fixtures").glob("*/docs/PROVENANCE.md"))
    assert {n.parent.parent.name for n in notes} == {"nibiru", "perpstracker", "nansen"}
    for note in notes:
        listed = dict(re.findall(r"^- `([^`]+)` \(sha256 `([0-9a-f]{16})…`\)", note.read_text(), re.M))
        present = {p.name for p in note.parent.iterdir() if p.name != "PROVENANCE.md"}
        assert set(listed) == present, note
        for name, digest in listed.items():
            assert hashlib.sha256((note.parent / name).read_bytes()).hexdigest()[:16] == digest, name


def test_the_sai_keeper_examples_come_from_the_copy_inside_the_repository() -> None:
    from tests.nibiru_docs import CLIENTS, example_documents

    assert CLIENTS.is_relative_to(ROOT) and CLIENTS.is_dir()
    assert len(example_documents()) >= 8
