"""Identifiers as Python compares them: NFKC-normalized (PEP 3131).

The parser normalizes every identifier, so ``def 𝔣𝔬𝔬`` defines ``foo`` and ``f.ｒｕｎ(2)`` calls
``run``: the AST already holds the normalized names. What the user types (a ``::Qual.name``
target), what a cursor touches in the text, and what a textual search finds must be
normalized the same way before they are compared with them.
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[^\W\d]\w*")
"""A run of identifier characters that does not start with a digit (PEP 3131's shape)."""


def normalize(name: str) -> str:
    """``name`` as Python sees it: Unicode NFKC (PEP 3131); a dotted name part by part."""
    return unicodedata.normalize("NFKC", name)


def normalize_words(text: str) -> str:
    """``text`` with every identifier-like word NFKC-normalized, the rest kept as it is.

    Lines stay lines (normalizing a word never adds a line break), so line numbers of the
    result are those of ``text``; columns move only after a word whose length changed (use
    :func:`normalized_column`). Text that is already NFKC is returned unchanged, cheaply.
    """
    if unicodedata.is_normalized("NFKC", text):
        return text
    return _WORD.sub(lambda match: normalize(match.group()), text)


def normalized_column(line: str, column: int) -> int:
    """The column in ``normalize_words(line)`` of code-point ``column`` of ``line``.

    ``column`` should not fall inside a word (the start of the word under the cursor does).
    """
    return len(normalize_words(line[:column]))
