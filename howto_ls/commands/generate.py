"""``howto-ls generate PATH...``: guides for every symbol under files and folders.

Symbols whose guide in the chosen target is fresh (its fingerprint matches the code) are left
alone unless ``--force``; the others get one.
Model calls run concurrently (at most ``--concurrency`` in flight, the backend's bound), and as
many symbols again are prepared meanwhile (cache lookup, prompt context), so a call that ends is
followed at once by the next one instead of by its preparation. Writes do not: each file's
guides are planned together on its text as read (``Engine.plan_writes``: one parse, one check
against the original code), and the file is written once, atomically. A symbol that fails is
reported and the batch goes on.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import difflib
import io
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from tqdm import tqdm

from howto_ls import discovery, module_kinds, project, symbols
from howto_ls.backends import Backend
from howto_ls.backends.factory import make_backend
from howto_ls.cache import GuideCache
from howto_ls.cli import EXIT_ERROR, EXIT_OK, print_json
from howto_ls.commands.output import (
    Record,
    annotation,
    display_path,
    left_out_note,
    relative_path,
)
from howto_ls.config import Settings
from howto_ls.engine import Engine, FileChange
from howto_ls.errors import (
    BackendAuthError,
    BackendConnectError,
    BackendNotFoundError,
    FileTooLargeError,
    HowtoError,
    NotWritableError,
    StaleDocumentError,
    UsageError,
)
from howto_ls.fingerprint import fingerprints_of, parse_source
from howto_ls.guide import Guide
from howto_ls.model import Symbol
from howto_ls.redact import redact
from howto_ls.sourcefile import SourceFile, read_source, write_source
from howto_ls.terminal import visible

STOPS_THE_BATCH = (BackendConnectError, BackendAuthError, BackendNotFoundError)
"""Failures no other symbol can escape: no server there, a key refused, no such model or URL."""

PREPARED_PER_CALL = 2
"""Symbols in hand per model call in flight: one being answered, one ready to go next."""

WRITTEN = "written"
TO_WRITE = "to-write"  # a dry run's "written"
UNCHANGED = "unchanged"  # the new guide reads as the old one: the file was left as is
UP_TO_DATE = "up-to-date"
SKIPPED = "skipped"  # not chosen by --only-missing or --stale
NOT_ATTEMPTED = "not-attempted"  # the batch had stopped asking the model
FAILED = "failed"
STATUSES = (WRITTEN, TO_WRITE, UNCHANGED, UP_TO_DATE, SKIPPED, NOT_ATTEMPTED, FAILED)
"""The status of each record of ``generate --format json``."""


FILE = "(file)"
"""The name of a failure that concerns a whole file."""


@dataclass(frozen=True)
class Failure:
    """A symbol (or a whole file, name :data:`FILE`) that got no guide, why, and the seconds
    spent asking for it."""

    path: Path
    line: int
    name: str
    reason: str
    elapsed: float = 0.0


@dataclass
class Summary:
    """What a batch did: guides written, unchanged, already fresh and skipped; failures; time."""

    written: int = 0
    unchanged: int = 0
    up_to_date: int = 0
    skipped: int = 0
    files_written: int = 0
    failures: list[Failure] = field(default_factory=list)
    seconds: float = 0.0
    stopped: str | None = None  # why the batch stopped asking the model (no server, key, model)
    not_attempted: int = 0  # symbols left alone once it stopped
    excluded: list[tuple[Path, str]] = field(default_factory=list)  # files left out, and why
    # (the exclude setting or maxFileSize): reported, not failures
    left_out: list[tuple[Path, str]] = field(default_factory=list)  # private and test modules
    # that got no new guide (module_kinds), with their kind
    records: list[Record] = field(default_factory=list)  # each symbol that did not fail

    @property
    def ok(self) -> bool:
        """Whether nothing failed and nothing was left out."""
        return not self.failures and not self.not_attempted


@dataclass(frozen=True)
class Options:
    """The batch options of ``generate``, separate from argparse."""

    target: str
    include_private: bool = False
    include_tests: bool = False
    only_missing: bool = False
    stale: bool = False
    force: bool = False
    dry_run: bool = False
    concurrency: int = 4
    progress: bool = True


@dataclass
class _FileJob:
    """One source file: its text as read, the engine of its project, and the symbols to do."""

    path: Path
    source: SourceFile
    engine: Engine
    symbols: list[Symbol]
    fingerprints: dict[str, str] = field(default_factory=dict)
    guides: dict[str, Guide] = field(default_factory=dict)
    elapsed: dict[str, float] = field(default_factory=dict)  # seconds asking for each guide


@dataclass
class _Choice:
    """What :func:`_choose` found in one file: the job, the symbols whose guide is up to date
    and those the filters leave out, and the file's module kind when it got no new guides."""

    job: _FileJob
    up_to_date: list[Symbol] = field(default_factory=list)
    skipped: list[Symbol] = field(default_factory=list)
    left_out: str | None = None


