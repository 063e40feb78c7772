"""Offline guides per second over real installed packages, and what ``generate`` adds on top.

For each package: a copy in a temporary project, then
  write   guides from the offline writer alone (no edits, no files);
  batch   ``generate`` writing every guide into docstrings (plan, check, one write per file);
  rerun   ``generate`` again over the written copy (every guide up to date: nothing to do).

    python benchmarks/bench_offline.py [--package NAME ...]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import shutil
import tempfile
import time
from pathlib import Path

import yardstick

from howto_ls import project, symbols
from howto_ls.commands.generate import Options, Summary, generate
from howto_ls.config import Settings
from howto_ls.discovery import python_files
from howto_ls.engine import Engine
from howto_ls.model import Symbol

DEFAULT_PACKAGES = ("httpx", "h11", "itsdangerous")
SETTINGS = Settings(backend="offline")


def copy_package(name: str, folder: Path) -> Path:
    """A copy of the installed package ``name`` in a fresh project under ``folder``."""
    module = importlib.import_module(name)
    assert module.__file__ is not None
    source = Path(module.__file__).parent
    root = folder / name
    root.mkdir(parents=True)
    (root / "pyproject.toml").write_text(f"[project]\nname = '{name}-copy'\n", encoding="utf-8")
    shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    return root / name


def all_symbols(package: Path) -> list[tuple[Engine, Symbol, str]]:
    """Every public symbol of the package with its engine and module text."""
    found: list[tuple[Engine, Symbol, str]] = []
    root = project.find_root(package)
    engine = Engine(SETTINGS, root)
    for path in python_files([package]):
        text = path.read_text(encoding="utf-8")
        found.extend((engine, s, text) for s in symbols.list_symbols(text, path, root))
    return found


async def write_only(items: list[tuple[Engine, Symbol, str]]) -> tuple[float, float]:
    """Wall and CPU seconds to write every guide with the offline writer."""
    started, cpu = time.perf_counter(), time.process_time()
    for engine, symbol, text in items:
        await engine.write_guide(symbol, text)
    return time.perf_counter() - started, time.process_time() - cpu


async def batch(package: Path) -> tuple[Summary, float]:
    """``generate`` over the package (every guide into docstrings), and its CPU seconds."""
    summary = Summary()
    options = Options(target="docstring", progress=False)
    cpu = time.process_time()
    await generate(python_files([package]), SETTINGS, options, summary)
    return summary, time.process_time() - cpu


def lines_of(package: Path) -> int:
    """Source lines of the package's Python files."""
    return sum(len(p.read_text(encoding="utf-8").splitlines()) for p in python_files([package]))


async def measure(name: str, folder: Path) -> list[str]:
    """One table row for package ``name``."""
    package = copy_package(name, folder)
    lines = lines_of(package)
    items = all_symbols(package)
    await write_only(items)  # warm up imports and caches once
    seconds, cpu = await write_only(items)
    first, first_cpu = await batch(package)
    rerun, _ = await batch(package)
    count = len(items)
    return [
        name,
        str(len(python_files([package]))),
        str(lines),
        str(count),
        f"{count / seconds:,.0f}",
        f"{count / cpu:,.0f}",
        f"{first.written / first.seconds:,.1f}",
        f"{first.written / first_cpu:,.1f}",
        f"{first.seconds:.2f}",
        str(len(first.failures)),
        f"{rerun.seconds:.2f}",
        str(rerun.written),
    ]


def table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |"
        for r in [header, *rows]
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", action="append", help="installed package to copy")
    args = parser.parse_args()
    header = [
        "package",
        "files",
        "lines",
        "symbols",
        "write guides/s",
        "write guides/CPU s",
        "batch guides/s",
        "batch guides/CPU s",
        "batch s",
        "failed",
        "rerun s",
        "rerun written",
    ]
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name in args.package or DEFAULT_PACKAGES:
            rows.append(asyncio.run(measure(name, Path(folder))))
    print(table(header, rows))
    print(yardstick.line())


if __name__ == "__main__":
    main()
