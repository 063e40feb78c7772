"""Module-level names for types, and what an annotation naming one stands for.

A type alias (``X = Union[...]``, ``X: TypeAlias = ...``, ``type X = ...``), a ``NewType``
(``X = NewType("X", int)``) or a type variable (``T = TypeVar("T", bound=B)`` or with
constraints) is found in the module that uses it or, following its imports (two re-exports
deep), in the module that defines it. Rules from the ``typing`` documentation: a ``NewType``
is built from its base type, a ``TypeVar`` stands for its bound, else its first constraint.
"""

from __future__ import annotations

import ast
import functools
from dataclasses import dataclass
from pathlib import Path

from howto_ls.astutil import parse, parse_shared
from howto_ls.offline import index
from howto_ls.offline.index import file_text
from howto_ls.project import module_file


@dataclass(frozen=True)
class TypeAlias:
    """A module-level name for a type.

    ``kind`` is ``"alias"``, ``"newtype"`` or ``"typevar"``; ``expansion`` the annotation text
    it stands for (a ``NewType``'s base, a ``TypeVar``'s bound or first constraint, ``Any`` for
    an unbounded one); ``module``, ``source`` and ``filename`` name the defining module, whose
    imports resolve the names inside ``expansion``.
    """

    name: str
    kind: str
    expansion: str
    module: str
    source: str
    filename: str


@functools.lru_cache(maxsize=256)  # a batch asks again for a whole project's modules
def imported_names(source: str, module: str, filename: str) -> dict[str, tuple[str, str]]:
    """Local name -> (absolute module, imported name; "" for a whole module), from every import
    of ``source`` (type-checking and function-local ones too: only types are looked up).

    ``module`` is the dotted name of ``source``'s module, ``filename`` its file name
    (``__init__.py`` for a package: relative imports start from the package itself). Empty
    when ``source`` does not parse. The text's reading of
    :func:`howto_ls.offline.index.imported_names`, cached per text.
    """
    try:
        tree = parse_shared(source)
    except (SyntaxError, ValueError):
        return {}
    return index.imported_names(tree, module, filename)


@functools.lru_cache(maxsize=64)
def aliases_in(source: str) -> dict[str, tuple[str, str]]:
    """Name -> (kind, expansion) for the type aliases, NewTypes and TypeVars ``source`` defines
    at its top level (inside ``if``/``try`` blocks too, ``if TYPE_CHECKING:`` included)."""
    try:
        tree = parse(source)
    except SyntaxError:
        return {}
    found: dict[str, tuple[str, str]] = {}
    for statement in _top_level(tree.body):
        defined = _definition(statement)
        if defined is not None:
            found.setdefault(defined[0], defined[1:])
    return found


def find_alias(
    head: str, source: str, module: str, filename: str, root: Path, depth: int = 0
) -> TypeAlias | None:
    """The alias ``head`` (``X`` or ``module_alias.X``) names in the module ``module`` whose text
    is ``source``: defined there, or imported from a module under ``root`` (two re-exports
    deep); None when it names no alias."""
    first, _, rest = head.partition(".")
    if rest and "." in rest:
        return None
    if not rest:
        defined = aliases_in(source).get(head)
        if defined is not None:
            return TypeAlias(head, defined[0], defined[1], module, source, filename)
    target = imported_names(source, module, filename).get(first)
    if target is None or depth >= 2:
        return None
    other, name = target
    if rest:
        other, name = (f"{other}.{name}" if name else other), rest
    if not name:
        return None
    path = module_file(other, root)
    if path is None:
        return None
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError):
        return None
    text = file_text(path)
    if text is None:
        return None
    return find_alias(name, text, other, path.name, root, depth + 1)


def _top_level(body: list[ast.stmt]) -> list[ast.stmt]:
    """The statements of ``body``, with those of its ``if`` and ``try`` blocks."""
    out: list[ast.stmt] = []
    for statement in body:
        out.append(statement)
        if isinstance(statement, ast.If):
            out += _top_level(statement.body) + _top_level(statement.orelse)
        elif isinstance(statement, ast.Try):
            out += _top_level(statement.body) + _top_level(statement.orelse)
            for handler in statement.handlers:
                out += _top_level(handler.body)
    return out


def _definition(statement: ast.stmt) -> tuple[str, str, str] | None:
    """(name, kind, expansion) when ``statement`` defines a type alias, NewType or TypeVar."""
    type_alias = getattr(ast, "TypeAlias", None)  # ``type X = ...`` (Python 3.12+)
    if type_alias is not None and isinstance(statement, type_alias):
        name_node, value_node = getattr(statement, "name", None), getattr(statement, "value", None)
        if isinstance(name_node, ast.Name) and isinstance(value_node, ast.expr):
            return name_node.id, "alias", _text(value_node)
        return None
    if isinstance(statement, ast.AnnAssign):
        annotation = ast.unparse(statement.annotation)
        if (
            isinstance(statement.target, ast.Name)
            and statement.value is not None
            and annotation.rsplit(".", 1)[-1] == "TypeAlias"
        ):
            return statement.target.id, "alias", _text(statement.value)
        return None
    if not isinstance(statement, ast.Assign) or len(statement.targets) != 1:
        return None
    target, value = statement.targets[0], statement.value
    if not isinstance(target, ast.Name):
        return None
    if isinstance(value, ast.Call):
        called = ast.unparse(value.func).rsplit(".", 1)[-1]
        if called == "NewType" and len(value.args) == 2:
            return target.id, "newtype", _text(value.args[1])
        if called == "TypeVar":
            bound = next((k.value for k in value.keywords if k.arg == "bound"), None)
            constraint = value.args[1] if len(value.args) > 1 else None
            chosen = bound or constraint
            return target.id, "typevar", _text(chosen) if chosen is not None else "Any"
        return None
    if isinstance(value, ast.Subscript | ast.BinOp | ast.Name | ast.Attribute) or (
        isinstance(value, ast.Constant) and isinstance(value.value, str)
    ):
        return target.id, "alias", _text(value)
    return None


def _text(node: ast.expr) -> str:
    """The annotation text of ``node``; a string annotation's own text."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return ast.unparse(node)
