"""Batch throughput against the fake model server at a fixed latency, next to the ideal.

The fake answers every request after ``--latency`` seconds with a guide that passes validation
(the offline guide of the symbol asked about), so each symbol costs one model call. For each
concurrency N the ideal is ``N / latency`` guides per second; ``best/s`` is what whole waves
allow (``calls`` answers need at least ``ceil(calls / N)`` latencies). Rows:
  requests  model calls alone (Engine.write_guide with N in flight, nothing written);
  generate  the whole batch: calls, then plan, check and one atomic write per file;
  cached    ``generate`` again over the original files with the same cache (no model calls).

The fake runs in a process of its own, as a real model server would, so its threads do not
share the client's interpreter lock.

    python benchmarks/bench_batch.py [--package httpx] [--latency 0.2] [--concurrency 1 4 16]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yardstick
from bench_offline import copy_package, table

from howto_ls import project, symbols
from howto_ls.cache import GuideCache
from howto_ls.commands.generate import PREPARED_PER_CALL, Options, Summary, generate
from howto_ls.config import Settings
from howto_ls.discovery import python_files
from howto_ls.engine import Engine
from howto_ls.guide import render
from howto_ls.model import GuideRequest, Symbol
from howto_ls.offline.writer import write_guide
from howto_ls.testing.fake_openai import FakeOpenAI, RecordedRequest, Reply

_ASKED = re.compile(r"Write the guide for the Python [^`]*`([^`]*)`")
_MODULE = re.compile(r"Defining module: (\S+)")


def answers_for(package: Path) -> dict[tuple[str, str], str]:
    """The offline guide of every public symbol, by (module, display name)."""
    root = project.find_root(package)
    answers = {}
    for path in python_files([package]):
        text = path.read_text(encoding="utf-8")
        for symbol in symbols.list_symbols(text, path, root):
            guide = write_guide(GuideRequest(symbol, text))
            answers[(symbol.module, symbol.display_name)] = render(guide)
    return answers


def responder(
    answers: dict[tuple[str, str], str], latency: float
) -> Callable[[RecordedRequest], Reply]:
    """Answer each chat request with its symbol's guide after ``latency`` seconds."""

    def answer(request: RecordedRequest) -> Reply:
        user = next(m["content"] for m in request.messages if m["role"] == "user")
        asked, module = _ASKED.search(user), _MODULE.search(user)
        key = (module.group(1) if module else "", asked.group(1) if asked else "")
        return Reply(content=answers.get(key, ""), first_token_delay=latency, token_chars=4096)

    return answer


class FakeProcess:
    """The fake model server in a child process; it reports how many chat requests it got."""

    def __init__(self, answers: dict[tuple[str, str], str], latency: float, folder: Path) -> None:
        answers_file = folder / "answers.json"
        answers_file.write_text(json.dumps([[*key, text] for key, text in answers.items()]))
        command = [
            sys.executable,
            __file__,
            "--serve",
            str(answers_file),
            "--latency",
            str(latency),
        ]
        self._process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self._process.stdin is not None and self._process.stdout is not None
        self._stdin, self._stdout = self._process.stdin, self._process.stdout
        self.url = self._stdout.readline().strip()

    def request_count(self) -> int:
        """Chat requests the fake has received so far."""
        self._stdin.write("count\n")
        self._stdin.flush()
        return int(self._stdout.readline())

    def close(self) -> None:
        """Stop the child process."""
        self._stdin.close()
        self._process.wait(timeout=30)


def serve(answers_file: Path, latency: float) -> None:
    """Child process: serve the answers until standard input closes; answer ``count`` lines."""
    rows = json.loads(answers_file.read_text())
    answers = {(module, name): text for module, name, text in rows}
    with FakeOpenAI(responder(answers, latency)) as fake:
        print(fake.url, flush=True)
        while line := sys.stdin.readline():
            if line.strip() == "count":
                print(len(fake.chat_requests), flush=True)


def settings_for(url: str, concurrency: int) -> Settings:
    """OpenAI backend settings pointing at the fake."""
    return Settings(backend="openai", base_url=url, model="fake", max_concurrency=concurrency)


