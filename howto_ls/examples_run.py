"""Run a guide's Usage Example the way a reader would, with the network refused.

Each example runs in its own subprocess of the project's interpreter, in a fresh temporary working
folder, contained by :mod:`howto_ls.sandbox` (a clean environment, limits, the whole process tree
ended at the timeout, the OS's isolation where it has one). An example that runs out of memory,
writes a file over the size limit, prints more than the output limit or uses up its CPU time is
reported as having hit a limit. An audit hook (PEP 578, ``sys.addaudithook``) installed before the
example starts refuses every socket connection and host-name lookup that is not loopback
(``127.0.0.0/8``, ``::1``, ``localhost``, Unix sockets): the call raises
``ConnectionRefusedError`` and the refusal is written to a side file, so an example that fails
after a refusal is reported as needing the network rather than as broken. Nothing leaves the
machine.

The example has no terminal either: standard input is empty (at end of file), opening the
controlling terminal (``/dev/tty``, ``CON``) is refused, and ``EDITOR``/``VISUAL`` name a stub that
records the call and exits with status 1, so no editor can wait for a reader. Each of these is
written to a second side file; an example that fails (or hangs) after one is reported as needing
a terminal. An example that fails with ``ImportError`` raised by a call rather than by one of its
own import statements (``BrotliDecoder()`` without ``brotli`` installed) is reported as needing an
optional dependency, with the error naming it.
"""

from __future__ import annotations

import ast
import errno
import functools
import os
import re
import shlex
import shutil
import sys
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from howto_ls import astutil, project, sandbox, sandbox_mounts, tracing

DEFAULT_TIMEOUT = 20.0
"""Seconds an example may run before it is stopped and reported as hanging."""

OK = "ok"
FAILS = "fails"
NEEDS_NETWORK = "needs network"
TIMEOUT = "timeout"
NEEDS_TERMINAL = "needs a terminal"
NEEDS_DEPENDENCY = "needs an optional dependency"
HIT_LIMIT = "hit a limit"
CANCELLED = "cancelled"

_REFUSAL_LOG = "HOWTO_EXAMPLE_NETWORK_LOG"
_TERMINAL_LOG = "HOWTO_EXAMPLE_TERMINAL_LOG"
_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError"})

# Runs in the example's interpreter before the example (any CPython 3.8+). Kept free of imports
# beyond the standard library so it works in whatever environment the project uses.
BOOTSTRAP = (
    r"""
import ipaddress as _ipaddress
import os as _os
import runpy as _runpy
import sys as _sys

_LOG = _os.environ.pop("HOWTO_EXAMPLE_NETWORK_LOG", "")
_TERMINAL_LOG = _os.environ.pop("HOWTO_EXAMPLE_TERMINAL_LOG", "")
_TERMINALS = {"/dev/tty", "CON", "CONIN$", "CONOUT$"}
_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", ""}


def _is_local(host):
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return True
    name = host.strip("[]").split("%", 1)[0].lower()
    if name in _LOCAL_NAMES or name.endswith(".localhost"):
        return True
    try:
        return _ipaddress.ip_address(name).is_loopback or name in {"0.0.0.0", "::"}
    except ValueError:
        return False


def _refuse(event, host):
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    what = "%s %s" % (event, host)
    if _LOG:
        with open(_LOG, "a", encoding="utf-8") as log:
            log.write(what + "\n")
    raise ConnectionRefusedError(
        111, "howto-ls: network refused while running the example: " + what
    )


def _terminal(what):
    if _TERMINAL_LOG:
        with open(_TERMINAL_LOG, "a", encoding="utf-8") as log:
            log.write(what + "\n")


class _Stdin:
    # standard input (empty): records a read that finds it at end of file

    def __init__(self, stream):
        self._stream = stream

    def _seen(self, data):
        if not data:
            _terminal("read standard input at end of file")
        return data

    def read(self, *args):
        return self._seen(self._stream.read(*args))

    def readline(self, *args):
        return self._seen(self._stream.readline(*args))

    def readlines(self, *args):
        return self._seen(self._stream.readlines(*args))

    def __iter__(self):
        return self

    def __next__(self):
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    def __getattr__(self, name):
        return getattr(self._stream, name)


def _hook(event, args):
    if event == "open" and args:
        path = args[0]
        if isinstance(path, bytes):
            path = path.decode("utf-8", "replace")
        if isinstance(path, str) and path in _TERMINALS:
            _terminal("opened " + path)
            raise OSError(6, "howto-ls: no terminal while running the example", path)
    elif event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
        address = args[1] if len(args) > 1 else None
        if isinstance(address, tuple) and address and not _is_local(address[0]):
            _refuse(event, address[0])
    elif event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex",
                   "socket.gethostbyaddr"):
        if args and not _is_local(args[0]):
            _refuse(event, args[0])


_sys.addaudithook(_hook)
if _sys.stdin is not None:
    _sys.stdin = _Stdin(_sys.stdin)
_path = _sys.argv[1]
_sys.argv = [_path]
_sys.path[0] = _os.path.dirname(_path)
"""
    + tracing.RUN
)


