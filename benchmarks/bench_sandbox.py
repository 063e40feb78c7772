"""What containing an example costs: median milliseconds per trivial example, by sandbox.

Each row runs ``print(1)`` N times (default 30) through
:func:`howto_ls.examples_run.run_example` with one isolation mechanism (``none``, ``unshare``,
``bwrap``; those that do not work on this machine are skipped), one run at a time, after one
warm-up run. The rows take turns (one run of each per round), so a shared machine's changing
load falls on all of them alike. The first row is the bare cost for comparison: the same
interpreter started with ``subprocess.run`` and nothing around it.

Under bubblewrap a row runs the same examples with the mounts that hide the home and temporary
folders left out (:mod:`howto_ls.sandbox_mounts`), and a second table isolates what those
mounts add: the same ``bwrap`` command starting ``true`` with and without them (taking turns),
and the one-time question to the interpreter about the paths it reads (asked once per
interpreter and process).

    python benchmarks/bench_sandbox.py [--runs N]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

import yardstick

from howto_ls import examples_run, sandbox, sandbox_mounts


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


def unhidden_ms() -> float:
    """:func:`contained_ms` under bubblewrap with the mounts that hide the home and temporary
    folders left out: the per-example cost before they were added, for comparison."""
    mounts = sandbox_mounts.bwrap_mounts
    sandbox_mounts.bwrap_mounts = lambda hidden, readable: []
    try:
        return contained_ms(sandbox.BWRAP)
    finally:
        sandbox_mounts.bwrap_mounts = mounts


def bwrap_ms(mounts: list[str]) -> float:
    """Milliseconds for ``bwrap`` with the sandbox's flags and ``mounts`` to start ``true``."""
    true = shutil.which("true") or "/bin/true"
    command = [sandbox.BWRAP, *sandbox._BWRAP_FLAGS, *mounts, "--", true]
    started = time.perf_counter()
    subprocess.run(command, capture_output=True, check=True)
    return (time.perf_counter() - started) * 1000


def probe_ms() -> float:
    """Milliseconds for asking this interpreter once which paths it reads."""
    started = time.perf_counter()
    sandbox_mounts._ask.__wrapped__(sys.executable)  # the question itself, not its cached answer
    return (time.perf_counter() - started) * 1000


def table(rows: list[tuple[str, Callable[[], float]]], runs: int, unit: str) -> None:
    """Run each row once to warm up, then ``runs`` times taking turns; print the medians."""
    for _, measure in rows:
        measure()  # warm-up
    times: dict[str, list[float]] = {name: [] for name, _ in rows}
    for _ in range(runs):
        for name, measure in rows:
            times[name].append(measure())
    print(f"| {unit} | median ms ({runs} runs) | p90 ms |")
    print("|---|---|---|")
    for name, found in times.items():
        found.sort()
        p90 = found[min(len(found) - 1, int(len(found) * 0.9))]
        print(f"| {name} | {statistics.median(found):.1f} | {p90:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=30, help="runs per row (default 30)")
    runs = parser.parse_args().runs
    rows: list[tuple[str, Callable[[], float]]] = [
        ("bare subprocess (no sandbox, no bootstrap)", bare_ms)
    ]
    for isolation in (sandbox.NONE, sandbox.UNSHARE, sandbox.BWRAP):
        try:
            sandbox.mechanism(isolation)
        except sandbox.SandboxError as exc:
            print(f"skipped {isolation}: {exc}")
            continue
        rows.append((isolation, lambda isolation=isolation: contained_ms(isolation)))
        if isolation == sandbox.BWRAP:
            rows.append(("bwrap, home and temporary folders not hidden", unhidden_ms))
    table(rows, runs, "sandbox, per example")
    try:
        sandbox.mechanism(sandbox.BWRAP)
    except sandbox.SandboxError:
        print(yardstick.line())
        return
    readable = [*sandbox_mounts.own_paths(), *sandbox_mounts.interpreter_paths(sys.executable)]
    mounts = sandbox_mounts.bwrap_mounts(sandbox_mounts.hidden_places(), readable)
    print(f"\nmounts that hide and show again: {' '.join(mounts)}\n")
    hidden = "bwrap starting `true`, home and temporary folders hidden"
    table(
        [
            ("bwrap starting `true`, nothing hidden", lambda: bwrap_ms([])),
            (hidden, lambda: bwrap_ms(mounts)),
            ("asking the interpreter what it reads (once per interpreter)", probe_ms),
        ],
        runs,
        "what hiding adds",
    )
    print(yardstick.line())


if __name__ == "__main__":
    main()
