"""Code fingerprints: short hashes that change with the code but not with comments or docs."""

from __future__ import annotations

import ast
import functools
import hashlib
from collections.abc import Iterable

from howto_ls import astutil
from howto_ls.astutil import find_definition
from howto_ls.definitions import unit_index
from howto_ls.errors import SourceError, SymbolNotFoundError
from howto_ls.syntax import parse_problem

Assignment = ast.Assign | ast.AnnAssign
_ASSIGNMENTS: tuple[type[ast.stmt], ...] = (ast.Assign, ast.AnnAssign, *astutil.TYPE_ALIAS_TYPES)
_BODY_FIELDS = ("body", "orelse", "finalbody")
_DOCUMENTED = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


def code_text(node: ast.AST, *, function_bodies: bool = True) -> str:
    """A canonical text of ``node``'s code, the same on every supported Python version.

    Positions, docstrings and attribute docstrings are left out, and so are fields that are
    ``None`` or empty lists: new Python versions add such fields (``type_params`` in 3.12), and
    ``ast.dump`` changed how it shows them in 3.13. Empty string pieces of f-strings are left out
    too (3.12.1 adds one to nested format specs), and values are written in ASCII (``repr``
    of a string depends on the Unicode version). ``node`` is not modified or copied. Without
    ``function_bodies``, functions and methods count by their signatures and decorators only.
    """
    parts: list[str] = []
    _write_code(node, parts, function_bodies)
    return "".join(parts)


def _write_code(node: ast.AST, parts: list[str], function_bodies: bool) -> None:
    if isinstance(node, ast.TypeIgnore):  # ``# type: ignore[tag]``: its tag, not its line
        parts.append(f"TypeIgnore({node.tag!a})")
        return
    parts.append(type(node).__name__)
    parts.append("(")
    skip_body = not function_bodies and isinstance(node, _FUNCTIONS)
    for name in node._fields:
        if skip_body and name == "body":
            continue
        value = getattr(node, name, None)
        if type(value) is list:
            if name in _BODY_FIELDS:
                value = _code_statements(value, name == "body" and isinstance(node, _DOCUMENTED))
            elif isinstance(node, ast.JoinedStr):
                value = [part for part in value if not _is_empty_string(part)]
            if not value:
                continue
            parts.append(name)
            parts.append("=[")
            for item in value:
                if isinstance(item, ast.AST):
                    _write_code(item, parts, function_bodies)
                else:
                    parts.append(ascii(item))
                parts.append(",")
            parts.append("],")
        elif isinstance(value, ast.AST):
            parts.append(name)
            parts.append("=")
            _write_code(value, parts, function_bodies)
            parts.append(",")
        elif value is not None:
            parts.append(f"{name}={value!a},")
    parts.append(")")


_PASS: list[ast.stmt] = [ast.Pass()]


def _code_statements(body: list[ast.stmt], documented: bool) -> list[ast.stmt]:
    """``body`` without its docstring (when ``documented``) or attribute docstrings.

    A documented body left empty reads as ``pass``, so removing the only docstring of a
    function or module does not change its code.
    """
    if documented and body and _is_string_statement(body[0]):
        body = body[1:]
        if not body:
            return _PASS
    if any(index and _documents(stmt, body[index - 1]) for index, stmt in enumerate(body)):
        body = [
            stmt
            for index, stmt in enumerate(body)
            if not (index and _documents(stmt, body[index - 1]))
        ]
    if documented and not body:
        return _PASS
    return body


def same_code_trees(old: ast.AST, new: ast.AST) -> bool:
    """Whether two trees hold the same code once positions and docs are left out.

    Each tree's text is kept for the next check: the file an edit produced is the file the next
    edit starts from, and its tree is shared (``astutil.parse_shared``), so a run of edits to
    one file walks each version once.
    """
    return _tree_text(old) == _tree_text(new)


@functools.lru_cache(maxsize=16)
def _tree_text(tree: ast.AST) -> str:
    """``code_text`` of a tree that is never changed (keyed by the tree itself)."""
    return code_text(tree)


