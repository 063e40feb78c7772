"""Environment variables a function reads without a fallback.

``os.environ["COMP_WORDS"]`` raises ``KeyError`` when the variable is not set (a mapping's
``__getitem__``, Python's data model), unlike ``os.environ.get(...)`` or ``os.getenv(...)``.
Code that reads a variable that way expects whoever runs it (a shell's completion script, a
CI runner) to have set it, so an example sets it first. The value is ``"1"`` where the code
converts it with ``int`` or ``float``, else ``"example"``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from howto_ls.astutil import own_nodes
from howto_ls.offline.analysis import FunctionNode, dotted

_ENVIRON = frozenset({"os.environ", "environ"})


def required_variables(functions: Iterable[FunctionNode]) -> dict[str, str]:
    """Variable name -> a value to set, for each ``os.environ["NAME"]`` (or ``environ[...]``
    after ``from os import environ``) the functions read, in the order first read."""
    found: dict[str, str] = {}
    for function in functions:
        numeric: set[int] = set()
        nodes = own_nodes(function)
        for node in nodes:
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in {"int", "float"}
                and node.args
            ):
                numeric.add(id(node.args[0]))
        reads = sorted(
            (n for n in nodes if _environ_read(n) is not None),
            key=lambda n: (getattr(n, "lineno", 0), getattr(n, "col_offset", 0)),
        )
        for node in reads:
            name = _environ_read(node)
            if name is not None:
                found.setdefault(name, "1" if id(node) in numeric else "example")
    return found


def _environ_read(node: ast.AST) -> str | None:
    """``NAME`` when ``node`` is ``os.environ["NAME"]`` read (not assigned or deleted)."""
    if (
        isinstance(node, ast.Subscript)
        and isinstance(node.ctx, ast.Load)
        and dotted(node.value) in _ENVIRON
        and isinstance(node.slice, ast.Constant)
        and isinstance(node.slice.value, str)
    ):
        return node.slice.value
    return None
