"""Project layout: the root, dotted module names, project code, and public import paths."""

from __future__ import annotations

import ast
import functools
import os
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from howto_ls import astutil, installation
from howto_ls.errors import NotWritableError
from howto_ls.sourcefile import context_text

ROOT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git")
PACKAGE_DIRS = installation.INSTALLATION_DIRS
ENVIRONMENT_DIRS = frozenset({".venv", ".tox", ".nox", "__pypackages__"})
SOURCE_SUFFIXES = (".py", ".pyi", ".pyw")
_FULL_PARSE_CHARS = 16_000
_TOP_LEVEL_EXPORT = re.compile(
    r"^(?:from[ \t]+\S+[ \t]+import[ \t]*(?:\([^)]*\)|[^\n]*)"
    r"|__all__[ \t]*\+?=[ \t]*(?:\[[^\]]*\]|\([^)]*\))"
    r"|del[ \t][^\n]*)",
    re.MULTILINE,
)


def find_root(path: Path) -> Path:
    """The project root of ``path``: the nearest folder at or above it with a project marker.

    The search stops at an installation folder (``site-packages``, ``dist-packages``, a
    ``sys.path`` entry holding installed distributions: :mod:`howto_ls.installation`): an
    installed file's project is the top-level package it lies in (for a namespace package, the
    outermost regular package in it), unless a marker lies nearer; a top-level module gets the
    installation folder. Module names of such a root count from the installation folder
    (:func:`import_base`).

    A file outside any project gets the folder above its outermost package (folders holding
    ``__init__.py``), or its own folder, so import paths never depend on the working directory.
    The search walks up from ``path`` as it is spelled, so a symlink inside a project belongs
    to that project even when it points elsewhere (see :func:`require_inside`): a folder that
    is itself a symlink is never the root, whatever markers its target holds. The root is
    returned with symlinks resolved.
    """
    start = Path(os.path.abspath(path))
    if not start.is_dir():
        start = start.parent
    found: Path | None = None
    for folder in (start, *start.parents):
        if not folder.is_symlink() and any((folder / marker).exists() for marker in ROOT_MARKERS):
            return folder.resolve()
        if installation.is_installation_folder(folder):
            found = installation.installed_project(start, folder)
            break
    folder = start if found is None else found
    while found is None and (folder / "__init__.py").is_file() and folder != folder.parent:
        folder = folder.parent
    while folder.is_symlink() and folder != folder.parent:  # never a root reached by a link
        folder = folder.parent
    return folder.resolve()


def require_inside(path: Path, root: Path) -> None:
    """Raise :class:`NotWritableError` unless ``path``, symlinks resolved, lies inside ``root``.

    Nothing is written through a symlink that leaves the project: the file it reaches belongs
    to someone else (another checkout, a system file).
    """
    real, base = path.resolve(), root.resolve()
    if real.is_relative_to(base):
        return
    if path.is_symlink():
        raise NotWritableError(
            f"{path.name} is a symlink to {real}, outside the project {base}: not written;"
            " edit that file in its own project"
        )
    if Path(os.path.abspath(path)).is_relative_to(base):
        raise NotWritableError(
            f"{path.name} is reached through a symlinked folder: it is {real}, outside the"
            f" project {base}: not written; edit that file in its own project"
        )
    raise NotWritableError(f"{path} is outside the project {base}: not written")


def require_named_inside(path: Path) -> None:
    """Raise :class:`NotWritableError` when ``path``, as the user spelled it (a file or a
    folder named on the command line), reaches outside its project through a symlink.

    Folders are walked after their symlinks are resolved, so this is checked on the name given,
    before the walk: a symlinked folder inside a project is not a way out of it.
    """
    spelled = Path(os.path.abspath(path))
    require_inside(spelled, find_root(spelled))


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


@functools.lru_cache(maxsize=1024)
def lies_under(path: Path, root: Path) -> bool:
    """Whether the file or folder ``path`` resolves (links followed) to a place under the
    folder ``root``; False when it resolves elsewhere or cannot be resolved. Cached per pair:
    the offline writer asks it for the same few modules for every symbol of a batch, and
    resolving costs a system call per folder."""
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a loop of links (< 3.13)
        return False
    return True


