"""Which definition of a file holds a guide: the position fuzz's rules, for the placement tests."""

from __future__ import annotations

import ast

from howto_ls.testing.position_fuzz import definitions, guided

__all__ = ["definition_at", "definitions", "guided"]


def definition_at(source: str, line: int) -> int:
    """The index (in ``definitions``) of the innermost definition holding 0-based ``line``."""
    best = -1
    for index, node in enumerate(definitions(ast.parse(source))):
        first = min([node.lineno, *(d.lineno for d in node.decorator_list)]) - 1
        if first <= line <= (node.end_lineno or node.lineno) - 1:
            best = index
    assert best >= 0, f"no definition holds line {line + 1}"
    return best
