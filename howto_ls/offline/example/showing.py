"""What an example prints to show an object: itself when its class gives it a readable text,
else what a call just set on it, a property, or its length.

A bare ``obj.clear()`` shows nothing, and ``print(obj)`` of a class without ``__repr__`` or
``__str__`` shows ``<pkg.Cls object at 0x...>``: neither tells the reader what the code did.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from howto_ls.astutil import own_nodes
from howto_ls.offline.analysis import FunctionNode, dotted
from howto_ls.offline.state import assigned_first, preparation

READABLE_BASES = frozenset(
    {
        "dict",
        "list",
        "set",
        "frozenset",
        "tuple",
        "str",
        "bytes",
        "int",
        "float",
        "OrderedDict",
        "defaultdict",
        "Counter",
        "deque",
        "NamedTuple",
        "namedtuple",
        "Exception",
        "BaseException",
        "UserDict",
        "UserList",
        "UserString",
    }
)
"""Bases whose ``repr`` shows the value (the builtin containers and scalars, named tuples,
exceptions)."""

_READABLE_DECORATORS = frozenset({"dataclass", "s", "attrs", "define", "frozen", "mutable"})
"""Class decorators that write a ``__repr__`` (dataclasses, attrs)."""

Inherited = Callable[[ast.ClassDef, str], FunctionNode | None]
"""Finds a method of a class or of a base class the project defines."""


def shows_itself(node: ast.ClassDef, inherited: Inherited) -> bool:
    """Whether ``print(obj)`` of an instance of ``node`` prints its value rather than the
    default ``<... object at 0x...>``: the class or a project base defines ``__repr__`` or
    ``__str__``, a base is a builtin container or scalar, or a decorator writes the repr."""
    if inherited(node, "__repr__") is not None or inherited(node, "__str__") is not None:
        return True
    bases = {(dotted(b) or "").rsplit(".", 1)[-1] for b in node.bases}
    if bases & READABLE_BASES or any(b.endswith(("Error", "Exception")) for b in bases):
        return True
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if (dotted(target) or "").rsplit(".", 1)[-1] in _READABLE_DECORATORS:
            return True
    return False


def assigned_attributes(method: FunctionNode) -> list[str]:
    """The public attributes ``method`` assigns on its receiver (``self.name = ...``,
    ``self.count += 1``), in order of appearance."""
    params = method.args.posonlyargs + method.args.args
    if not params:
        return []
    receiver = params[0].arg
    found: list[str] = []
    for n in own_nodes(method):
        targets: list[ast.expr] = []
        if isinstance(n, ast.Assign):
            targets = list(n.targets)
        elif isinstance(n, ast.AugAssign | ast.AnnAssign):
            targets = [n.target]
        for target in targets:
            if (
                isinstance(target, ast.Attribute)
                and isinstance(target.value, ast.Name)
                and target.value.id == receiver
                and not target.attr.startswith("_")
            ):
                found.append(target.attr)
    return list(dict.fromkeys(found))


def public_properties(node: ast.ClassDef) -> list[str]:
    """The public properties the class defines itself (``@property``, ``@cached_property``)
    that can be read on a freshly built object, in order: those whose getter may raise (a
    ``raise`` in its body) or needs state set first (:mod:`howto_ls.offline.state`) left
    out."""
    found: list[str] = []
    for statement in node.body:
        if not isinstance(statement, ast.FunctionDef) or statement.name.startswith("_"):
            continue
        names = {(dotted(d) or "").rsplit(".", 1)[-1] for d in statement.decorator_list}
        if not names & {"property", "cached_property"}:
            continue
        if any(isinstance(n, ast.Raise) for n in own_nodes(statement)):
            continue
        if assigned_first(node, statement) or preparation(node, statement) is not None:
            continue
        found.append(statement.name)
    return found


def showing_line(
    node: ast.ClassDef, variable: str, inherited: Inherited, method: FunctionNode | None = None
) -> str | None:
    """The statement that shows ``variable`` (an instance of ``node``) after ``method`` ran on
    it (after it was built when ``method`` is None): ``print(variable)`` when the class shows
    itself, else an attribute ``method`` set (or, on a new object, a property or an attribute
    the constructor set), or ``len(variable)``; None when the class offers none of them."""
    if shows_itself(node, inherited):
        return f"print({variable})"
    if method is not None:
        for attribute in assigned_attributes(method):
            return f"print({variable}.{attribute})"
    else:  # a property may need what a method call left unset: read it on a new object only
        for name in public_properties(node):
            return f"print({variable}.{name})"
        init = inherited(node, "__init__")
        for attribute in assigned_attributes(init) if init is not None else []:
            return f"print({variable}.{attribute})"
    if inherited(node, "__len__") is not None:
        return f"print(len({variable}))"
    return None
