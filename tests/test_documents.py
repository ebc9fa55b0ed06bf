"""A clone with no other folder beside it has every document that the README, docs/ and the app link to.

Every relative link of README.md and docs/**/*.md points at a file or folder tracked in this repository,
never outside it; and no tracked file refers to the shared folder outside the repository or to the domain
file that used to live there (docs/domain.md is the project's own).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parent.parent
# Spelled in two parts so that this file does not find itself.
OUTSIDE_REFERENCES = ("../" + "shared", "/work/" + "shared", "DOMAIN" + ".md")
_SCHEME = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)


def _tracked() -> list[str]:
    try:
        out = subprocess.run(  # noqa: S603
            ["git", "ls-files", "-z"],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    return [name for name in out.decode().split("\0") if name]


def _documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def _links(document: Path) -> list[str]:
    """The link and image targets of a Markdown file (not what code spans or code blocks show)."""
    found = []
    for token in MarkdownIt("commonmark").enable("table").parse(document.read_text(encoding="utf-8")):
        for child in token.children or ():
            if child.type == "link_open":
                found.append(child.attrGet("href"))
            elif child.type == "image":
                found.append(child.attrGet("src"))
    return found


def test_the_documents_exist():
    names = {p.relative_to(ROOT).as_posix() for p in _documents()}
    assert {"README.md", "docs/domain.md", "docs/handbok/README.md"} <= names


@pytest.mark.parametrize("document", _documents(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_points_at_a_tracked_file_inside_the_repository(document):
    tracked = set(_tracked())
    folders = {Path(name).parent.as_posix() for name in tracked} | {
        parent.as_posix() for name in tracked for parent in Path(name).parents
    }
    wrong = []
    for target in _links(document):
        if not target or target.startswith("#") or _SCHEME.match(target):
            continue
        path = target.split("#", 1)[0].split("?", 1)[0]
        resolved = (document.parent / path).resolve()
        if not resolved.is_relative_to(ROOT):
            wrong.append(f"{target}: outside the repository")
            continue
        relative = resolved.relative_to(ROOT).as_posix()
        if relative not in tracked and relative not in folders:
            wrong.append(f"{target}: no tracked file or folder {relative}")
    assert not wrong, f"{document.relative_to(ROOT)}:\n" + "\n".join(wrong)


def test_no_tracked_file_refers_to_documents_outside_the_repository():
    found = []
    for name in _tracked():
        path = ROOT / name
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
            continue
        for number, line in enumerate(text.splitlines(), 1):
            for reference in OUTSIDE_REFERENCES:
                if reference in line:
                    found.append(f"{name}:{number}: {reference}")
    assert not found, "\n".join(found)
