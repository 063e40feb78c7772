"""Run a command contained, and say what happened.

One job: start a command in a folder of its own and return its exit status, a bounded head and
tail of its output, whether it ran out of time and which limit it hit. What contains it:

- **Environment by allowlist** (:func:`environment`): ``PATH``, the locale (``LANG``,
  ``LANGUAGE``, ``LC_*``), ``TZ``, ``PYTHONHOME`` when set, and on Windows what the system needs
  (``SYSTEMROOT``, ``COMSPEC``, ``PATHEXT``, ``WINDIR``); nothing else of the caller's passes, so
  no key or token does. ``HOME``, ``TMPDIR`` and the XDG folders (``XDG_CONFIG_HOME``,
  ``XDG_CACHE_HOME``, ``XDG_DATA_HOME``, ``XDG_STATE_HOME``, ``XDG_RUNTIME_DIR``) point into the
  command's own folder.
- **Limits** (POSIX ``setrlimit(2)``, :class:`Limits`): address space, CPU time, file size, open
  files, processes (only inside a user namespace, where the count is the sandbox's own), no core
  files. They are set by a small Python prelude that then runs the command (``exec``), not by a
  ``preexec_fn``, which is unsafe when the caller has threads (the ``subprocess`` docs say so).
- **Output** is read as it comes, into a fixed head and a fixed tail per stream: never whole in
  memory. Past :attr:`Limits.output` bytes in all the command is stopped.
- **The process tree ends** at the timeout and when the command itself ends, double-forked
  grandchildren included: in a PID namespace (bubblewrap, ``unshare``) the namespace dies with
  its first process; without one, on Linux, the prelude stays as a child subreaper
  (``prctl(PR_SET_CHILD_SUBREAPER)``, prctl(2)) that adopts orphans and kills them.
- **OS isolation** (:func:`mechanism`): on Linux bubblewrap (``bwrap``): the whole file system
  read-only, the caller's home folder, ``/run`` (the host's services' sockets) and the host's
  temporary folders hidden under empty ones but for what the interpreters need
  (:mod:`howto_ls.sandbox_mounts`), the command's folder writable, a network namespace of its own
  (its own loopback, nothing else: not the internet, not the host's loopback services), a PID
  namespace, a new session, dying with its parent; else ``unshare`` (unprivileged user, network,
  PID and mount namespaces: the network, the process tree and ``/run``, not the rest of the file
  system); on macOS ``sandbox-exec`` with a profile that denies the network and writes outside the
  folder. Where none is available :func:`notice` gives the one line that says so and how to get
  one.
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from howto_ls import sandbox_mounts
from howto_ls.errors import HowtoError

AUTO = "auto"
BWRAP = "bwrap"
UNSHARE = "unshare"
SANDBOX_EXEC = "sandbox-exec"
NONE = "none"
MECHANISMS = (AUTO, BWRAP, UNSHARE, SANDBOX_EXEC, NONE)
"""The choices of :func:`mechanism`, also the values of ``HOWTO_SANDBOX``."""
KEEPS_FILES = frozenset({BWRAP})
"""Mechanisms that keep the caller's files from a command: the file system read-only and the
home folder and temporary folders hidden (bubblewrap). ``unshare`` leaves every file the user
can read or write open to it, ``sandbox-exec`` every file the user can read (``~/.ssh``...)."""

SANDBOX_VARIABLE = "HOWTO_SANDBOX"
"""Environment variable that chooses the mechanism (one of ``MECHANISMS``; default ``auto``)."""

MEMORY = "memory"
CPU_TIME = "cpu time"
FILE_SIZE = "file size"
OUTPUT = "output"

GRACE = 2.0
"""Seconds allowed after a stop for the process tree to end and its pipes to close."""

MIB = 1 << 20


@dataclass(frozen=True)
class Limits:
    """What one contained command may use.

    ``memory`` is bytes of address space (``RLIMIT_AS``); ``cpu`` seconds of CPU time per
    process (``RLIMIT_CPU``; None: the timeout, rounded up, plus one); ``file_size`` bytes of
    one written file (``RLIMIT_FSIZE``); ``open_files`` descriptors (``RLIMIT_NOFILE``);
    ``processes`` tasks of the sandbox's user (``RLIMIT_NPROC``, set only inside a user
    namespace, where it counts the sandbox's own); ``output`` bytes of standard output and error
    together before the command is stopped; ``kept`` bytes kept of each stream's head and of its
    tail. Limits never rise above the caller's own hard limits.
    """

    memory: int = 1024 * MIB
    cpu: float | None = None
    file_size: int = 64 * MIB
    open_files: int = 1024
    processes: int = 512
    output: int = 16 * MIB
    kept: int = 32 * 1024


@dataclass(frozen=True)
class Outcome:
    """What happened to one contained command.

    ``returncode`` is the exit status (negative: killed by that signal, as in ``subprocess``),
    None when it was stopped; ``stdout``/``stderr`` the decoded head and tail of each stream
    (the middle replaced by a line saying how many bytes were left out); ``timed_out`` whether
    the timeout stopped it; ``limit`` the limit it hit (``memory`` is told by the caller, who
    knows the program: here ``cpu time``, ``file size`` or ``output``), "" when none;
    ``seconds`` wall time; ``isolation`` the mechanism that contained it; ``cancelled``
    whether the caller's ``cancel`` event stopped it.
    """

    returncode: int | None
    stdout: str
    stderr: str
    timed_out: bool = False
    limit: str = ""
    seconds: float = 0.0
    isolation: str = NONE
    cancelled: bool = False


class SandboxError(HowtoError):
    """The chosen isolation mechanism is unknown or does not work on this machine."""


# Runs in the caller's interpreter (``-I -S``: standard library only) between the isolation
# mechanism and the command: argv[1] is a JSON object, the rest the command.
PRELUDE = r"""
import ctypes, errno, json, os, resource, signal, socket, struct, sys

