"""Code fingerprints: short hashes that change with the code but not with comments or docs."""

from __future__ import annotations

import ast
import hashlib
from copy import deepcopy

from howto_ls.astutil import find_definition, strip_docstrings
from howto_ls.errors import SourceError, SymbolNotFoundError

Assignment = ast.Assign | ast.AnnAssign
_ASSIGNMENTS = (ast.Assign, ast.AnnAssign)
_BODY_FIELDS = ("body", "orelse", "finalbody")


def strip_attribute_docstrings(tree: ast.AST) -> ast.AST:
    """Remove string statements that directly follow an assignment (PEP 257 attribute docs)."""
    for node in ast.walk(tree):
        for field in _BODY_FIELDS:
            body = getattr(node, field, None)
            if isinstance(body, list) and body:
                kept = [
                    stmt
                    for index, stmt in enumerate(body)
                    if not (index and _documents(stmt, body[index - 1]))
                ]
                if len(kept) != len(body):
                    setattr(node, field, kept)
    return tree


def code_dump(tree: ast.AST, *, copy: bool = True) -> str:
    """A dump of ``tree`` without positions, docstrings or attribute docstrings.

    With ``copy=False`` the docstrings are stripped from ``tree`` itself, which is faster.
    """
    clean = strip_attribute_docstrings(strip_docstrings(deepcopy(tree) if copy else tree))
    if isinstance(clean, ast.Module) and not clean.body:
        clean.body = [ast.Pass()]  # an empty module is a module whose docstring was stripped
    return ast.dump(clean, include_attributes=False)


def fingerprint_node(node: ast.AST) -> str:
    """Twelve hex digits of the sha256 of ``node``'s code, docs and formatting ignored."""
    return hashlib.sha256(code_dump(node).encode("utf-8")).hexdigest()[:12]


def fingerprint_of(source: str, qualname: str) -> str:
    """The fingerprint of the def/class, module (``""``) or variable named ``qualname``."""
    tree = parse_source(source)
    return fingerprint_node(find_node(tree, qualname))


def parse_source(source: str, name: str = "the source") -> ast.Module:
    """``source`` parsed, or SourceError naming the line and the problem."""
    try:
        return ast.parse(source)
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
