"""Run candidate Usage Examples of one symbol in the sandbox and rank them.

Each candidate is run by :func:`howto_ls.demonstration.demonstrate` (the project's interpreter,
its import roots, the sandbox of :mod:`howto_ls.sandbox`, coverage of the symbol's file) and
ranked: one that *demonstrates* the symbol beats one that only *runs*, which beats one that
does not run (fails, times out, needs the network...); ties go to the candidate that executed
more lines of the symbol's body, then to the earlier candidate (the writer's own preference).

The work is bounded: each run stops after ``run_timeout`` seconds, and all the runs for one
symbol share a ``budget`` of seconds; a candidate that no longer fits in what is left of it is
not run (and ranks as not running). A set ``cancel`` event stops the running example and starts
no other. Nothing an example does raises here; where no interpreter or sandbox can run
examples, :meth:`Verifier.problem` says why, the reason is logged once, and nothing is run.

:func:`verifier_for` reads the ``verifyExamples`` setting: ``auto`` verifies only where the
sandbox keeps the user's files from the example (:data:`sandbox.KEEPS_FILES`: bubblewrap, with
the file system read-only and the home folder hidden), since a plain ``doc`` then runs code the
model wrote and what it prints goes back to the model; ``on`` verifies wherever examples can
run at all (saying once when they run with less isolation), ``off`` never runs anything.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from howto_ls import argument_search, examples_run, follow_up, sandbox
from howto_ls.config import Settings
from howto_ls.demonstration import (
    BLANK,
    BOUND_METHOD,
    CLASS,
    EMPTY,
    FUNCTION,
    NONE,
    Demonstration,
    Target,
    demonstrate,
)
from howto_ls.model import SymbolKind
from howto_ls.redact import redact

log = logging.getLogger(__name__)

DEFAULT_RUN_TIMEOUT = 10.0
"""Seconds one candidate example may run before it is stopped (and ranks as not running)."""

DEFAULT_BUDGET = 20.0
"""Seconds all the runs for one symbol may take together."""

MIN_RUN_SECONDS = 1.0
"""A candidate is not started with less than this many seconds of the budget left: an
interpreter with coverage takes about half a second to start."""

_STATE_SHOWS = frozenset({SymbolKind.CLASS.value, SymbolKind.MODULE.value})
"""Kinds of symbol whose examples may show what an object holds after any call: the object is
what the class (the module) made; for a method or function only a change the call made shows
what it did."""

FOLLOW_UP_ROUNDS = 2
"""Rounds of follow-ups at most: a second round follows up the best follow-up (a class called,
then what its object holds)."""

_CALLABLE_SHOWN = frozenset({FUNCTION, BOUND_METHOD, CLASS})
"""What a run showed that calling would take into the body it has not reached."""

_SEARCHED = frozenset({NONE, EMPTY, BLANK, ""})
"""What a run that reached the body showed (None, an empty value, a blank line, nothing) that
other values for its literals may turn into a result (:mod:`howto_ls.argument_search`), once
the follow-ups did not."""

DEMONSTRATES = 2
RUNS = 1
FAILS = 0

_said: set[str] = set()
_said_lock = threading.Lock()


def _say_once(message: str) -> None:
    """Log ``message`` once per process."""
    with _said_lock:
        if message in _said:
            return
        _said.add(message)
    log.warning("%s", message)


@dataclass(frozen=True)
class Verdict:
    """How one candidate did: its ``index`` among the candidates, its ``code`` and its
    ``demonstration`` (None when it was not run: the budget was spent or the run cancelled).
    A follow-up (:mod:`howto_ls.follow_up`) has an ``index`` past the candidates' and names
    the candidate it was written from in ``origin``; a candidate's ``origin`` is its own
    ``index``."""

    index: int
    code: str
    demonstration: Demonstration | None
    origin: int = -1

    def __post_init__(self) -> None:
        if self.origin < 0:
            object.__setattr__(self, "origin", self.index)

    @property
    def tier(self) -> int:
        """``DEMONSTRATES`` (2), ``RUNS`` (1) or ``FAILS`` (0: did not run, or was not run)."""
        shown = self.demonstration
        if shown is None or not shown.run.ok:
            return FAILS
        return DEMONSTRATES if shown.demonstrates else RUNS

    @property
    def body_executed(self) -> int:
        """Statements of the symbol's body the run executed (0 when not run)."""
        return self.demonstration.body_executed if self.demonstration is not None else 0

    def rank_key(self) -> tuple[int, int, int]:
        """Greater is better: the tier, then body lines executed, then the earlier index."""
        return (self.tier, self.body_executed, -self.index)

    def describe(self) -> str:
        """One line: how the run went (:meth:`Demonstration.describe`), or "not run"."""
        if self.demonstration is None:
            return "not run (no time left for it)"
        return self.demonstration.describe()


