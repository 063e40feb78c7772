"""Which subclass can stand in for a base class the code is handed.

A parameter annotated with a base class (``left: Expr``) is given an object of one of the
base's concrete subclasses. Any subclass satisfies the annotation, but the code then calls
methods on the object (``self.left.as_const(eval_ctx)``), and a subclass that inherits the
base's refusal (``def as_const(self): raise Impossible()``) makes the example fail although
the call is allowed. A stand-in is therefore chosen among the subclasses whose version of
each method the code calls does more than raise.

Methods are resolved as Python's attribute lookup resolves them (the class, then its bases in
method resolution order), among the classes of one module: the stand-ins come from the
module that defines the base.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from howto_ls.astutil import node_cache, own_nodes
from howto_ls.offline.analysis import FunctionNode, dotted

MAX_LINEAGE = 8
"""How many classes deep a method is looked up before giving up (bounded: a module may
define classes whose bases cycle through reassigned names)."""


@node_cache
def called_methods(node: ast.AST) -> frozenset[str]:
    """The attribute names ``node``'s code calls: ``as_const`` for ``x.as_const(ctx)``.

    ``node`` is any definition or statement; nested definitions count, as the code runs them
    too when it calls them. Cached per node (by identity; trees are never changed).
    """
    return frozenset(
        n.func.attr
        for n in ast.walk(node)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
    )


def raises_only(function: FunctionNode) -> bool:
    """Whether every call of the function raises: its body (docstring aside) ends with a
    ``raise`` statement and nothing in it returns or yields, as an unimplemented method of a
    base class does (``raise Impossible()``; Jinja's ``BaseLoader.get_source`` checks a flag
    first, then raises ``TemplateNotFound``)."""
    body = function.body
    if not body or not isinstance(body[-1], ast.Raise):
        return False
    return not any(
        isinstance(node, ast.Return | ast.Yield | ast.YieldFrom) for node in own_nodes(function)
    )


def resolve_method(tree: ast.Module, class_node: ast.ClassDef, name: str) -> FunctionNode | None:
    """The definition ``class_node.<name>`` resolves to among the module's classes: the
    class's own, else the nearest base's (depth first, left to right; at most
    ``MAX_LINEAGE`` classes deep). None when no class of the module defines it."""
    classes = {s.name: s for s in tree.body if isinstance(s, ast.ClassDef)}
    pending = [(class_node, 0)]
    seen: set[str] = set()
    while pending:
        current, depth = pending.pop(0)
        if current.name in seen or depth > MAX_LINEAGE:
            continue
        seen.add(current.name)
        for statement in current.body:
            if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef) and (
                statement.name == name
            ):
                return statement
        bases = [(dotted(b) or "").rsplit(".", 1)[-1] for b in current.bases]
        pending[:0] = [(classes[b], depth + 1) for b in bases if b in classes]
    return None


def refuses(tree: ast.Module, class_node: ast.ClassDef, name: str, depth: int = 2) -> bool:
    """Whether calling ``name`` on an object of the class always raises: the method it
    resolves to raises on every call (:func:`raises_only`), or a statement of its body that
    always runs calls such a method on ``self`` (``BaseLoader.load`` starts with
    ``self.get_source(...)``), followed ``depth`` calls deep."""
    method = resolve_method(tree, class_node, name)
    if method is None:
        return False
    if raises_only(method):
        return True
    if depth <= 0:
        return False
    return any(
        refuses(tree, class_node, called, depth - 1)
        for statement in method.body
        for called in _self_calls(statement)
        if called != name
    )


def _self_calls(statement: ast.stmt) -> list[str]:
    """The methods a statement that always runs calls on ``self`` (``self.get_source(...)``
    as an expression, an assigned value or a returned one; not inside ``if`` or loops)."""
    if not isinstance(statement, ast.Expr | ast.Assign | ast.AnnAssign | ast.Return):
        return []
    value = statement.value
    if not isinstance(value, ast.Call):
        return []
    function = value.func
    if isinstance(function, ast.Attribute) and dotted(function.value) == "self":
        return [function.attr]
    return []


def implements(tree: ast.Module, class_node: ast.ClassDef, names: Iterable[str]) -> bool:
    """Whether none of ``names`` that the class (or a base in the module) defines refuses
    every call (:func:`refuses`). Names the module's classes do not define are not the
    class's concern and pass."""
    return not any(refuses(tree, class_node, name) for name in names)
