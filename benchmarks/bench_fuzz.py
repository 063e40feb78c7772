"""Position fuzz over pinned real packages, through the language server over JSON-RPC.

For each package (downloaded from PyPI at run time, see ``howto_ls.testing.position_fuzz``) it
tries every definition's name and random positions, runs "Generate how-to doc" into docstrings
and sidecars, and checks each run: the file parses, the code (type comments included) is
unchanged, the guide is in the definition meant, existing docstring text is kept, and a second
run changes nothing. Prints counts per package and failure kind. Run::

    python benchmarks/bench_fuzz.py [--packages click attrs] [--positions 300] [--seed 0]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from howto_ls.testing.position_fuzz import PACKAGES, FuzzReport, download, fuzz_package

KINDS = (
    "crash",
    "does not parse",
    "code changed",
    "wrong definition",
    "text lost",
    "not idempotent",
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--packages", nargs="*", default=list(PACKAGES))
    parser.add_argument("--positions", type=int, default=300, help="positions per package")
    parser.add_argument("--random-per-file", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "howto-fuzz")
    args = parser.parse_args()
    reports: list[FuzzReport] = []
    started = time.perf_counter()
    header = ["package", "positions", "runs", "docstring", "sidecar", "placed", "refused", *KINDS]
    print(" | ".join(header))
    for name in args.packages:
        source = download(name, PACKAGES[name], args.cache)
        with tempfile.TemporaryDirectory() as work:
            report = asyncio.run(
                fuzz_package(
                    name,
                    source,
                    Path(work),
                    seed=args.seed,
                    max_positions=args.positions,
                    random_per_file=args.random_per_file,
                )
            )
        reports.append(report)
        print(_row(report), flush=True)
        for kind, example in sorted(report.examples.items()):
            print(f"    first {kind}: {example}", flush=True)
    total = FuzzReport("total")
    for report in reports:
        for name in ("positions", "runs", "docstring_runs", "sidecar_runs"):
            setattr(total, name, getattr(total, name) + getattr(report, name))
        total.placement_checked += report.placement_checked
        total.refused += report.refused
        total.failures += report.failures
    print(_row(total))
    print(f"{time.perf_counter() - started:.0f} s in all", file=sys.stderr)
    return 1 if sum(total.failures.values()) else 0


def _row(report: FuzzReport) -> str:
    counts: Counter[str] = report.failures
    cells = [
        report.package,
        report.positions,
        report.runs,
        report.docstring_runs,
        report.sidecar_runs,
        report.placement_checked,
        report.refused,
        *(counts.get(kind, 0) for kind in KINDS),
    ]
    return " | ".join(str(cell) for cell in cells)


if __name__ == "__main__":
    raise SystemExit(main())