parent = os.getppid()
config = json.loads(sys.argv[1])
command = sys.argv[2:]


def user_namespace():
    try:
        with open("/proc/self/uid_map") as f:
            return f.read().split() != ["0", "0", "4294967295"]
    except OSError:
        return False


for name, value in config["limits"]:
    if name == "RLIMIT_NPROC" and not user_namespace():
        continue
    which = getattr(resource, name, None)
    if which is None:
        continue
    soft, hard = resource.getrlimit(which)
    value = int(value)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    top = value + 1 if name == "RLIMIT_CPU" else value
    if hard != resource.RLIM_INFINITY:
        top = min(top, hard)
    try:
        resource.setrlimit(which, (value, top))
    except (ValueError, OSError):
        pass

if config["loopback"]:
    # a new network namespace starts with its loopback down: SIOCGIFFLAGS/SIOCSIFFLAGS, netdevice(7)
    try:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        import fcntl
        request = struct.pack("16sh", b"lo", 0)
        flags = struct.unpack("16sh", fcntl.ioctl(s, 0x8913, request))[1]
        fcntl.ioctl(s, 0x8914, struct.pack("16sh", b"lo", flags | 1))
        s.close()
    except OSError:
        pass

for place in config["hide"]:
    # unshare's mount namespace is private: an empty tmpfs over the host's sockets, mount(2)
    import ctypes

    ctypes.CDLL(None, use_errno=True).mount(b"tmpfs", place.encode(), b"tmpfs", 0, None)

if not config["supervise"]:
    try:
        os.execvp(command[0], command)
    except OSError as exc:
        sys.stderr.write("cannot run %s: %s\n" % (command[0], exc.strerror))
        os._exit(127)

libc = ctypes.CDLL(None, use_errno=True)
libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER: orphans of the tree come here
libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG: the caller died, end the tree
me = os.getpid()


