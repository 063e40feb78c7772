"""Do the offline writer's Usage Examples run? Every public symbol of pinned real packages.

The pinned packages are installed from PyPI at run time into a virtualenv cached under
``~/.cache/howto-ls/bench-examples`` (the only network use); each package's sources are copied
into a temporary project, the offline writer writes a guide for every public symbol, and each
Usage Example runs the way ``howto-ls check --examples`` runs it: the virtualenv's interpreter,
a temporary working folder, a timeout, connections beyond loopback refused.

    python benchmarks/bench_examples.py [--set tuning|issue|heldout|all] [--package NAME ...]
                                        [--sample N] [--failures] [--verify]

Three pinned sets (``SETS``): ``tuning``, the nine packages the writer's rules were tuned on
(the default); ``issue``, eight packages measured from outside once the rules existed; and
``heldout``, eight packages chosen for varied style that no rule or test of the writer names,
kept to judge the writer on code nobody tuned it on (look at their aggregate figures only, never
at their failures to write a rule). Each set has its own cached virtualenv. Modules a
distribution ships as its own tests (``tests/``, ``test_*.py``, ``conftest.py``) are left out.

Per package it prints: examples, imports ok, runs ok, needs network, needs a terminal, needs an
optional dependency, and the failures by the exception they end with. A second table gives, per
package and per kind of symbol (function, method, class, module, property...), runs %,
demonstrates % (the run executes the symbol's own body, measured by coverage.py in the sandbox,
and shows a real result: :mod:`howto_ls.demonstration`) and the median share of the body's
lines that the examples which run execute. Examples of modules that
cannot be imported here at all (Windows-only modules such as ``click._winconsole``) and of
symbols a module defines only under a platform condition (``if sys.platform == "win32":``) are
counted apart as "other platform" and left out of the other columns. An example's import counts
as failed when it ends with ``ImportError`` or ``ModuleNotFoundError``. Targets: 100 % import,
>= 90 % of the runnable examples (those that need no network, terminal or optional dependency)
run.

``--verify`` measures what users get by default from ``doc``, ``generate`` and the code action
where a sandbox exists: the writer's candidate examples (mined from the project's tests, the
written one and its variants) run in the sandbox with the set's virtualenv and the best is kept
(:mod:`howto_ls.verification`); without it, the writer's first candidate alone. ``--sample N``
picks the symbols before any guide is written. The last line gives the seconds per guide.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import concurrent.futures
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import yardstick

from howto_ls import demonstration, examples_run, project, symbols
from howto_ls.config import Settings
from howto_ls.discovery import python_files
from howto_ls.engine import Engine
from howto_ls.model import Symbol

Pins = dict[str, tuple[str, ...]]
"""Distribution pin -> the import packages whose symbols are measured."""

SETS: dict[str, Pins] = {
    # the packages the offline writer's rules were tuned on
    "tuning": {
        "requests==2.32.3": ("requests",),
        "click==8.1.7": ("click",),
        "httpx==0.27.2": ("httpx",),
        "rich==13.9.4": ("rich",),
        "attrs==24.2.0": ("attr", "attrs"),
        "Jinja2==3.1.4": ("jinja2",),
        "more-itertools==10.5.0": ("more_itertools",),
        "itsdangerous==2.2.0": ("itsdangerous",),
        "packaging==24.1": ("packaging",),
    },
    # measured from outside once the rules existed; examples may be improved on them
    "issue": {
        "tomlkit==0.15.3": ("tomlkit",),
        "pluggy==1.7.0": ("pluggy",),
        "marshmallow==4.4.0": ("marshmallow",),
        "arrow==1.4.0": ("arrow",),
        "toolz==1.2.0": ("toolz", "tlz"),
        "sqlparse==0.6.1": ("sqlparse",),
        "cachetools==8.0.2": ("cachetools",),
        "tenacity==9.2.1": ("tenacity",),
    },
    # never tuned on: no rule or test names them; report their aggregate figures only
    "heldout": {
        "humanize==4.17.0": ("humanize",),  # formatting functions, gettext catalogues
        "sortedcontainers==2.4.0": ("sortedcontainers",),  # container classes
        "blinker==1.9.0": ("blinker",),  # signals, decorators, weak references
        "isodate==0.7.2": ("isodate",),  # parsers of a grammar, tzinfo classes
        "voluptuous==0.16.0": ("voluptuous",),  # schemas of validators
        "bidict==0.24.1": ("bidict",),  # mapping ABCs and mixins
        "funcy==2.1": ("funcy",),  # functional helpers, decorators
        "semver==3.1.2": ("semver",),  # one value class, comparison operators
    },
}
PACKAGES: Pins = SETS["tuning"]
TESTS = shutil.ignore_patterns("__pycache__", "tests", "test", "test_*.py", "conftest.py")
"""What a copy leaves out: compiled files and the modules a distribution ships as its tests."""
SETTINGS = Settings(backend="offline")
IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError"})


def virtualenv(chosen: Pins | None = None) -> Path:
    """A virtualenv with the pinned packages (the tuning set by default), created (and
    installed from PyPI, with their dependencies) once per set of pins."""
    pins = sorted(PACKAGES if chosen is None else chosen)
    digest = hashlib.sha256("\n".join([sys.version, *pins]).encode()).hexdigest()[:12]
    folder = Path.home() / ".cache" / "howto-ls" / "bench-examples" / digest
    python = folder / "bin" / "python"
    if not (folder / ".complete").exists():
        shutil.rmtree(folder, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *pins],
            check=True,
        )
        (folder / ".complete").write_text("\n".join(pins), encoding="utf-8")
    return folder


def site_packages(venv: Path) -> Path:
    """The virtualenv's site-packages folder."""
    found = sorted(venv.glob("lib/python*/site-packages"))
    if not found:
        raise SystemExit(f"no site-packages under {venv}")
    return found[0]


