"""Which lines of chosen files an example executes, measured by coverage.py inside the sandbox.

One job: what a contained example run needs to be traced (:func:`prepare`), the code that runs
it under coverage.py in the example's own interpreter (:data:`RUN`, the end of
:data:`howto_ls.examples_run.BOOTSTRAP`), and the reading back of what it measured
(:func:`read`).

The example is untrusted, so the measuring runs inside the sandbox with it: coverage.py's
installed package (the one installed with howto-ls) is shown to the sandbox read-only, put on
``sys.path`` only while the bootstrap imports it, and taken out of ``sys.modules`` while the
example runs, so the example's own imports see the project's environment as it is. Only the
chosen files are traced (coverage.py's ``include``; no data file of its own, no configuration
file read). The executed lines are written as JSON to a file in the example's temporary folder;
the example could write there too, so :func:`read` takes it as hostile input: bounded in size,
checked in shape, and anything else is "not measured" with the reason, never an exception.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

VARIABLE = "HOWTO_EXAMPLE_TRACE"
"""Environment variable that hands the bootstrap what to trace (popped before the example)."""

DATA_FILE = ".howto-trace.json"
"""Name of the file, in the example's working folder, that the traced run writes."""

MAX_DATA = 8 << 20
"""Bytes of the data file read at most: larger is "not measured"."""

MAX_LINE = 10_000_000
"""Line numbers above this are not taken as lines of a file."""

INSTALL = "not measured: install coverage (pip install coverage) to measure what examples execute"


@dataclass(frozen=True)
class Trace:
    """What a traced run executed: ``lines`` maps each traced file (real path, as given to
    :func:`prepare`) to the 1-based line numbers it executed (a file never entered has none);
    ``example`` the lines of the example itself that ran; ``problem`` says why nothing was
    measured ("" when it was)."""

    lines: Mapping[str, frozenset[int]] = field(default_factory=dict)
    example: frozenset[int] = frozenset()
    problem: str = ""

    @property
    def measured(self) -> bool:
        """Whether the run was measured."""
        return not self.problem

    def executed(self, path: Path | str) -> frozenset[int]:
        """The lines ``path`` executed (by real path), empty when none."""
        return self.lines.get(os.path.realpath(path), frozenset())


@dataclass(frozen=True)
class Prepared:
    """What :func:`prepare` gives a run: the ``environment`` entries that hand the bootstrap its
    task, the paths the sandbox must show read-only (``readable``), or the ``problem`` that
    keeps the run from being traced ("" when it can be)."""

    environment: Mapping[str, str] = field(default_factory=dict)
    readable: tuple[Path, ...] = ()
    problem: str = ""


def coverage_package() -> Path | None:
    """The folder of the coverage.py package installed with howto-ls, None when it is not
    installed (found without importing it)."""
    try:
        spec = importlib.util.find_spec("coverage")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))).resolve()


def prepare(folder: Path, files: Sequence[Path | str]) -> Prepared:
    """Get ``folder`` (the example's working folder) ready for a run that traces ``files``.

    A folder of its own under ``folder`` holds one link, ``coverage``, to the installed package:
    that folder, not howto-ls's whole ``site-packages``, is what the bootstrap puts on
    ``sys.path`` to import it. The package's real folder must be shown to the sandbox
    (``readable``). ``problem`` is :data:`INSTALL` when coverage.py is not installed.
    """
    package = coverage_package()
    if package is None:
        return Prepared(problem=INSTALL)
    shelf = folder / ".howto-tracer"
    shelf.mkdir(mode=0o700, exist_ok=True)
    link = shelf / "coverage"
    try:
        link.symlink_to(package, target_is_directory=True)
    except OSError as exc:
        return Prepared(problem=f"not measured: cannot show coverage to the example ({exc})")
    task = {
        "path": str(shelf),
        "include": [_pattern(os.path.realpath(f)) for f in files],
        "data": str(folder / DATA_FILE),
    }
    return Prepared({VARIABLE: json.dumps(task)}, (package,))


def _pattern(path: str) -> str:
    """``path`` as a coverage.py ``include`` pattern: its glob characters, which it cannot
    escape, each matching one character (``?``); :func:`read` keeps only the exact paths."""
    return re.sub(r"[*?\[\]]", "?", path)