def children():
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry, "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == me:
            found.append(int(entry))
    return found


def end_tree():
    for _ in range(1000):
        found = children()
        if not found:
            return
        for pid in found:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        for pid in found:
            try:
                os.waitpid(pid, 0)
            except OSError:
                pass


def stop(number, frame):
    end_tree()
    os._exit(128 + signal.SIGTERM)


signal.signal(signal.SIGTERM, stop)
if os.getppid() != parent:
    os._exit(128 + signal.SIGTERM)  # the caller died before PR_SET_PDEATHSIG was set
child = os.fork()
if child == 0:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        os.execvp(command[0], command)
    except OSError as exc:
        sys.stderr.write("cannot run %s: %s\n" % (command[0], exc.strerror))
    os._exit(127)
while True:
    try:
        pid, status = os.waitpid(-1, 0)
    except ChildProcessError:
        status = 127 << 8
        break
    if pid == child:
        break
end_tree()
if os.WIFSIGNALED(status):
    number = os.WTERMSIG(status)
    if me == 1:
        os._exit(128 + number)  # the first process of a PID namespace cannot signal itself
    signal.signal(number, signal.SIG_DFL)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    os.kill(me, number)
os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1)
"""

_BWRAP_FLAGS = (
    "--ro-bind",
    "/",
    "/",
    "--dev",
    "/dev",
    "--proc",
    "/proc",
    "--unshare-net",
    "--unshare-pid",
    "--unshare-ipc",
    "--die-with-parent",
    "--new-session",
)
_UNSHARE_FLAGS = (
    "--user",
    "--map-root-user",
    "--net",
    "--pid",
    "--fork",
    "--kill-child",
    "--mount",
    "--mount-proc",
)

# sandbox-exec(1) profile (macOS): the network denied, writes only in the folder and to the
# null devices. Kept small; SBPL is Apple's Scheme-like profile language.
_SEATBELT = """(version 1)
(allow default)
(deny network*)
(deny file-write*)
(allow file-write* (subpath {folder}) (literal "/dev/null") (literal "/dev/zero")
       (literal "/dev/dtracehelper"))
