"""``howto-ls coverage PATH...``: the share of public symbols whose guide is fresh, for CI."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from howto_ls import discovery, module_kinds, project
from howto_ls.cli import EXIT_ERROR, EXIT_OK, print_json
from howto_ls.commands.output import (
    Record,
    annotation,
    display_path,
    left_out_note,
    relative_path,
)
from howto_ls.config import Settings
from howto_ls.engine import Engine, GuideState, Inventory, InventoryEntry
from howto_ls.errors import FileTooLargeError, HowtoError
from howto_ls.sourcefile import read_source
from howto_ls.terminal import visible


@dataclass
class Counts:
    """How many symbols have a fresh guide, a stale one, or none."""

    fresh: int = 0
    stale: int = 0
    missing: int = 0

    @property
    def symbols(self) -> int:
        """Every symbol counted."""
        return self.fresh + self.stale + self.missing

    @property
    def percent(self) -> float:
        """Fresh guides per 100 symbols, rounded down to one decimal (so that a shown 80.0
        is never below 80); 100.0 when nothing is counted: nothing lacks a guide."""
        if not self.symbols:
            return 100.0
        return math.floor(self.fresh * 1000 / self.symbols) / 10

    def below(self, threshold: float) -> bool:
        """Whether the exact share of fresh guides is below ``threshold`` percent."""
        return self.fresh * 100 < threshold * self.symbols

    def add(self, other: Counts) -> None:
        """Add ``other``'s counts to these."""
        self.fresh += other.fresh
        self.stale += other.stale
        self.missing += other.missing

    def as_json(self) -> dict[str, int | float]:
        """``{"fresh", "stale", "missing", "percent"}``."""
        return {
            "fresh": self.fresh,
            "stale": self.stale,
            "missing": self.missing,
            "percent": self.percent,
        }


@dataclass
class Report:
    """Counts per file (in the order found) and in total; each symbol counted, as a record
    (status ``fresh``, ``stale`` or ``missing``; detail where its guide lives); the files that
    could not be read; the modules left out as not public (:mod:`howto_ls.module_kinds`)."""

    files: list[tuple[Path, Counts]] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    symbols: list[Record] = field(default_factory=list)
    left_out: list[tuple[Path, str]] = field(default_factory=list)

    @property
    def total(self) -> Counts:
        """The counts of every file together."""
        total = Counts()
        for _, counts in self.files:
            total.add(counts)
        return total

    def as_json(self) -> dict[str, object]:
        """``{"files": [{"path", "fresh", "stale", "missing", "percent"}], "total": {...},
        "skipped": [{"path", "reason"}], "symbols": [{"path", "line", "qualname", "status",
        "detail"}], "left_out": [{"path", "reason"}]}``; paths as shown on the command line's
        side, lines 1-based."""
        return {
            "files": [
                {"path": relative_path(path), **counts.as_json()} for path, counts in self.files
            ],
            "total": self.total.as_json(),
            "skipped": [
                {"path": relative_path(path), "reason": reason} for path, reason in self.skipped
            ],
            "symbols": [record.as_json() for record in self.symbols],
            "left_out": [
                {"path": relative_path(path), "reason": reason} for path, reason in self.left_out
            ],
        }


def count_inventory(inventory: Inventory, include_private: bool = False) -> Counts:
    """The counts of one file's inventory: each public symbol once (all symbols when
    ``include_private``). A symbol with a guide in its docstring and another in the sidecar
    counts as fresh when either is."""
    return _counts(counted_entries(inventory, include_private))


def _counts(entries: Sequence[InventoryEntry]) -> Counts:
    counts = Counts()
    for entry in entries:
        state = entry.state
        if state is GuideState.FRESH:
            counts.fresh += 1
        elif state is GuideState.STALE:
            counts.stale += 1
        else:
            counts.missing += 1
    return counts


def counted_entries(inventory: Inventory, include_private: bool = False) -> list[InventoryEntry]:
    """The entries :func:`count_inventory` counts, one per symbol in source order: the fresh
    guide of a symbol that has one in either place, else its last entry."""
    chosen: dict[str, InventoryEntry] = {}
    for entry in inventory.entries:
        if not (entry.public or include_private):
            continue
        if entry.key not in chosen or chosen[entry.key].state is not GuideState.FRESH:
            chosen[entry.key] = entry
    return list(chosen.values())


def _record(path: Path, entry: InventoryEntry) -> Record:
    name = entry.qualname or entry.display_name
    return Record(path, entry.span.start.line + 1, name, entry.state.value, entry.where or "")


