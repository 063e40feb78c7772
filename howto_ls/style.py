"""The project's code style as its lint configuration states it: the maximum line length."""

from __future__ import annotations

import configparser
import functools
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

DEFAULT_LINE_LENGTH = 88
"""Black's and ruff's default, used when no configuration names a limit."""

_INI_FILES = ("setup.cfg", "tox.ini", ".flake8")


def line_length(path: Path) -> int:
    """The maximum line length (in characters) for ``path``, a file or folder.

    Read from the nearest folder at or above ``path`` whose configuration sets one, as ruff
    looks for its settings: ``ruff.toml`` / ``.ruff.toml`` (``line-length``), then
    ``pyproject.toml`` (``[tool.ruff]``, then ``[tool.black]`` ``line-length``), then flake8's
    ``max-line-length`` in ``setup.cfg``, ``tox.ini`` or ``.flake8``; 88 (Black's and ruff's
    default) when none does. Files that cannot be read or parsed are skipped; a file is read
    again when it changes.
    """
    start = path.resolve()
    if not start.is_dir():
        start = start.parent
    for folder in (start, *start.parents):
        found = _configured(folder)
        if found is not None:
            return found
    return DEFAULT_LINE_LENGTH


def _configured(folder: Path) -> int | None:
    """The line length the configuration files of ``folder`` set, if any."""
    for name in ("ruff.toml", ".ruff.toml", "pyproject.toml", *_INI_FILES):
        file = folder / name
        try:
            stat = file.stat()
        except OSError:
            continue
        found = _read(file, stat.st_mtime_ns, stat.st_size)
        if found is not None:
            return found
    return None


@functools.lru_cache(maxsize=256)
def _read(file: Path, mtime: int, size: int) -> int | None:
    """The line length one configuration file sets (cached by its modification time and size)."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if file.suffix == ".toml":
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            return None
        if file.name != "pyproject.toml":
            return _positive(data.get("line-length"))
        tools = data.get("tool")
        if not isinstance(tools, dict):
            return None
        for tool in ("ruff", "black"):
            table = tools.get(tool)
            if isinstance(table, dict) and (value := _positive(table.get("line-length"))):
                return value
        return None
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text, source=str(file))
    except configparser.Error:
        return None
    if not parser.has_section("flake8"):
        return None
    section = parser["flake8"]
    setting = section.get("max-line-length") or section.get("max_line_length")
    return _positive(setting.strip() if setting else None)


def _positive(value: object) -> int | None:
    """``value`` as a positive int (from an int or a string of digits), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    return value if isinstance(value, int) and value > 0 else None