@dataclass(frozen=True)
class ExampleRun:
    """How one example ran: ``status`` is ``ok``, ``fails``, ``needs network``, ``needs a
    terminal``, ``needs an optional dependency``, ``hit a limit``, ``timeout`` or ``cancelled``
    (the caller stopped the run).

    ``detail`` is the last line of the error (the exception line of a traceback) for a failure
    and a missing optional dependency, the refused host for ``needs network``, what the example
    did for ``needs a terminal`` ("read standard input at end of file", "opened /dev/tty",
    "started an editor: ..."), which limit and how much for ``hit a limit`` ("memory limit: more
    than 1 GiB of address space (MemoryError)"), and "" otherwise; ``seconds`` is wall time;
    ``output`` the head and tail of standard output then standard error; ``stdout`` those of
    standard output alone; ``trace`` the lines of the traced files the run executed
    (:mod:`howto_ls.tracing`), None when no file was to be traced.
    """

    status: str
    detail: str = ""
    seconds: float = 0.0
    output: str = ""
    stdout: str = ""
    trace: tracing.Trace | None = None

    @property
    def ok(self) -> bool:
        """Whether the example ran to its end."""
        return self.status == OK


def project_interpreter(root: Path | None = None) -> str:
    """The Python that runs the project's code.

    In this order: the virtualenv of ``VIRTUAL_ENV``, a ``.venv``/``venv`` folder in ``root``
    (one with ``pyvenv.cfg``), else the interpreter running howto-ls.
    """
    candidates = []
    active = os.environ.get("VIRTUAL_ENV")
    if active:
        candidates.append(Path(active))
    if root is not None:
        candidates += [root / ".venv", root / "venv"]
    for folder in candidates:
        if not (folder / "pyvenv.cfg").is_file():
            continue
        for python in (folder / "bin" / "python", folder / "Scripts" / "python.exe"):
            if python.is_file():
                return str(python)
    return sys.executable


MIN_PYTHON = (3, 8)
"""The oldest Python that runs examples: the network refusal needs audit hooks (PEP 578)."""

PROBE_TIMEOUT = 10.0
"""Seconds an interpreter may take to say which Python it is."""


@functools.lru_cache(maxsize=16)
def interpreter_problem(python: str, isolation: str | None = None) -> str | None:
    """Why ``python`` (a path or a command name) cannot run examples, or None when it can.

    It must exist, be an executable file, start, and report a Python of at least
    ``MIN_PYTHON`` when asked for ``sys.version_info`` (a program that is not Python, such as
    ``/bin/true``, reports nothing). The question runs contained like an example
    (:func:`howto_ls.sandbox.probe` under ``isolation``, None: ``HOWTO_SANDBOX``): the
    project's interpreter is the project's code. Asked once per interpreter and isolation; the
    probe stops after ``PROBE_TIMEOUT`` seconds. Raises
    :class:`howto_ls.sandbox.SandboxError` when ``isolation`` does not work here.
    """
    found_at = python if os.sep in python else shutil.which(python)
    if found_at is None or not os.path.exists(found_at):
        return f"{python} does not exist"
    if os.path.isdir(found_at) or not os.access(found_at, os.X_OK):
        return f"{python} is not an executable program"
    probe = "import sys; print('%d.%d' % sys.version_info[:2])"
    try:
        done = sandbox.probe(
            [os.path.abspath(found_at), "-c", probe], timeout=PROBE_TIMEOUT, isolation=isolation
        )
    except OSError as exc:
        return f"{python} does not start ({exc.strerror or exc})"
    if done.timed_out:
        return f"{python} did not answer within {PROBE_TIMEOUT:g} s"
    cannot = re.search(r"^cannot run .*: (.+)$", done.stderr, re.MULTILINE)
    if done.returncode == 127 and cannot:
        return f"{python} does not start ({cannot.group(1)})"
    found = re.fullmatch(r"(\d+)\.(\d+)", done.stdout.strip())
    if done.returncode != 0 or found is None:
        return f"{python} is not a Python interpreter (it did not report its version)"
    version = (int(found.group(1)), int(found.group(2)))
    if version < MIN_PYTHON:
        oldest = ".".join(map(str, MIN_PYTHON))
        return (
            f"{python} is Python {version[0]}.{version[1]}; examples need Python {oldest} or "
            "later (the network is refused through audit hooks, PEP 578)"
        )
    return None


