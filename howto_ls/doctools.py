"""Guide blocks inside docstrings, rewritten for documentation tools (Sphinx, mkdocstrings).

A docstring howto-ls wrote holds its guide as a block in the seed format (a setext title, three
sections, a fenced example) ending with the fingerprint marker, after any text of its own. The
documentation tools read docstrings as reStructuredText or Markdown; the extensions in
:mod:`howto_ls.sphinx` and :mod:`howto_ls.griffe` replace each block with their own markup and
leave every other line as it is. The block is found and read as howto-ls reads it when it
edits a docstring (:func:`howto_ls.guide.find_block`, :func:`howto_ls.guide.parse_guide`).
"""

from __future__ import annotations

from collections.abc import Callable

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


def rewrite_guides(text: str, render: Callable[[Guide], str]) -> str:
    """``text`` with every guide block replaced by ``render(guide)``; other text kept as is.

    The fingerprint marker goes with the block; the markup's lines get the indentation of the
    block's title line. ``render`` gets the guide as
    :func:`howto_ls.guide.parse_guide` reads it and returns the markup without a trailing
    newline. Text without a guide comes back unchanged (the same string).
    """
    spans = guide_blocks(text)
    if not spans:
        return text
    parts: list[str] = []
    cursor = 0
    for start, end in spans:
        indent = text[text.rfind("\n", 0, start) + 1 : start]  # the title line's indentation
        first, *rest = render(parse_guide(text[start:end]).guide).split("\n")
        markup = "\n".join([first, *(indent + line if line else "" for line in rest)])
        parts += [text[cursor:start], markup]
        cursor = end
    parts.append(text[cursor:])
    return "".join(parts)
