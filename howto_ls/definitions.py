"""Which definition a name means: overloads, property accessors and names defined more than once.

A *unit* is what one guide documents. Most units are one ``def`` or ``class``. Two kinds hold
several definitions of the same name:

- ``@overload`` signatures (``typing`` or ``typing_extensions``) and the implementation after
  them: the guide lives in the implementation, the definition without ``@overload``
  (PEP 484). Signatures with no implementation after them (a Protocol, a stub-like module) form
  a unit whose guide lives in the last signature.
- A property and its ``@name.setter``/``@name.deleter``/``@name.getter`` accessors: the guide
  lives in the first definition, the getter, because ``prop.__doc__`` is the getter's docstring.

A name defined again at the same level (``if``/``else`` branches, ``try``/``except ImportError``,
a later ``def`` replacing an earlier one) gives separate units. Each unit has a *key*, its
identity inside the file: the qualified name for the one Python binds last at that level (the
one ``module.name`` refers to at run time), and ``qualname#N`` for the N-th (1-based, in file
order) of the earlier ones. Keys of nested definitions start with their parent's key
(``Outer#1.method``), so every key is unique in its file.
"""

from __future__ import annotations

import ast
import copy
import textwrap
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import cast

from howto_ls.astutil import DEFINITION_TYPES, Definition, flatten_statements, node_cache, parse

__all__ = [
    "KEY_MARK",
    "Unit",
    "call_forms",
    "describe_key",
    "is_overload",
    "plain_qualname",
    "unit_index",
    "unit_of",
    "units",
]

KEY_MARK = "#"
"""Separates a qualified name from the occurrence number in the key of an earlier definition."""

_PROPERTY_DECORATORS = frozenset({"property", "cached_property", "abstractproperty"})
_ACCESSORS = frozenset({"setter", "getter", "deleter"})


@dataclass(frozen=True)
class Unit:
    """One documented definition and the definitions that belong to it.

    ``node`` is where the guide lives; ``members`` are every definition of the unit in file
    order (``node`` included): overload signatures, property accessors. ``importable`` says
    whether the unit is reachable from outside: every enclosing definition is a class.
    ``count`` is how many units bind ``qualname`` at this level (more than 1: redefined).
    """

    key: str
    qualname: str
    node: Definition
    members: tuple[Definition, ...]
    in_class: bool
    importable: bool
    count: int = 1

    @property
    def first_line(self) -> int:
        """The 1-based line of the first member's first decorator or keyword."""
        return min(_first_line(member) for member in self.members)


def plain_qualname(key: str) -> str:
    """The qualified name a key stands for: ``Outer#1.method#2`` -> ``Outer.method``."""
    if KEY_MARK not in key:
        return key
    return ".".join(part.split(KEY_MARK, 1)[0] for part in key.split("."))


def describe_key(tree: ast.Module, key: str) -> str:
    """Which definition ``key`` is, in words, for headings and messages; ``""`` for a name
    defined once (and for an unknown key).

    ``getchar#1`` under ``if WIN:`` -> ``definition 1 of 2, under `if WIN:```; the last one
    -> ``definition 2 of 2, under `else:```; a method of an earlier class definition ->
    ``in definition 1 of 2 of `Outer```. The branch is named for ``if``/``elif``/``else`` and
    ``try``/``except``/``else``/``finally``; ordinals count in file order, 1-based.
    """
    index = unit_index(tree)
    unit = index.get(key)
    if unit is None:
        return ""
    if unit.count > 1:
        _name, _mark, number = key.rpartition(".")[2].partition(KEY_MARK)
        words = f"definition {number or unit.count} of {unit.count}"
        branch = _branch_of(tree, unit.members[0])
        return f"{words}, under `{branch}`" if branch else words
    parent = key.rpartition(".")[0]
    while parent and (outer := index.get(parent)) is not None and outer.count == 1:
        parent = parent.rpartition(".")[0]
    if not parent:
        return ""
    return f"in the {describe_key(tree, parent)} of `{plain_qualname(parent)}`"


