"""Where the project's installed distributions live: the libraries its code imports.

A usage example may need an object of a library the project depends on (rich's Markdown
renderer takes a ``markdown_it`` ``Token``). Its class is read from the library's source
in the site-packages of the interpreter that runs the project's code
(:func:`howto_ls.examples_run.project_interpreter`), never imported. The folders come from
that interpreter's :mod:`sysconfig` ``purelib`` and ``platlib`` paths (asked once per
interpreter, in a subprocess when it is not the one running howto-ls). That interpreter is the
project's code (a cloned project's ``.venv/bin/python`` may be any program), so it is asked
inside the sandbox of the examples (:func:`howto_ls.sandbox.probe`), and only folders named
``site-packages`` or ``dist-packages`` are taken from its answer.
"""

from __future__ import annotations

import functools
import json
import sys
import sysconfig
from pathlib import Path

from howto_ls import sandbox
from howto_ls.examples_run import project_interpreter

QUERY_TIMEOUT = 10.0
"""Seconds to wait for the project's interpreter to name its library folders."""

_LIBRARY_FOLDERS = ("site-packages", "dist-packages")
"""The names a library folder has (``dist-packages``: Debian's system Python)."""

_QUERY = (
    "import json, sysconfig; "
    "print(json.dumps([sysconfig.get_path('purelib'), sysconfig.get_path('platlib')]))"
)


def library_folders(root: Path) -> tuple[Path, ...]:
    """The site-packages folders of the project's interpreter (existing ones, each once);
    empty when the interpreter cannot be asked."""
    return site_packages_of(project_interpreter(root))


@functools.lru_cache(maxsize=8)
def site_packages_of(interpreter: str) -> tuple[Path, ...]:
    """The existing site-packages folders (``purelib`` and ``platlib`` of :mod:`sysconfig`)
    of the Python interpreter at the path ``interpreter``, each once; empty when it cannot be
    asked. Another interpreter is asked inside the sandbox; cached per interpreter path."""
    if Path(interpreter) == Path(sys.executable):
        names = [sysconfig.get_path("purelib"), sysconfig.get_path("platlib")]
    else:
        try:
            done = sandbox.probe([interpreter, "-I", "-c", _QUERY], timeout=QUERY_TIMEOUT)
            names = json.loads(done.stdout) if done.returncode == 0 else []
        except (OSError, ValueError, sandbox.SandboxError):
            return ()
        if not isinstance(names, list):
            return ()
    found: list[Path] = []
    for name in names:
        if not isinstance(name, str):
            continue
        folder = Path(name)
        if folder.name in _LIBRARY_FOLDERS and folder.is_dir() and folder not in found:
            found.append(folder)
    return tuple(found)


def installed_module_file(module: str, root: Path) -> tuple[Path, Path] | None:
    """``(file, folder)``: the source of the installed module ``module`` (dotted; its
    ``__init__.py`` for a package) and the library folder it was found in; None when no
    library folder of the project's interpreter holds it."""
    parts = module.split(".")
    for folder in library_folders(root):
        base = folder.joinpath(*parts)
        for candidate in (base / "__init__.py", base.with_name(parts[-1] + ".py")):
            if candidate.is_file():
                return candidate, folder
    return None