def coverage(
    paths: Sequence[Path],
    settings: Settings,
    include_private: bool = False,
    include_tests: bool = False,
) -> Report:
    """The coverage of the Python files under ``paths`` (``discovery.python_files``).

    Excluded files (``exclusion``) and files over ``maxFileSize`` are left out, and so are
    private modules and test modules (:mod:`howto_ls.module_kinds`) unless ``include_private``
    or ``include_tests`` (listed in ``Report.left_out``), but for the symbols of a private
    module that a public module re-exports (:func:`module_kinds.exported`); a file that
    cannot be read or parsed is listed in ``Report.skipped`` with the reason. Raises
    :class:`UsageError` for a path that does not exist. Cheap: no model, no example runs.
    """
    report = Report()
    engines: dict[Path, Engine] = {}
    for path in discovery.python_files(paths):
        root = project.find_root(path)
        engine = engines.setdefault(root, Engine(settings, root))
        if engine.exclusion.reason(path) is not None:
            continue
        kind = module_kinds.hidden_kind(
            path, root, include_private=include_private, include_tests=include_tests
        )
        if kind == module_kinds.TEST:
            report.left_out.append((path, kind))
            continue
        try:
            source = read_source(path).text
        except FileTooLargeError as exc:  # skipped as the setting asks: a note, not a failure
            print(f"howto-ls coverage: {exc}", file=sys.stderr)
            continue
        except HowtoError as exc:
            report.skipped.append((path, str(exc)))
            continue
        inventory = engine.inventory(path, source, include_private)
        if inventory.reason is not None:  # does not parse (exclusion was ruled out above)
            report.skipped.append((path, inventory.reason))
            continue
        entries = counted_entries(inventory, include_private)
        if kind == module_kinds.PRIVATE:  # only what a public module re-exports counts
            public = [e for e in entries if module_kinds.exported(path, root, e.qualname)]
            if len(public) < len(entries):
                report.left_out.append((path, kind))
            if not public:
                continue
            entries = public
        report.files.append((path, _counts(entries)))
        report.symbols.extend(_record(path, entry) for entry in entries)
    return report


def table(report: Report) -> str:
    """The report as a plain-text table, one row per file and a total row."""
    rows = [(display_path(path), counts) for path, counts in report.files]
    width = max([len("TOTAL"), len("File"), *(len(name) for name, _ in rows)])
    header = f"{'File':<{width}}  {'Fresh':>5}  {'Stale':>5}  {'Missing':>7}  {'Cover':>6}"
    lines = [header, "-" * len(header)]
    for name, counts in [*rows, ("TOTAL", report.total)]:
        if name == "TOTAL":
            lines.append("-" * len(header))
        lines.append(
            f"{name:<{width}}  {counts.fresh:>5}  {counts.stale:>5}  {counts.missing:>7}"
            f"  {counts.percent:>5.1f}%"
        )
    return "\n".join(lines)


def coverage_annotations(report: Report) -> list[str]:
    """GitHub Actions annotations of ``report``: an error for each file not counted, a warning
    for each stale guide, a notice for each symbol without a guide."""
    lines = [
        annotation("error", f"not counted: {reason}", path=path, line=1, title="howto-ls coverage")
        for path, reason in report.skipped
    ]
    for record in report.symbols:
        if record.status == GuideState.STALE.value:
            message = f"{record.qualname}: stale guide ({record.detail}): the code changed since"
            message += " it was written; howto-ls generate --stale regenerates it"
            level = "warning"
        elif record.status == GuideState.MISSING.value:
            message = f"{record.qualname}: no guide; howto-ls generate --only-missing writes one"
            level = "notice"
        else:
            continue
        lines.append(
            annotation(
                level, message, path=record.path, line=record.line, title="howto-ls coverage"
            )
        )
    return lines


def run_coverage(args: argparse.Namespace, settings: Settings) -> int:
    """Print the coverage of ``args.paths``; 1 when it is below ``args.fail_under`` or a file
    could not be read or parsed, else 0. ``--format json`` prints one JSON document
    (:meth:`Report.as_json`) and nothing else on stdout; ``--format github`` prints an
    annotation per problem (:func:`coverage_annotations`); the summary goes to stderr in every
    format."""
    report = coverage(args.paths, settings, args.include_private, args.include_tests)
    total = report.total
    if args.format == "json":
        print_json(report.as_json())
    elif args.format == "github":
        for line in coverage_annotations(report):
            print(line)
    else:
        print(table(report))
    for path, reason in report.skipped:
        print(f"{display_path(path)}: not counted: {visible(reason)}", file=sys.stderr)
    note = left_out_note(report.left_out, "symbols no public module re-exports not counted")
    if note:
        print(f"howto-ls coverage: {note}", file=sys.stderr)
    noun = "symbol" if total.symbols == 1 else "symbols"
    which = "" if args.include_private else "public "
    summary = f"{total.percent:.1f}% of {total.symbols} {which}{noun} have a fresh guide"
    status = EXIT_ERROR if report.skipped else EXIT_OK
    if args.fail_under is not None and total.below(args.fail_under):
        summary += f", below --fail-under {args.fail_under:g}%"
        status = EXIT_ERROR
        if args.format == "github":
            print(annotation("error", summary, title="howto-ls coverage"))
    print(f"howto-ls coverage: {summary}", file=sys.stderr)
    return status