def fingerprint_node(node: ast.AST) -> str:
    """Twelve hex digits of the sha256 of ``node``'s code, docs and formatting ignored.

    A module counts by its own statements and the signatures of its functions and methods: a
    module guide tells how to use what the module offers, and a change inside one function
    (which makes that function's guide stale) does not make it wrong.
    """
    text = code_text(node, function_bodies=not isinstance(node, ast.Module))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


@functools.lru_cache(maxsize=256)
def fingerprint_of(source: str, qualname: str) -> str:
    """The fingerprint of the def/class, module (``""``) or variable with key ``qualname``.

    Cached, and the module's parse is shared by every symbol of it: a batch asks for each
    symbol of a module in turn, and a parse of a large module costs tens of milliseconds.
    """
    return fingerprint_key(parse_source(source), qualname)


def fingerprints_of(source: str, qualnames: Iterable[str]) -> dict[str, str]:
    """Fingerprints of several symbols from one parse (SymbolNotFoundError if one is missing)."""
    tree = parse_source(source)
    return {qualname: fingerprint_key(tree, qualname) for qualname in qualnames}


def fingerprint_key(tree: ast.Module, key: str) -> str:
    """The fingerprint of the symbol with ``key`` (``howto_ls.definitions``) in ``tree``.

    A definition made of several (a property's getter, setter and deleter; ``@overload``
    signatures and their implementation) counts all of them, so changing the setter makes the
    property's guide stale. A single definition counts as ``fingerprint_node`` of it.
    """
    unit = unit_index(tree).get(key) if key else None
    if unit is None or len(unit.members) == 1:
        return fingerprint_node(find_node(tree, key))
    text = "".join(code_text(member) for member in unit.members)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def parse_source(source: str, name: str = "the file") -> ast.Module:
    """``source`` parsed (the shared tree: never change it), or SourceError naming the line."""
    try:
        return astutil.parse_shared(source)
    except (SyntaxError, ValueError):
        problem = parse_problem(source)
        assert problem is not None
        if problem.nested:
            raise SourceError(f"cannot read {name}: {problem.describe()}") from None
        raise SourceError(f"{name} {problem.describe(version=False)}") from None


def find_node(tree: ast.Module, qualname: str) -> ast.AST:
    """The module, def/class, or assignment statement named ``qualname``."""
    if qualname == "":
        return tree
    definition = find_definition(tree, qualname)
    if definition is not None:
        return definition
    found = find_assignment(tree, qualname)
    if found is None:
        raise SymbolNotFoundError(
            f"no function, class or variable named {qualname!r} in this file; check the name"
        )
    return found[1][found[2]]


def find_assignment(tree: ast.Module, qualname: str) -> tuple[ast.AST, list[ast.stmt], int] | None:
    """``(owner, body, index)`` of the first assignment to ``qualname`` in a module or class."""
    owner_name, _, name = qualname.rpartition(".")
    owner: ast.AST | None = tree if not owner_name else find_definition(tree, owner_name)
    if owner is None or not isinstance(owner, ast.Module | ast.ClassDef):
        return None
    for index, stmt in enumerate(owner.body):
        if _assigns(stmt, name):
            return owner, owner.body, index
    return None


def _assigns(stmt: ast.stmt, name: str) -> bool:
    """Whether ``stmt`` is an assignment binding ``name`` (directly or in a tuple target)."""
    if astutil.type_alias_name(stmt) is not None:
        return astutil.type_alias_name(stmt) == name
    if isinstance(stmt, ast.Assign):
        targets: list[ast.expr] = list(stmt.targets)
    elif isinstance(stmt, ast.AnnAssign):
        targets = [stmt.target]
    else:
        return False
    for target in targets:
        for node in ast.walk(target):
            if isinstance(node, ast.Name) and node.id == name:
                return True
    return False


def _documents(stmt: ast.stmt, previous: ast.stmt) -> bool:
    """Whether ``stmt`` is a string statement documenting the assignment ``previous``."""
    return _is_string_statement(stmt) and isinstance(previous, _ASSIGNMENTS)


def _is_empty_string(node: object) -> bool:
    return isinstance(node, ast.Constant) and node.value == ""


def _is_string_statement(stmt: ast.stmt) -> bool:
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, str)
    )
