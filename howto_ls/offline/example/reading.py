"""What an example reads from a module's code: its top-level names, classes, functions."""

from __future__ import annotations

import ast
import functools
import re

from howto_ls.astutil import literal_all, parse
from howto_ls.model import Parameter
from howto_ls.offline.analysis import FunctionNode, find_method, parameters_of, parse_module
from howto_ls.offline.doctypes import documented_parameters
from howto_ls.project import type_checking_only


@functools.lru_cache(maxsize=8)
def top_level_names(source: str) -> frozenset[str]:
    """The names the module text ``source`` defines (``def``, ``class``) or assigns to at its
    top level, imported ones left out; empty when it does not parse."""
    try:
        tree = parse(source)
    except SyntaxError:
        return frozenset()
    names: set[str] = set()
    for statement in tree.body:
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(statement.name)
        elif isinstance(statement, ast.Assign):
            names |= {t.id for t in statement.targets if isinstance(t, ast.Name)}
    return frozenset(names)


@functools.lru_cache(maxsize=8)
def top_level_class_names(source: str) -> frozenset[str]:
    """The names of the classes the module text ``source`` defines at its top level (read from
    its ``class`` lines, without parsing)."""
    return frozenset(re.findall(r"^class[ \t]+(\w+)", source, re.MULTILINE))


@functools.lru_cache(maxsize=256)
def only_under_type_checking(source: str, name: str) -> bool:
    """Whether the module text ``source`` defines or imports ``name`` only under
    ``if TYPE_CHECKING:`` (so it does not exist at run time); False when it does not parse."""
    tree = parse_module(source)  # asked for every symbol: parse each module once
    return tree is not None and type_checking_only(tree, name)


def exported_names(tree: ast.Module) -> list[str]:
    """What the module ``tree`` (one without functions or classes) offers, in order: the
    names of ``__all__`` it binds at run time (or its ``__getattr__`` answers), else the
    public names it imports or assigns at its top level."""
    from howto_ls.project import runtime_names, runtime_statements

    listed = literal_all(tree)
    if listed is not None:
        bound = runtime_names(tree)
        if "*" in bound:
            return listed  # a star import may bind any of them
        return [name for name in listed if name in bound]

    names: list[str] = []
    for statement in runtime_statements(tree.body):
        if isinstance(statement, ast.ImportFrom):
            names += [a.asname or a.name for a in statement.names if a.name != "*"]
        elif isinstance(statement, ast.Assign):
            names += [t.id for t in statement.targets if isinstance(t, ast.Name)]
    return [n for n in dict.fromkeys(names) if not n.startswith("_") and n != "annotations"]


def module_variables(tree: ast.Module) -> list[str]:
    """The names of the variables the module ``tree`` assigns at its top level, in order,
    ``__version__``-style ones included (``__all__``, ``__slots__``, ``__path__`` and
    ``__getattr__`` left out)."""
    names = [
        target.id
        for statement in tree.body
        if isinstance(statement, ast.Assign | ast.AnnAssign)
        for target in (
            statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        )
        if isinstance(target, ast.Name)
    ]
    skipped = {"__all__", "__slots__", "__path__", "__getattr__"}
    return [n for n in dict.fromkeys(names) if n not in skipped]


def call_parameters(node: FunctionNode) -> list[Parameter]:
    """The parameters a call of the module function ``node`` passes: its signature's, with the
    names its docstring documents but ``*args`` takes (``evolve(*args, **changes)`` documenting
    ``inst``) as positional-only parameters in the place of ``*args``."""
    params = parameters_of(node)
    if not any(p.kind == "var_positional" for p in params):
        return params
    named = {p.name for p in params}
    documented = documented_parameters(ast.get_docstring(node) or "")
    start = next(i for i, p in enumerate(params) if p.kind == "var_positional")
    extra = [
        Parameter(name, kind="positional_only")
        for name in dict.fromkeys(documented)
        if name not in named
    ]
    return [*params[:start], *extra, *params[start:]]


def top_level_function(source: str, name: str) -> FunctionNode | None:
    """The function ``name`` the module text ``source`` defines at its top level; None when
    it defines none of that name or does not parse."""
    try:
        tree = parse(source)
    except SyntaxError:
        return None
    for statement in tree.body:
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef) and statement.name == name:
            return statement
    return None


def initializer(node: ast.ClassDef) -> FunctionNode | None:
    """The method that receives a class's constructor arguments: its own ``__init__``, else
    its own ``__new__`` (inherited ones are not looked for); None when it defines neither."""
    return find_method(node, "__init__") or find_method(node, "__new__")


def function_of(definition: ast.AST | None) -> FunctionNode | None:
    """The function whose code receives a definition's arguments: a function itself, a
    class's :func:`initializer`; None for anything else (or a class without one)."""
    if isinstance(definition, ast.ClassDef):
        return initializer(definition)
    return definition if isinstance(definition, ast.FunctionDef | ast.AsyncFunctionDef) else None
