"""Names that alias a function: ``accumulate = curry(itertoolz.accumulate)``, ``get = getter``.

A variable's example prints it; for a name bound to a function (or to a wrapper of one, such as
a curried or memoized version) that shows a function object, not what it does. This module
finds the function a module-level name aliases, following the module's imports (re-exports and
``from m import *`` too, a few modules deep) inside the project, and rewrites that function's
own example to call the alias instead. Pure: nothing runs; project files are only read.
"""

from __future__ import annotations

import ast
from pathlib import Path

from howto_ls.astutil import parse, parse_shared
from howto_ls.offline.aliases import imported_names
from howto_ls.offline.example.foreign import import_root, project_file_text
from howto_ls.project import module_file

MAX_DEPTH = 3
"""Re-exports followed at most to find the aliased function's definition."""

Definition = tuple[ast.FunctionDef | ast.AsyncFunctionDef, str, str, Path]
"""A function's definition, its module's text, the module's dotted name and its file."""


def aliased_reference(value: ast.expr | None) -> ast.expr | None:
    """The expression naming the function ``value`` (a variable's value) aliases: ``value``
    itself when it is a name or a dotted name, the one argument of a call that wraps one
    (``curry(f)``, ``memoize(mod.f)``); None otherwise, and for a call that binds more
    (``partial(f, 1)`` takes fewer arguments than ``f``: its example would not fit)."""
    if isinstance(value, ast.Call):
        if len(value.args) != 1 or value.keywords:
            return None
        value = value.args[0]
    if isinstance(value, ast.Name | ast.Attribute) and _dotted(value):
        return value
    return None


def find_function(
    reference: ast.expr, source: str, module: str, path: Path, depth: int = 0
) -> Definition | None:
    """The definition of the function ``reference`` (a name or dotted name) names in the
    module ``module`` (file ``path``, text ``source``), following its imports under the
    project's import root; None when it names no function found there."""
    dotted = _dotted(reference)
    if dotted is None or depth > MAX_DEPTH:
        return None
    root = import_root(path, module)
    if root is None:
        return None
    head, _, rest = dotted.partition(".")
    if not rest:
        found = _top_function(source, head)
        if found is not None:
            return found, source, module, path
    target = imported_names(source, module, path.name).get(head)
    if target is None and rest and _imports_module(source, head):
        target = (head, "")  # ``import package.module`` binds the package's name
    if target is not None:
        other, name = target
        if rest:  # ``package.module.f``: the module is the name's head and all but its last part
            module_part, _, name = rest.rpartition(".")
            other = ".".join(p for p in (other, target[1], module_part) if p)
        if not name or "." in name:
            return None
        return _in_module(other, name, root, depth + 1)
    if not rest:
        for star in _star_imports(source, module, path.name):
            found_star = _in_module(star, head, root, depth + 1)
            if found_star is not None:
                return found_star
    return None


def called_as(function_example: str, function_name: str, alias_import: str, alias: str) -> str:
    """``function_example`` (an example that imports and calls ``function_name``) calling
    ``alias`` instead, imported by the line ``alias_import``: the line that imported the
    function is replaced; other names stay. The text unchanged when that line is missing."""
    lines = function_example.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("from ") and line.endswith(f" import {function_name}"):
            lines[index] = alias_import
            break
    else:
        return function_example
    text = "\n".join(lines) + "\n"
    return _renamed(text, function_name, alias) if alias != function_name else text


def _renamed(text: str, old: str, new: str) -> str:
    """``text`` with every load of the name ``old`` spelled ``new``."""
    try:
        tree = parse(text)
    except SyntaxError:
        return text
    lines = text.splitlines(keepends=True)
    spots = sorted(
        (
            (node.lineno, node.col_offset)
            for node in ast.walk(tree)
            if isinstance(node, ast.Name) and node.id == old
        ),
        reverse=True,
    )
    for line, column in spots:
        raw = lines[line - 1].encode("utf-8")
        raw = raw[:column] + new.encode("utf-8") + raw[column + len(old.encode("utf-8")) :]
        lines[line - 1] = raw.decode("utf-8")
    return "".join(lines)


def _in_module(module: str, name: str, root: Path, depth: int) -> Definition | None:
    """:func:`find_function` for ``name`` in the project module ``module``."""
    path = module_file(module, root)
    text = project_file_text(path, root) if path is not None else None
    if path is None or text is None:
        return None
    reference = ast.Name(id=name)
    return find_function(reference, text, module, path, depth)


def _top_function(source: str, name: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The function ``name`` defined at the top level of ``source`` (the last definition)."""
    try:
        tree = parse_shared(source)
    except SyntaxError:
        return None
    found = None
    for statement in tree.body:
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef) and (
            statement.name == name
        ):
            found = statement
    return found


def _imports_module(source: str, head: str) -> bool:
    """Whether ``source`` has an ``import head`` or ``import head.sub`` at its top level."""
    try:
        tree = parse_shared(source)
    except SyntaxError:
        return False
    return any(
        isinstance(statement, ast.Import)
        and any(a.asname is None and a.name.split(".")[0] == head for a in statement.names)
        for statement in tree.body
    )


def _star_imports(source: str, module: str, filename: str) -> list[str]:
    """The absolute modules ``source`` imports everything from (``from .m import *``)."""
    try:
        tree = parse_shared(source)
    except SyntaxError:
        return []
    package = module if filename == "__init__.py" else module.rpartition(".")[0]
    found = []
    for statement in tree.body:
        if isinstance(statement, ast.ImportFrom) and any(a.name == "*" for a in statement.names):
            base = package
            for _ in range(max(statement.level - 1, 0)):
                base = base.rpartition(".")[0]
            if statement.level:
                found.append(f"{base}.{statement.module}" if statement.module else base)
            elif statement.module:
                found.append(statement.module)
    return found


def _dotted(node: ast.expr) -> str | None:
    """``a.b.c`` for a dotted name, None for any other expression."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value)
        return f"{head}.{node.attr}" if head else None
    return None
