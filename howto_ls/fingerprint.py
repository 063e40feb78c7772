"""Code fingerprints: short hashes that change with the code but not with comments or docs."""

from __future__ import annotations

import ast
import functools
import hashlib
from collections.abc import Iterable
from copy import deepcopy

from howto_ls import astutil
from howto_ls.astutil import find_definition
from howto_ls.errors import SourceError, SymbolNotFoundError

Assignment = ast.Assign | ast.AnnAssign
_ASSIGNMENTS = (ast.Assign, ast.AnnAssign)
_BODY_FIELDS = ("body", "orelse", "finalbody")
_DOCUMENTED = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def strip_docs(tree: ast.AST) -> ast.AST:
    """Remove docstrings and attribute docstrings from ``tree`` in place; return it.

    A body left empty becomes ``pass``; string statements right after an assignment (PEP 257
    attribute docstrings) go too. Only statement lists are visited, which keeps this fast.
    """
    pending: list[ast.AST] = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, _DOCUMENTED) and node.body and _is_string_statement(node.body[0]):
            node.body = node.body[1:] or [ast.Pass()]
        for field in _BODY_FIELDS:
            body = getattr(node, field, None)
            if not isinstance(body, list) or not body:
                continue
            kept = [
                stmt
                for index, stmt in enumerate(body)
                if not (index and _documents(stmt, body[index - 1]))
            ]
            if len(kept) != len(body):
                setattr(node, field, kept)
            pending.extend(kept)
        for field in ("handlers", "cases"):
            pending.extend(getattr(node, field, None) or ())
    if isinstance(tree, ast.Module) and not tree.body:
        tree.body = [ast.Pass()]  # an empty module is a module whose docstring was stripped
    return tree


def code_dump(tree: ast.AST, *, copy: bool = True) -> str:
    """A dump of ``tree`` without positions, docstrings or attribute docstrings.

    With ``copy=False`` the docstrings are stripped from ``tree`` itself, which is faster.
    """
    return ast.dump(strip_docs(deepcopy(tree) if copy else tree), include_attributes=False)


def same_code_trees(old: ast.AST, new: ast.AST) -> bool:
    """Whether two trees hold the same code once docs are stripped (both stripped in place)."""
    pending: list[tuple[object, object]] = [(strip_docs(old), strip_docs(new))]
    while pending:
        left, right = pending.pop()
        if type(left) is not type(right):
            return False
        if isinstance(left, ast.AST):
            pending.extend((getattr(left, f, None), getattr(right, f, None)) for f in left._fields)
        elif isinstance(left, list) and isinstance(right, list):
            if len(left) != len(right):
                return False
            pending.extend(zip(left, right, strict=True))
        elif left != right:
            return False
    return True


def fingerprint_node(node: ast.AST) -> str:
    """Twelve hex digits of the sha256 of ``node``'s code, docs and formatting ignored."""
    return _digest(code_dump(node))


@functools.lru_cache(maxsize=256)
def fingerprint_of(source: str, qualname: str) -> str:
    """The fingerprint of the def/class, module (``""``) or variable named ``qualname``.

    Cached, and the module's parse is shared by every symbol of it: a batch asks for each
    symbol of a module in turn, and a parse of a large module costs tens of milliseconds.
    """
    return _digest(code_dump(find_node(_parsed(source), qualname)))


@functools.lru_cache(maxsize=8)
def _parsed(source: str) -> ast.Module:
    """``source`` parsed once; never mutated (``code_dump`` copies before stripping)."""
    return parse_source(source)


def fingerprints_of(source: str, qualnames: Iterable[str]) -> dict[str, str]:
    """Fingerprints of several symbols from one parse (SymbolNotFoundError if one is missing)."""
    tree = parse_source(source)
    nodes = {qualname: find_node(tree, qualname) for qualname in qualnames}
    # Stripping docs in place cannot change another symbol's fingerprint: all ignore docs.
    return {qualname: _digest(code_dump(node, copy=False)) for qualname, node in nodes.items()}


def _digest(dump: str) -> str:
    return hashlib.sha256(dump.encode("utf-8")).hexdigest()[:12]


def parse_source(source: str, name: str = "the source") -> ast.Module:
    """``source`` parsed, or SourceError naming the line and the problem."""
    try:
        return astutil.parse(source)
    except SyntaxError as exc:
        raise SourceError(
            f"{name} does not parse (line {exc.lineno}: {exc.msg}); fix the syntax error first"
        ) from None
    except ValueError as exc:
        raise SourceError(f"{name} does not parse ({exc}); fix the file first") from None


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


def _is_string_statement(stmt: ast.stmt) -> bool:
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, str)
    )