@dataclass(frozen=True)
class Ranking:
    """The verdicts of the candidates, in candidate order, and the time the runs took."""

    verdicts: tuple[Verdict, ...]
    seconds: float = 0.0

    @property
    def best(self) -> Verdict:
        """The best verdict (:meth:`Verdict.rank_key`)."""
        return max(self.verdicts, key=Verdict.rank_key)


def best_of(verdicts: Sequence[Verdict]) -> Verdict:
    """The best of ``verdicts`` (not empty) by :meth:`Verdict.rank_key`."""
    return max(verdicts, key=Verdict.rank_key)


class Verifier:
    """Runs and ranks candidate examples for the symbols of the project at ``root``.

    ``python`` is the interpreter (None: :func:`examples_run.project_interpreter`);
    ``run_timeout`` and ``budget`` are seconds (see the module docstring); ``isolation`` a
    mechanism of :data:`sandbox.MECHANISMS` (None: ``HOWTO_SANDBOX``, else the best here).
    """

    def __init__(
        self,
        root: Path,
        *,
        python: str | None = None,
        run_timeout: float = DEFAULT_RUN_TIMEOUT,
        budget: float = DEFAULT_BUDGET,
        isolation: str | None = None,
    ) -> None:
        self.root = root
        self.python = python or examples_run.project_interpreter(root)
        self.run_timeout = run_timeout
        self.budget = budget
        self._isolation = isolation
        self._problem: str | None = None
        self._checked = False
        self._lock = threading.Lock()

    @property
    def isolation(self) -> str:
        """The sandbox mechanism the runs use; raises :class:`sandbox.SandboxError` when the
        one asked for does not work here."""
        return sandbox.mechanism(self._isolation or sandbox.requested())

    def problem(self) -> str | None:
        """Why examples cannot run here (no usable interpreter, a sandbox asked for that does
        not work), None when they can. Found once, and logged once."""
        with self._lock:
            if not self._checked:
                self._problem = self._find_problem()
                self._checked = True
                if self._problem is not None:
                    _say_once(f"examples are not verified: {self._problem}")
            return self._problem

    def _find_problem(self) -> str | None:
        try:
            used = self.isolation
            problem = examples_run.interpreter_problem(self.python, used)
        except sandbox.SandboxError as exc:
            return str(exc)
        if problem is not None:
            return f"{problem}; activate the project's virtualenv"
        notice = sandbox.notice(used)
        if notice is not None:
            _say_once(notice)
        return None

    def rank(
        self,
        candidates: Sequence[str],
        target: Target,
        *,
        source: str | None = None,
        cancel: threading.Event | None = None,
        enough: int | None = None,
        follow: bool = False,
    ) -> Ranking | None:
        """Run ``candidates`` (example code, in the writer's order of preference) against
        ``target`` and rank them; None when examples cannot run here (:meth:`problem`) or
        ``source`` is None and ``target.path`` cannot be read.

        ``source`` is the text of ``target.path`` the body is read from (None: read from disk,
        which is what the run imports). With ``enough`` (a tier, e.g. ``DEMONSTRATES``), the
        runs stop at the first candidate that reaches it: the candidates are in order of
        preference, so an earlier one that demonstrates is kept without running the rest.
        With ``follow``, when the best runs but only shows None, an empty value, nothing or a
        default repr, follow-ups written from it (:mod:`howto_ls.follow_up`: a probe run asks
        what it printed) run in what is left of the budget, ranked after the candidates.
        Never raises for what an example does.
        """
        if not candidates or self.problem() is not None:
            return None
        if source is None:
            try:
                source = target.path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                return None
        start = time.monotonic()
        deadline = start + self.budget
        verdicts: list[Verdict] = []
        for index, code in enumerate(candidates):
            done = bool(enough is not None and verdicts and verdicts[-1].tier >= enough)
            shown = None if done else self._run(code, target, source, deadline, cancel)
            verdicts.append(
                Verdict(index, code, shown if isinstance(shown, Demonstration) else None)
            )
        if follow and verdicts:
            followed = best_of(verdicts)
            for _ in range(FOLLOW_UP_ROUNDS):
                found = self._follow_ups(followed, target, source, len(verdicts), deadline, cancel)
                verdicts += found
                if not found or best_of(verdicts).tier == DEMONSTRATES:
                    break
                followed = best_of(found)  # a class called: follow up what its object holds
        return Ranking(tuple(verdicts), time.monotonic() - start)

    def _run(
        self,
        code: str,
        target: Target,
        source: str,
        deadline: float,
        cancel: threading.Event | None,
        *,
        traced: bool = True,
        share: float = 1.0,
    ) -> Demonstration | examples_run.ExampleRun | None:
        """One run of ``code`` against ``target`` in what is left before ``deadline`` (a
        :func:`time.monotonic` time), or in the ``share`` (0 to 1) of it: its demonstration, or
        with ``traced`` False its plain run; None when no time is left, the run was cancelled
        before it started or the sandbox broke."""
        left = deadline - time.monotonic()
        if left < MIN_RUN_SECONDS or (cancel is not None and cancel.is_set()):
            return None
        left *= share
        paths = examples_run.import_roots(self.root)  # a few stat calls, next to a run
        try:
            if not traced:
                return examples_run.run_example(
                    code,
                    python=self.python,
                    timeout=min(self.run_timeout, left),
                    paths=paths,
                    isolation=self.isolation,
                    cancel=cancel,
                )
            return demonstrate(
                code,
                target,
                source=source,
                python=self.python,
                timeout=min(self.run_timeout, left),
                paths=paths,
                isolation=self.isolation,
                cancel=cancel,
            )
        except (sandbox.SandboxError, OSError) as exc:  # the sandbox broke, not the example
            _say_once(f"examples are not verified: {exc}")
            return None

    def _follow_ups(
        self,
        best: Verdict,
        target: Target,
        source: str,
        first_index: int,
        deadline: float,
        cancel: threading.Event | None,
    ) -> list[Verdict]:
        """The verdicts of the follow-ups of ``best`` (:mod:`howto_ls.follow_up`) when it runs
        and shows no result, and either reaches the body or printed something that calling
        would take there (a function, a class), or when it fails in a last ``print(f(...))``
        of a callable ``f`` it was handed (the probe, which stops before that line, runs); in
        both cases first with lively functions in place of the writer's silent placeholders.
        An example that fails is first mended with other values for its literals
        (:mod:`howto_ls.argument_search`, from the statement the traceback names); one that
        reached the body and showed None, an empty value or a blank line gets that search last,
        keeping only variants that showed a value. Indexed from ``first_index``; they stop at
        the first that demonstrates."""
        shown = best.demonstration
        if shown is None:
            return []
        lively: list[str] = []
        searched: argument_search.Search | None = None
        if shown.run.status == examples_run.FAILS:
            failed = follow_up.failing_call_subject(best.code)
            subjects = [failed] if failed is not None else []
            arguments = None
            lively = follow_up.with_lively_functions(best.code, "")
            line = argument_search.failing_line(shown.run.output)
            if line is not None:
                values = argument_search.pool(shown.run.detail, source, target.line)
                searched = argument_search.search(best.code, line, values, shown.run.detail)
        elif (
            best.tier != RUNS
            or not shown.measured
            or (not shown.body_executed and shown.shown not in _CALLABLE_SHOWN)
            or shown.asserted
        ):
            return []
        else:
            subjects = follow_up.subjects(best.code, shown.shown)
            arguments = follow_up.changed_arguments(best.code, shown.shown)
            lively = follow_up.with_lively_functions(best.code, shown.shown)
            end = argument_search.last_line(best.code)
            if shown.shown in _SEARCHED and shown.body_executed and end is not None:
                values = argument_search.pool("", source, target.line)
                searched = argument_search.search(best.code, end, values)
        verdicts: list[Verdict] = []

        def judged(code: str) -> Verdict | None:
            """``code`` run and its verdict kept; None when it could not run."""
            result = self._run(code, target, source, deadline, cancel)
            if not isinstance(result, Demonstration):
                return None
            verdict = Verdict(first_index + len(verdicts), code, result, best.origin)
            verdicts.append(verdict)
            return verdict

        for code in lively:
            verdict = judged(code)
            if verdict is None or verdict.tier == DEMONSTRATES:
                return verdicts
        if arguments is not None:
            probe = self._run(arguments.probe, target, source, deadline, cancel, traced=False)
            changed = probe.stdout if isinstance(probe, examples_run.ExampleRun) else ""
            for code in arguments.changed(changed):
                verdict = judged(code)
                if verdict is None or verdict.tier == DEMONSTRATES:
                    return verdicts
        failing = shown.run.status == examples_run.FAILS

        def searched_variants() -> bool:
            """The variants the search kept judged; whether to stop (one demonstrates, or
            time is up)."""
            if searched is None:
                return False
            tried = self._run(  # half the time left: the rest runs what it found
                searched.program, target, source, deadline, cancel, traced=False, share=0.5
            )
            ran = tried.stdout if isinstance(tried, examples_run.ExampleRun) else ""
            for code in argument_search.chosen(searched, ran, shown_only=not failing):
                verdict = judged(code)
                if verdict is None or verdict.tier == DEMONSTRATES:
                    return True
            return False

        if failing and searched_variants():  # a value the code rejects: mend it first
            return verdicts
        for subject in subjects:
            probe = self._run(
                follow_up.probe_program(best.code, subject),
                target,
                source,
                deadline,
                cancel,
                traced=False,
            )
            if not isinstance(probe, examples_run.ExampleRun) or not probe.ok:
                continue
            facts = follow_up.parse_facts(probe.stdout)
            if facts is None:
                continue
            effect_only = target.kind not in _STATE_SHOWS
            for code in follow_up.follow_ups(best.code, subject, facts, effect_only=effect_only):
                verdict = judged(code)
                if verdict is None or verdict.tier == DEMONSTRATES:
                    return verdicts
        if not failing:
            searched_variants()
        return verdicts

    async def rank_async(
        self,
        candidates: Sequence[str],
        target: Target,
        *,
        source: str | None = None,
        enough: int | None = None,
        follow: bool = False,
    ) -> Ranking | None:
        """:meth:`rank` on a worker thread; cancelling the awaiting task stops the running
        example (and starts no other) before the cancellation goes on."""
        cancel = threading.Event()
        work = asyncio.ensure_future(
            asyncio.to_thread(
                self.rank,
                candidates,
                target,
                source=source,
                cancel=cancel,
                enough=enough,
                follow=follow,
            )
        )
        try:
            return await asyncio.shield(work)
        except asyncio.CancelledError:
            cancel.set()
            await asyncio.wait([work])
            raise