@functools.lru_cache(maxsize=64)
def import_base(root: Path) -> Path:
    """The folder the modules of the project at ``root`` are imported from, resolved: the
    nearest installation folder above ``root`` for an installed project
    (:func:`howto_ls.installation.installation_folder_above`), else ``root`` itself."""
    resolved = root.resolve()
    return installation.installation_folder_above(resolved) or resolved


@functools.lru_cache(maxsize=64)
def import_folders(root: Path) -> tuple[Path, ...]:
    """The folders the project's own modules are imported from, in order: ``root/src`` and
    ``root``, or the installation folder of an installed project (:func:`import_base`)."""
    base = import_base(root)
    return (base / "src", base) if base == root.resolve() else (base,)


def module_name(path: Path, root: Path) -> str:
    """The dotted module of ``path``: from the project root (``src/`` layout aware), the
    installation folder of an installed project, or sys.path."""
    resolved = path.resolve()
    if is_in_project(resolved, root):
        for base in import_folders(root):
            if resolved.is_relative_to(base) and resolved != base:
                return _dotted(list(resolved.relative_to(base).parts))
    parts = list(resolved.parts)
    for index in range(len(parts) - 1, -1, -1):
        if parts[index] in PACKAGE_DIRS:
            return _dotted(parts[index + 1 :])
    entry = _sys_path_entry(resolved)
    if entry is not None:
        return _dotted(list(resolved.relative_to(entry).parts))
    return _dotted(list(_package_parts(resolved)))


def dotted_module(parts: Sequence[str]) -> str:
    """The module a file at the relative path ``parts`` (``("pkg", "mod.py")``) is imported
    as: ``pkg.mod``; a package's ``__init__.py`` is the package itself."""
    return _dotted(list(parts))


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


@dataclass(frozen=True)
class Exports:
    """What a module makes importable: imported names, star imports and ``__all__``."""

    imported: dict[str, str]  # exposed name -> the module it is imported from
    star: tuple[str, ...]
    all: frozenset[str] | None


def public_import_path(module: str, name: str, root: Path) -> str:
    """The shortest public module users can import ``name`` from (else the defining module).

    Results are cached per root, module and name, and recomputed when a package file changes.
    """
    base = root.resolve()
    parts = module.split(".")
    packages = tuple(".".join(parts[:index]) for index in range(1, len(parts)))
    return _public_import_path(module, name, base, tuple(_stamp(p, base) for p in packages))


def _stamp(module: str, root: Path) -> tuple[int, int]:
    """When the file of ``module`` last changed, and its size (zeros if there is none)."""
    location = _module_file(module, root)
    try:
        stat = location.stat() if location is not None else None
    except OSError:
        stat = None
    return (stat.st_mtime_ns, stat.st_size) if stat is not None else (0, 0)


@functools.lru_cache(maxsize=4096)
def _public_import_path(
    module: str, name: str, root: Path, stamps: tuple[tuple[int, int], ...]
) -> str:
    """Candidates public first, then shortest first; the defining module always works."""
    parts = module.split(".")
    candidates = [".".join(parts[:index]) for index in range(1, len(parts) + 1)]
    candidates.sort(key=lambda c: (any(p.startswith("_") for p in c.split(".")), len(c)))
    for candidate in candidates:
        if _exposes(candidate, name, module, root, 0):
            return candidate
    return module


def _exposes(module: str, name: str, defining: str, root: Path, depth: int) -> bool:
    """Whether ``from module import name`` gives the object defined in ``defining``."""
    if module == defining:
        return True
    if depth > 6:
        return False
    location = _module_file(module, root)
    if location is None:
        return False
    exports = _exports(location, module)
    if exports.all is not None and name not in exports.all:
        return False  # a module with ``__all__`` exports only what it lists
    source = exports.imported.get(name)
    if source is not None and _exposes(source, name, defining, root, depth + 1):
        return True
    for star in exports.star:
        star_file = _module_file(star, root)
        if star_file is None:
            continue
        listed = _exports(star_file, star).all
        allowed = name in listed if listed is not None else not name.startswith("_")
        if allowed and _exposes(star, name, defining, root, depth + 1):
            return True
    return False


