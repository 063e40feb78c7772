"""docs/editors.md and docs/vscode.md are README.md's editor sections, one heading level up.

The README's blocks are the ones the editor tests prove (test_readme_snippets.py); these copies
must not drift from them. To refresh the copies: ``python3 -m tests.editors.test_docs_copies``.
"""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from tests.editors.readme_snippets import README

DOCS = README.parent / "docs"


def _lines_of(text: str, start: str, end: str) -> list[str]:
    """The lines from the line ``start`` up to (not including) the line ``end``."""
    lines = text.splitlines(keepends=True)
    first = lines.index(start + "\n")
    last = lines.index(end + "\n", first)
    return lines[first:last]


def _lift_headings(lines: list[str]) -> str:
    """``lines`` with each ATX heading (outside code blocks) one level up: ``### x`` -> ``## x``."""
    text = "".join(lines)
    headings = {
        token.map[0]
        for token in MarkdownIt("commonmark").parse(text)
        if token.type == "heading_open" and token.map is not None
    }
    lifted = [line[1:] if n in headings and line.startswith("##") else line for n, line in
              enumerate(lines)]  # fmt: skip
    return "".join(lifted).rstrip("\n") + "\n"


def expected_copy(name: str) -> str:
    """What ``docs/<name>`` must hold, made from README.md."""
    text = README.read_text(encoding="utf-8")
    if name == "editors.md":
        editors = _lines_of(text, "## Editors", "## Whole projects and CI")
        vscode = _lines_of("".join(editors), "### VS Code", "### Neovim")
        start = editors.index(vscode[0])
        return _lift_headings(editors[:start] + editors[start + len(vscode) :])
    if name == "vscode.md":
        vscode = _lines_of(text, "### VS Code", "### Neovim")
        return _lift_headings(vscode).replace("](docs/images/", "](images/")
    raise ValueError(name)


@pytest.mark.parametrize("name", ["editors.md", "vscode.md"])
def test_docs_copy_matches_readme(name: str) -> None:
    actual = (DOCS / name).read_text(encoding="utf-8")
    assert actual == expected_copy(name), (
        f"docs/{name} differs from README.md; run python3 -m tests.editors.test_docs_copies"
    )


if __name__ == "__main__":
    for copy in ("editors.md", "vscode.md"):
        (DOCS / copy).write_text(expected_copy(copy), encoding="utf-8")