@dataclass
class Tally:
    """What happened to one package's examples."""

    examples: int = 0
    imports_ok: int = 0
    runs_ok: int = 0
    network: int = 0
    terminal: int = 0  # read standard input, opened /dev/tty or started an editor
    dependency: int = 0  # an optional dependency that is not installed
    platform: int = 0  # examples of modules or definitions another platform has
    kinds: collections.Counter[str] = field(default_factory=collections.Counter)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0
    writing: float = 0.0  # seconds the guides took to write (and, with --verify, to choose)
    guides: int = 0
    shown: dict[str, Shown] = field(default_factory=dict)  # by kind of symbol
    not_demonstrating: list[str] = field(default_factory=list)


@dataclass
class Shown:
    """Runs and demonstrations of the runnable examples of one kind of symbol."""

    runnable: int = 0
    runs: int = 0
    demonstrates: int = 0
    not_measured: int = 0
    coverage: list[float] = field(default_factory=list)  # body share executed, runs only
    why_not: collections.Counter[str] = field(default_factory=collections.Counter)

    def add(self, other: Shown) -> None:
        """Count ``other`` in too."""
        self.why_not.update(other.why_not)
        self.runnable += other.runnable
        self.runs += other.runs
        self.demonstrates += other.demonstrates
        self.not_measured += other.not_measured
        self.coverage += other.coverage


Item = tuple[str, str, str, bool, demonstration.Target, str]


def examples_of(
    root: Path, packages: tuple[str, ...], sample: int, verify: bool = False, jobs: int = 1
) -> tuple[list[Item], float]:
    """``(module, qualified name, example, on another platform, target, source)`` for the
    public symbols of ``packages`` (at most ``sample`` of them, evenly spread, when ``sample``
    is set: they are chosen before any guide is written), and the seconds the guides took.

    The fourth item is True for a symbol its module defines under a platform condition, the
    last the text of its file. With ``verify``, each guide is the one users get by default
    (``Engine.write_guide(..., verify=True)``: the writer's candidates run in the sandbox and
    the best kept), ``jobs`` guides at once; the project's interpreter must be the set's
    virtualenv (``VIRTUAL_ENV``)."""
    engine = Engine(SETTINGS, root)
    listed: list[tuple[Symbol, str, bool]] = []
    for package in packages:
        for path in python_files([root / package]):
            text = path.read_text(encoding="utf-8")
            for symbol in symbols.list_symbols(text, path, root):
                elsewhere = bool(symbol.qualname) and (
                    project.platform_condition(text, symbol.qualname) is not None
                )
                listed.append((symbol, text, elsewhere))
    if sample and len(listed) > sample:
        step = len(listed) / sample
        listed = [listed[int(index * step)] for index in range(sample)]

    async def write_all() -> list[str]:
        if verify:
            verifier = await engine.verifier()
            wanted = os.environ.get("VIRTUAL_ENV", "")
            if verifier is None or not verifier.python.startswith(wanted):
                raise SystemExit(f"--verify: examples cannot run with the virtualenv {wanted}")
        slots = asyncio.Semaphore(max(1, jobs))

        async def one(symbol: Symbol, text: str) -> str:
            async with slots:
                return (await engine.write_guide(symbol, text, verify=verify)).example

        return await asyncio.gather(*(one(symbol, text) for symbol, text, _ in listed))

    started = time.perf_counter()
    examples = asyncio.run(write_all())
    seconds = time.perf_counter() - started
    found = [
        (
            symbol.module,
            f"{symbol.module}.{symbol.qualname}".strip("."),
            example,
            elsewhere,
            demonstration.Target.of(symbol),
            text,
        )
        for (symbol, text, elsewhere), example in zip(listed, examples, strict=True)
    ]
    return found, seconds