def module_file(module: str, root: Path) -> Path | None:
    """The file of ``module`` (its ``__init__.py`` for a package) from the project root, its
    ``src/`` folder, or sys.path; None when there is none."""
    return _module_file(module, _resolved(root))


@functools.lru_cache(maxsize=64)
def _resolved(root: Path) -> Path:
    """``root`` resolved (a project root, asked for by every symbol of a batch)."""
    return root.resolve()


@functools.lru_cache(maxsize=1024)
def _module_file(module: str, root: Path) -> Path | None:
    """The file of ``module`` from the project root, its ``src/`` folder, or sys.path."""
    parts = module.split(".")
    bases = [*import_folders(root), *(Path(entry) for entry in sys.path if entry)]
    for base in bases:
        folder = base.joinpath(*parts)
        for candidate in (folder / "__init__.py", folder.with_name(parts[-1] + ".py")):
            if candidate.is_file():
                return candidate
    return None


def _exports(path: Path, module: str) -> Exports:
    """The exports of the file at ``path``: from the project index when one holds the file
    (:mod:`howto_ls.offline.index`, parsed once there), else read again when it changes."""
    from howto_ls.offline import index

    facts = index.facts_of(path)
    if facts is not None and facts.exports is not None:
        return facts.exports
    try:
        stat = path.stat()
    except OSError:
        return Exports({}, (), None)
    return _read_exports(path, module, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=512)
def _read_exports(path: Path, module: str, mtime: int, size: int) -> Exports:
    """Parse a module's top level for imports and ``__all__``."""
    source = context_text(path) or ""  # unreadable or over the size limit: no exports
    chunks = [source]
    if len(source) > _FULL_PARSE_CHARS:
        chunks = [match.group(0) for match in _TOP_LEVEL_EXPORT.finditer(source)]
    statements: list[ast.stmt] = []
    for chunk in chunks:
        try:
            statements.extend(astutil.parse(chunk).body)
        except (SyntaxError, ValueError):
            continue
    return exports_of(statements, module, path.name)


def exports_of(statements: list[ast.stmt], module: str, filename: str) -> Exports:
    """What the top-level ``statements`` of the module ``module`` (file ``filename``) make
    importable when it runs: names imported from other modules, star imports, and
    ``__all__`` (names bound only under ``if TYPE_CHECKING:`` left out)."""
    package = module if filename == "__init__.py" else module.rpartition(".")[0]
    imported: dict[str, str] = {}
    star: list[str] = []
    listed: set[str] | None = None
    for node in runtime_statements(statements):
        if isinstance(node, ast.Delete):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    imported.pop(target.id, None)
        elif isinstance(node, ast.ImportFrom):
            base = absolute_module(node, package)
            for alias in node.names:
                if alias.name == "*":
                    star.append(base)
                elif (alias.asname or alias.name) not in imported:
                    imported[alias.asname or alias.name] = base
        elif isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            target = node.targets[0] if isinstance(node, ast.Assign) else node.target
            if isinstance(target, ast.Name) and target.id == "__all__" and node.value is not None:
                try:
                    names = astutil.literal_value(node.value)
                except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                    continue
                if isinstance(names, list | tuple):
                    fresh = {n for n in names if isinstance(n, str)}
                    listed = fresh if isinstance(node, ast.Assign) else (listed or set()) | fresh
    return Exports(imported, tuple(star), frozenset(listed) if listed is not None else None)