async def requests_only(
    package: Path, settings: Settings, concurrency: int, cache: GuideCache
) -> tuple[int, float]:
    """Guides written for every symbol with ``concurrency`` calls in flight; count and seconds."""
    root = project.find_root(package)
    engine = Engine(settings, root, cache=cache)
    work: list[tuple[Symbol, str]] = []
    for path in python_files([package]):
        text = path.read_text(encoding="utf-8")
        work.extend((s, text) for s in symbols.list_symbols(text, path, root))
    semaphore = asyncio.Semaphore(concurrency * PREPARED_PER_CALL)

    failed: list[str] = []

    async def one(symbol: Symbol, text: str) -> None:
        async with semaphore:
            try:
                await engine.write_guide(symbol, text)
            except Exception as exc:  # counted, like generate does
                failed.append(f"{symbol.display_name}: {exc}")

    started = time.perf_counter()
    warming = asyncio.ensure_future(asyncio.to_thread(engine.warm_up))  # as generate does
    try:
        await asyncio.gather(*(one(s, t) for s, t in work))
    finally:
        await warming
        await engine.aclose()
    return len(work) - len(failed), time.perf_counter() - started


async def batch(package: Path, settings: Settings, concurrency: int, cache: GuideCache) -> Summary:
    """``generate`` over the package with ``concurrency`` model calls in flight."""
    summary = Summary()
    options = Options(target="docstring", concurrency=concurrency, progress=False)
    await generate(python_files([package]), settings, options, summary, cache=cache)
    return summary


def restore(original: Path, package: Path) -> None:
    """Put the package's original files back."""
    shutil.rmtree(package)
    shutil.copytree(original, package)


def table_row(
    n: int, latency: float, what: str, guides: int, calls: int, seconds: float
) -> list[str]:
    """One row: throughput, its share of the ideal and the best whole waves allow."""
    ideal = n / latency
    rate = guides / seconds
    if not calls:  # nothing asked: no share of the ideal to speak of
        return [
            str(n),
            f"{ideal:.0f}",
            "-",
            what,
            str(guides),
            "0",
            f"{seconds:.2f}",
            f"{rate:.1f}",
            "-",
        ]
    best = guides / (math.ceil(calls / n) * latency)
    share = f"{100 * rate / ideal:.0f}%"
    numbers = [f"{seconds:.2f}", f"{rate:.1f}", share]
    return [str(n), f"{ideal:.0f}", f"{best:.1f}", what, str(guides), str(calls), *numbers]


def measure(
    n: int, latency: float, fake: FakeProcess, package: Path, original: Path
) -> list[list[str]]:
    """The three rows for concurrency ``n``."""
    settings = settings_for(fake.url, n)
    folder = package.parent.parent
    rows = []

    cache = GuideCache(folder / f"requests-{n}.sqlite3")
    before = fake.request_count()
    count, seconds = asyncio.run(requests_only(package, settings, n, cache))
    rows.append(table_row(n, latency, "requests", count, fake.request_count() - before, seconds))

    cache = GuideCache(folder / f"batch-{n}.sqlite3")
    for what in ("generate", "cached"):
        restore(original, package)
        before = fake.request_count()
        summary = asyncio.run(batch(package, settings, n, cache))
        calls = fake.request_count() - before
        failed = f" ({len(summary.failures)} failed)" if summary.failures else ""
        rows.append(table_row(n, latency, what + failed, summary.written, calls, summary.seconds))
    restore(original, package)
    return rows


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", default="httpx", help="installed package to copy")
    parser.add_argument("--latency", type=float, default=0.2, help="seconds per model answer")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve is not None:
        serve(args.serve, args.latency)
        return
    header = [
        "N",
        "ideal/s",
        "best/s",
        "what",
        "guides",
        "calls",
        "seconds",
        "guides/s",
        "% of ideal",
    ]
    rows = []
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        package = copy_package(args.package, folder)
        original = folder / "original"
        shutil.copytree(package, original)
        answers = answers_for(package)
        fake = FakeProcess(answers, args.latency, folder)
        try:
            for n in args.concurrency:
                rows.extend(measure(n, args.latency, fake, package, original))
        finally:
            fake.close()
    print(f"package {args.package}, latency {args.latency * 1000:.0f} ms per answer")
    print(table(header, rows))
    print(yardstick.line())


if __name__ == "__main__":
    main()