def batch_verifies(engine: Engine) -> bool:
    """Whether a batch runs the examples it writes (``verifyExamples``): ``on`` always, ``off``
    never; ``auto`` for a model's guides (a run of about half a second beside a model call of
    several) but not for offline ones, whose candidates would cost 0.4 to 0.6 s per guide
    against 0.01 s to write it (benchmarks/README.md): an offline batch runs them when asked
    (``--verify-examples``). ``doc`` and the code action, one symbol at a time, run them under
    ``auto`` too."""
    mode = engine.settings.verify_examples
    return mode == "on" or (mode == "auto" and engine.backend.name != "offline")


async def run_generate(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``generate`` from parsed arguments; 0 when every symbol got its guide, 1 otherwise."""
    if args.concurrency is not None and args.concurrency < 1:
        raise UsageError(f"--concurrency must be at least 1, got {args.concurrency}")
    if args.concurrency is not None:
        settings = settings.with_overrides(max_concurrency=args.concurrency)
    options = Options(
        target=args.write or settings.target,
        include_private=args.include_private,
        include_tests=getattr(args, "include_tests", False),
        only_missing=args.only_missing,
        stale=args.stale,
        force=args.force,
        dry_run=args.dry_run,
        concurrency=settings.max_concurrency,
        progress=not args.no_progress,
    )
    summary = Summary()
    named = []
    for path in args.paths:
        try:
            project.require_named_inside(path)
        except NotWritableError as exc:  # a symlinked folder out of the project: one line
            summary.failures.append(Failure(path, 1, FILE, str(exc)))
        else:
            named.append(path)
    files = discovery.python_files(named) if named else []
    output = getattr(args, "format", "text")
    # json: the diff goes in the document; github: to stderr, as stdout holds annotations only
    diffs: TextIO | None = {"json": io.StringIO(), "github": sys.stderr}.get(output)
    try:
        await generate(files, settings, options, summary, out=diffs)
    except asyncio.CancelledError:  # Ctrl-C: what was done so far still gets its record
        if output == "json":
            diff = diffs.getvalue() if isinstance(diffs, io.StringIO) else ""
            print_json({**summary_json(summary, options.dry_run, diff), "error": "interrupted"})
        print_summary(summary, sys.stderr, interrupted=True, dry_run=options.dry_run)
        raise
    if output == "json":
        diff = diffs.getvalue() if isinstance(diffs, io.StringIO) else ""
        print_json(summary_json(summary, options.dry_run, diff))
    elif output == "github":
        for line in summary_annotations(summary):
            print(line)
    print_summary(summary, sys.stderr, dry_run=options.dry_run)
    return EXIT_OK if summary.ok else EXIT_ERROR


def failure_record(failure: Failure) -> Record:
    """``failure`` as a record: status ``failed``, its reason as the detail ("" as the name
    of a whole file)."""
    name = "" if failure.name == FILE else failure.name
    return Record(failure.path, failure.line, name, FAILED, failure.reason, failure.elapsed)


def summary_json(summary: Summary, dry_run: bool = False, diff: str = "") -> dict[str, object]:
    """``generate``'s JSON document: ``{"records": [{"path", "line", "qualname", "status",
    "detail", "elapsed"}], "excluded": [{"path", "reason"}], "left_out": [{"path", "reason"}],
    "summary": {...the counts, "seconds", "dry_run", "stopped"}, "diff"}``, records in file
    and line order; ``status`` one of :data:`STATUSES`; ``elapsed`` the seconds spent asking
    for the guide (0 when none was asked for); ``diff`` the unified diff of a dry run."""
    records = [*summary.records, *(failure_record(f) for f in summary.failures)]
    records.sort(key=lambda r: (r.path.parts, r.line))
    return {
        "records": [record.as_json() for record in records],
        "excluded": [{"path": relative_path(p), "reason": why} for p, why in summary.excluded],
        "left_out": [{"path": relative_path(p), "reason": kind} for p, kind in summary.left_out],
        "summary": {
            "written": summary.written,
            "unchanged": summary.unchanged,
            "up_to_date": summary.up_to_date,
            "skipped": summary.skipped,
            "failed": len(summary.failures),
            "not_attempted": summary.not_attempted,
            "files_written": summary.files_written,
            "seconds": round(summary.seconds, 3),
            "dry_run": dry_run,
            "stopped": summary.stopped,
        },
        "diff": diff,
    }


def summary_annotations(summary: Summary) -> list[str]:
    """GitHub Actions annotations of a batch: an ``::error`` per failure (at the symbol's line),
    a ``::warning`` when the batch stopped asking the model, a ``::notice`` per file left out
    by the exclude setting or ``maxFileSize``."""
    lines = [
        annotation(
            "error",
            f"{failure.name}: {failure.reason}",
            path=failure.path,
            line=failure.line,
            title="howto-ls generate: no guide written",
        )
        for failure in sorted(summary.failures, key=lambda f: (f.path.parts, f.line))
    ]
    if summary.stopped is not None:
        count = summary.not_attempted
        lines.append(
            annotation(
                "warning",
                f"stopped at the first model failure; {count} other symbol"
                f"{'' if count == 1 else 's'} not attempted: fix the cause and run again",
                title="howto-ls generate: stopped",
            )
        )
    lines.extend(
        annotation("notice", why, path=path, line=1, title="howto-ls generate: left out")
        for path, why in summary.excluded
    )
    return lines


async def generate(
    files: Sequence[Path],
    settings: Settings,
    options: Options,
    summary: Summary,
    *,
    cache: GuideCache | None = None,
    out: TextIO | None = None,
) -> Summary:
    """Write guides for the symbols of ``files``; on dry runs print diffs to ``out``.

    Files are read and sorted out one after another in a worker thread while the model
    answers for the files before them; each file's edits are planned in a thread too, so the
    event loop stays free to read the answers streaming in.
    """
    started = time.perf_counter()
    engines = _Engines(settings, cache)
    semaphore = asyncio.Semaphore(options.concurrency * PREPARED_PER_CALL)
    bar = tqdm(
        total=None,  # a counter until every file is sorted out: a percentage never goes back
        unit="guide",
        desc="howto-ls",
        disable=True if not options.progress else None,
        dynamic_ncols=True,
        leave=False,
    )
    running: list[asyncio.Task[None]] = []
    total = 0
    try:
        for path in files:
            job = await _prepare(path, engines, options, summary)
            if job is None or not job.symbols:
                continue
            total += len(job.symbols)
            running.append(
                asyncio.create_task(_run_file(job, semaphore, options, summary, bar, out))
            )
        bar.total = total
        bar.refresh()
        await asyncio.gather(*running)
    finally:
        for task in running:
            task.cancel()  # only those still running: interrupted, or a sibling raised
        await asyncio.gather(*running, return_exceptions=True)
        bar.close()
        summary.seconds = time.perf_counter() - started
        await engines.aclose()
    return summary


class _Engines:
    """One engine per project root, all sharing one backend and one cache."""

    def __init__(self, settings: Settings, cache: GuideCache | None) -> None:
        self.settings = settings
        self.cache = cache
        self._owns_cache = False
        self._backend: Backend | None = None
        self._by_root: dict[Path, Engine] = {}
        self._warming: asyncio.Future[None] | None = None

    def for_file(self, path: Path) -> Engine:
        """The engine of the project holding ``path``."""
        root = project.find_root(path)
        engine = self._by_root.get(root)
        if engine is None:
            if self._backend is None:
                self._backend = make_backend(self.settings, workspace=root)
                if self.cache is None and self._backend.name != "offline":
                    self.cache, self._owns_cache = GuideCache(), True
            engine = Engine(self.settings, root, self._backend, self.cache)
            self._by_root[root] = engine
            if self._warming is None:  # the first call's slow one-time parts, in a thread
                self._warming = asyncio.ensure_future(asyncio.to_thread(engine.warm_up))
        return engine

    async def aclose(self) -> None:
        """Close the shared backend's connections, and the cache if it was opened here."""
        if self._warming is not None:
            with contextlib.suppress(Exception):  # only an optimisation
                await self._warming
        first = next(iter(self._by_root.values()), None)
        if first is not None:
            await first.aclose()
        if self._owns_cache and self.cache is not None:
            await asyncio.to_thread(self.cache.close)


async def _prepare(
    path: Path, engines: _Engines, options: Options, summary: Summary
) -> _FileJob | None:
    """Read ``path`` and pick its symbols; a file that cannot be read or parsed is a failure."""
    try:
        engine = engines.for_file(path)
        excluded = engine.exclusion.reason(path)
        if excluded is not None:
            summary.excluded.append((path, f"{excluded}: not documented, not sent to a model"))
            return None
        choice = await asyncio.to_thread(_choose, path, engine, options)
    except FileTooLargeError as exc:  # skipped as the maxFileSize setting asks
        summary.excluded.append((path, str(exc)))
        return None
    except Exception as exc:  # reported; the batch goes on
        summary.failures.append(Failure(path, 1, FILE, reason(exc)))
        return None
    summary.up_to_date += len(choice.up_to_date)
    summary.skipped += len(choice.skipped)
    summary.records.extend(_record(s, UP_TO_DATE, options.target) for s in choice.up_to_date)
    summary.records.extend(_record(s, SKIPPED) for s in choice.skipped)
    if choice.left_out is not None:
        summary.left_out.append((path, choice.left_out))
    return choice.job


def _choose(path: Path, engine: Engine, options: Options) -> _Choice:
    """The file's job, and which of its symbols are up to date or skipped (in a thread).

    In a private or test module (:mod:`howto_ls.module_kinds`) not asked for, only the
    symbols a public module re-exports get new guides; the guides it has are kept fresh.
    """
    project.require_inside(path, engine.root)  # a symlink out of the project: one line
    source = read_source(path)
    parse_source(source.text, display_path(path))
    found = symbols.list_symbols(source.text, path, engine.root, options.include_private)
    existing = {
        guide.qualname: guide
        for guide in engine.guides_in(path, source.text)
        if guide.where == options.target
    }
    kind = module_kinds.hidden_kind(
        path,
        engine.root,
        include_private=options.include_private,
        include_tests=options.include_tests,
    )
    if kind is not None:
        public = [
            symbol
            for symbol in found
            if symbol.identity in existing
            or (kind == module_kinds.PRIVATE and _re_exported(symbol))
        ]
        kind, found = (kind if len(public) < len(found) else None), public
    chosen: list[Symbol] = []
    choice = _Choice(_FileJob(path, source, engine, chosen), left_out=kind)
    for symbol in found:
        guide = existing.get(symbol.identity)
        if guide is not None and not guide.stale and not options.force:
            choice.up_to_date.append(symbol)
        elif _selected(options, missing=guide is None):
            chosen.append(symbol)
        else:
            choice.skipped.append(symbol)
    with contextlib.suppress(HowtoError):  # one parse for the whole file, not one per call
        choice.job.fingerprints = fingerprints_of(source.text, [s.identity for s in chosen])
    return choice


def _re_exported(symbol: Symbol) -> bool:
    """Whether a public module exposes ``symbol`` (its import path has no ``_`` part and
    every part is an identifier: :func:`module_kinds.public_dotted_name`)."""
    return bool(symbol.qualname) and module_kinds.public_dotted_name(symbol.import_path)


def _selected(options: Options, missing: bool) -> bool:
    """Whether a symbol without a fresh guide is wanted: all, or what the filters name."""
    if not (options.only_missing or options.stale):
        return True
    return options.only_missing if missing else options.stale


async def _run_file(
    job: _FileJob,
    semaphore: asyncio.Semaphore,
    options: Options,
    summary: Summary,
    bar: Any,
    out: TextIO | None,
) -> None:
    """Write every guide of one file concurrently, then apply them all in one write."""

    async def one(symbol: Symbol) -> None:
        started = time.perf_counter()
        try:
            async with semaphore:
                if summary.stopped is not None:
                    summary.not_attempted += 1
                    summary.records.append(_record(symbol, NOT_ATTEMPTED))
                    return
                started = time.perf_counter()
                job.guides[symbol.identity] = await job.engine.write_guide(
                    symbol,
                    job.source.text,
                    fingerprint=job.fingerprints.get(symbol.identity),
                    verify=batch_verifies(job.engine),
                )
                job.elapsed[symbol.identity] = time.perf_counter() - started
        except STOPS_THE_BATCH as exc:  # every other symbol would fail the same way
            if summary.stopped is None:
                summary.stopped = reason(exc)
                summary.failures.append(_failure(symbol, reason(exc), _since(started)))
            else:  # was in flight already: the same cause, said once
                summary.not_attempted += 1
                summary.records.append(_record(symbol, NOT_ATTEMPTED))
        except Exception as exc:  # one symbol never stops the batch
            summary.failures.append(_failure(symbol, reason(exc), _since(started)))
        finally:
            bar.update(1)

    await asyncio.gather(*(one(symbol) for symbol in job.symbols))
    if job.guides:
        await _apply(job, options, summary, out)


async def _apply(job: _FileJob, options: Options, summary: Summary, out: TextIO | None) -> None:
    """Plan the file's guides in one go (docstrings or sidecar), check once, and write once.

    Planning runs in a thread; the write itself stays on the loop, so an interrupted batch
    either wrote a file or did not, and the summary says which.
    """
    done = [s for s in job.symbols if s.identity in job.guides]
    by_name = {symbol.identity: symbol for symbol in done}
    items = [(symbol, job.guides[symbol.identity]) for symbol in done]
    try:
        change, failed = await asyncio.to_thread(
            job.engine.plan_writes, job.path, job.source.text, items, options.target
        )
    except Exception as exc:  # reported; the batch goes on
        summary.failures.extend(_failure(s, reason(exc), job.elapsed.get(s.identity)) for s in done)
        return
    summary.failures.extend(
        _failure(by_name[name], reason(exc), job.elapsed.get(name)) for name, exc in failed.items()
    )
    written = [by_name[name] for name in change.written]
    unchanged = [s for s in done if s.identity not in failed and s.identity not in change.written]
    summary.unchanged += len(unchanged)
    summary.records.extend(
        _record(s, UNCHANGED, options.target, job.elapsed.get(s.identity)) for s in unchanged
    )
    if not written:
        return
    if options.dry_run:
        _print_diff(change.path, change.old_text, change.new_text, out or sys.stdout)
        summary.written += len(written)
        summary.records.extend(
            _record(s, TO_WRITE, options.target, job.elapsed.get(s.identity)) for s in written
        )
        return
    try:
        _write(job, change)
    except Exception as exc:  # reported; the batch goes on
        summary.failures.extend(
            _failure(s, reason(exc), job.elapsed.get(s.identity)) for s in written
        )
        return
    summary.written += len(written)
    summary.files_written += 1
    summary.records.extend(
        _record(s, WRITTEN, options.target, job.elapsed.get(s.identity)) for s in written
    )


def _write(job: _FileJob, change: FileChange) -> None:
    """Write ``change`` atomically, unless the source file changed since it was read."""
    if read_source(job.path).text != job.source.text:
        raise StaleDocumentError(
            f"{job.path} changed while its guides were being written; nothing was written,"
            " run the command again"
        )
    if change.path == job.path:
        like: SourceFile | None = job.source
    else:
        like = read_source(change.path) if change.old_text is not None else None
    write_source(change.path, change.new_text, like, root=job.engine.root)


def reason(error: Exception) -> str:
    """A failure's one-line reason: our own messages as they are, others with their type;
    secrets redacted either way."""
    if isinstance(error, HowtoError):
        return str(error)
    return redact(f"{type(error).__name__}: {error}")


def _line(symbol: Symbol) -> int:
    """The 1-based line a symbol's record names: its definition's first, 1 for the module."""
    return symbol.full_range.start.line + 1 if symbol.qualname else 1


def _since(started: float) -> float:
    return time.perf_counter() - started


def _failure(symbol: Symbol, why: str, elapsed: float | None = None) -> Failure:
    return Failure(symbol.path, _line(symbol), symbol.display_name, why, elapsed or 0.0)


def _record(symbol: Symbol, status: str, where: str = "", elapsed: float | None = None) -> Record:
    """A record of ``symbol`` (``where``: the place its guide is, or is written to)."""
    return Record(symbol.path, _line(symbol), symbol.display_name, status, where, elapsed or 0.0)


def _print_diff(path: Path, old: str | None, new: str, out: TextIO) -> None:
    shown = display_path(path)
    before = f"a/{shown}" if old is not None else "/dev/null"
    lines = difflib.unified_diff(
        (old or "").splitlines(keepends=True),
        new.splitlines(keepends=True),
        before,
        f"b/{shown}",
    )
    for line in lines:
        out.write(
            line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n"
        )


def print_summary(
    summary: Summary, out: TextIO, interrupted: bool = False, dry_run: bool = False
) -> None:
    """The closing report: files left out (excluded or too large) and failures with reasons,
    then one line of counts and time."""
    for path, why in summary.excluded:
        print(f"{display_path(path)}: {visible(why)}", file=out)
    note = left_out_note(summary.left_out, "symbols no public module re-exports got no new guide")
    if note:
        print(f"howto-ls generate: {note}", file=out)
    for failure in sorted(summary.failures, key=lambda f: (str(f.path), f.line)):
        where = f"{relative_path(failure.path)}:{failure.line}"
        print(visible(f"{where}: {failure.name}: {failure.reason}"), file=out)
    if summary.stopped is not None:
        count = summary.not_attempted
        print(
            f"howto-ls generate: stopped at the first model failure above; {count} other "
            f"symbol{'' if count == 1 else 's'} not attempted: fix the cause and run again",
            file=out,
        )
    head = "howto-ls generate --dry-run" if dry_run else "howto-ls generate"
    head += " interrupted" if interrupted else ""
    written = "to write" if dry_run else "written"
    print(
        f"{head}: {summary.written} {written}, {summary.unchanged} unchanged, "
        f"{summary.up_to_date} up to date, {summary.skipped} skipped, "
        f"{len(summary.failures)} failed "
        f"({summary.files_written} file{'' if summary.files_written == 1 else 's'} written) "
        f"in {summary.seconds:.2f} s",
        file=out,
    )