def read(folder: Path, files: Sequence[Path | str], example: Path | None = None) -> Trace:
    """The :class:`Trace` the run in ``folder`` wrote for ``files`` and the ``example`` script
    (traced too: :func:`prepare` was given it), validated.

    The file must be at most :data:`MAX_DATA` bytes of JSON: an object with ``lines``, an
    object mapping paths to lists of line numbers (integers from 1 to :data:`MAX_LINE`), or
    with ``problem``, a string (the bootstrap could not measure). Anything else (missing,
    too large, not JSON, another shape) gives a :class:`Trace` whose ``problem`` says so.
    """
    path = folder / DATA_FILE
    try:
        with open(path, "rb") as stream:
            raw = stream.read(MAX_DATA + 1)
    except OSError:
        return Trace(problem="not measured: the run wrote no coverage data (it ended early)")
    if len(raw) > MAX_DATA:
        return Trace(problem="not measured: the coverage data file is too large")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return Trace(problem="not measured: the coverage data file is not valid JSON")
    if isinstance(data, dict) and isinstance(data.get("problem"), str):
        return Trace(problem=f"not measured: {_printable(data['problem'])}")
    found = data.get("lines") if isinstance(data, dict) else None
    if not isinstance(found, dict):
        return Trace(problem="not measured: the coverage data file has no lines")
    wanted = {os.path.realpath(f) for f in files}
    script = os.path.realpath(example) if example is not None else None
    lines: dict[str, frozenset[int]] = {}
    ran: frozenset[int] = frozenset()
    for name, numbers in found.items():
        if not isinstance(numbers, list) or not all(
            type(n) is int and 0 < n <= MAX_LINE for n in numbers
        ):
            return Trace(problem="not measured: the coverage data file has bad line numbers")
        if name in wanted:
            lines[name] = frozenset(numbers)
        if name == script:
            ran = frozenset(numbers)
    return Trace(lines, ran)


def _printable(text: str, limit: int = 200) -> str:
    """``text`` on one line of printable characters, cut to ``limit``."""
    flat = "".join(c if c.isprintable() else " " for c in text)
    return " ".join(flat.split())[:limit]


# The end of the bootstrap (any CPython 3.8+, standard library only until coverage.py is
# imported): run the example at ``_path`` as __main__, traced when the environment asks for it.
# Whatever the tracing does, the example's own exceptions and exit status come out as untraced.
RUN = r"""
_TRACE = _os.environ.pop("HOWTO_EXAMPLE_TRACE", "")
if not _TRACE:
    _runpy.run_path(_path, run_name="__main__")
else:
    import json as _json

    _task = _json.loads(_TRACE)
    _coverage_run = None
    _coverage_modules = {}

    def _write_trace(found):
        with open(_task["data"], "w", encoding="utf-8") as _out:
            _json.dump(found, _out)

    try:
        _sys.path.insert(0, _task["path"])
        try:
            import coverage as _coverage
        finally:
            _sys.path.remove(_task["path"])
        _coverage_run = _coverage.Coverage(
            data_file=None, include=_task["include"], config_file=False
        )
        _coverage_run.set_option("run:disable_warnings", [
            "no-data-collected", "module-not-imported", "module-not-measured",
            "already-imported", "no-ctracer", "couldnt-parse", "no-sysmon",
        ])
        _coverage_modules = {
            _name: _module for _name, _module in _sys.modules.items()
            if _name == "coverage" or _name.startswith("coverage.")
        }
        for _name in _coverage_modules:
            del _sys.modules[_name]
        _coverage_run.start()
    except BaseException as _exc:
        _coverage_run = None
        _sys.modules.update(_coverage_modules)
        _write_trace({"problem": "coverage did not start in %s %s: %s: %s" % (
            _os.path.basename(_sys.executable), _sys.version.split()[0],
            type(_exc).__name__, _exc)})
    try:
        _runpy.run_path(_path, run_name="__main__")
    finally:
        if _coverage_run is not None:
            try:
                _coverage_run.stop()
                for _name in [n for n in _sys.modules
                              if n == "coverage" or n.startswith("coverage.")]:
                    del _sys.modules[_name]
                _sys.modules.update(_coverage_modules)
                _data = _coverage_run.get_data()
                _write_trace({"lines": {
                    _file: sorted(_data.lines(_file) or ())
                    for _file in _data.measured_files()
                }})
            except BaseException as _exc:
                try:
                    _write_trace({"problem": "coverage failed: %s: %s" % (
                        type(_exc).__name__, _exc)})
                except BaseException:
                    pass
"""
