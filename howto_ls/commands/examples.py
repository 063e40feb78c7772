"""``howto-ls check --examples``: run every guide's Usage Example and report the ones that fail.

Each example runs through :func:`howto_ls.examples_run.run_example` (the project's interpreter,
a temporary working folder, a timeout, the network refused). An example that fails only because
the network was refused is reported as needing the network, not as failing. Files are only read.
"""

from __future__ import annotations

import concurrent.futures
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from howto_ls import discovery, examples_run, project
from howto_ls.commands.check import Finding
from howto_ls.config import Settings
from howto_ls.engine import Engine
from howto_ls.errors import HowtoError
from howto_ls.guide import parse_guide
from howto_ls.sourcefile import read_source

EXAMPLE_FAILS = "example fails"
EXAMPLE_NEEDS_NETWORK = "example needs network"


@dataclass
class ExamplesReport:
    """What running the examples found: failures (exit 1), network needs (counted apart)."""

    ran: int = 0
    failures: list[Finding] = field(default_factory=list)
    network: list[Finding] = field(default_factory=list)

    def summary(self) -> str:
        """One line: how many examples ran and how they went."""
        noun = "example" if self.ran == 1 else "examples"
        passed = self.ran - len(self.failures) - len(self.network)
        return (
            f"{self.ran} {noun} run: {passed} ok, {len(self.failures)} failing, "
            f"{len(self.network)} needing the network (refused)"
        )


@dataclass(frozen=True)
class _Job:
    path: Path
    line: int
    name: str
    code: str
    python: str
    paths: tuple[Path, ...]


def run_examples(
    paths: Sequence[Path],
    settings: Settings,
    *,
    python: str | None = None,
    timeout: float = examples_run.DEFAULT_TIMEOUT,
    jobs: int | None = None,
) -> ExamplesReport:
    """Run the Usage Example of every guide under ``paths``, ``jobs`` at once (default: one
    per CPU), in file order; ``python`` overrides the project's interpreter."""
    work: list[_Job] = []
    engines: dict[Path, Engine] = {}
    for path in discovery.python_files(paths):
        root = project.find_root(path)
        engine = engines.setdefault(root, Engine(settings, root))
        try:
            source = read_source(path).text
        except HowtoError:
            continue  # the stale check reports unreadable files
        interpreter = python or examples_run.project_interpreter(root)
        roots = tuple(examples_run.import_roots(root))
        for guide in sorted(engine.guides_in(path, source), key=lambda g: g.span.start):
            code = parse_guide(guide.markdown).guide.example
            if not code.strip():
                continue
            name = guide.qualname or project.module_name(path, root) or path.stem
            work.append(_Job(path, guide.span.start.line + 1, name, code, interpreter, roots))
    report = ExamplesReport(ran=len(work))
    with concurrent.futures.ThreadPoolExecutor(jobs or os.cpu_count() or 1) as pool:
        runs = pool.map(
            lambda job: examples_run.run_example(
                job.code, python=job.python, timeout=timeout, paths=job.paths
            ),
            work,
        )
        for job, run in zip(work, runs, strict=True):
            if run.status == examples_run.NEEDS_NETWORK:
                problem = f"{EXAMPLE_NEEDS_NETWORK}: {run.detail}"
                report.network.append(Finding(job.path, job.line, job.name, problem))
            elif not run.ok:
                problem = f"{EXAMPLE_FAILS}: {run.detail}"
                report.failures.append(Finding(job.path, job.line, job.name, problem))
    return report
