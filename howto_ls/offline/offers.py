"""What instances of a project class offer, read from the project index.

A class offers its own methods, class attributes and ``self.x`` assignments, and what its
project base classes offer (three deep): the attributes duck typing looks for when the writer
picks a class for an unannotated parameter (``r.headers``, ``r.register_hook(...)``). The
classes and bases are resolved as the example writer resolves them: a base defined at the top
of the same module, else through that module's imports (two re-exports deep), else a class the
top-level package itself exports.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from howto_ls.offline.index import ClassRecord, ParsedFacts, ProjectIndex
from howto_ls.project import module_file

MAX_BASE_DEPTH = 3
MAX_REEXPORTS = 2


class _NotIndexed:
    """A class the index does not hold (an installed library's): read it the slow way."""

    def __repr__(self) -> str:
        return "NOT_INDEXED"


NOT_INDEXED: Final = _NotIndexed()

_Found = tuple[ParsedFacts, ClassRecord] | None | _NotIndexed


def indexed_offer(
    held: ProjectIndex, module: str, name: str, root: Path, package: str
) -> frozenset[str] | _NotIndexed | None:
    """What instances of the class ``name`` of ``module`` offer (None when there is no such
    class; :data:`NOT_INDEXED` when it or one of its bases lies outside the index). ``root`` is
    the folder the package is imported from, ``package`` the top-level package whose exports
    resolve a base the module does not import. Memoized until the index changes."""

    def compute() -> frozenset[str] | _NotIndexed | None:
        found = _class(held, module, name, root, 0)
        if found is None or isinstance(found, _NotIndexed):
            return found
        return _offer(held, *found, root, package, 0)

    result = held.memo(("offer", module, name, root, package), compute)
    assert result is None or isinstance(result, frozenset | _NotIndexed)
    return result


def _class(held: ProjectIndex, module: str, name: str, root: Path, depth: int) -> _Found:
    """The class ``name`` of ``module`` as the index holds it, following imports."""
    if depth > MAX_REEXPORTS:
        return None
    path = module_file(module, root)
    record = held.parsed(path.resolve()) if path is not None else None
    if record is None:
        return NOT_INDEXED
    found = record.classes.get(name)
    if found is not None:
        return record, found
    target = record.imported.get(name)
    if target is None or not target[1]:
        return None
    return _class(held, target[0], target[1], root, depth + 1)


def _offer(
    held: ProjectIndex,
    record: ParsedFacts,
    node: ClassRecord,
    root: Path,
    package: str,
    depth: int,
) -> frozenset[str] | _NotIndexed:
    offered = set(node.offered)
    if depth >= MAX_BASE_DEPTH:
        return frozenset(offered)
    for base in node.bases:
        if not base or "." in base:
            continue
        parent: _Found = None
        if base in record.classes:
            if base == node.name:
                continue  # ``class A(A)`` names the class it replaces: not read here
            parent = record, record.classes[base]
        else:
            target = record.imported.get(base)
            if target is not None:
                parent = _class(held, target[0], target[1], root, 0) if target[1] else None
            elif base[:1].isupper() and base.isidentifier():
                parent = _class(held, package, base, root, 0)
        if isinstance(parent, _NotIndexed):
            return parent
        if parent is not None and parent[1] is not node:
            more = _offer(held, *parent, root, package, depth + 1)
            if isinstance(more, _NotIndexed):
                return more
            offered |= more
    return frozenset(offered)
