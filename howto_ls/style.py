"""The project's code style as its lint configuration states it: line lengths and the
docstring convention."""

from __future__ import annotations

import configparser
import functools
import sys
from dataclasses import dataclass
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

DEFAULT_LINE_LENGTH = 88
"""Black's and ruff's default, used when no configuration names a limit."""

TAB_WIDTH = 4
"""How wide a tab counts against a line length (ruff's default ``indent-width``)."""

CONVENTIONS = ("google", "numpy", "pep257")
"""The docstring conventions of pydocstyle and ruff (``convention = …``)."""

_INI_FILES = ("setup.cfg", "tox.ini", ".flake8", ".pydocstyle", ".pydocstylerc")
_FILES = ("ruff.toml", ".ruff.toml", "pyproject.toml", *_INI_FILES)
_SETTINGS = ("line_length", "max_doc_length", "convention")


@dataclass(frozen=True)
class DocStyle:
    """What the project's linters ask of a docstring.

    ``line_length`` is E501's limit (characters per line), ``max_doc_length`` W505's limit for
    docstring and comment lines (None: not checked), ``convention`` pydocstyle's and ruff's
    ``google``, ``numpy`` or ``pep257`` (None: not set, every D rule may apply).
    """

    line_length: int = DEFAULT_LINE_LENGTH
    max_doc_length: int | None = None
    convention: str | None = None

    @property
    def doc_line_length(self) -> int:
        """The most characters a docstring line may take, indentation and quotes included."""
        if self.max_doc_length is None:
            return self.line_length
        return min(self.line_length, self.max_doc_length)

    @property
    def imperative(self) -> bool:
        """Whether a function's summary must be in the imperative mood (D401: on in the
        ``pep257`` and ``numpy`` conventions and when none is set, off in ``google``)."""
        return self.convention != "google"

    @property
    def blank_line_after_class_docstring(self) -> bool:
        """Whether a class docstring needs a blank line after it (D204: off in ``google``)."""
        return self.convention != "google"


def line_length(path: Path) -> int:
    """The maximum line length (in characters) for ``path``, a file or folder.

    Read from the nearest folder at or above ``path`` whose configuration sets one, as ruff
    looks for its settings: ``ruff.toml`` / ``.ruff.toml`` (``line-length``), then
    ``pyproject.toml`` (``[tool.ruff]``, then ``[tool.black]`` ``line-length``), then flake8's
    ``max-line-length`` in ``setup.cfg``, ``tox.ini`` or ``.flake8``; 88 (Black's and ruff's
    default) when none does. Files that cannot be read or parsed are skipped; a file is read
    again when it changes.
    """
    return doc_style(path).line_length


def doc_style(path: Path) -> DocStyle:
    """The docstring style for ``path``, a file or folder; each setting from the nearest folder
    at or above it whose configuration sets it.

    - line length: as :func:`line_length` reads it;
    - ``max-doc-length``: ruff's ``[lint.pycodestyle]`` (``[tool.ruff.lint.pycodestyle]`` in
      ``pyproject.toml``, or the older table without ``lint``), then pycodestyle's and
      flake8's ``max-doc-length`` in ``[pycodestyle]`` / ``[flake8]`` of ``setup.cfg``,
      ``tox.ini`` or ``.flake8``;
    - ``convention``: ruff's ``[lint.pydocstyle]``, then ``[tool.pydocstyle]`` in
      ``pyproject.toml``, then ``[pydocstyle]`` in ``setup.cfg``, ``tox.ini``, ``.pydocstyle``
      or ``.pydocstylerc`` (pydocstyle's own files). Values other than ``google``, ``numpy``
      and ``pep257`` are ignored.

    Within a folder the files are read in ruff's order (``ruff.toml``, ``.ruff.toml``,
    ``pyproject.toml``, then the INI files). Unreadable or broken files are skipped.
    """
    start = path.resolve()
    if not start.is_dir():
        start = start.parent
    found: dict[str, object] = {}
    for folder in (start, *start.parents):
        for setting, value in _configured(folder).items():
            found.setdefault(setting, value)
        if len(found) == len(_SETTINGS):
            break
    line = found.get("line_length")
    doc = found.get("max_doc_length")
    convention = found.get("convention")
    return DocStyle(
        line if isinstance(line, int) else DEFAULT_LINE_LENGTH,
        doc if isinstance(doc, int) else None,
        convention if isinstance(convention, str) else None,
    )