def verifier_for(settings: Settings, root: Path) -> Verifier | None:
    """The :class:`Verifier` ``settings.verify_examples`` asks for in the project at ``root``:
    None for ``off``, for ``auto`` where the sandbox here does not keep the user's files
    (:func:`auto_problem`; or the sandbox asked for by ``HOWTO_SANDBOX`` does not work), and
    wherever examples cannot run (:meth:`Verifier.problem`); each reason is logged once."""
    mode = settings.verify_examples
    if mode == "off":
        return None
    if mode == "auto":
        try:
            used = sandbox.mechanism(sandbox.requested())
        except sandbox.SandboxError as exc:
            _say_once(f"examples are not verified: {exc}")
            return None
        problem = auto_problem(used)
        if problem is not None:
            _say_once(problem)
            return None
    verifier = Verifier(root)
    return None if verifier.problem() is not None else verifier


def auto_problem(used: str) -> str | None:
    """The one line that says why ``verifyExamples`` ``auto`` runs nothing with the sandbox
    mechanism ``used`` (one of :data:`sandbox.MECHANISMS`) and how to run examples anyway;
    None where that sandbox keeps the user's files (:data:`sandbox.KEEPS_FILES`)."""
    if used in sandbox.KEEPS_FILES:
        return None
    if used == sandbox.UNSHARE:
        why = (
            "the unshare sandbox here lets an example read and write your files (your home "
            "folder, ~/.ssh, the project)"
        )
    elif used == sandbox.SANDBOX_EXEC:
        why = "the sandbox-exec sandbox lets an example read your files (~/.ssh, your home folder)"
    else:
        why = "there is no OS sandbox here"
    install = "install bubblewrap (apt install bubblewrap), or " if _on_linux() else ""
    return (
        f"examples are not verified: verifyExamples is auto and {why}; {install}set "
        "verifyExamples on (--verify-examples) to run them anyway"
    )