"""


def requested() -> str:
    """The mechanism ``HOWTO_SANDBOX`` asks for, ``auto`` when it is unset or empty.

    Raises :class:`SandboxError` when it names none of ``MECHANISMS``.
    """
    choice = os.environ.get(SANDBOX_VARIABLE, "").strip().lower() or AUTO
    if choice not in MECHANISMS:
        raise SandboxError(
            f"{SANDBOX_VARIABLE}={choice} is not a sandbox: use one of {', '.join(MECHANISMS)}"
        )
    return choice


@functools.lru_cache(maxsize=8)
def mechanism(choice: str = AUTO) -> str:
    """The isolation mechanism that contains commands: ``choice`` itself when it works here,
    else (for ``auto``) the best that works: ``bwrap``, ``unshare`` (Linux), ``sandbox-exec``
    (macOS), else ``none``.

    Each candidate is tried once per process by running ``true`` under it. Raises
    :class:`SandboxError` when ``choice`` is unknown or names a mechanism that does not work
    here, with one line saying what to do.
    """
    if choice not in MECHANISMS:
        raise SandboxError(f"{choice} is not a sandbox: use one of {', '.join(MECHANISMS)}")
    if choice == NONE:
        return NONE
    candidates = [choice] if choice != AUTO else [BWRAP, UNSHARE, SANDBOX_EXEC]
    for candidate in candidates:
        if _works(candidate):
            return candidate
    if choice == AUTO:
        return NONE
    raise SandboxError(f"the {choice} sandbox does not work here: {_how_to_get(choice)}")


def _works(candidate: str) -> bool:
    """Whether ``candidate`` starts ``true`` on this machine."""
    true = shutil.which("true") or "/bin/true"
    if candidate == BWRAP and sys.platform.startswith("linux"):
        command = [BWRAP, *_BWRAP_FLAGS, "--", true]
    elif candidate == UNSHARE and sys.platform.startswith("linux"):
        command = [UNSHARE, *_UNSHARE_FLAGS, "--", true]
    elif candidate == SANDBOX_EXEC and sys.platform == "darwin":
        command = [SANDBOX_EXEC, "-p", _SEATBELT.format(folder='"/tmp"'), true]
    else:
        return False
    if shutil.which(command[0]) is None:
        return False
    try:
        done = subprocess.run(command, capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def _how_to_get(choice: str) -> str:
    """How a user gets the ``choice`` mechanism working."""
    if choice == BWRAP:
        return "install bubblewrap (apt install bubblewrap) and allow user namespaces"
    if choice == UNSHARE:
        return "allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1)"
    return "it needs macOS (/usr/bin/sandbox-exec)"


def notice(used: str) -> str | None:
    """The one line that says a run is less contained than it could be, None when it is not."""
    if used in (BWRAP, SANDBOX_EXEC):
        return None
    if used == UNSHARE:
        return (
            "examples run without a read-only file system (network and processes are isolated "
            "with unshare): install bubblewrap (apt install bubblewrap) to protect your files"
        )
    if sys.platform.startswith("linux"):
        how = "install bubblewrap (apt install bubblewrap)"
    elif sys.platform == "darwin":
        how = "/usr/bin/sandbox-exec is missing or refused to start"
    elif os.name == "nt":
        how = "Windows has no sandbox here: run them under WSL with bubblewrap to isolate them"
    else:
        how = "no sandbox is known for this system"
    return (
        "examples run without OS isolation (a clean environment, a timeout and, on POSIX, "
        f"limits still apply): {how}"
    )


_PASSED = ("PATH", "LANG", "LANGUAGE", "TZ", "PYTHONHOME")
_PASSED_WINDOWS = ("SYSTEMROOT", "COMSPEC", "PATHEXT", "WINDIR")


def environment(
    folder: Path,
    *,
    paths: Sequence[Path | str] = (),
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment of a command contained in ``folder``: the allowlisted variables of this
    process's environment, ``HOME``, ``TMPDIR`` and the XDG folders inside ``folder`` (created
    here), ``PYTHONPATH`` made of ``paths`` followed by this process's ``PYTHONPATH``, and
    ``extra`` over all of it.
    """
    passed = _PASSED + (_PASSED_WINDOWS if os.name == "nt" else ())
    env = {
        name: value
        for name, value in os.environ.items()
        if name in passed or name.startswith("LC_")
    }
    home = folder / "home"
    temporary = folder / "tmp"
    runtime = folder / "run"
    for made in (home, temporary, runtime):
        made.mkdir(mode=0o700, exist_ok=True)
    env.update(
        HOME=str(home),
        TMPDIR=str(temporary),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_STATE_HOME=str(home / ".local" / "state"),
        XDG_RUNTIME_DIR=str(runtime),
        # glibc malloc reserves an arena per thread (64 MiB of address space each): keep few,
        # so threads do not exhaust the address-space limit without using memory
        MALLOC_ARENA_MAX="2",
    )
    if os.name == "nt":
        env.update(USERPROFILE=str(home), TEMP=str(temporary), TMP=str(temporary))
        env.update(APPDATA=str(home / "AppData"), LOCALAPPDATA=str(home / "AppData"))
    found = [str(p) for p in paths]
    if os.environ.get("PYTHONPATH"):
        found.append(os.environ["PYTHONPATH"])
    if found:
        env["PYTHONPATH"] = os.pathsep.join(found)
    env.update(extra or {})
    return env


