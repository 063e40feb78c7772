"""A small package whose public docstrings hold guides written by the real ``generate`` command,
for the documentation-tool tests (Sphinx, numpydoc, mkdocstrings)."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path

from howto_ls.edits import read_docstring_guides

REPO = Path(__file__).resolve().parents[1]
PACKAGE = "shelf"

# Human text the guides must leave as it is (no word of it is one howto-ls would rewrite).
HUMAN_TEXTS = (
    "Split a line into fields at a separator.",
    "Empty fields are kept, so a trailing separator gives an empty last field.",
    "A shelf of labelled boxes.",
    "The scaled values.",  # inside a NumPy-style Returns section
    "The sum of the values.",  # inside a Google-style Returns section
)

SOURCES = {
    "__init__.py": '"""Boxes on shelves, and the text helpers that label them."""\n',
    "text.py": '''\
"""Text helpers for labels."""

import re

WORD = re.compile(r"\\w+")


def split_fields(line: str, sep: str = "\\t") -> list[str]:
    """Split a line into fields at a separator.

    Empty fields are kept, so a trailing separator gives an empty last field.
    """
    return line.split(sep)


def quote(text: str, mark: str = '"""') -> str:
    return mark + text + mark


def count_words(text: str) -> int:
    return len(WORD.findall(text))
''',
    "stats.py": '''\
"""Sums and scales."""


def scale(values: list[float], factor: float = 2.0) -> list[float]:
    """Scale values by a factor.

    Parameters
    ----------
    values : list of float
        The values to scale.
    factor : float
        The factor to multiply by.

    Returns
    -------
    list of float
        The scaled values.
    """
    return [value * factor for value in values]


def total(values: list[float]) -> float:
    """Add values up.

    Args:
        values: The values to add.

    Returns:
        The sum of the values.
    """
    return sum(values)
''',
    "boxes.py": '''\
"""Boxes and the shelf that holds them."""


class Shelf:
    """A shelf of labelled boxes."""

    def __init__(self, size: int = 3) -> None:
        self.size = size
        self.boxes: list[str] = []

    def put(self, label: str) -> int:
        if len(self.boxes) >= self.size:
            raise ValueError("the shelf is full")
        self.boxes.append(label)
        return len(self.boxes)


class Box:
    def __init__(self, label: str) -> None:
        self.label = label

    def describe(self, prefix: str = "box") -> str:
        return f"{prefix}: {self.label}"
''',
}


def write_guided_package(root: Path) -> int:
    """Write the package under ``root`` and let ``howto-ls generate`` write its guides.

    Runs the real command line with the offline backend, its own HOME and cache. Returns the
    number of docstrings that hold a guide afterwards (every public symbol's).
    """
    package = root / PACKAGE
    package.mkdir(parents=True)
    for name, source in SOURCES.items():
        (package / name).write_text(source, encoding="utf-8")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(REPO),
        "HOME": str(root / "home"),
        "XDG_CACHE_HOME": str(root / "cache"),
        "HOWTO_BACKEND": "offline",
    }
    command = [sys.executable, "-m", "howto_ls", "generate", "--write", "docstring"]
    result = subprocess.run(
        [*command, "--no-progress", PACKAGE],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    guides = 0
    for path in package.glob("*.py"):
        guides += len(read_docstring_guides(path.read_text(encoding="utf-8")))
    return guides


def tool_env(*paths: Path) -> dict[str, str]:
    """The environment for a documentation tool: this checkout and ``paths`` importable."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), *map(str, paths)])}


def page_text(page: str) -> str:
    """An HTML page's text: tags removed and entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def readme_block(language: str) -> str:
    """The first ``language`` code block of the README's "In Sphinx and MkDocs" section."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    start = text.index("\n## In Sphinx and MkDocs\n")
    section = text[start : text.index("\n## ", start + 1)]
    found = re.search(rf"\n```{language}\n(.*?)\n```\n", section, re.DOTALL)
    assert found is not None, f"no {language} block in the README's Sphinx and MkDocs section"
    return found.group(1)
