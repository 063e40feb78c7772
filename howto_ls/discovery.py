"""Finding the Python files under files and folders: ``.gitignore`` kept, environments skipped."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pathspec

from howto_ls.errors import UsageError
from howto_ls.project import SOURCE_SUFFIXES

SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        "__pypackages__",
        "site-packages",
        "dist-packages",
        "node_modules",
        "__pycache__",
        "build",
        "dist",
        ".eggs",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
    }
)
"""Folders never walked: version control, virtualenvs, installed packages, build output, caches."""

FOLDER_SUFFIXES = (".py",)
"""Suffixes collected when walking folders (stubs and ``.pyw`` only when named explicitly)."""


@dataclass(frozen=True)
class _Rules:
    """The patterns of one ignore file and the folder they are relative to."""

    base: Path
    spec: pathspec.GitIgnoreSpec


def python_files(paths: Sequence[Path]) -> list[Path]:
    """The Python files named or found under ``paths``: absolute, each once, in a stable order.

    Raises :class:`UsageError` for a path that does not exist or a named non-Python file.
    """
    found: list[Path] = []
    seen: set[Path] = set()
    for path in paths:
        for file in _files_for(path):
            if file not in seen:
                seen.add(file)
                found.append(file)
    return found


def _files_for(path: Path) -> Iterator[Path]:
    if not path.exists():
        raise UsageError(f"{path}: no such file or folder; check the path")
    resolved = path.resolve()
    if resolved.is_dir():
        yield from _walk(resolved)
        return
    if resolved.suffix not in SOURCE_SUFFIXES:
        raise UsageError(f"{path} is not a Python file; name .py files or folders")
    yield resolved


def is_skipped_dir(folder: Path) -> bool:
    """Whether ``folder`` is a virtualenv, installed packages, build output or a cache."""
    name = folder.name
    return name in SKIPPED_DIRS or name.endswith(".egg-info") or (folder / "pyvenv.cfg").is_file()


def _walk(top: Path) -> Iterator[Path]:
    rules = _inherited_rules(top)
    yield from _walk_folder(top, rules)


def _walk_folder(folder: Path, inherited: list[_Rules]) -> Iterator[Path]:
    rules = [*inherited, *_rules_in(folder)]
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError:
        return
    subfolders: list[Path] = []
    for entry in entries:
        path = Path(entry.path)
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
            is_file = entry.is_file()
        except OSError:
            continue
        if is_dir:
            if not is_skipped_dir(path) and not _ignored(path, rules, folder=True):
                subfolders.append(path)
        elif is_file and path.suffix in FOLDER_SUFFIXES and not _ignored(path, rules):
            yield path
    for subfolder in subfolders:
        yield from _walk_folder(subfolder, rules)


def _ignored(path: Path, rules: list[_Rules], folder: bool = False) -> bool:
    """Git's answer: the last ignore file with a matching pattern decides."""
    for rule in reversed(rules):
        relative = path.relative_to(rule.base).as_posix() + ("/" if folder else "")
        include = rule.spec.check_file(relative).include
        if include is not None:
            return include
    return False


def _inherited_rules(top: Path) -> list[_Rules]:
    """Ignore rules from the repository root down to ``top``'s parent, and ``info/exclude``."""
    repository = next((f for f in (top, *top.parents) if (f / ".git").exists()), None)
    if repository is None:
        return []
    rules = list(_rules_from(repository / ".git" / "info" / "exclude", repository))
    folders = [top.parent, *top.parent.parents] if top != repository else []
    for folder in reversed(folders):
        if folder == repository or repository in folder.parents:
            rules.extend(_rules_in(folder))
    return rules


def _rules_in(folder: Path) -> list[_Rules]:
    return list(_rules_from(folder / ".gitignore", folder))


def gitignored(path: Path, root: Path) -> bool:
    """Whether git would ignore ``path``: the ``.gitignore`` files from the repository root (else
    ``root``, the project root) down to ``path``'s folder, and ``.git/info/exclude``; a file in
    an ignored folder is ignored, as git has it. ``path`` outside that tree is not ignored."""
    path = path.resolve()
    resolved_root = root.resolve()
    top = next(
        (f for f in (resolved_root, *resolved_root.parents) if (f / ".git").exists()),
        resolved_root,
    )
    try:
        parts = path.relative_to(top).parts
    except ValueError:
        return False
    rules = list(_cached_rules(top / ".git" / "info" / "exclude", top))
    folder = top
    for part in parts[:-1]:
        rules.extend(_cached_rules(folder / ".gitignore", folder))
        folder = folder / part
        if _ignored(folder, rules, folder=True):
            return True
    rules.extend(_cached_rules(folder / ".gitignore", folder))
    return _ignored(path, rules)


def _cached_rules(file: Path, base: Path) -> tuple[_Rules, ...]:
    """The rules of one ignore file, parsed once per version of it (a server runs for hours)."""
    try:
        stat = file.stat()
    except OSError:
        return ()
    return _parsed_rules(file, base, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=256)
def _parsed_rules(file: Path, base: Path, mtime_ns: int, size: int) -> tuple[_Rules, ...]:
    return tuple(_rules_from(file, base))


def _rules_from(file: Path, base: Path) -> Iterator[_Rules]:
    try:
        lines = file.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return
    yield _Rules(base, pathspec.GitIgnoreSpec.from_lines(lines))