def run(
    command: Sequence[str],
    *,
    folder: Path,
    env: Mapping[str, str],
    timeout: float,
    limits: Limits | None = None,
    isolation: str | None = None,
    readable: Sequence[Path | str] = (),
    hidden: bool = True,
    cancel: threading.Event | None = None,
) -> Outcome:
    """Run ``command`` contained, in ``folder`` (its working folder, the one place it may write
    under bubblewrap and sandbox-exec), with exactly ``env``, standard input empty, for at most
    ``timeout`` seconds; return its :class:`Outcome`.

    Under bubblewrap the caller's home and the host's temporary folders are hidden
    (:func:`howto_ls.sandbox_mounts.hidden_places`); what the interpreter running howto-ls
    needs and each of ``readable`` (absolute paths: the command's interpreter, its import
    path) stay visible, read-only. With ``hidden`` False nothing is hidden and nothing is
    writable, ``folder`` included: the whole file system read-only (used to ask an interpreter
    what it reads before anything is known to show again, :func:`probe`).

    ``cancel``, when set, stops the command as the timeout does (the outcome says
    ``cancelled``); it is looked at every half second.

    ``isolation`` is one of ``MECHANISMS`` (None: ``HOWTO_SANDBOX``, default ``auto``). The
    call returns within ``timeout`` plus about ``GRACE`` seconds whatever the command does
    (endless output, ignoring ``SIGTERM``, forking into the background); on return no process
    of the command is left where the OS lets one be killed (see the module docstring).
    Raises :class:`SandboxError` for an isolation that does not work here, ``OSError`` when
    the command cannot start.
    """
    limits = limits or Limits()
    used = mechanism(isolation or requested())
    folder = folder.resolve()
    full = _contained(list(command), folder, used, limits, timeout, readable, hidden)
    started = time.perf_counter()
    process = subprocess.Popen(
        full,
        cwd=folder,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=os.name == "posix",
        creationflags=getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0),
    )
    assert process.stdout is not None and process.stderr is not None
    out, err = _Kept(limits.kept), _Kept(limits.kept)
    streams = {process.stdout: out, process.stderr: err}
    deadline = started + timeout
    try:
        if os.name == "posix":
            stopped = _read_posix(process, streams, deadline, limits.output, used, cancel)
        else:
            stopped = _read_threads(process, streams, deadline, limits.output, used, cancel)
    except BaseException:  # Ctrl-C or SIGTERM in the caller's thread: end the tree first
        _stop(process, used)
        _reap(process)
        raise
    seconds = time.perf_counter() - started
    if os.name == "posix" and not sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):  # no subreaper here: what is left of its group
            os.killpg(process.pid, signal.SIGKILL)
    returncode = None if stopped else process.returncode
    limit = OUTPUT if stopped == OUTPUT else ""
    signalled = _signal_of(returncode, used)
    if signalled == getattr(signal, "SIGXCPU", None):
        limit = CPU_TIME
    elif signalled == getattr(signal, "SIGXFSZ", None):
        limit = FILE_SIZE
    return Outcome(
        returncode=returncode if signalled is None or returncode is None else -signalled,
        stdout=out.text(),
        stderr=err.text(),
        timed_out=stopped == "timeout",
        limit=limit,
        seconds=seconds,
        isolation=used,
        cancelled=stopped == _CANCELLED,
    )


_CANCELLED = "cancelled"

PROBE_KEPT = 1 << 20
"""Bytes kept of each stream of a :func:`probe`: its answer is read whole up to this size."""


def probe(command: Sequence[str], *, timeout: float, isolation: str | None = None) -> Outcome:
    """Run ``command`` (a question to an interpreter: its version, the paths it reads) as
    contained as an example, before anything is known about it: under ``isolation`` (None:
    ``HOWTO_SANDBOX``), with the clean :func:`environment`, standard input empty, in a
    temporary working folder removed afterwards, for at most ``timeout`` seconds. Under
    bubblewrap nothing is hidden (the interpreter may live in the home folder) and nothing is
    writable, that folder included, and the network is the sandbox's own; under ``unshare`` the
    network and the process tree are its own; under ``none`` only the environment is clean.

    Returns the :class:`Outcome` (each stream kept up to ``PROBE_KEPT`` bytes). Raises
    :class:`SandboxError` for an isolation that does not work here, ``OSError`` when the
    mechanism cannot start.
    """
    with tempfile.TemporaryDirectory(prefix="howto-probe-") as name:
        folder = Path(name).resolve()
        return run(
            command,
            folder=folder,
            env=environment(folder),
            timeout=timeout,
            limits=Limits(kept=PROBE_KEPT),
            isolation=isolation,
            hidden=False,
        )