def import_roots(root: Path) -> list[Path]:
    """Folders the project's own modules import from: ``root/src`` when it exists, and ``root``;
    for an installed project, its installation folder (:func:`howto_ls.project.import_folders`)."""
    return [folder for folder in project.import_folders(root) if folder.is_dir()]


def run_example(
    code: str,
    *,
    python: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    paths: Sequence[Path] = (),
    isolation: str | None = None,
    limits: sandbox.Limits | None = None,
    cancel: threading.Event | None = None,
    trace: Sequence[Path] = (),
) -> ExampleRun:
    """Run ``code`` as ``__main__`` in a subprocess of ``python`` and say how it went.

    The run is contained by :func:`howto_ls.sandbox.run` (``isolation``: a mechanism of
    ``sandbox.MECHANISMS``, None for ``HOWTO_SANDBOX`` or the best available; ``limits``: None
    for the defaults): a clean environment whose ``HOME``, ``TMPDIR`` and XDG folders lie in the
    new temporary working folder (removed afterwards), ``paths`` (the project's import roots)
    first on ``PYTHONPATH``; under bubblewrap the real home and temporary folders are hidden but
    for ``paths`` and what ``python`` says it reads (asked once per interpreter); limits on
    memory, CPU time, files and output, the whole process tree ended after ``timeout`` seconds.
    On top of that, connections beyond loopback are refused and recorded; standard input is
    empty, ``/dev/tty`` cannot be opened and ``EDITOR``/``VISUAL`` name a stub that exits with
    status 1. ``cancel``, when set, stops the example (status ``cancelled``); one not yet
    started when it is set does not start. Raises :class:`howto_ls.sandbox.SandboxError` when
    ``isolation`` names a mechanism that does not work here.

    With ``trace`` (source files), the run is measured by coverage.py inside the sandbox
    (:mod:`howto_ls.tracing`): the lines of those files and of the example that ran come back
    in ``ExampleRun.trace``, or why they could not be measured.
    """
    limits = limits or sandbox.Limits()
    interpreter = python or sys.executable
    used = sandbox.mechanism(isolation or sandbox.requested())
    if cancel is not None and cancel.is_set():
        return ExampleRun(CANCELLED, "stopped before it started")
    readable: list[Path] = []
    if used == sandbox.BWRAP:  # the home and temporary folders are hidden: show what it reads
        readable = [*paths, *sandbox_mounts.interpreter_paths(interpreter, paths)]
    with tempfile.TemporaryDirectory(prefix="howto-example-") as folder:
        work = Path(folder).resolve()
        script = work / "example.py"
        script.write_text(code, encoding="utf-8")
        log = work / ".network-refused"
        terminal_log = work / ".terminal-used"
        extra = {
            _REFUSAL_LOG: str(log),
            _TERMINAL_LOG: str(terminal_log),
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONIOENCODING": "utf-8",
            "NO_COLOR": "1",
        }
        if os.name == "posix":
            editor = work / ".editor"
            editor.write_text(_EDITOR_STUB.format(log=shlex.quote(str(terminal_log))), "utf-8")
            editor.chmod(0o755)
            extra["EDITOR"] = extra["VISUAL"] = str(editor)
        traced = [*trace, script]
        prepared = tracing.prepare(work, traced) if trace else tracing.Prepared()
        extra.update(prepared.environment)
        if used == sandbox.BWRAP:
            readable += prepared.readable
        env = sandbox.environment(work, paths=paths, extra=extra)
        command = [interpreter, "-c", BOOTSTRAP, str(script)]
        done = sandbox.run(
            command,
            folder=work,
            env=env,
            timeout=timeout,
            limits=limits,
            isolation=used,
            readable=readable,
            cancel=cancel,
        )
        refused = _first_line(log)
        terminal = _first_line(terminal_log)
        measured: tracing.Trace | None = None
        if trace:
            problem = prepared.problem
            measured = (
                tracing.Trace(problem=problem) if problem else tracing.read(work, trace, script)
            )
    ran = functools.partial(ExampleRun, stdout=done.stdout, trace=measured)
    seconds = done.seconds
    output = done.stdout + done.stderr
    if done.cancelled:
        return ran(CANCELLED, "stopped", seconds, output)
    if done.timed_out:
        if terminal:
            return ran(NEEDS_TERMINAL, terminal, seconds, output)
        return ran(TIMEOUT, f"did not finish within {timeout:g} s", seconds, output)
    if done.limit:
        return ran(HIT_LIMIT, _limit_words(done.limit, limits), seconds, output)
    if done.returncode == 0:
        return ran(OK, "", seconds, output)
    last = last_error_line(done.stderr) or f"exit status {done.returncode}"
    if refused:
        return ran(NEEDS_NETWORK, refused, seconds, output)
    if terminal:
        return ran(NEEDS_TERMINAL, terminal, seconds, output)
    kind = error_kind(last)
    if kind == "MemoryError" or _FILE_TOO_LARGE in last:
        limit = sandbox.MEMORY if kind == "MemoryError" else sandbox.FILE_SIZE
        return ran(HIT_LIMIT, _limit_words(limit, limits), seconds, output)
    if kind in _IMPORT_ERRORS and not _raised_by_import(code, done.stderr, script):
        return ran(NEEDS_DEPENDENCY, last, seconds, output)
    return ran(FAILS, last, seconds, output)