def _branch_of(tree: ast.Module, node: Definition) -> str | None:
    """The header of the ``if``/``try`` branch ``node`` sits directly in, as source text."""
    statements = list(ast.walk(tree))
    elifs = {id(s.orelse[0]) for s in statements if isinstance(s, ast.If) and _is_elif(s)}
    for statement in statements:
        branches: list[tuple[str, list[ast.stmt]]] = []
        if isinstance(statement, ast.If):
            keyword = "elif" if id(statement) in elifs else "if"
            header = f"{keyword} {_short(statement.test)}:"
            branches = [(header, statement.body), ("else:", statement.orelse)]
        elif isinstance(statement, _TRY_TYPES):
            attempt = cast(ast.Try, statement)  # ``try``/``except*`` (3.11) share these fields
            branches = [("try:", attempt.body), ("else: of try:", attempt.orelse)]
            branches += [("finally:", attempt.finalbody)]
            for handler in attempt.handlers:
                caught = f" {_short(handler.type)}" if handler.type is not None else ""
                branches.append((f"except{caught}:", handler.body))
        for header, body in branches:
            if any(member is node for member in body):
                return header
    return None


_TRY_TYPES: tuple[type[ast.stmt], ...] = tuple(
    kind for kind in (ast.Try, getattr(ast, "TryStar", None)) if kind is not None
)


def _is_elif(statement: ast.If) -> bool:
    return len(statement.orelse) == 1 and isinstance(statement.orelse[0], ast.If)


def _short(expression: ast.expr, limit: int = 40) -> str:
    text = ast.unparse(expression)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def call_forms(related: Sequence[str], *, method: bool = False, limit: int = 120) -> list[str]:
    """The ``@overload`` signatures among ``related`` as call forms, in file order.

    ``related`` is definitions' source text, as in ``Symbol.related``. Each form is
    ``name(parameters) -> return`` (``-> return`` only when annotated). With ``method`` (the
    signatures are a class's), the first parameter, bound by the call (``self``, ``cls``,
    whatever its name), is left out, except for a ``@staticmethod``. A form longer than
    ``limit`` characters is cut and ends with ``…``. Text that does not parse, or is no
    overload, is skipped.
    """
    forms: list[str] = []
    for text in related:
        tree = _parse_slice(text)
        node = tree.body[0] if tree is not None and tree.body else None
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) or not is_overload(node):
            continue
        arguments = copy.copy(node.args)
        static = any(_last_name(d) == "staticmethod" for d in node.decorator_list)
        if method and not static:  # defaults belong to the last parameters: they stay right
            if arguments.posonlyargs:
                arguments.posonlyargs = arguments.posonlyargs[1:]
            else:
                arguments.args = arguments.args[1:]
        returns = f" -> {ast.unparse(node.returns)}" if node.returns is not None else ""
        form = f"{node.name}({ast.unparse(arguments)}){returns}"
        forms.append(form if len(form) <= limit else form[: limit - 1] + "…")
    return forms


def _parse_slice(text: str) -> ast.Module | None:
    """A definition's source cut from its file: its first line starts at the ``def`` (or
    decorator) column, the others keep the file's indentation; None when it does not parse."""
    indents = sorted({len(line) - len(line.lstrip()) for line in text.splitlines()[1:]})
    for column in indents or [0]:
        try:
            return parse(textwrap.dedent(" " * column + text))
        except (SyntaxError, ValueError):
            continue
    return None


def is_overload(node: Definition) -> bool:
    """Whether ``node`` is decorated with ``overload`` (``typing``, ``typing_extensions``)."""
    return any(_last_name(decorator) == "overload" for decorator in node.decorator_list)


def is_property(node: Definition) -> bool:
    """Whether ``node`` is a property getter (``@property``, ``@cached_property``...)."""
    return any(_last_name(decorator) in _PROPERTY_DECORATORS for decorator in node.decorator_list)


def _accessor_of(node: Definition) -> str | None:
    """The property name ``node`` is a setter, getter or deleter of (``@name.setter``)."""
    for decorator in node.decorator_list:
        if (
            isinstance(decorator, ast.Attribute)
            and decorator.attr in _ACCESSORS
            and isinstance(decorator.value, ast.Name)
        ):
            return decorator.value.id
    return None


def _last_name(decorator: ast.expr) -> str | None:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Attribute):
        return target.attr
    return None