def _contained(
    command: list[str],
    folder: Path,
    used: str,
    limits: Limits,
    timeout: float,
    readable: Sequence[Path | str] = (),
    hidden: bool = True,
) -> list[str]:
    """``command`` behind the prelude (POSIX) and the isolation mechanism ``used``; under
    bubblewrap ``readable`` stays visible where the home and temporary folders are hidden
    (``hidden`` False: nothing hidden, ``folder`` read-only too)."""
    if os.name != "posix":
        return command
    cpu = limits.cpu if limits.cpu is not None else math.ceil(timeout) + 1
    config = {
        "limits": [
            ("RLIMIT_AS", limits.memory),
            ("RLIMIT_CPU", math.ceil(cpu)),
            ("RLIMIT_FSIZE", limits.file_size),
            ("RLIMIT_NOFILE", limits.open_files),
            ("RLIMIT_NPROC", limits.processes),
            ("RLIMIT_CORE", 0),
        ],
        "loopback": used == UNSHARE,
        "hide": [str(p) for p in sandbox_mounts.service_sockets()] if used == UNSHARE else [],
        "supervise": sys.platform.startswith("linux"),
    }
    prelude = [sys.executable, "-I", "-S", "-c", PRELUDE, json.dumps(config), *command]
    if used == BWRAP and not hidden:
        return [BWRAP, *_BWRAP_FLAGS, "--chdir", str(folder), "--", *prelude]
    if used == BWRAP:
        mounts = sandbox_mounts.bwrap_mounts(
            sandbox_mounts.hidden_places(), [*sandbox_mounts.own_paths(), *readable]
        )
        return [BWRAP, *_BWRAP_FLAGS, *mounts, "--bind", str(folder), str(folder),
                "--chdir", str(folder), "--", *prelude]  # fmt: skip
    if used == UNSHARE:
        return [UNSHARE, *_UNSHARE_FLAGS, "--", *prelude]
    if used == SANDBOX_EXEC:
        profile = _SEATBELT.format(folder=json.dumps(str(folder)))
        return [SANDBOX_EXEC, "-p", profile, *prelude]
    return prelude


def _signal_of(returncode: int | None, used: str) -> int | None:
    """The signal that ended the command, from its exit status (bubblewrap reports a child
    killed by signal N as status 128 + N), None when it exited."""
    if returncode is None:
        return None
    if returncode < 0:
        return -returncode
    if used in (BWRAP, UNSHARE) and 128 < returncode < 128 + 65:
        return returncode - 128
    return None


