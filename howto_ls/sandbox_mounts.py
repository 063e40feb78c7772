"""What a bubblewrap sandbox hides of the host's file system, and what it shows again.

One job: the mount arguments (bwrap(1) ``--tmpfs``, ``--ro-bind-try``, ``--symlink``) that put an
empty, private file system over the places where a user keeps secrets and other processes keep
their temporary files (:func:`hidden_places`: the home folder, ``/run/user/UID``, ``/tmp``,
``/var/tmp`` and the temporary folder of this process), then bring back, read-only, the paths a
command needs that lie under them (:func:`bwrap_mounts`). Those paths are found by one rule, not
by a list of tools: what a Python interpreter reads to start and import, as the interpreter itself
reports it (:func:`interpreter_paths`, asked once per interpreter; :func:`own_paths` for the
interpreter running howto-ls), plus the folders the caller names (a project's import roots).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import subprocess
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

# Runs in the interpreter that will run the command (any CPython 3.8+, standard library only):
# the prefixes, the executable and the import path; and the source folders of editable installs
# (PEP 660), which a path hook reads without naming them in sys.path: their direct_url.json
# (PEP 610) says where they are.
_PROBE = r"""
import json, os, sys
from urllib.parse import unquote, urlparse
found = [sys.prefix, sys.base_prefix, sys.exec_prefix, getattr(sys, "base_exec_prefix", ""),
         sys.executable, os.path.realpath(sys.executable)] + list(sys.path)
try:
    from importlib import metadata
    for dist in metadata.distributions():
        text = dist.read_text("direct_url.json")
        if not text:
            continue
        info = json.loads(text)
        url = info.get("url", "")
        if info.get("dir_info", {}).get("editable") and url.startswith("file://"):
            found.append(unquote(urlparse(url).path))
except Exception:
    pass
print(json.dumps([p for p in found if isinstance(p, str) and os.path.isabs(p)]))
"""


def hidden_places() -> tuple[Path, ...]:
    """The folders bubblewrap covers with an empty ``tmpfs``: existing ones, by real path.

    They are the caller's home folder (``$HOME``, and the password database's home of this
    user when it differs: ``/root`` for root under another ``HOME``), ``/run/user/UID`` (the
    XDG runtime folder: sockets of the user's session), ``/tmp``, ``/var/tmp`` and this
    process's temporary folder (:func:`tempfile.gettempdir`). ``/`` and the system folders
    (``/usr``, ``/etc``...) are never among them, whatever ``HOME`` says.
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
    return tuple(found)


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


def interpreter_paths(python: str) -> tuple[Path, ...]:
    """What ``python`` (a path or a command name) reads to start and import, as it says itself:
    ``sys.prefix``, ``sys.base_prefix``, ``sys.exec_prefix``, ``sys.executable`` and its real
    path, the ``sys.path`` entries (``.pth`` files of its site-packages included) and the
    source folders of editable installs (PEP 610 ``direct_url.json``).

    It is asked once per interpreter, in a subprocess with this process's ``PATH``,
    ``PYTHONHOME`` and ``PYTHONPATH`` and without the user's site-packages (``-s``: a
    contained command's ``HOME`` has none); the question stops after ``PROBE_TIMEOUT``
    seconds. When it cannot answer, the result is ``python`` itself and its real path.
    Examples run in threads at once ask once: the others wait for the answer.
    """
    with _ASKING:
        return _ask(python)


@functools.lru_cache(maxsize=16)
def _ask(python: str) -> tuple[Path, ...]:
    """The question behind :func:`interpreter_paths`, one answer kept per interpreter."""
    named = python if os.path.isabs(python) else _which(python)
    fallback = tuple(Path(p) for p in dict.fromkeys([named, os.path.realpath(named)]))
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "PYTHONHOME", "PYTHONPATH")}
    try:
        done = subprocess.run(
            [python, "-s", "-c", _PROBE],
            capture_output=True,
            text=True,
            timeout=PROBE_TIMEOUT,
            check=True,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd="/",
        )
        said = json.loads(done.stdout)
    except (OSError, subprocess.SubprocessError, ValueError):
        return fallback
    if not isinstance(said, list):
        return fallback
    return tuple(dict.fromkeys([*fallback, *(Path(p) for p in said if isinstance(p, str))]))


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