_FILE_TOO_LARGE = f"[Errno {errno.EFBIG}]"


def _limit_words(limit: str, limits: sandbox.Limits) -> str:
    """What a run that hit ``limit`` (a ``sandbox`` limit name) is reported with."""
    if limit == sandbox.MEMORY:
        return f"memory limit: more than {_size(limits.memory)} of address space (MemoryError)"
    if limit == sandbox.FILE_SIZE:
        return f"file size limit: a file larger than {_size(limits.file_size)}"
    if limit == sandbox.OUTPUT:
        return f"output limit: more than {_size(limits.output)} of output, stopped"
    return "CPU time limit: stopped"


def _size(count: int) -> str:
    """``count`` bytes in MiB or GiB, the way the limits are set."""
    gib = count / (1 << 30)
    return f"{gib:g} GiB" if gib >= 1 else f"{count / (1 << 20):g} MiB"


_EDITOR_STUB = """#!/bin/sh
printf 'started an editor: %s\\n' "$*" >> {log}
exit 1
"""


def _first_line(path: Path) -> str:
    """The first line of a side file the example wrote, "" when it wrote none."""
    try:
        return path.read_text(encoding="utf-8").split("\n")[0]
    except OSError:
        return ""


def _raised_by_import(code: str, stderr: str, script: Path) -> bool:
    """Whether the traceback in ``stderr`` leaves the example ``code`` (run from ``script``) at
    one of its own ``import`` statements; False when the error came from a call (an optional
    dependency imported lazily, or checked for, when the code runs)."""
    lines = re.findall(rf'File "{re.escape(str(script))}", line (\d+)', stderr)
    if not lines:
        return True  # no frame of the example: it failed before running it
    number = int(lines[-1])
    try:
        tree = astutil.parse(code)
    except SyntaxError:
        return True
    return any(
        isinstance(node, ast.Import | ast.ImportFrom)
        and node.lineno <= number <= (node.end_lineno or node.lineno)
        for node in ast.walk(tree)
    )


def last_error_line(stderr: str) -> str:
    """The exception line of a traceback (its last non-empty line), cut to 200 characters.
    Lines end at ``\n`` only: a ``\r`` (or another separator ``str.splitlines`` knows) in the
    exception's message stays in the line, which keeps the exception's type."""
    lines = [line.rstrip() for line in stderr.split("\n") if line.strip()]
    return lines[-1][:200] if lines else ""


def error_kind(detail: str) -> str:
    """The exception class named by an error line (``ImportError`` ...), else ``other``."""
    head = detail.split(":", 1)[0].strip()
    name = head.rsplit(".", 1)[-1]
    return name if name.isidentifier() and name[:1].isupper() else "other"
