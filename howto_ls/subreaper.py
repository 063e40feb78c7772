"""Adopt and end every process a run leaves behind, on Linux.

One job: while :func:`adopting` is active this process is a child subreaper
(``prctl(PR_SET_CHILD_SUBREAPER)``, prctl(2)): a process orphaned below it (its parent died,
even one killed by its own child) comes here instead of to ``init``. When the block ends, every
child of this process that was not already one when the block began is killed (``SIGKILL``) and
reaped, until none is left. Elsewhere it does nothing.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
from collections.abc import Iterator

_PR_SET_CHILD_SUBREAPER = 36
_PR_GET_CHILD_SUBREAPER = 37
_ROUNDS = 1000
"""Most rounds of killing: a process that forks as it dies makes another round needed."""


def children() -> list[int]:
    """The process IDs whose parent is this process (``/proc/PID/stat``, proc(5)); [] where
    there is no ``/proc``."""
    me = os.getpid()
    found = []
    with contextlib.suppress(OSError):
        entries = os.listdir("/proc")
        for entry in entries:
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat", "rb") as stat:
                    fields = stat.read().rsplit(b")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[1]) == me:
                found.append(int(entry))
    return found


@contextlib.contextmanager
def adopting() -> Iterator[None]:
    """Make this process a child subreaper for the block, then end what it adopted.

    Children that exist when the block begins (and the subreaper setting before it) are left as
    they were. Only on Linux; elsewhere, or when ``prctl`` refuses, the block just runs.
    """
    if not sys.platform.startswith("linux"):
        yield
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        before = ctypes.c_int(0)
        libc.prctl(_PR_GET_CHILD_SUBREAPER, ctypes.byref(before), 0, 0, 0)
        adopted = libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        adopted = False
    if not adopted:
        yield
        return
    known = set(children())
    try:
        yield
    finally:
        end_adopted(known)
        libc.prctl(_PR_SET_CHILD_SUBREAPER, before.value, 0, 0, 0)


def end_adopted(known: set[int]) -> None:
    """Kill and reap every child of this process that is not in ``known``, until none is left."""
    for _ in range(_ROUNDS):
        found = [pid for pid in children() if pid not in known]
        if not found:
            return
        for pid in found:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        for pid in found:
            with contextlib.suppress(OSError):
                os.waitpid(pid, 0)