def measure(
    pin: str,
    packages: tuple[str, ...],
    venv: Path,
    folder: Path,
    sample: int,
    jobs: int,
    verify: bool = False,
) -> Tally:
    """Copy the package into a project under ``folder``, write and run every example."""
    source = site_packages(venv)
    root = folder / pin.split("==", maxsplit=1)[0]
    root.mkdir(parents=True)
    (root / "pyproject.toml").write_text(f"[project]\nname = 'copy-{root.name}'\n", "utf-8")
    for package in packages:
        shutil.copytree(source / package, root / package, ignore=TESTS)
    root = project.find_root(root)
    items, tally_writing = examples_of(root, packages, sample, verify, jobs)
    python = str(venv / "bin" / "python")
    paths = examples_run.import_roots(root)
    modules = sorted({item[0] for item in items})
    importable = {
        module: examples_run.run_example(f"import {module}\n", python=python, paths=paths).ok
        for module in modules
    }
    tally = Tally(platform=sum(1 for item in items if not importable[item[0]]))
    tally.writing, tally.guides = tally_writing, len(items)
    items = [item for item in items if importable[item[0]]]
    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        measured = pool.map(
            lambda item: demonstration.demonstrate(
                item[2], item[4], source=item[5], python=python, paths=paths
            ),
            items,
        )
        for (_, name, code, elsewhere, target, _), shown in zip(items, measured, strict=True):
            run = shown.run
            error = examples_run.error_kind(run.detail) if run.status == examples_run.FAILS else ""
            if elsewhere and error in IMPORT_ERRORS:
                tally.platform += 1  # defined only under a platform condition
                continue
            tally.examples += 1
            if error not in IMPORT_ERRORS:
                tally.imports_ok += 1
            runnable = run.status not in (
                examples_run.NEEDS_NETWORK,
                examples_run.NEEDS_TERMINAL,
                examples_run.NEEDS_DEPENDENCY,
            )
            kind = tally.shown.setdefault(target.kind, Shown())
            kind.runnable += runnable
            if run.ok:
                kind.runs += 1
                kind.demonstrates += shown.demonstrates
                kind.not_measured += not shown.measured
                if shown.measured and shown.body_total:
                    kind.coverage.append(shown.body_executed / shown.body_total)
                if not shown.demonstrates:
                    kind.why_not[why_not(shown.reason)] += 1
                    listed = "\n    ".join(code.splitlines())
                    tally.not_demonstrating.append(f"{name}: {shown.reason}\n    {listed}")
            if run.ok:
                tally.runs_ok += 1
            elif run.status == examples_run.NEEDS_NETWORK:
                tally.network += 1
            elif run.status == examples_run.NEEDS_TERMINAL:
                tally.terminal += 1
            elif run.status == examples_run.NEEDS_DEPENDENCY:
                tally.dependency += 1
            else:
                label = "Timeout" if run.status == examples_run.TIMEOUT else error
                tally.kinds[label] += 1
                kind.why_not["fails"] += 1
                listed = "\n    ".join(code.splitlines())
                tally.failures.append(f"{name}: {run.detail}\n    {listed}")
    tally.seconds = time.perf_counter() - started
    return tally


def why_not(reason: str) -> str:
    """The kind of reason a run that ends well does not demonstrate (names and numbers left
    out, so that the reasons of held-out packages can be counted without being read)."""
    if reason.startswith("printed "):
        said = reason.removeprefix("printed ").removesuffix(" and asserted nothing")
        return "a function object" if said == "a bound method" else said
    if reason.startswith("never reached"):
        return "body not reached"
    return "other"


WHY_NOT = ["fails", "body not reached", "nothing", "None", "an empty value"]
WHY_NOT += ["an object's default repr", "a function object", "a class object", "other"]


def percent(part: int, whole: int) -> str:
    """``part`` of ``whole`` as a whole percentage."""
    return f"{100 * part / whole:.0f} %" if whole else "-"


def table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |"
        for r in [header, *rows]
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def row(name: str, tally: Tally) -> list[str]:
    """One table row."""
    runnable = tally.examples - tally.network - tally.terminal - tally.dependency
    kinds = ", ".join(f"{kind} {count}" for kind, count in tally.kinds.most_common()) or "-"
    return [
        name,
        str(tally.examples),
        f"{tally.imports_ok} ({percent(tally.imports_ok, tally.examples)})",
        f"{tally.runs_ok} ({percent(tally.runs_ok, runnable)} of {runnable})",
        str(tally.network),
        str(tally.terminal),
        str(tally.dependency),
        str(tally.platform),
        kinds,
    ]


