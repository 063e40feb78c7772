"""The fenced code blocks of README.md, with the headings they sit under, read by markdown-it-py."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt

README = Path(__file__).resolve().parents[2] / "README.md"


@dataclass(frozen=True)
class Snippet:
    """One fenced block: its info-string language, text, 1-based line and enclosing headings."""

    language: str
    text: str
    line: int  # 1-based line of the opening fence in README.md
    headings: tuple[str, ...]  # the enclosing headings' inline text, outermost (level 1) first

    @property
    def heading(self) -> str:
        """The nearest heading above the block."""
        return self.headings[-1] if self.headings else ""


def snippets(path: Path = README) -> list[Snippet]:
    """Every fenced code block of the Markdown file at ``path``, in document order."""
    tokens = MarkdownIt("commonmark").parse(path.read_text(encoding="utf-8"))
    found: list[Snippet] = []
    stack: list[tuple[int, str]] = []  # (level, text) of the open headings
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            level = int(token.tag[1:])
            stack = [entry for entry in stack if entry[0] < level]
            stack.append((level, tokens[index + 1].content))
        elif token.type == "fence":
            language = token.info.split()[0] if token.info.strip() else ""
            line = token.map[0] + 1 if token.map else 0
            found.append(Snippet(language, token.content, line, tuple(t for _, t in stack)))
    return found
