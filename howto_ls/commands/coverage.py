"""``howto-ls coverage PATH...``: the share of public symbols whose guide is fresh, for CI."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from howto_ls import discovery, project
from howto_ls.cli import EXIT_ERROR, EXIT_OK, print_json
from howto_ls.commands.check import display_path
from howto_ls.config import Settings
from howto_ls.engine import Engine, GuideState, Inventory
from howto_ls.errors import FileTooLargeError, HowtoError
from howto_ls.sourcefile import read_source

FORMATS = ("table", "json")


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
    """Counts per file (in the order found) and in total; the files that could not be read."""

    files: list[tuple[Path, Counts]] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)

    @property
    def total(self) -> Counts:
        """The counts of every file together."""
        total = Counts()
        for _, counts in self.files:
            total.add(counts)
        return total

    def as_json(self) -> dict[str, object]:
        """``{"files": [{"path", "fresh", "stale", "missing", "percent"}], "total": {...},
        "skipped": [{"path", "reason"}]}``; paths as shown on the command line's side."""
        return {
            "files": [
                {"path": display_path(path), **counts.as_json()} for path, counts in self.files
            ],
            "total": self.total.as_json(),
            "skipped": [
                {"path": display_path(path), "reason": reason} for path, reason in self.skipped
            ],
        }


def count_inventory(inventory: Inventory, include_private: bool = False) -> Counts:
    """The counts of one file's inventory: each public symbol once (all symbols when
    ``include_private``). A symbol with a guide in its docstring and another in the sidecar
    counts as fresh when either is."""
    states: dict[str, GuideState] = {}
    for entry in inventory.entries:
        if not (entry.public or include_private):
            continue
        if states.get(entry.key) is not GuideState.FRESH:
            states[entry.key] = entry.state
    counts = Counts()
    for state in states.values():
        if state is GuideState.FRESH:
            counts.fresh += 1
        elif state is GuideState.STALE:
            counts.stale += 1
        else:
            counts.missing += 1
    return counts


def coverage(paths: Sequence[Path], settings: Settings, include_private: bool = False) -> Report:
    """The coverage of the Python files under ``paths`` (``discovery.python_files``).

    Excluded files (``exclusion``) and files over ``maxFileSize`` are left out; a file that
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
        report.files.append((path, count_inventory(inventory, include_private)))
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


def run_coverage(args: argparse.Namespace, settings: Settings) -> int:
    """Print the coverage of ``args.paths``; 1 when it is below ``args.fail_under`` or a file
    could not be read or parsed, else 0. ``--format json`` prints one JSON document
    (:meth:`Report.as_json`) and nothing else on stdout."""
    report = coverage(args.paths, settings, args.include_private)
    total = report.total
    if args.format == "json":
        print_json(report.as_json())
    else:
        print(table(report))
    for path, reason in report.skipped:
        print(f"{display_path(path)}: not counted: {reason}", file=sys.stderr)
    noun = "symbol" if total.symbols == 1 else "symbols"
    which = "" if args.include_private else "public "
    summary = f"{total.percent:.1f}% of {total.symbols} {which}{noun} have a fresh guide"
    status = EXIT_ERROR if report.skipped else EXIT_OK
    if args.fail_under is not None and total.below(args.fail_under):
        summary += f", below --fail-under {args.fail_under:g}%"
        status = EXIT_ERROR
    print(f"howto-ls coverage: {summary}", file=sys.stderr)
    return status
