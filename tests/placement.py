"""Which definition of a file holds a guide: shared by the placement tests and the fuzz."""

from __future__ import annotations

import ast

from howto_ls.guide import HEADING

Definition = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef


def definitions(tree: ast.Module) -> list[Definition]:
    """Every def and class of ``tree`` in file order (docstring edits never reorder them)."""
    found = [node for node in ast.walk(tree) if isinstance(node, Definition)]
    return sorted(found, key=lambda node: (node.lineno, node.col_offset))


def definition_at(source: str, line: int) -> int:
    """The index (in ``definitions``) of the innermost definition holding 0-based ``line``."""
    best = -1
    for index, node in enumerate(definitions(ast.parse(source))):
        first = min([node.lineno, *(d.lineno for d in node.decorator_list)]) - 1
        if first <= line <= (node.end_lineno or node.lineno) - 1:
            best = index
    assert best >= 0, f"no definition holds line {line + 1}"
    return best


def guided(source: str) -> list[int]:
    """Indexes of the definitions whose docstring holds a guide."""
    return [
        index
        for index, node in enumerate(definitions(ast.parse(source)))
        if HEADING in (ast.get_docstring(node, clean=False) or "")
    ]