class _Kept:
    """The first and last ``size`` bytes of a stream, and how many bytes came in all."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.head = bytearray()
        self.tail = bytearray()
        self.total = 0

    def add(self, data: bytes) -> None:
        self.total += len(data)
        room = self.size - len(self.head)
        if room > 0:
            self.head += data[:room]
            data = data[room:]
        if data:
            self.tail += data
            if len(self.tail) > self.size:
                del self.tail[: len(self.tail) - self.size]

    def text(self) -> str:
        """The head, a line saying how much was left out (when something was), the tail."""
        left_out = self.total - len(self.head) - len(self.tail)
        middle = f"\n[... {left_out} bytes of output left out ...]\n".encode() if left_out else b""
        return bytes(self.head + middle + self.tail).decode("utf-8", "replace")


def _read_posix(
    process: subprocess.Popen[bytes],
    streams: dict[IO[bytes], _Kept],
    deadline: float,
    cap: int,
    used: str,
    cancel: threading.Event | None = None,
) -> str:
    """Read both pipes until they close, the deadline passes, ``cap`` bytes came or ``cancel``
    is set; stop the tree in the last three cases. "" when the command ended by itself, else
    ``timeout``, ``output`` or ``cancelled``."""
    selector = selectors.DefaultSelector()
    for stream, kept in streams.items():
        os.set_blocking(stream.fileno(), False)
        selector.register(stream, selectors.EVENT_READ, kept)
    stopped = ""
    total = 0
    try:
        while selector.get_map():
            left = deadline - time.perf_counter()
            if cancel is not None and cancel.is_set() and not stopped:
                stopped = _CANCELLED
                _stop(process, used)
                deadline = time.perf_counter() + GRACE
                continue
            if left <= 0 and not stopped:
                stopped = "timeout"
                _stop(process, used)
                deadline = time.perf_counter() + GRACE
                continue
            if left <= 0:
                break  # something outside the tree holds the pipe: give up on it
            for key, _ in selector.select(min(left, 0.5)):
                kept = key.data
                try:
                    data = os.read(key.fd, 65536)
                except BlockingIOError:
                    continue
                if not data:
                    selector.unregister(key.fileobj)
                    continue
                if not stopped:
                    kept.add(data)
                    total += len(data)
                    if total > cap:
                        stopped = OUTPUT
                        _stop(process, used)
                        deadline = time.perf_counter() + GRACE
    finally:
        selector.close()
        for stream in streams:
            stream.close()
    _reap(process)
    return stopped


def _read_threads(
    process: subprocess.Popen[bytes],
    streams: dict[IO[bytes], _Kept],
    deadline: float,
    cap: int,
    used: str,
    cancel: threading.Event | None = None,
) -> str:
    """:func:`_read_posix` for Windows, where pipes cannot be selected: a reader thread each."""
    total = [0]
    over = threading.Event()

    def read(stream: IO[bytes], kept: _Kept) -> None:
        for data in iter(lambda: stream.read1(65536), b""):  # type: ignore[attr-defined]
            if not over.is_set():
                kept.add(data)
                total[0] += len(data)
                if total[0] > cap:
                    over.set()

    readers = [threading.Thread(target=read, args=item, daemon=True) for item in streams.items()]
    for reader in readers:
        reader.start()
    stopped = ""
    while process.poll() is None:
        if over.is_set():
            stopped = OUTPUT
        elif cancel is not None and cancel.is_set():
            stopped = _CANCELLED
        elif time.perf_counter() >= deadline:
            stopped = "timeout"
        if stopped:
            _stop(process, used)
            break
        over.wait(0.05)
    for reader in readers:
        reader.join(GRACE)
    _reap(process)
    return stopped


def _stop(process: subprocess.Popen[bytes], used: str) -> None:
    """End ``process`` (contained by ``used``) and everything it started.

    Under a PID namespace killing the first process ends the namespace; elsewhere on Linux the
    prelude (a subreaper) ends the tree on ``SIGTERM``, so it gets a moment before the group is
    killed; on Windows ``taskkill /T`` ends the tree by parent process.
    """
    if os.name != "posix":
        subprocess.run(
            ["taskkill", "/F", "/T", "/PID", str(process.pid)], capture_output=True, check=False
        )
        process.kill()
        return
    if used not in (BWRAP, UNSHARE) and sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):
            process.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(GRACE / 2)
    with contextlib.suppress(OSError):
        os.killpg(process.pid, signal.SIGKILL)


def _reap(process: subprocess.Popen[bytes]) -> None:
    """Wait for ``process``; kill its group when it does not end within ``GRACE``."""
    try:
        process.wait(GRACE)
    except subprocess.TimeoutExpired:
        if os.name == "posix":
            with contextlib.suppress(OSError):
                os.killpg(process.pid, signal.SIGKILL)
        process.kill()
        process.wait()
