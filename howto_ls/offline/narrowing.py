"""The class a function insists a parameter is, whatever its annotation says.

A parameter annotated with a base class (``child: MarkdownElement``) may be checked at run time
against one subclass, and refused otherwise::

    assert isinstance(child, TableRowElement)

    if not isinstance(child, TableRowElement):
        raise TypeError(...)

    if isinstance(child, TableHeaderElement):
        ...
    elif isinstance(child, TableBodyElement):
        ...
    else:
        raise RuntimeError("Couldn't process markdown table.")

Any object of the annotated type satisfies the signature, but only the checked class gets
through. This module reads such checks so that the example passes an object of that class
(the first one a chain accepts).
"""

from __future__ import annotations

import ast

from howto_ls.astutil import own_nodes
from howto_ls.offline.analysis import FunctionNode, dotted


def narrowed_class(function: FunctionNode, name: str) -> str | None:
    """The class (as the source spells it: ``TableRowElement``, ``nodes.Name``) that
    ``function`` refuses parameter ``name`` unless it is an instance of, or None.

    Refusing means an ``assert isinstance(name, X)``, an ``if not isinstance(name, X):``
    whose body ends by raising, or an ``if isinstance(name, X): ... elif ...`` chain whose
    final ``else`` raises (then ``X`` is the first class of the chain). For a tuple of
    classes the first one is taken.
    """
    for node in own_nodes(function):
        if isinstance(node, ast.Assert):
            found = _checked_class(node.test, name)
            if found is not None:
                return found
        elif isinstance(node, ast.If):
            test = node.test
            if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
                found = _checked_class(test.operand, name)
                if found is not None and _raises(node.body):
                    return found
            found = _checked_class(test, name)
            if found is not None and _chain_refuses(node, name):
                return found
    return None


def _checked_class(test: ast.expr, name: str) -> str | None:
    """``X`` of ``isinstance(name, X)`` (or of ``isinstance(name, (X, Y))``), else None."""
    if not (
        isinstance(test, ast.Call)
        and isinstance(test.func, ast.Name)
        and test.func.id == "isinstance"
        and len(test.args) == 2
        and isinstance(test.args[0], ast.Name)
        and test.args[0].id == name
    ):
        return None
    checked = test.args[1]
    if isinstance(checked, ast.Tuple) and checked.elts:
        checked = checked.elts[0]
    return dotted(checked)


def _chain_refuses(node: ast.If, name: str) -> bool:
    """Whether each ``elif`` of the chain tests ``name`` with ``isinstance`` too and the
    final ``else`` raises."""
    current = node
    while len(current.orelse) == 1 and isinstance(current.orelse[0], ast.If):
        current = current.orelse[0]
        if _checked_class(current.test, name) is None:
            return False
    return bool(current.orelse) and _raises(current.orelse)


def _raises(body: list[ast.stmt]) -> bool:
    """Whether a block ends by raising."""
    return bool(body) and isinstance(body[-1], ast.Raise)