def shown_row(name: str, shown: Shown) -> list[str]:
    """One row of the demonstration table."""
    median = f"{100 * statistics.median(shown.coverage):.0f} %" if shown.coverage else "-"
    return [
        name,
        str(shown.runnable),
        f"{shown.runs} ({percent(shown.runs, shown.runnable)})",
        f"{shown.demonstrates} ({percent(shown.demonstrates, shown.runnable)})",
        median,
        str(shown.not_measured),
    ]


SHOWN_HEADER = ["", "runnable", "runs", "demonstrates", "median body coverage", "not measured"]


def run_set(name: str, pins: Pins, args: argparse.Namespace) -> None:
    """Measure the chosen packages of one set and print its two tables."""
    chosen = {
        pin: packages
        for pin, packages in pins.items()
        if not args.package or pin.split("==")[0].lower() in {p.lower() for p in args.package}
    }
    if not chosen:
        return
    venv = virtualenv(pins)
    os.environ["VIRTUAL_ENV"] = str(venv)  # as in a shell where the venv is activated
    rows, total = [], Tally()
    by_package: list[list[str]] = []
    by_kind: dict[str, Shown] = {}
    with tempfile.TemporaryDirectory() as folder:
        for pin, packages in chosen.items():
            tally = measure(pin, packages, venv, Path(folder), args.sample, args.jobs, args.verify)
            rows.append(row(pin, tally))
            for counter in (
                "examples",
                "imports_ok",
                "runs_ok",
                "network",
                "terminal",
                "dependency",
                "platform",
                "seconds",
                "writing",
                "guides",
            ):
                setattr(total, counter, getattr(total, counter) + getattr(tally, counter))
            total.kinds.update(tally.kinds)
            package = Shown()
            for kind, shown in tally.shown.items():
                package.add(shown)
                by_kind.setdefault(kind, Shown()).add(shown)
            by_package.append(shown_row(pin, package))
            if args.failures:
                if name == "heldout":
                    print(f"({pin}: held out, failures not listed)", file=sys.stderr)
                    continue
                for failure in [*tally.failures, *tally.not_demonstrating]:
                    print(failure, file=sys.stderr)
    sample = f", at most {args.sample} examples per package" if args.sample else ""
    verified = ", verified (what users get by default)" if args.verify else ", writer alone"
    print(f"## set {name} ({len(chosen)} packages{sample}{verified})")
    print()
    rows.append(row("all", total))
    header = ["package", "examples", "imports ok", "runs ok (of runnable)", "needs network"]
    header += ["needs a terminal", "needs optional dependency", "other platform"]
    print(table([*header, "fails by kind"], rows))
    print()
    every = Shown()
    for shown in by_kind.values():
        every.add(shown)
    kinds = [shown_row(kind, by_kind[kind]) for kind in sorted(by_kind)]
    print(table(SHOWN_HEADER, [*by_package, *kinds, shown_row(f"all ({name})", every)]))
    print()
    known = set(WHY_NOT)
    reasons = [
        [kind, *(str(by_kind[kind].why_not[r]) for r in WHY_NOT)] for kind in sorted(by_kind)
    ]
    reasons.append(["all", *(str(every.why_not[r]) for r in WHY_NOT)])
    unknown = sum(n for r, n in every.why_not.items() if r not in known)
    print(table(["does not demonstrate", *WHY_NOT], reasons))
    if unknown:
        print(f"({unknown} with a reason not tabled)")
    per_guide = total.writing / total.guides if total.guides else 0.0
    print(
        f"{total.guides} guides written in {total.writing:.0f} s ({per_guide:.2f} s per guide, "
        f"{args.jobs} at once); examples run in {total.seconds:.0f} s"
    )
    print(flush=True)


def main() -> None:
    """Print the tables of the chosen set(s) (and, with ``--failures``, every failing example
    of the sets that are not held out)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=[*SETS, "all"], default="tuning", help="which packages")
    parser.add_argument("--package", action="append", help="a pinned distribution, e.g. click")
    parser.add_argument("--sample", type=int, default=0, help="at most N examples per package")
    parser.add_argument("--failures", action="store_true", help="print each failing example")
    parser.add_argument(
        "--verify",
        action="store_true",
        help="measure what users get by default: candidates run and the best kept",
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="runs at once")
    args = parser.parse_args()
    for name, pins in SETS.items():
        if args.set in (name, "all"):
            run_set(name, pins, args)
    print(yardstick.line())


if __name__ == "__main__":
    main()
