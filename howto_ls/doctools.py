"""Guide blocks inside docstrings, taken out for documentation tools (Sphinx, mkdocstrings).

A docstring howto-ls wrote holds its guide as a block in the seed format (a setext title, three
sections, a fenced example) ending with the fingerprint marker, after any text of its own. The
documentation tools read docstrings as reStructuredText or Markdown, and their docstring
parsers (napoleon, numpydoc, griffe's) read sections in them; the extensions in
:mod:`howto_ls.sphinx` and :mod:`howto_ls.griffe` take the blocks out before those parsers run
and put the guides, in their own markup, after what the parsers made of the rest, which they
leave as it is. A block is found and read as howto-ls reads it when it edits a docstring
(:func:`howto_ls.guide.find_block`, :func:`howto_ls.guide.parse_guide`).
"""

from __future__ import annotations

import re

from howto_ls.guide import Guide, find_block, parse_guide


def guide_blocks(text: str) -> list[tuple[int, int]]:
    """The spans (start, end offsets into ``text``) of every guide block in a docstring.

    ``text`` is a docstring's value (or several joined, as Sphinx joins a class's docstring and
    its ``__init__``'s). A block runs from its title line to its fingerprint marker, or, without
    a marker, to the next guide's title or the end of the text. Spans are in order and disjoint.
    """
    spans: list[tuple[int, int]] = []
    offset = 0
    while (found := find_block(text[offset:])) is not None:
        start = offset + found[0]
        following = find_block(text[start + 1 :])  # the next guide's title bounds this one
        limit = len(text) if following is None else start + 1 + following[0]
        bounded = find_block(text[start:limit])
        end = start + (bounded[1] if bounded is not None else limit - start)
        spans.append((start, end))
        if end <= offset:
            break
        offset = end
    return spans


def split_guides(text: str) -> tuple[str, list[Guide]]:
    """``text`` without its guide blocks, and the guides in them, in order.

    Each block goes with its fingerprint marker; the text around it is kept as it is, except
    that blank lines where a block was cut become one blank line and trailing whitespace goes.
    The guides are read with :func:`howto_ls.guide.parse_guide`. Text without a guide gives
    ``(text, [])``.
    """
    spans = guide_blocks(text)
    if not spans:
        return text, []
    pieces: list[str] = []
    cursor = 0
    for start, end in spans:
        pieces.append(text[cursor:start])
        cursor = end
    pieces.append(text[cursor:])
    kept = [_LEADING_BLANK_LINES.sub("", piece).rstrip() for piece in pieces]
    own = "\n\n".join(piece for piece in kept if piece)
    return own, [parse_guide(text[start:end]).guide for start, end in spans]


_LEADING_BLANK_LINES = re.compile(r"^(?:[ \t]*\n)+")
