"""``howto-ls check PATH...``: list stale (and, with ``--missing``, absent) guides for CI."""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from howto_ls import discovery, project
from howto_ls.cli import EXIT_ERROR, EXIT_OK, print_json
from howto_ls.config import Settings
from howto_ls.engine import Engine, GuideState
from howto_ls.errors import FileTooLargeError, HowtoError, UsageError
from howto_ls.sourcefile import read_source
from howto_ls.syntax import parse_problem

STALE = "stale guide"
MISSING = "missing guide"
UNPARSABLE = "cannot check"


@dataclass(frozen=True)
class Finding:
    """One guide problem: ``path:line: name: problem``; ``where`` the guide lives, if it does."""

    path: Path
    line: int
    name: str
    problem: str
    where: str = ""  # "docstring" or "sidecar" for a stale guide

    def __str__(self) -> str:
        name = f" {self.name}:" if self.name else ""
        return f"{display_path(self.path)}:{self.line}:{name} {self.problem}"


@dataclass
class Checked:
    """How many guides a check read, by where they live."""

    docstring: int = 0
    sidecar: int = 0

    @property
    def guides(self) -> int:
        """Every guide checked."""
        return self.docstring + self.sidecar


def run_check(args: argparse.Namespace, settings: Settings) -> int:
    """Print every finding under ``args.paths``; 0 when none, 1 otherwise.

    The summary on stderr says how many guides were checked, or gives the ``generate`` commands
    that fix what was found, each writing where those guides live.
    """
    as_json = getattr(args, "format", "text") == "json"
    if as_json and (
        getattr(args, "examples", False) or getattr(args, "require_demonstrate", False)
    ):
        raise UsageError("--format json does not cover --examples yet; run them without it")
    checked = Checked()
    findings = list(check(args.paths, settings, args.missing, args.include_private, checked))
    if as_json:
        print_json(findings_json(findings, checked))
    for finding in [] if as_json else findings:
        print(finding)
    if getattr(args, "examples", False) or getattr(args, "require_demonstrate", False):
        from howto_ls.commands.examples import run_examples

        report = run_examples(
            args.paths,
            settings,
            python=args.python,
            timeout=args.timeout,
            require_demonstrate=getattr(args, "require_demonstrate", False),
        )
        if report.notice:
            print(report.notice, file=sys.stderr)
        shown = set(report.shown)
        ran = [*report.shown, *(f for f in report.failures if f not in shown)]
        for finding in sorted(ran, key=lambda f: (f.path.parts, f.line)):
            print(finding)
        for finding in report.apart:
            print(finding)
        print(report.summary(), file=sys.stderr)
        if report.failures and not findings:
            return EXIT_ERROR
    if not findings:
        noun = "guide" if checked.guides == 1 else "guides"
        complete = "; no public symbol is missing one" if args.missing else ""
        print(f"{checked.guides} {noun} checked: all fresh{complete}", file=sys.stderr)
        return EXIT_OK
    stale = [f for f in findings if f.problem == STALE]
    missing = sum(1 for f in findings if f.problem == MISSING)
    parts = [f"{len(stale)} stale"] + ([f"{missing} missing"] if args.missing else [])
    unparsable = sum(1 for f in findings if f.problem.startswith(UNPARSABLE))
    if unparsable:
        parts.append(f"{unparsable} file{'s' if unparsable != 1 else ''} not parsed")
    commands = fix_commands(args.paths, stale, missing, _new_guides_target(settings, checked))
    then = "; to update them run:" if commands else ""
    print(f"howto-ls check: {', '.join(parts)}{then}", file=sys.stderr)
    for command in commands:
        print(f"  {command}", file=sys.stderr)
    return EXIT_ERROR


def findings_json(findings: Sequence[Finding], checked: Checked) -> dict[str, object]:
    """One JSON document of ``findings``: ``{"findings": [{"path", "line", "qualname",
    "status", "detail"}], "checked": {"docstring", "sidecar"}}``; ``status`` is ``stale``,
    ``missing`` or ``error`` (a file not checked; ``detail`` says why), ``detail`` of a stale
    guide where it lives; ``line`` is 1-based."""
    records = []
    for finding in findings:
        if finding.problem == STALE:
            status, detail = "stale", finding.where
        elif finding.problem == MISSING:
            status, detail = "missing", ""
        else:
            status, detail = "error", finding.problem
        records.append(
            {
                "path": display_path(finding.path),
                "line": finding.line,
                "qualname": finding.name,
                "status": status,
                "detail": detail,
            }
        )
    return {
        "findings": records,
        "checked": {"docstring": checked.docstring, "sidecar": checked.sidecar},
    }


def fix_commands(
    paths: Sequence[Path], stale: Sequence[Finding], missing: int, target: str
) -> list[str]:
    """The ``howto-ls generate`` commands that regenerate ``stale`` and write ``missing`` guides.

    Stale guides are rewritten where they live (``generate`` only replaces guides in the place
    its ``--write`` names); missing ones go to ``target``. One command per place.
    """
    flags: dict[str, list[str]] = {}
    for where in ("docstring", "sidecar"):
        if any(finding.where == where for finding in stale):
            flags.setdefault(where, []).append("--stale")
    if missing:
        flags.setdefault(target, []).append("--only-missing")
    shown = [display_path(path) for path in paths]
    return [
        shlex.join(["howto-ls", "generate", *options, "--write", where, *shown])
        for where, options in flags.items()
    ]


def _new_guides_target(settings: Settings, checked: Checked) -> str:
    """Where missing guides belong: the sidecar when the project keeps its guides there."""
    if settings.target == "sidecar" or (checked.sidecar and not checked.docstring):
        return "sidecar"
    return "docstring"


def check(
    paths: Sequence[Path],
    settings: Settings,
    missing: bool = False,
    include_private: bool = False,
    checked: Checked | None = None,
) -> Iterator[Finding]:
    """Findings for the Python files under ``paths``, file by file in order.

    ``checked``, when given, counts the guides read.
    """
    engines: dict[Path, Engine] = {}
    for path in discovery.python_files(paths):
        root = project.find_root(path)
        engine = engines.setdefault(root, Engine(settings, root))
        yield from _check_file(engine, path, missing, include_private, checked or Checked())


def _check_file(
    engine: Engine, path: Path, missing: bool, include_private: bool, checked: Checked
) -> Iterator[Finding]:
    try:
        source = read_source(path).text
    except FileTooLargeError as exc:  # skipped as the setting asks: a note, not a failure
        print(f"howto-ls check: {exc}", file=sys.stderr)
        return
    except HowtoError as exc:
        yield Finding(path, 1, "", f"cannot check: {exc}")
        return
    problem = parse_problem(source)
    if problem is not None:  # never passed silently: no guide of it can be checked
        yield Finding(path, problem.line, "", f"{UNPARSABLE}: {problem.describe()}")
        return
    inventory = engine.inventory(path, source, include_private)
    for entry in inventory.entries:
        if entry.where == "sidecar":
            checked.sidecar += 1
        elif entry.where == "docstring":
            checked.docstring += 1
        if entry.state is GuideState.STALE:
            line = entry.span.start.line + 1
            yield Finding(path, line, entry.display_name, STALE, entry.where or "")
    if not missing:
        return
    for entry in inventory.with_state(GuideState.MISSING):
        name = entry.qualname or entry.display_name
        yield Finding(path, entry.span.start.line + 1, name, MISSING)


def display_path(path: Path) -> str:
    """``path`` relative to the current folder when it lies below it, else as is."""
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix()
