"""Constructors that take a class's fields positionally, as a class attribute names them.

Some classes declare their fields in a class attribute instead of their ``__init__`` signature:
``__init__(self, *fields, **attributes)`` pairs the positional arguments with the names the
class lists (``fields = ("target", "iter", "body")`` in Jinja's nodes, ``_fields`` in
:mod:`ast`-style node classes), and the field types are class-level annotations
(``target: Node``). The signature says nothing is required, yet an object built without its
fields fails as soon as one is read (``'Name' object has no attribute 'name'``). This module
reads the declaration so that the example builder passes each field by position.

The rule comes from what ``__init__`` does: it passes its ``*args`` parameter to ``zip`` (or
compares its ``len``) together with ``self.<attribute>`` (or ``type(self).<attribute>``,
``cls.<attribute>``), and the classes list the field names in that attribute as a tuple (or
list) of strings: the nearest class's, as Python looks attributes up (the :mod:`ast`
convention, where each class lists all of its fields), or, under a metaclass that gathers
them (Jinja's ``NodeType``), the base's fields followed by the subclass's own.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence

from howto_ls.astutil import own_nodes
from howto_ls.model import Parameter
from howto_ls.offline.analysis import FunctionNode, code

_RECEIVERS = frozenset({"self", "cls"})


def zipped_attribute(init: FunctionNode) -> str | None:
    """The class attribute ``init`` pairs its ``*args`` with, or None.

    ``init`` is an ``__init__`` (or ``__new__``) definition. Found when its body calls
    ``zip(self.<name>, args)`` (either order) or compares ``len(args)`` with
    ``len(self.<name>)``, where ``args`` is its var-positional parameter.
    """
    vararg = init.args.vararg
    if vararg is None:
        return None
    for node in own_nodes(init):
        if not isinstance(node, ast.Call):
            continue
        if _called_name(node) == "zip":
            named = [_receiver_attribute(a) for a in node.args]
            if any(_is_name(a, vararg.arg) for a in node.args):
                found = next((n for n in named if n is not None), None)
                if found is not None:
                    return found
        if isinstance(node, ast.Call) and _called_name(node) == "len" and node.args:
            found = _receiver_attribute(node.args[0])
            if found is not None and _compared_with_len_of(init, vararg.arg):
                return found
    return None


def declared_fields(lineage: Sequence[ast.ClassDef], attribute: str) -> list[Parameter] | None:
    """The fields a class declares in ``attribute``, as positional-only parameters.

    ``lineage`` is the class followed by its bases, nearest first (single inheritance, as the
    classes that use this convention have). Plain class attributes follow Python's lookup: the
    nearest class's tuple is the one ``self.<attribute>`` reads. When a class of the lineage
    has a metaclass or ``__init_subclass__``, each class's tuple adds to its base's, as
    Jinja's ``NodeType`` does, unless it already lists every inherited field. Each
    parameter's annotation is the class-level annotation of that name, the nearest class's
    first. Returns None when no class of the
    lineage assigns ``attribute`` a tuple or list of strings; an empty list when the class
    declares no fields (it is built with no arguments).
    """
    names: list[str] = []
    declared = False
    gathered = any(_builds_subclasses(class_node) for class_node in lineage)
    for class_node in reversed(lineage):
        own = _string_tuple(class_node, attribute)
        if own is None:
            continue
        declared = True
        if not gathered or all(name in own for name in names):
            names = list(own)  # the class lists every field itself
        else:
            names += [name for name in own if name not in names]
    if not declared:
        return None
    annotations: dict[str, str] = {}
    for class_node in lineage:
        for statement in class_node.body:
            if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
                annotations.setdefault(statement.target.id, code(statement.annotation, 200))
    return [Parameter(name, annotations.get(name), None, "positional_only") for name in names]


def _builds_subclasses(class_node: ast.ClassDef) -> bool:
    """Whether the class has a metaclass or ``__init_subclass__`` that may build its
    subclasses' attributes (PEP 3115, PEP 487)."""
    return any(k.arg == "metaclass" for k in class_node.keywords) or any(
        isinstance(s, ast.FunctionDef) and s.name == "__init_subclass__" for s in class_node.body
    )


def _string_tuple(class_node: ast.ClassDef, attribute: str) -> tuple[str, ...] | None:
    """The strings ``attribute = ("a", "b")`` assigns in the class body, or None."""
    for statement in class_node.body:
        if isinstance(statement, ast.Assign):
            targets = statement.targets
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            targets = [statement.target]
        else:
            continue
        if not any(isinstance(t, ast.Name) and t.id == attribute for t in targets):
            continue
        value = statement.value
        if isinstance(value, ast.Tuple | ast.List) and all(
            isinstance(e, ast.Constant) and isinstance(e.value, str) for e in value.elts
        ):
            return tuple(str(e.value) for e in value.elts if isinstance(e, ast.Constant))
    return None


def _called_name(node: ast.Call) -> str | None:
    return node.func.id if isinstance(node.func, ast.Name) else None


def _is_name(node: ast.expr, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _receiver_attribute(node: ast.expr) -> str | None:
    """``name`` of ``self.name``, ``cls.name`` or ``type(self).name``; else None."""
    if not isinstance(node, ast.Attribute):
        return None
    value = node.value
    if isinstance(value, ast.Name) and value.id in _RECEIVERS:
        return node.attr
    if (
        isinstance(value, ast.Call)
        and _called_name(value) == "type"
        and len(value.args) == 1
        and isinstance(value.args[0], ast.Name)
        and value.args[0].id in _RECEIVERS
    ):
        return node.attr
    return None


def _compared_with_len_of(init: FunctionNode, vararg: str) -> bool:
    """Whether ``init`` compares ``len(<vararg>)`` with something."""
    for node in own_nodes(init):
        if isinstance(node, ast.Compare):
            for side in (node.left, *node.comparators):
                if (
                    isinstance(side, ast.Call)
                    and _called_name(side) == "len"
                    and side.args
                    and _is_name(side.args[0], vararg)
                ):
                    return True
    return False
