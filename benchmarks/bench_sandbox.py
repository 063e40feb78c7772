"""What containing an example costs: median milliseconds per trivial example, by sandbox.

Each row runs ``print(1)`` N times (default 30) through
:func:`howto_ls.examples_run.run_example` with one isolation mechanism (``none``, ``unshare``,
``bwrap``; those that do not work on this machine are skipped), one run at a time, after one
warm-up run. The rows take turns (one run of each per round), so a shared machine's changing
load falls on all of them alike. The first row is the bare cost for comparison: the same
interpreter started with ``subprocess.run`` and nothing around it.

    python benchmarks/bench_sandbox.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

import yardstick

from howto_ls import examples_run, sandbox


def bare_ms() -> float:
    """Milliseconds for ``python -c 'print(1)'`` alone."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "print(1)"], capture_output=True, check=True)
    return (time.perf_counter() - started) * 1000


def contained_ms(isolation: str) -> float:
    """Milliseconds for one trivial example run contained by ``isolation``."""
    started = time.perf_counter()
    run = examples_run.run_example("print(1)\n", isolation=isolation)
    assert run.ok, run.detail
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=30, help="runs per row (default 30)")
    runs = parser.parse_args().runs
    rows = [("bare subprocess (no sandbox, no bootstrap)", bare_ms)]
    for isolation in (sandbox.NONE, sandbox.UNSHARE, sandbox.BWRAP):
        try:
            sandbox.mechanism(isolation)
        except sandbox.SandboxError as exc:
            print(f"skipped {isolation}: {exc}")
            continue
        rows.append((isolation, lambda isolation=isolation: contained_ms(isolation)))
    for _, measure in rows:
        measure()  # warm-up
    times: dict[str, list[float]] = {name: [] for name, _ in rows}
    for _ in range(runs):
        for name, measure in rows:
            times[name].append(measure())
    print(f"| sandbox | median ms per example ({runs} runs) | p90 ms |")
    print("|---|---|---|")
    for name, found in times.items():
        found.sort()
        p90 = found[min(len(found) - 1, int(len(found) * 0.9))]
        print(f"| {name} | {statistics.median(found):.1f} | {p90:.1f} |")
    print(yardstick.line())


if __name__ == "__main__":
    main()