def _first_line(node: Definition) -> int:
    return min([node.lineno, *(d.lineno for d in node.decorator_list)])


@node_cache
def units(tree: ast.Module) -> tuple[Unit, ...]:
    """Every unit of ``tree``, outer before inner, in file order (cached per tree)."""
    return tuple(_walk(tree.body, "", in_class=False, importable=True))


@node_cache
def unit_index(tree: ast.Module) -> dict[str, Unit]:
    """Every unit of ``tree`` by key."""
    return {unit.key: unit for unit in units(tree)}


@node_cache
def _member_index(tree: ast.Module) -> dict[int, Unit]:
    return {id(member): unit for unit in units(tree) for member in unit.members}


def unit_of(tree: ast.Module, node: Definition) -> Unit | None:
    """The unit ``node`` (a definition of ``tree``) belongs to."""
    return _member_index(tree).get(id(node))


def _walk(body: list[ast.stmt], prefix: str, in_class: bool, importable: bool) -> Iterator[Unit]:
    """The units of one scope (``body`` with its ``if``/``try``/... blocks), then theirs."""
    groups: dict[str, list[list[Definition]]] = {}
    pending: dict[str, list[Definition]] = {}
    order: list[tuple[str, int]] = []  # (name, index in groups[name]) by first appearance
    script_only = _under_main_guard(body) if not prefix else set()
    for node in flatten_statements(body):
        if not isinstance(node, DEFINITION_TYPES):
            continue
        name = node.name
        if is_overload(node):
            pending.setdefault(name, []).append(node)
            continue
        accessor = _accessor_of(node)
        existing = groups.get(name)
        if accessor == name and existing and is_property(existing[-1][0]) and name not in pending:
            existing[-1].append(node)
            continue
        groups.setdefault(name, []).append([*pending.pop(name, []), node])
        order.append((name, len(groups[name]) - 1))
    for name, stubs in pending.items():  # signatures with no implementation after them
        groups.setdefault(name, []).append(stubs)
        order.append((name, len(groups[name]) - 1))
    order.sort(key=lambda item: _first_line(groups[item[0]][item[1]][0]))
    found: list[Unit] = []
    for name, index in order:
        members = groups[name][index]
        count = len(groups[name])
        key = f"{prefix}{name}" + (f"{KEY_MARK}{index + 1}" if index < count - 1 else "")
        node = _documented(members)
        qualname = plain_qualname(f"{prefix}{name}")
        runs_on_import = importable and id(node) not in script_only
        found.append(Unit(key, qualname, node, tuple(members), in_class, runs_on_import, count))
    for unit in found:
        yield unit
        is_class = isinstance(unit.node, ast.ClassDef)
        inner = [statement for member in unit.members for statement in member.body]
        yield from _walk(inner, f"{unit.key}.", is_class, unit.importable and is_class)


def _under_main_guard(body: list[ast.stmt]) -> set[int]:
    """The ids of the statements inside ``if __name__ == "__main__":`` blocks of ``body`` (also
    ``and``-ed with more conditions): they run only when the module runs as a script, so
    importing it binds nothing they define."""
    found: set[int] = set()
    for node in body:
        if isinstance(node, ast.If) and is_main_guard(node.test):
            found |= {id(statement) for statement in flatten_statements(node.body)}
    return found


def is_main_guard(test: ast.expr) -> bool:
    """``__name__ == "__main__"`` (either way round, or as one operand of ``and``)."""
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        return any(is_main_guard(value) for value in test.values)
    if not isinstance(test, ast.Compare) or len(test.comparators) != 1:
        return False
    sides = [test.left, test.comparators[0]]
    names = [s for s in sides if isinstance(s, ast.Name) and s.id == "__name__"]
    texts = [s for s in sides if isinstance(s, ast.Constant) and s.value == "__main__"]
    return isinstance(test.ops[0], ast.Eq) and bool(names) and bool(texts)


def _documented(members: list[Definition]) -> Definition:
    """Where a unit's guide lives: the implementation, else the last signature; the getter."""
    if is_property(members[0]):
        return members[0]
    implementations = [member for member in members if not is_overload(member)]
    return implementations[-1] if implementations else members[-1]