def runtime_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements of ``body`` that run when the module is imported, in order.

    Like :func:`astutil.flatten_statements` (into ``if``/``try``/``with`` blocks, never into
    definitions), but skipping the body of ``if TYPE_CHECKING:`` (its ``else`` runs): names
    imported there exist for type checkers only, never at run time.
    """
    for node in body:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            yield from runtime_statements(node.orelse)
            continue
        yield node
        if isinstance(node, ast.If | ast.For | ast.AsyncFor | ast.While | ast.With | ast.AsyncWith):
            yield from runtime_statements(node.body)
            yield from runtime_statements(node.orelse if hasattr(node, "orelse") else [])
        elif isinstance(node, ast.Try):
            yield from runtime_statements(node.body)
            for handler in node.handlers:
                yield from runtime_statements(handler.body)
            yield from runtime_statements(node.orelse)
            yield from runtime_statements(node.finalbody)


_PLATFORM_TESTS = frozenset({"sys.platform", "os.name", "platform.system", "sys.getwindowsversion"})


def platform_condition(source: str, qualname: str) -> str | None:
    """The condition on the platform under which the module ``source`` defines the top-level
    name of ``qualname`` (``sys.platform == "win32"``), when it defines it only there; else None.

    A test counts as a platform test when it reads ``sys.platform``, ``os.name`` or
    ``platform.system()``; a definition in its ``else`` branch gets ``not (<test>)``.
    """
    try:
        tree = astutil.parse(source)
    except (SyntaxError, ValueError):
        return None
    name = qualname.split(".", maxsplit=1)[0]
    found: list[str | None] = []

    def visit(body: list[ast.stmt], condition: str | None) -> None:
        for node in body:
            if isinstance(node, ast.If):
                test = ast.unparse(node.test)
                on_platform = any(part in test for part in _PLATFORM_TESTS)
                visit(node.body, test if on_platform else condition)
                visit(node.orelse, f"not ({test})" if on_platform else condition)
            elif isinstance(node, ast.Try):
                for block in (node.body, *(h.body for h in node.handlers), node.orelse):
                    visit(block, condition)
            elif _defines(node, name):
                found.append(condition)

    visit(tree.body, None)
    if not found or not all(found) or any(f"not ({c})" in found for c in found):
        return None  # defined unconditionally, or in both branches of the test
    return found[0]


def _defines(node: ast.stmt, name: str) -> bool:
    """Whether the statement binds ``name`` at its own level."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return node.name == name
    if isinstance(node, ast.Assign):
        return any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
    if isinstance(node, ast.AnnAssign):
        return isinstance(node.target, ast.Name) and node.target.id == name
    if isinstance(node, ast.Import | ast.ImportFrom):
        return any((a.asname or a.name.split(".")[0]) == name for a in node.names)
    return False


def runtime_names(tree: ast.Module) -> set[str]:
    """The names a module binds when imported (``"*"`` among them when it star-imports), with
    those its own ``def __getattr__`` answers (the string constants in its body, PEP 562)."""
    bound: set[str] = set()
    for statement in runtime_statements(tree.body):
        if isinstance(statement, ast.Import | ast.ImportFrom):
            bound |= {(a.asname or a.name).split(".")[0] for a in statement.names}
        elif isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(statement.name)
            if statement.name == "__getattr__":
                bound |= {
                    n.value
                    for n in ast.walk(statement)
                    if isinstance(n, ast.Constant) and isinstance(n.value, str)
                }
        elif isinstance(statement, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            bound |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return bound


def type_checking_only(tree: ast.Module, name: str) -> bool:
    """Whether the module defines or imports ``name`` only under ``if TYPE_CHECKING:``: a name
    for type checkers that importing it at run time fails on."""
    if name in runtime_names(tree):
        return False
    return any(
        isinstance(statement, ast.If)
        and _is_type_checking(statement.test)
        and any(_defines(inner, name) for inner in astutil.flatten_statements(statement.body))
        for statement in astutil.flatten_statements(tree.body)
    )


def _is_type_checking(test: ast.expr) -> bool:
    """``TYPE_CHECKING`` or ``typing.TYPE_CHECKING`` (any module's alias of it)."""
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def absolute_module(node: ast.ImportFrom, package: str) -> str:
    """The absolute module a ``from ... import`` statement reads from."""
    if not node.level:
        return node.module or ""
    parts = package.split(".") if package else []
    base = parts[: len(parts) - node.level + 1] if node.level > 1 else parts
    return ".".join([*base, *([node.module] if node.module else [])])
