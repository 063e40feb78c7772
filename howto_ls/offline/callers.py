"""Who calls what: how often the project's code calls each method name."""

from __future__ import annotations

import functools
import re
import time
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

from howto_ls import discovery, project
from howto_ls.guide import blank_guide_blocks
from howto_ls.identifiers import normalize
from howto_ls.sourcefile import context_text

MAX_FILES = 5000
"""Projects with more Python files than this are not counted (the count would be slow)."""

FILE_LIST_SECONDS = 10.0
"""How long a project's list of files is reused before the folders are walked again."""

_ATTRIBUTE_CALL = re.compile(r"\.\s*([^\W\d]\w*)\s*\(")
_listed: dict[Path, tuple[float, tuple[Path, ...]]] = {}


def method_calls(path: Path) -> Mapping[str, int]:
    """Calls of each attribute name (``obj.name(...)``) in the project holding ``path``.

    Counted textually over the project's Python files (as ``generate`` finds them), comments
    and strings included but not the guides howto-ls wrote into docstrings (their examples
    would count its own writing: :func:`howto_ls.guide.blank_guide_blocks`), names
    NFKC-normalized as Python reads them (PEP 3131); each file is re-read when it changes.
    Empty for projects over :data:`MAX_FILES` files or when the folders cannot be read.
    """
    root = project.find_root(path)
    try:
        files = project_files(root)
    except OSError:
        return {}
    if len(files) > MAX_FILES:
        return {}
    stamps: list[tuple[Path, int, int]] = []
    for file in files:
        try:
            stat = file.stat()
        except OSError:
            continue
        stamps.append((file, stat.st_mtime_ns, stat.st_size))
    return _total(tuple(stamps))


@functools.lru_cache(maxsize=16)
def _total(stamps: tuple[tuple[Path, int, int], ...]) -> Counter[str]:
    """The calls of every file, summed (cached while no file changes)."""
    total: Counter[str] = Counter()
    for file, mtime, size in stamps:
        total.update(_file_calls(file, mtime, size))
    return total


def project_files(root: Path) -> tuple[Path, ...]:
    """The project's Python files, walked again after :data:`FILE_LIST_SECONDS`."""
    now = time.monotonic()
    listed = _listed.get(root)
    if listed is None or now - listed[0] > FILE_LIST_SECONDS:
        listed = (now, tuple(discovery.python_files([root])))
        _listed[root] = listed
    return listed[1]


@functools.lru_cache(maxsize=8192)
def _file_calls(file: Path, mtime: int, size: int) -> Counter[str]:
    """Attribute calls in one file (cached by its modification time and size)."""
    text = context_text(file, errors="replace")
    if text is None:
        return Counter()
    code = blank_guide_blocks(text)
    return Counter(normalize(match.group(1)) for match in _ATTRIBUTE_CALL.finditer(code))
