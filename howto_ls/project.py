"""Project layout: the root folder, dotted module names, and what counts as project code."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git")
PACKAGE_DIRS = frozenset({"site-packages", "dist-packages"})
ENVIRONMENT_DIRS = frozenset({".venv", ".tox", ".nox", "__pypackages__"})
SOURCE_SUFFIXES = (".py", ".pyi", ".pyw")


def find_root(path: Path) -> Path:
    """The nearest folder at or above ``path`` holding a project marker; else the current one."""
    start = path.resolve()
    if not start.is_dir():
        start = start.parent
    for folder in (start, *start.parents):
        if any((folder / marker).exists() for marker in ROOT_MARKERS):
            return folder
    return Path.cwd()


def is_in_project(path: Path, root: Path) -> bool:
    """Whether ``path`` lies inside ``root`` and outside any virtualenv or installed packages."""
    resolved, base = path.resolve(), root.resolve()
    try:
        relative = resolved.relative_to(base)
    except ValueError:
        return False
    folders = relative.parts[:-1] if not resolved.is_dir() else relative.parts
    if any(part in PACKAGE_DIRS or part in ENVIRONMENT_DIRS for part in folders):
        return False
    folder = base
    for part in folders:
        folder = folder / part
        if (folder / "pyvenv.cfg").is_file():
            return False
    return True


def module_name(path: Path, root: Path) -> str:
    """The dotted module of ``path``: from the project root (``src/`` layout aware) or sys.path."""
    resolved = path.resolve()
    if is_in_project(resolved, root):
        parts = list(resolved.relative_to(root.resolve()).parts)
        if len(parts) > 1 and parts[0] == "src":
            parts = parts[1:]
        return _dotted(parts)
    parts = list(resolved.parts)
    for index in range(len(parts) - 1, -1, -1):
        if parts[index] in PACKAGE_DIRS:
            return _dotted(parts[index + 1 :])
    base = _sys_path_entry(resolved)
    if base is not None:
        return _dotted(list(resolved.relative_to(base).parts))
    return _dotted(list(_package_parts(resolved)))


def _dotted(parts: list[str]) -> str:
    """Join path parts into a module name, dropping the suffix and a final ``__init__``."""
    if not parts:
        return ""
    last = parts[-1]
    for suffix in SOURCE_SUFFIXES:
        if last.endswith(suffix):
            last = last[: -len(suffix)]
            break
    names = [*parts[:-1], last]
    if names[-1] == "__init__":
        names = names[:-1]
    return ".".join(names)


def _sys_path_entry(path: Path) -> Path | None:
    """The most specific sys.path folder that holds ``path``, if any."""
    best: Path | None = None
    for entry in sys.path:
        if not entry:
            continue
        folder = Path(entry).resolve()
        if (
            folder != path
            and folder in path.parents
            and (best is None or len(folder.parts) > len(best.parts))
        ):
            best = folder
    return best


def _package_parts(path: Path) -> tuple[str, ...]:
    """The file's name and the names of the packages (folders with ``__init__.py``) above it."""
    parts = [path.name]
    folder = path.parent
    while (folder / "__init__.py").is_file() and folder != folder.parent:
        parts.insert(0, folder.name)
        folder = folder.parent
    return tuple(parts)
