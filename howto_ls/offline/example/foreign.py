"""Classes of other modules: the project's (following re-exports) or an installed library's."""

from __future__ import annotations

import ast
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from howto_ls.offline.aliases import imported_names as _imported_names
from howto_ls.offline.analysis import top_level_class
from howto_ls.offline.index import file_text
from howto_ls.offline.installed import installed_module_file
from howto_ls.project import module_file, public_import_path


@dataclass(frozen=True)
class _ForeignClass:
    """A project class defined in another module: its definition, that module's text and name,
    its file name, and the public module users import it from."""

    node: ast.ClassDef
    source: str
    import_path: str
    module: str
    filename: str
    root: Path | None = None  # the folder its modules are found in (a project's, a library's)


def _project_text(path: Path, root: Path) -> str | None:
    """The text of ``path`` when it lies under ``root``; None otherwise or when unreadable.
    Read once per file version (modification time and size)."""
    if not _inside(path, root):
        return None
    return file_text(path)


@functools.lru_cache(maxsize=1024)
def _inside(path: Path, root: Path) -> bool:
    """Whether ``path`` resolves to a place under ``root`` (asked for the same few files by
    every symbol of a batch; resolving costs a system call per folder)."""
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError):
        return False
    return True


def _find_class(module: str, name: str, root: Path, depth: int) -> _ForeignClass | None:
    """The class ``name`` of project module ``module`` (following re-exports two deep), or of
    a library installed for the project (:mod:`howto_ls.offline.installed`), read from its
    source."""
    if depth > 2:
        return None
    path = module_file(module, root)
    source = _project_text(path, root) if path is not None else None
    if path is None or source is None:
        installed = installed_module_file(module, root)
        if installed is None:
            return None
        path, root = installed
        source = file_text(path)
        if source is None:
            return None
    node = top_level_class(source, name)
    if node is not None:
        import_path = public_import_path(module, name, root)
        return _ForeignClass(node, source, import_path, module, path.name, root)
    target = _imported_names(source, module, path.name).get(name)
    if target is None:
        return None
    source_module, imported = target
    if not imported:
        return None
    return _find_class(source_module, imported, root, depth + 1)


def _package_root(path: Path, module: str) -> Path | None:
    """The folder ``module`` is imported from, when ``path`` lies where its name says."""
    parts = module.split(".")
    packages = parts if path.name == "__init__.py" else parts[:-1]
    if path.name != "__init__.py" and path.stem != parts[-1]:
        return None
    folder = path.parent
    for name in reversed(packages):
        if folder.name != name:
            return None
        folder = folder.parent
    return folder


@functools.lru_cache(maxsize=16)
def _package_classes(root: Path, package: str) -> tuple[tuple[str, str], ...]:
    """(module, class name) of the public top-level classes in the package ``package`` under
    ``root`` (at most 400 files read; cached for the session)."""
    folder = root / package
    found: list[tuple[str, str]] = []
    files = sorted(folder.rglob("*.py"))[:400] if folder.is_dir() else []
    for path in files:
        relative = path.relative_to(root).with_suffix("")
        parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
        if any(part.startswith("_") and part != "__init__" for part in parts[1:]):
            continue
        text = _project_text(path, root)
        for name in re.findall(r"^class ([A-Za-z]\w*)", text or "", re.MULTILINE):
            found.append((".".join(parts), name))
    return tuple(found)
