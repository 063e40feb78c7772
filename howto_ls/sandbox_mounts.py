"""What a bubblewrap sandbox hides of the host's file system, and what it shows again.

One job: the mount arguments (bwrap(1) ``--tmpfs``, ``--ro-bind-try``, ``--symlink``) that put an
empty, private file system over the places where a user keeps secrets and other processes keep
their temporary files (:func:`hidden_places`: the home folder, ``/run/user/UID``, ``/tmp``,
``/var/tmp`` and the temporary folder of this process), then bring back, read-only, the paths a
command needs that lie under them (:func:`bwrap_mounts`). Those paths are found by one rule, not
by a list of tools: what a Python interpreter reads to start and import, as the interpreter itself
reports it, asked contained and checked on disk (:func:`interpreter_paths`, asked once per
interpreter; :func:`own_paths` for the interpreter running howto-ls), plus the folders the caller
names (a project's import roots).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePosixPath

PROBE_TIMEOUT = 10.0
"""Seconds an interpreter may take to say which paths it reads."""

_SYSTEM = tuple(
    PurePosixPath(p)
    for p in (
        *("/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/opt", "/nix"),
        *("/var", "/run", "/proc", "/dev", "/sys", "/boot", "/snap"),
    )
)
"""The host's system folders: never hidden, nor anything that holds one or lies in one but
``/var`` and ``/run`` (a service user's home such as ``/usr/sbin`` stays as it is)."""

_HIDE, _SHOW, _LINK = "hide", "show", "link"

# Runs, contained (:func:`howto_ls.sandbox.probe`), in the interpreter that will run the command
# (any CPython 3.8+, standard library only): the prefixes, the executable and the import path;
# and the source folders of editable installs (PEP 660), which a path hook reads without naming
# them in sys.path: their direct_url.json (PEP 610) says where they are. What it says is a claim:
# :func:`interpreter_paths` keeps only what it can check on disk.
_PROBE = r"""
import json, os, sys
from urllib.parse import unquote, urlparse
said = {
    "prefixes": [sys.prefix, sys.base_prefix, sys.exec_prefix,
                 getattr(sys, "base_exec_prefix", "")],
    "executable": [sys.executable],
    "path": list(sys.path),
    "editable": [],
}
try:
    from importlib import metadata
    for dist in metadata.distributions():
        text = dist.read_text("direct_url.json")
        if not text:
            continue
        info = json.loads(text)
        url = info.get("url", "")
        if info.get("dir_info", {}).get("editable") and url.startswith("file://"):
            said["editable"].append(unquote(urlparse(url).path))
except Exception:
    pass
print(json.dumps(said))
"""


def hidden_places() -> tuple[Path, ...]:
    """The folders bubblewrap covers with an empty ``tmpfs``: existing ones, by real path.

    They are the caller's home folder (``$HOME``, and the password database's home of this
    user when it differs: ``/root`` for root under another ``HOME``), ``/run/user/UID`` (the
    XDG runtime folder: sockets of the user's session), ``/tmp``, ``/var/tmp``, this
    process's temporary folder (:func:`tempfile.gettempdir`), and ``/run`` and ``/var/run``
    (sockets of the host's services: ``docker.sock``, the D-Bus system bus). ``/`` and the
    other system folders (``/usr``, ``/etc``...) are never among them, whatever ``HOME`` says.
    """
    candidates: list[str] = [os.environ.get("HOME", ""), os.path.expanduser("~")]
    if hasattr(os, "getuid"):
        with contextlib.suppress(ImportError, KeyError):
            import pwd

            candidates.append(pwd.getpwuid(os.getuid()).pw_dir)
        candidates.append(f"/run/user/{os.getuid()}")
    candidates += ["/tmp", "/var/tmp", tempfile.gettempdir()]
    found: list[Path] = []
    for candidate in candidates:
        if not candidate or not os.path.isabs(candidate) or not os.path.isdir(candidate):
            continue
        real = Path(os.path.realpath(candidate))
        if real not in found and not _is_system(real):
            found.append(real)
    found += [place for place in service_sockets() if place not in found]
    return tuple(found)


def service_sockets() -> tuple[Path, ...]:
    """Where the host's services keep their Unix sockets (``docker.sock``, the D-Bus system
    bus, the session's sockets in ``/run/user/UID``): ``/run`` and ``/var/run``, existing ones,
    each once by real path."""
    found: list[Path] = []
    for run in _RUN:
        real = Path(os.path.realpath(run))
        if os.path.isdir(run) and real not in found and real != Path("/"):
            found.append(real)
    return tuple(found)


_RUN = ("/run", "/var/run")
"""Where services keep their sockets (FHS 3.0 3.15, /var/run its older name), hidden whole."""


def _is_system(path: Path) -> bool:
    """Whether ``path`` is ``/``, holds a system folder, or lies in one (``/var``, ``/run``
    excepted: they hold temporary and per-user folders)."""
    pure = PurePosixPath(path)
    for system in _SYSTEM:
        if system.is_relative_to(pure):
            return True
        if pure.is_relative_to(system) and system not in _VARIABLE:
            return True
    return False


_VARIABLE = (PurePosixPath("/var"), PurePosixPath("/run"))


def own_paths() -> tuple[Path, ...]:
    """What the interpreter running howto-ls reads when it starts isolated (``-I -S``, the
    sandbox's prelude): its prefixes and its executable, as given and as real path."""
    found = [
        sys.prefix,
        sys.base_prefix,
        sys.exec_prefix,
        sys.base_exec_prefix,
        sys.executable,
        os.path.realpath(sys.executable),
    ]
    return tuple(Path(p) for p in dict.fromkeys(found) if p)


_ASKING = threading.Lock()


def interpreter_paths(python: str, roots: Sequence[Path] = ()) -> tuple[Path, ...]:
    """What ``python`` (a path or a command name) reads to start and import, kept only where it
    can be checked on disk, for bubblewrap to show again read-only.

    ``python`` is asked once per interpreter, contained (:func:`howto_ls.sandbox.probe` under
    bubblewrap: the file system read-only, no network, a clean environment; stopped after
    ``PROBE_TIMEOUT`` seconds), then what it says is sorted, never taken on trust:

    - a prefix (``sys.prefix``, ``sys.base_prefix``, ``sys.exec_prefix``) only when it is a
      Python prefix on disk (a folder with ``pyvenv.cfg``, PEP 405, or ``lib/pythonX.Y`` or
      ``Lib``) and neither a hidden place (:func:`hidden_places`) nor an ancestor of one;
    - a ``sys.path`` entry (``.pth`` files included) only inside an accepted prefix or one of
      ``roots`` (the project's import roots), or when it is an entry of this process's own
      ``PYTHONPATH``, and never a hidden place or an ancestor of one;
    - ``python`` itself (the links on the way to it are made again by :func:`bwrap_mounts`) and
      the ``sys.executable`` it reports only when their real path is a file, the latter only
      inside an accepted prefix;
    - the source folder of an editable install (PEP 610 ``direct_url.json``) only inside
      ``roots``.

    When it cannot answer, the result is ``python`` itself. Examples run in threads at once ask
    once: the others wait for the answer.
    """
    named = python if os.path.isabs(python) else _which(python)
    with _ASKING:
        said = _ask(named)
    hidden = [PurePosixPath(p) for p in hidden_places()]
    inside = [PurePosixPath(os.path.realpath(r)) for r in roots]
    prefixes = [
        PurePosixPath(real)
        for real in dict.fromkeys(os.path.realpath(p) for p in said.get("prefixes", ()))
        if _is_prefix(Path(real)) and not _covers_hidden(PurePosixPath(real), hidden)
    ]
    own = [
        PurePosixPath(os.path.realpath(p))
        for p in os.environ.get("PYTHONPATH", "").split(os.pathsep)
        if os.path.isabs(p)
    ]
    found: list[Path] = []
    if not os.path.isdir(named):
        found.append(Path(named))
    for executable in said.get("executable", ()):
        real = PurePosixPath(os.path.realpath(executable))
        if os.path.isfile(real) and _within(real, prefixes):
            found.append(Path(executable))
    found += [Path(p) for p in prefixes]
    for entry in said.get("path", ()):
        real = PurePosixPath(os.path.realpath(entry))
        if _covers_hidden(real, hidden):
            continue
        if _within(real, [*prefixes, *inside]) or real in own:
            found.append(Path(entry))
    for source in said.get("editable", ()):
        real = PurePosixPath(os.path.realpath(source))
        if _within(real, inside) and not _covers_hidden(real, hidden):
            found.append(Path(source))
    return tuple(dict.fromkeys(found))


def _is_prefix(folder: Path) -> bool:
    """Whether ``folder`` is a Python prefix on disk: a virtual environment (``pyvenv.cfg``,
    PEP 405) or an installation (``lib/pythonX.Y`` on POSIX, ``Lib`` on Windows)."""
    if (folder / "pyvenv.cfg").is_file() or (folder / "Lib").is_dir():
        return True
    with contextlib.suppress(OSError):
        return any(
            p.is_dir() and re.fullmatch(r"python\d+\.\d+t?", p.name)
            for p in (folder / "lib").iterdir()
        )
    return False


def _covers_hidden(path: PurePosixPath, hidden: Sequence[PurePosixPath]) -> bool:
    """Whether ``path`` is a hidden place or holds one (showing it would undo the hiding)."""
    return any(place.is_relative_to(path) for place in hidden)


def _within(path: PurePosixPath, folders: Sequence[PurePosixPath]) -> bool:
    """Whether ``path`` is one of ``folders`` or lies inside one."""
    return any(path.is_relative_to(folder) for folder in folders)


@functools.lru_cache(maxsize=16)
def _ask(python: str) -> dict[str, list[str]]:
    """The contained question behind :func:`interpreter_paths`, one answer kept per
    interpreter: lists of absolute paths by kind, empty when it did not answer."""
    from howto_ls import sandbox  # sandbox imports this module

    try:
        done = sandbox.probe(
            [python, "-s", "-c", _PROBE], timeout=PROBE_TIMEOUT, isolation=sandbox.BWRAP
        )
        said = json.loads(done.stdout) if done.returncode == 0 else {}
    except (OSError, ValueError, sandbox.SandboxError):
        said = {}
    if not isinstance(said, dict):
        return {}
    return {
        kind: [p for p in paths if isinstance(p, str) and os.path.isabs(p)]
        for kind, paths in said.items()
        if isinstance(kind, str) and isinstance(paths, list)
    }


def _which(name: str) -> str:
    """``name`` found on ``PATH`` as an absolute path, else ``name`` made absolute."""
    return shutil.which(name) or os.path.abspath(name)


def bwrap_mounts(hidden: Iterable[Path], readable: Iterable[Path | str]) -> list[str]:
    """The bwrap(1) arguments that cover each of ``hidden`` (real paths of folders) with an
    empty ``--tmpfs``, then show each of ``readable`` that lies under one again, read-only.

    A readable path is shown at its real path (``--ro-bind-try``: one that does not exist is
    left out); each symbolic link met on the way to it, in the path or in a link's target, is
    made again (``--symlink``) where it lies under a hidden place, so a venv's ``bin/python``
    pointing into ``~/.pyenv`` still finds its interpreter. Mounts come ancestors first (bwrap
    mounts in order, a later one over an earlier one), so the deepest rule wins: a hidden
    place inside a readable folder stays hidden, a readable path equal to a hidden place is
    shown. Paths already visible where they are get no argument.
    """
    rules: dict[PurePosixPath, tuple[str, str]] = {}
    for place in hidden:
        rules[PurePosixPath(place)] = (_HIDE, "")
    for path in readable:
        if not os.path.isabs(path):
            continue
        links = _symlinks_to(os.path.abspath(path))
        rules[PurePosixPath(os.path.realpath(path))] = (_SHOW, "")
        for link, target in links:
            rules.setdefault(PurePosixPath(link), (_LINK, target))
    arguments: list[str] = []
    emitted: list[tuple[PurePosixPath, str]] = []
    for where in sorted(rules, key=lambda p: p.parts):
        kind, target = rules[where]
        if (kind == _HIDE) == (_nearest(where, emitted) == _HIDE):
            continue  # already hidden, or already visible where it is
        emitted.append((where, kind))
        if kind == _HIDE:
            arguments += ["--tmpfs", str(where)]
        elif kind == _SHOW:
            arguments += ["--ro-bind-try", str(where), str(where)]
        else:
            arguments += ["--symlink", target, str(where)]
    return arguments


def _nearest(path: PurePosixPath, emitted: Sequence[tuple[PurePosixPath, str]]) -> str:
    """The kind of the deepest emitted rule at or above ``path``; ``show`` (the host's file
    system, read-only) when there is none."""
    best: tuple[int, str] = (-1, _SHOW)
    for other, kind in emitted:
        if path.is_relative_to(other) and len(other.parts) > best[0]:
            best = (len(other.parts), kind)
    return best[1]


def _symlinks_to(path: str, depth: int = 0) -> list[tuple[str, str]]:
    """The symbolic links met while resolving the absolute ``path``, each as the link's path
    and its target as written. Gives up past 40 links, as the kernel does (``ELOOP``,
    path_resolution(7))."""
    links: list[tuple[str, str]] = []
    current = "/"
    for part in PurePosixPath(path).parts[1:]:
        candidate = os.path.join(current, part)
        target = ""
        if depth + len(links) < 40 and os.path.islink(candidate):
            with contextlib.suppress(OSError):
                target = os.readlink(candidate)
        if not target:
            current = os.path.normpath(candidate)
            continue
        links.append((candidate, target))
        resolved = os.path.normpath(os.path.join(current, target))
        links += _symlinks_to(resolved, depth + len(links))
        current = os.path.realpath(resolved)
    return links
