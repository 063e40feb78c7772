"""The smallest single edit that turns one text into another."""

from __future__ import annotations

import re

from howto_ls.model import Position, Span

_NEWLINE = re.compile(r"\r\n|\r|\n")


def position_at(text: str, offset: int) -> Position:
    """The 0-based line and code-point column of ``offset`` (lines end at \\r\\n, \\n or \\r)."""
    line = 0
    line_start = 0
    for match in _NEWLINE.finditer(text, 0, offset):
        line += 1
        line_start = match.end()
    return Position(line, offset - line_start)


def minimal_span(old: str, new: str) -> tuple[Span, str] | None:
    """The span of ``old`` to replace and its replacement, or None when the texts are equal.

    Never splits a ``\\r\\n`` pair, so the result is valid for editors that count lines.
    """
    if old == new:
        return None
    prefix = 0
    limit = min(len(old), len(new))
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[len(old) - 1 - suffix] == new[len(new) - 1 - suffix]:
        suffix += 1
    # Keep CRLF pairs whole on both boundaries.
    if prefix > 0 and old[prefix - 1 : prefix + 1] == "\r\n":
        prefix -= 1
    old_end = len(old) - suffix
    if 0 < old_end < len(old) and old[old_end - 1 : old_end + 1] == "\r\n":
        suffix -= 1
        old_end += 1
    new_end = len(new) - suffix
    span = Span(position_at(old, prefix), position_at(old, old_end))
    return span, new[prefix:new_end]
