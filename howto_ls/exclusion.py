"""Files howto-ls never reads into a prompt and never documents.

A file is excluded when a gitignore-style pattern matches its path relative to the project
root: the defaults (:data:`DEFAULT_PATTERNS`), then ``[tool.howto-ls] exclude`` of the root's
``pyproject.toml``, then the ``exclude`` setting (``howto.exclude``, ``HOWTO_EXCLUDE``,
``--exclude``), read as one list in that order, so that the last matching pattern decides and
``!pattern`` takes a file back, as in a ``.gitignore``. A file no pattern matches is excluded
when the project's ``.gitignore`` files ignore it (:func:`howto_ls.discovery.gitignored`).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pathspec

from howto_ls import discovery
from howto_ls.errors import NotWritableError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["DEFAULT_PATTERNS", "ExcludedError", "Exclusion", "exclusion_for"]

DEFAULT_PATTERNS = (".env*", "*secret*", "*.pem", "*.key")
"""Environment files, anything named secret, private keys and certificates."""


class ExcludedError(NotWritableError):
    """The file is excluded: its guide is neither written nor asked for."""


@dataclass(frozen=True)
class Exclusion:
    """The exclusion rules of one project root: patterns with where each came from."""

    root: Path
    patterns: tuple[tuple[str, str], ...]  # (pattern, its source), in the order they apply

    @functools.cached_property
    def _spec(self) -> pathspec.GitIgnoreSpec:
        return pathspec.GitIgnoreSpec.from_lines([pattern for pattern, _ in self.patterns])

    def reason(self, path: Path) -> str | None:
        """Why ``path`` is excluded (``"excluded by .gitignore"``, ``"excluded by pattern
        '*secret*' (default)"``), or None when it is not (or lies outside the root)."""
        resolved, root = path.resolve(), self.root.resolve()
        try:
            relative = resolved.relative_to(root).as_posix()
        except ValueError:
            return None
        result = self._spec.check_file(relative)
        if result.include is True and result.index is not None:
            pattern, source = self.patterns[result.index]
            return f"excluded by pattern {pattern!r} ({source})"
        if result.include is None and discovery.gitignored(resolved, root):
            return "excluded by .gitignore"
        return None

    def excluded(self, path: Path) -> bool:
        """Whether ``path`` is excluded."""
        return self.reason(path) is not None

    def error(self, path: Path) -> ExcludedError | None:
        """The error to report for ``path`` (one line: the file, why, what to change), or None
        when it is not excluded."""
        why = self.reason(path)
        if why is None:
            return None
        return ExcludedError(
            f"{path.name} is {why}: howto-ls neither documents it nor sends it to a model"
            " (change howto.exclude / [tool.howto-ls] exclude, or add '!pattern' to take it back)"
        )

    def check(self, path: Path) -> None:
        """Raise :class:`ExcludedError` when ``path`` is excluded."""
        error = self.error(path)
        if error is not None:
            raise error


def exclusion_for(root: Path, setting: Sequence[str] = ()) -> Exclusion:
    """The rules for ``root``: defaults, the root's ``[tool.howto-ls] exclude``, ``setting``."""
    project = _pyproject_patterns(root / "pyproject.toml")
    return _exclusion(root, project, tuple(setting))


@functools.lru_cache(maxsize=64)
def _exclusion(root: Path, project: tuple[str, ...], setting: tuple[str, ...]) -> Exclusion:
    patterns = (
        *((p, "default") for p in DEFAULT_PATTERNS),
        *((p, "[tool.howto-ls] exclude") for p in project),
        *((p, "howto.exclude") for p in setting),
    )
    return Exclusion(root, patterns)


def _pyproject_patterns(file: Path) -> tuple[str, ...]:
    try:
        stat = file.stat()
    except OSError:
        return ()
    return _read_pyproject(file, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=64)
def _read_pyproject(file: Path, mtime_ns: int, size: int) -> tuple[str, ...]:
    """``[tool.howto-ls] exclude`` (a list of strings, or one string); () when absent or bad."""
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return ()
    section = data.get("tool", {}).get("howto-ls", {})
    value = section.get("exclude") if isinstance(section, dict) else None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return ()
    return tuple(item for item in value if isinstance(item, str) and item.strip())