def _on_linux() -> bool:
    """Whether bubblewrap can be had here (Linux)."""
    return sys.platform.startswith("linux")


ERROR_LINES = 10
"""Lines of a failing run's error output quoted back to a model."""

LINE_CHARS = 300
"""Characters kept of each line of a run's output, or of its one-line detail, that is quoted back
to a model or shown in a message: an example can print a line of any length."""

_EXAMPLE_FILE = re.compile(r'"[^"\n]*howto-example-[^"\n/\\]*[/\\]example\.py"')
_FROZEN = re.compile(r'^\s*File "<(?:frozen [\w.]+|string)>"')
_NOT_REPAIRED = frozenset(
    {examples_run.NEEDS_NETWORK, examples_run.NEEDS_DEPENDENCY, examples_run.CANCELLED}
)
"""Run statuses that say more about this machine than about the example: not sent back."""
_UNFINISHED = {
    examples_run.FAILS: "fails",
    examples_run.TIMEOUT: "does not finish in time",
    examples_run.HIT_LIMIT: "hits a limit",
}
"""Run statuses of an example that does not run to its end for a reason of its own, and how a
message says it: such an example is repaired, and refused when it still does not finish."""


def shorten(line: str, limit: int = LINE_CHARS) -> str:
    """``line`` cut to ``limit`` characters (the cut marked with ``...``), secrets redacted."""
    line = redact(line)
    return line if len(line) <= limit else f"{line[: limit - 3]}..."


