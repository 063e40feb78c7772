"""``howto-ls check --examples``: run every guide's Usage Example and report the ones that fail.

Each example runs through :func:`howto_ls.examples_run.run_example` (the project's interpreter,
a temporary working folder, a timeout, the network refused, no terminal), contained by
:mod:`howto_ls.sandbox`; when the machine offers no OS isolation the report carries the one line
that says so. An example that fails
only because the network was refused is reported as needing the network, not as failing;
likewise one that needed a terminal (it read standard input, opened ``/dev/tty`` or started an
editor), one that needed an optional dependency that is not installed (an ``ImportError`` raised
by a call), and one whose symbol the module defines only on another platform (under
``if sys.platform == "win32":``).
Each example that runs is also measured (:mod:`howto_ls.demonstration`): whether it executes
the symbol's own body and shows a result. It is reported as "example runs and demonstrates
(body 7/9 lines)" or "example runs but does not demonstrate: printed None"; with
``require_demonstrate`` the latter (and a run that could not be measured) is a failure.
Files are only read.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import os
import signal
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from howto_ls import demonstration, discovery, examples_run, project, sandbox, subreaper
from howto_ls.commands.check import Finding
from howto_ls.commands.output import Record
from howto_ls.config import Settings
from howto_ls.engine import Engine
from howto_ls.errors import HowtoError, UsageError
from howto_ls.guide import parse_guide
from howto_ls.sourcefile import read_source

EXAMPLE_FAILS = "example fails"
EXAMPLE_NEEDS_NETWORK = "example needs network"
EXAMPLE_NEEDS_TERMINAL = "example needs a terminal"
EXAMPLE_NEEDS_DEPENDENCY = "example needs an optional dependency"
EXAMPLE_OTHER_PLATFORM = "example needs another platform"
EXAMPLE_HIT_LIMIT = "example hit a limit"
EXAMPLE = "example"

# The status of each example's record (--format json): the run's kind, one word each.
DEMONSTRATES = "ok"
NOT_DEMONSTRATING = "not-demonstrating"
STATUSES = {
    examples_run.FAILS: "fails",
    examples_run.TIMEOUT: "timeout",
    examples_run.HIT_LIMIT: "hit-limit",
    examples_run.NEEDS_NETWORK: "needs-network",
    examples_run.NEEDS_TERMINAL: "needs-terminal",
    examples_run.NEEDS_DEPENDENCY: "needs-dependency",
}
OTHER_PLATFORM = "other-platform"
_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError"})


@dataclass
class ExamplesReport:
    """What running the examples found: failures (exit 1); examples that need the network, a
    terminal, an optional dependency or another platform (counted apart, not failures); the line
    that says the examples ran without OS isolation ("" when they had it); for the examples
    that run, one line each on whether they demonstrate (``demonstrating``, ``shown``: every
    such line; ``not_demonstrating``: those that run but do not demonstrate, or could not be
    measured, which are failures too under ``require_demonstrate``); ``records``: every example
    run, in file order, with its status (:data:`STATUSES`, :data:`DEMONSTRATES`,
    :data:`NOT_DEMONSTRATING`, :data:`OTHER_PLATFORM`) and wall time."""

    ran: int = 0
    notice: str = ""
    failures: list[Finding] = field(default_factory=list)
    network: list[Finding] = field(default_factory=list)
    terminal: list[Finding] = field(default_factory=list)
    dependency: list[Finding] = field(default_factory=list)
    platform: list[Finding] = field(default_factory=list)
    shown: list[Finding] = field(default_factory=list)
    demonstrating: int = 0
    not_demonstrating: int = 0
    records: list[Record] = field(default_factory=list)

    @property
    def apart(self) -> list[Finding]:
        """The examples counted apart, in the order the summary names them."""
        return [*self.network, *self.terminal, *self.dependency, *self.platform]

    def summary(self) -> str:
        """One line: how many examples ran and how they went (the kinds counted apart beyond
        the network only when there are some)."""
        noun = "example" if self.ran == 1 else "examples"
        passed = self.ran - len(self.failures) - len(self.apart)
        text = (
            f"{self.ran} {noun} run: {passed} ok, {len(self.failures)} failing, "
            f"{len(self.network)} needing the network (refused)"
        )
        for found, what in [
            (self.terminal, "a terminal"),
            (self.dependency, "an optional dependency"),
            (self.platform, "another platform"),
        ]:
            if found:
                text += f", {len(found)} needing {what}"
        running = self.demonstrating + self.not_demonstrating
        if running:
            text += f"; {self.demonstrating} of the {running} that run demonstrate"
        return text

    def as_json(self) -> dict[str, int]:
        """The summary's counts: ``{"ran", "ok", "failing", "needs_network", "needs_terminal",
        "needs_dependency", "other_platform", "demonstrating", "not_demonstrating"}``."""
        return {
            "ran": self.ran,
            "ok": self.ran - len(self.failures) - len(self.apart),
            "failing": len(self.failures),
            "needs_network": len(self.network),
            "needs_terminal": len(self.terminal),
            "needs_dependency": len(self.dependency),
            "other_platform": len(self.platform),
            "demonstrating": self.demonstrating,
            "not_demonstrating": self.not_demonstrating,
        }


@dataclass(frozen=True)
class _Job:
    path: Path
    line: int
    name: str
    code: str
    qualname: str
    source: str
    python: str
    paths: tuple[Path, ...]


def run_examples(
    paths: Sequence[Path],
    settings: Settings,
    *,
    python: str | None = None,
    timeout: float = examples_run.DEFAULT_TIMEOUT,
    jobs: int | None = None,
    require_demonstrate: bool = False,
) -> ExamplesReport:
    """Run the Usage Example of every guide under ``paths``, ``jobs`` at once (default: one
    per CPU), in file order; ``python`` overrides the project's interpreter. Each run is
    traced (:func:`howto_ls.demonstration.demonstrate`); with ``require_demonstrate`` an
    example that runs but does not demonstrate (or could not be measured) is a failure.

    The sandbox is the one ``HOWTO_SANDBOX`` asks for (default: the best available); raises
    :class:`howto_ls.sandbox.SandboxError` when it names one that does not work here.

    On Linux this process adopts what the examples leave behind (:mod:`howto_ls.subreaper`)
    and ends it when the run ends. ``SIGTERM`` (a cancelled CI job) is taken as Ctrl-C: both
    stop the running examples, start no other, remove their temporary folders and raise
    ``KeyboardInterrupt``.
    """
    with _terminate_as_interrupt(), subreaper.adopting():
        return _run(paths, settings, python, timeout, jobs, require_demonstrate)


def _run(
    paths: Sequence[Path],
    settings: Settings,
    python: str | None,
    timeout: float,
    jobs: int | None,
    require_demonstrate: bool = False,
) -> ExamplesReport:
    """:func:`run_examples` without its signal handling."""
    isolation = sandbox.mechanism(sandbox.requested())
    work: list[_Job] = []
    engines: dict[Path, Engine] = {}
    for path in discovery.python_files(paths):
        root = project.find_root(path)
        engine = engines.setdefault(root, Engine(settings, root))
        try:
            source = read_source(path).text
        except HowtoError:
            continue  # the stale check reports unreadable files
        interpreter = python or examples_run.project_interpreter(root)
        problem = examples_run.interpreter_problem(interpreter, isolation)
        if problem is not None:
            raise (UsageError if python else HowtoError)(
                f"cannot run the examples: {problem}; "
                + (
                    "pass --python PATH to a Python 3.8 or later"
                    if python
                    else "activate the project's virtualenv or pass --python PATH"
                )
            )
        roots = tuple(examples_run.import_roots(root))
        for guide in sorted(engine.guides_in(path, source), key=lambda g: g.span.start):
            code = parse_guide(guide.markdown).guide.example
            if not code.strip():
                continue
            name = guide.qualname or project.module_name(path, root) or path.stem
            line = guide.span.start.line + 1
            work.append(_Job(path, line, name, code, guide.qualname, source, interpreter, roots))
    report = ExamplesReport(ran=len(work), notice=(work and sandbox.notice(isolation)) or "")
    cancel = threading.Event()
    pool = concurrent.futures.ThreadPoolExecutor(jobs or os.cpu_count() or 1)
    try:
        measured = pool.map(
            lambda job: demonstration.demonstrate(
                job.code,
                demonstration.Target(job.path, job.qualname),
                source=job.source,
                python=job.python,
                timeout=timeout,
                paths=job.paths,
                isolation=isolation,
                cancel=cancel,
            ),
            work,
        )
        for job, shown in zip(work, measured, strict=True):
            run = shown.run
            if run.ok:
                finding = Finding(job.path, job.line, job.name, f"{EXAMPLE} {shown.describe()}")
                report.shown.append(finding)
                status = DEMONSTRATES if shown.demonstrates else NOT_DEMONSTRATING
                report.records.append(
                    Record(job.path, job.line, job.name, status, shown.describe(), run.seconds)
                )
                if shown.demonstrates:
                    report.demonstrating += 1
                    continue
                report.not_demonstrating += 1
                if require_demonstrate:
                    report.failures.append(finding)
                continue
            found, problem = _sorted_into(report, job, run)
            detail = run.detail
            if run.status == examples_run.TIMEOUT:
                detail += (
                    " (the --timeout limit): make the example finish sooner, or allow it"
                    f" more time, e.g. --timeout {timeout * 2:g}"
                )
            found.append(Finding(job.path, job.line, job.name, f"{problem}: {detail}"))
            status = STATUSES.get(run.status, run.status.replace(" ", "-"))
            if found is report.platform:
                status = OTHER_PLATFORM
            report.records.append(Record(job.path, job.line, job.name, status, detail, run.seconds))
    except BaseException:
        cancel.set()  # the workers stop their examples and remove their folders
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return report


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """Within the block, ``SIGTERM`` raises ``KeyboardInterrupt`` in the main thread as Ctrl-C
    does (signal(7)); outside the main thread, or where there is no ``SIGTERM``, nothing
    changes."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGTERM"):
        yield
        return

    def interrupt(number: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    before = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)


def _sorted_into(
    report: ExamplesReport, job: _Job, run: examples_run.ExampleRun
) -> tuple[list[Finding], str]:
    """The report's list a run that did not go well belongs to, and its problem's words."""
    if run.status == examples_run.NEEDS_NETWORK:
        return report.network, EXAMPLE_NEEDS_NETWORK
    if run.status == examples_run.NEEDS_TERMINAL:
        return report.terminal, EXAMPLE_NEEDS_TERMINAL
    if run.status == examples_run.NEEDS_DEPENDENCY:
        return report.dependency, EXAMPLE_NEEDS_DEPENDENCY
    if run.status == examples_run.HIT_LIMIT:
        return report.failures, EXAMPLE_HIT_LIMIT
    if (
        run.status == examples_run.FAILS
        and examples_run.error_kind(run.detail) in _IMPORT_ERRORS
        and job.qualname
        and project.platform_condition(job.source, job.qualname) is not None
    ):
        return report.platform, EXAMPLE_OTHER_PLATFORM
    return report.failures, EXAMPLE_FAILS