def _configured(folder: Path) -> dict[str, object]:
    """The settings the configuration files of ``folder`` set, the first file winning."""
    found: dict[str, object] = {}
    for name in _FILES:
        file = folder / name
        try:
            stat = file.stat()
        except OSError:
            continue
        for setting, value in _read(file, stat.st_mtime_ns, stat.st_size).items():
            found.setdefault(setting, value)
    return found


@functools.lru_cache(maxsize=256)
def _read(file: Path, mtime: int, size: int) -> dict[str, object]:
    """The settings one configuration file sets (cached by its modification time and size)."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    if file.suffix == ".toml":
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            return {}
        return _from_toml(data, pyproject=file.name == "pyproject.toml")
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text, source=str(file))
    except configparser.Error:
        return {}
    return _from_ini(parser)


def _from_toml(data: dict[str, object], *, pyproject: bool) -> dict[str, object]:
    """Settings of a ``ruff.toml`` (``pyproject`` False) or a ``pyproject.toml``."""
    tools = _table(data, "tool") if pyproject else {}
    ruff = _table(tools, "ruff") if pyproject else data
    lint = _table(ruff, "lint")
    found: dict[str, object] = {}
    lengths = [ruff.get("line-length")]
    if pyproject:
        lengths.append(_table(tools, "black").get("line-length"))
    _first(found, "line_length", [_positive(value) for value in lengths])
    doc_lengths = [_table(table, "pycodestyle").get("max-doc-length") for table in (lint, ruff)]
    _first(found, "max_doc_length", [_positive(value) for value in doc_lengths])
    conventions = [_table(table, "pydocstyle").get("convention") for table in (lint, ruff)]
    if pyproject:
        conventions.append(_table(tools, "pydocstyle").get("convention"))
    _first(found, "convention", [_convention(value) for value in conventions])
    return found


def _from_ini(parser: configparser.ConfigParser) -> dict[str, object]:
    """Settings of ``setup.cfg``, ``tox.ini``, ``.flake8`` or pydocstyle's own files."""
    found: dict[str, object] = {}
    sections = [parser[name] for name in ("flake8", "pycodestyle") if parser.has_section(name)]
    for key, setting in (("max-line-length", "line_length"), ("max-doc-length", "max_doc_length")):
        values = [_ini_value(section, key) for section in sections]
        _first(found, setting, [_positive(value) for value in values])
    if parser.has_section("pydocstyle"):
        _first(found, "convention", [_convention(_ini_value(parser["pydocstyle"], "convention"))])
    return found


def _ini_value(section: configparser.SectionProxy, key: str) -> str | None:
    """``key`` of an INI section, written with dashes or underscores."""
    value = section.get(key) or section.get(key.replace("-", "_"))
    return value.strip() if value else None


def _first(found: dict[str, object], setting: str, values: list[object]) -> None:
    value = next((value for value in values if value is not None), None)
    if value is not None:
        found[setting] = value


def _table(data: object, key: str) -> dict[str, object]:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, dict) else {}


def _convention(value: object) -> str | None:
    """``value`` when it names a convention pydocstyle and ruff know, else None."""
    if not isinstance(value, str) or value.strip().lower() not in CONVENTIONS:
        return None
    return value.strip().lower()


def _positive(value: object) -> int | None:
    """``value`` as a positive int (from an int or a string of digits), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    return value if isinstance(value, int) and value > 0 else None