def error_tail(run: examples_run.ExampleRun, lines: int = ERROR_LINES) -> str:
    """The last ``lines`` non-blank lines of ``run``'s standard error (without the frames of
    the bootstrap that starts it), each cut to :data:`LINE_CHARS` characters, the example's
    temporary file named ``example.py`` and secrets redacted (:func:`howto_ls.redact.redact`)."""
    output = run.output
    stderr = output[len(run.stdout) :] if output.startswith(run.stdout) else output
    kept = [
        line.rstrip()
        for line in stderr.splitlines()
        if line.strip() and not _FROZEN.match(line)  # the bootstrap's runpy frames
    ][-lines:]
    return "\n".join(shorten(_EXAMPLE_FILE.sub('"example.py"', line)) for line in kept)


def run_problem(verdict: Verdict, name: str) -> str | None:
    """The problem a repair round sends for ``verdict`` (of an example of the symbol ``name``),
    None when there is none to send: it demonstrates, was not run, could not be measured, or
    failed for a reason of this machine (it needs the network or an optional dependency).
    What the run printed is sent bounded (:func:`error_tail`, :func:`shorten`) and redacted."""
    shown = verdict.demonstration
    if shown is None or shown.demonstrates:
        return None
    run = shown.run
    if run.status in _NOT_REPAIRED:
        return None
    detail = shorten(run.detail)
    if run.status == examples_run.FAILS:
        tail = error_tail(run) or detail
        return (
            "the Usage Example fails when it is run; the end of its error output is:\n"
            f"```\n{tail}\n```\n"
            "Fix the example so that it runs as written: import what it uses, build the "
            "objects it needs, and pass values the code accepts"
        )
    if run.status == examples_run.NEEDS_TERMINAL:
        return (
            f"the Usage Example waits for a terminal when it is run ({detail}): pass "
            "values in the code instead of reading them from a person"
        )
    if not run.ok:
        what = _UNFINISHED.get(run.status, f"stops ({run.status})")
        return (
            f"the Usage Example {what} when it is run ({detail}): make it finish quickly "
            "with small inputs and little output"
        )
    if not shown.measured or shown.body_total == 0:
        return None
    return (
        f"the Usage Example runs but does not show what `{name}` does: it {shown.reason}. "
        f"Call `{name}` the way its kind demands and print (or assert) the result it gives: "
        "a real value, not None, an empty value or an object's default repr"
    )


def refusal(verdict: Verdict) -> str | None:
    """Why a guide whose best example got ``verdict`` is not written, None when it may be.

    An example that does not run to its end for a reason of its own is refused: it raises an
    error, does not finish in time or hits a limit (memory, output, file size, CPU time). One
    that needs the network, an optional dependency or a terminal may still be right, one that
    runs is kept, one that was not run is not judged.
    """
    shown = verdict.demonstration
    if shown is None:
        return None
    what = _UNFINISHED.get(shown.run.status)
    if what is None:
        return None
    return f"its Usage Example {what} when run ({shorten(shown.run.detail)})"
