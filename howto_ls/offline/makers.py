"""Classes whose objects another class makes: built through that class, not their constructor.

Some classes are shells their constructor leaves empty (``PreparedRequest()`` sets ``url``,
``headers`` and ``body`` to None) and another class of the module fills in and hands out
(``Request(...).prepare()``, whose body is ``p = PreparedRequest(); p.prepare(...); return
p``). An example that calls the empty constructor gets an object every method refuses; the
project itself always goes through the maker. This module finds the maker so that the example
does the same.
"""

from __future__ import annotations

import ast

from howto_ls.astutil import own_nodes
from howto_ls.offline.analysis import FunctionNode, dotted

MIN_EMPTY_FIELDS = 2
"""A constructor that sets at least this many attributes to None (and takes nothing) makes a
shell to be filled in."""


def empty_shell(node: ast.ClassDef) -> bool:
    """Whether the class's own ``__init__`` takes no argument but the instance and sets at
    least ``MIN_EMPTY_FIELDS`` attributes of ``self`` to None."""
    init = next(
        (s for s in node.body if isinstance(s, ast.FunctionDef) and s.name == "__init__"), None
    )
    if init is None:
        return False
    args = init.args
    if len([*args.posonlyargs, *args.args]) != 1 or args.kwonlyargs or args.vararg or args.kwarg:
        return False
    emptied = {
        target.attr
        for statement in own_nodes(init)
        if isinstance(statement, ast.Assign)
        and isinstance(statement.value, ast.Constant)
        and statement.value.value is None
        for target in statement.targets
        if isinstance(target, ast.Attribute) and dotted(target.value) == "self"
    }
    return len(emptied) >= MIN_EMPTY_FIELDS


def maker_of(tree: ast.Module, node: ast.ClassDef) -> tuple[ast.ClassDef, FunctionNode] | None:
    """The public method of another class of the module that builds an object of ``node``
    and returns it (``return ClassName(...)``, or ``p = ClassName()`` ... ``return p``), with
    its class; the first in the module, or None. Classes deriving from ``node`` (directly)
    and ``node`` itself (``copy()``) need an object to begin with and are skipped."""
    for candidate in tree.body:
        if not isinstance(candidate, ast.ClassDef) or candidate is node:
            continue
        if node.name in {(dotted(b) or "").rsplit(".", 1)[-1] for b in candidate.bases}:
            continue
        for method in candidate.body:
            if (
                isinstance(method, ast.FunctionDef)
                and not method.name.startswith("_")
                and not any(dotted(d) == "staticmethod" for d in method.decorator_list)
                and _returns_new(method, node.name)
            ):
                return candidate, method
    return None


def _returns_new(function: FunctionNode, class_name: str) -> bool:
    """Whether ``function`` returns a new ``class_name`` object it built itself."""
    built: set[str] = set()
    for statement in own_nodes(function):
        if (
            isinstance(statement, ast.Assign)
            and _builds(statement.value, class_name)
            and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name)
        ):
            built.add(statement.targets[0].id)
    for statement in own_nodes(function):
        if isinstance(statement, ast.Return) and statement.value is not None:
            value = statement.value
            if _builds(value, class_name) or (isinstance(value, ast.Name) and value.id in built):
                return True
    return False


def _builds(node: ast.expr, class_name: str) -> bool:
    return isinstance(node, ast.Call) and dotted(node.func) == class_name
