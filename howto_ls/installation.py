"""Installation folders (site-packages and the like) and the installed project a file is part of.

Installers put a distribution's files into one installation folder (``purelib``/``platlib``:
``site-packages``, Debian's ``dist-packages``, or a folder given with ``pip install --target``)
at the paths the wheel archive gives them, so the first part of such a path is a top-level
import name (what setuptools lists in ``top_level.txt``); beside them each distribution gets a
``<name>-<version>.dist-info`` folder whose ``RECORD`` lists the files installed (PEP 376, PEP
627, the wheel format of PEP 427). A file in an installation folder therefore belongs to the
top-level package it lies in, not to the folder, which holds every other distribution too.
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

INSTALLATION_DIRS = frozenset({"site-packages", "dist-packages"})
"""Names of installation folders (``dist-packages``: Debian's system Python)."""


def is_installation_folder(folder: Path) -> bool:
    """Whether ``folder`` (absolute) is one installers put distributions into: it is named
    ``site-packages`` or ``dist-packages``, or it is an entry of ``sys.path`` holding a
    ``*.dist-info`` folder with a ``RECORD`` file (PEP 376), as ``pip install --target`` makes.
    A folder's metadata is looked for once per process."""
    if folder.name in INSTALLATION_DIRS:
        return True
    return folder in _sys_path_folders(tuple(sys.path)) and _holds_distributions(folder)


@functools.lru_cache(maxsize=4)
def _sys_path_folders(entries: tuple[str, ...]) -> frozenset[Path]:
    """The absolute folders of ``sys.path`` (the empty entry is the working folder)."""
    return frozenset(Path(os.path.abspath(entry or os.curdir)) for entry in entries)


@functools.lru_cache(maxsize=64)
def _holds_distributions(folder: Path) -> bool:
    """Whether ``folder`` holds an installed distribution's ``*.dist-info/RECORD``."""
    try:
        with os.scandir(folder) as entries:
            return any(
                entry.name.endswith(".dist-info") and os.path.isfile(Path(entry.path, "RECORD"))
                for entry in entries
            )
    except OSError:
        return False


def installation_folder_above(folder: Path) -> Path | None:
    """The nearest installation folder strictly above ``folder`` (absolute); None if none is."""
    return next((parent for parent in folder.parents if is_installation_folder(parent)), None)


def installed_project(start: Path, installation: Path) -> Path:
    """The project folder of ``start`` (a folder at or below ``installation``): the top-level
    package it lies in, or for a namespace package (PEP 420, no ``__init__.py``) the outermost
    regular package inside it that holds ``start``. ``installation`` itself when ``start`` is
    that folder: a top-level module (``six.py``) has no folder of its own."""
    relative = start.relative_to(installation).parts
    if not relative:
        return installation
    top = installation / relative[0]
    if (top / "__init__.py").is_file():
        return top
    folder = top
    for part in relative[1:]:
        folder = folder / part
        if (folder / "__init__.py").is_file():
            return folder
    return top
