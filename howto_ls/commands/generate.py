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
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from tqdm import tqdm

from howto_ls import discovery, project, symbols
from howto_ls.backends import Backend
from howto_ls.backends.factory import make_backend
from howto_ls.cache import GuideCache
from howto_ls.cli import EXIT_ERROR, EXIT_OK
from howto_ls.commands.check import display_path
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

STOPS_THE_BATCH = (BackendConnectError, BackendAuthError, BackendNotFoundError)
"""Failures no other symbol can escape: no server there, a key refused, no such model or URL."""

PREPARED_PER_CALL = 2
"""Symbols in hand per model call in flight: one being answered, one ready to go next."""


@dataclass(frozen=True)
class Failure:
    """A symbol (or a whole file, qualname None) that got no guide, and why."""

    path: Path
    line: int
    name: str
    reason: str


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

    @property
    def ok(self) -> bool:
        """Whether nothing failed and nothing was left out."""
        return not self.failures and not self.not_attempted


@dataclass(frozen=True)
class Options:
    """The batch options of ``generate``, separate from argparse."""

    target: str
    include_private: bool = False
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


async def run_generate(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``generate`` from parsed arguments; 0 when every symbol got its guide, 1 otherwise."""
    if args.concurrency is not None and args.concurrency < 1:
        raise UsageError(f"--concurrency must be at least 1, got {args.concurrency}")
    if args.concurrency is not None:
        settings = settings.with_overrides(max_concurrency=args.concurrency)
    options = Options(
        target=args.write or settings.target,
        include_private=args.include_private,
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
            summary.failures.append(Failure(path, 1, "(file)", str(exc)))
        else:
            named.append(path)
    files = discovery.python_files(named) if named else []
    try:
        await generate(files, settings, options, summary)
    except asyncio.CancelledError:
        print_summary(summary, sys.stderr, interrupted=True, dry_run=options.dry_run)
        raise
    print_summary(summary, sys.stderr, dry_run=options.dry_run)
    return EXIT_OK if summary.ok else EXIT_ERROR


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
        job, up_to_date, skipped = await asyncio.to_thread(_choose, path, engine, options)
    except FileTooLargeError as exc:  # skipped as the maxFileSize setting asks
        summary.excluded.append((path, str(exc)))
        return None
    except Exception as exc:  # reported; the batch goes on
        summary.failures.append(Failure(path, 1, "(file)", reason(exc)))
        return None
    summary.up_to_date += up_to_date
    summary.skipped += skipped
    return job


def _choose(path: Path, engine: Engine, options: Options) -> tuple[_FileJob, int, int]:
    """The file's job, and how many of its symbols are up to date or skipped (in a thread)."""
    project.require_inside(path, engine.root)  # a symlink out of the project: one line
    source = read_source(path)
    parse_source(source.text, display_path(path))
    found = symbols.list_symbols(source.text, path, engine.root, options.include_private)
    existing = {
        guide.qualname: guide
        for guide in engine.guides_in(path, source.text)
        if guide.where == options.target
    }
    chosen = []
    up_to_date = skipped = 0
    for symbol in found:
        guide = existing.get(symbol.identity)
        if guide is not None and not guide.stale and not options.force:
            up_to_date += 1
        elif _selected(options, missing=guide is None):
            chosen.append(symbol)
        else:
            skipped += 1
    try:  # one parse for the whole file; each model call would otherwise fingerprint alone
        fingerprints = fingerprints_of(source.text, [symbol.identity for symbol in chosen])
    except HowtoError:
        fingerprints = {}
    return _FileJob(path, source, engine, chosen, fingerprints), up_to_date, skipped


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
        try:
            async with semaphore:
                if summary.stopped is not None:
                    summary.not_attempted += 1
                    return
                job.guides[symbol.identity] = await job.engine.write_guide(
                    symbol,
                    job.source.text,
                    fingerprint=job.fingerprints.get(symbol.identity),
                    verify=True,
                )
        except STOPS_THE_BATCH as exc:  # every other symbol would fail the same way
            if summary.stopped is None:
                summary.stopped = reason(exc)
                summary.failures.append(_failure(symbol, reason(exc)))
            else:  # was in flight already: the same cause, said once
                summary.not_attempted += 1
        except Exception as exc:  # one symbol never stops the batch
            summary.failures.append(_failure(symbol, reason(exc)))
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
        summary.failures.extend(_failure(s, reason(exc)) for s in done)
        return
    summary.failures.extend(_failure(by_name[name], reason(exc)) for name, exc in failed.items())
    written = [by_name[name] for name in change.written]
    summary.unchanged += len(done) - len(failed) - len(written)
    if not written:
        return
    if options.dry_run:
        _print_diff(change.path, change.old_text, change.new_text, out or sys.stdout)
        summary.written += len(written)
        return
    try:
        _write(job, change)
    except Exception as exc:  # reported; the batch goes on
        summary.failures.extend(_failure(s, reason(exc)) for s in written)
        return
    summary.written += len(written)
    summary.files_written += 1


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


def _failure(symbol: Symbol, why: str) -> Failure:
    line = symbol.full_range.start.line + 1 if symbol.qualname else 1
    return Failure(symbol.path, line, symbol.display_name, why)


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
        print(f"{display_path(path)}: {why}", file=out)
    for failure in sorted(summary.failures, key=lambda f: (str(f.path), f.line)):
        print(
            f"{display_path(failure.path)}:{failure.line}: {failure.name}: {failure.reason}",
            file=out,
        )
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
