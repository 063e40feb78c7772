"""``howto-ls check PATH...``: list stale (and, with ``--missing``, absent) guides for CI."""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Iterator, Sequence
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
from howto_ls.engine import Engine, GuideState
from howto_ls.errors import FileTooLargeError, HowtoError
from howto_ls.sourcefile import read_source
from howto_ls.syntax import parse_problem
from howto_ls.terminal import visible

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
        return visible(f"{relative_path(self.path)}:{self.line}:{name} {self.problem}")


@dataclass
class Checked:
    """How many guides a check read, by where they live; the modules not searched for missing
    guides as not public (path and :mod:`howto_ls.module_kinds` kind)."""

    docstring: int = 0
    sidecar: int = 0
    left_out: list[tuple[Path, str]] = field(default_factory=list)

    @property
    def guides(self) -> int:
        """Every guide checked."""
        return self.docstring + self.sidecar


def run_check(args: argparse.Namespace, settings: Settings) -> int:
    """Print every finding under ``args.paths``; 0 when none, 1 otherwise.

    ``args.format`` chooses stdout: ``text`` a line per finding, ``json`` one document
    (:func:`findings_json`), ``github`` an annotation per finding (:func:`finding_annotation`).
    The summary on stderr says how many guides were checked, or gives the ``generate`` commands
    that fix what was found, each writing where those guides live.
    """
    output = getattr(args, "format", "text")
    checked = Checked()
    findings = list(
        check(
            args.paths,
            settings,
            args.missing,
            args.include_private,
            checked,
            include_tests=getattr(args, "include_tests", False),
        )
    )
    for finding in findings if output != "json" else []:
        print(finding if output == "text" else finding_annotation(finding))
    report = None
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
        if output == "text":
            shown = set(report.shown)
            ran = [*report.shown, *(f for f in report.failures if f not in shown)]
            for finding in sorted(ran, key=lambda f: (f.path.parts, f.line)):
                print(finding)
            for finding in report.apart:
                print(finding)
        elif output == "github":
            failing = set(report.failures)
            passing = [f for f in report.shown if f not in failing]
            for finding in [*report.failures, *report.apart, *passing]:
                line = example_annotation(finding, finding in failing)
                if line is not None:
                    print(line)
    if output == "json":
        document = findings_json(findings, checked)
        if report is not None:
            document["examples"] = [record.as_json() for record in report.records]
            summary = document["summary"]
            assert isinstance(summary, dict)
            summary["examples"] = report.as_json()
        print_json(document)
    note = left_out_note(
        checked.left_out, "symbols no public module re-exports not searched for missing guides"
    )
    if note and args.missing:
        print(f"howto-ls check: {note}", file=sys.stderr)
    if report is not None:
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


def finding_annotation(finding: Finding) -> str:
    """A GitHub Actions ``::error`` for a stale guide, a missing one or a file not checked,
    at the symbol's line, saying what to run."""
    if finding.problem == STALE:
        title = "howto-ls: stale guide"
        message = (
            f"{finding.name}: the code changed since its guide ({finding.where}) was written;"
            f" howto-ls generate --stale --write {finding.where or 'docstring'} regenerates it"
        )
    elif finding.problem == MISSING:
        title = "howto-ls: missing guide"
        message = f"{finding.name}: no guide; howto-ls generate --only-missing writes one"
    else:
        title = "howto-ls: file not checked"
        message = finding.problem
    return annotation("error", message, path=finding.path, line=finding.line, title=title)


def example_annotation(finding: Finding, failure: bool) -> str | None:
    """A GitHub Actions annotation for an example's run: ``::error`` for a failure, ``::warning``
    for one that needs what the check refuses (the network, a terminal, a dependency, another
    platform) or runs without demonstrating; None for one that runs and demonstrates."""
    from howto_ls.commands.examples import EXAMPLE

    demonstrates = finding.problem.startswith(f"{EXAMPLE} runs and demonstrates")
    if demonstrates and not failure:
        return None
    level = "error" if failure else "warning"
    return annotation(
        level,
        f"{finding.name}: {finding.problem}",
        path=finding.path,
        line=finding.line,
        title=f"howto-ls: {finding.problem.partition(':')[0]}",
    )


def findings_json(findings: Sequence[Finding], checked: Checked) -> dict[str, object]:
    """One JSON document of ``findings``: ``{"findings": [{"path", "line", "qualname",
    "status", "detail"}], "checked": {"docstring", "sidecar"}, "summary": {"stale",
    "missing", "errors", "guides"}}``; ``status`` is ``stale``, ``missing`` or ``error`` (a file
    not checked; ``detail`` says why), ``detail`` of a stale guide where it lives; ``line`` is
    1-based. ``run_check`` adds ``"examples"`` (records with ``elapsed``) and
    ``summary["examples"]`` when the examples ran."""
    records = []
    for finding in findings:
        if finding.problem == STALE:
            status, detail = "stale", finding.where
        elif finding.problem == MISSING:
            status, detail = "missing", ""
        else:
            status, detail = "error", finding.problem
        records.append(Record(finding.path, finding.line, finding.name, status, detail))
    return {
        "findings": [record.as_json() for record in records],
        "checked": {"docstring": checked.docstring, "sidecar": checked.sidecar},
        "summary": {
            "stale": sum(1 for r in records if r.status == "stale"),
            "missing": sum(1 for r in records if r.status == "missing"),
            "errors": sum(1 for r in records if r.status == "error"),
            "guides": checked.guides,
        },
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
    *,
    include_tests: bool = False,
) -> Iterator[Finding]:
    """Findings for the Python files under ``paths``, file by file in order.

    Stale guides are found everywhere; missing ones (``missing``) not in private modules nor
    test modules (:mod:`howto_ls.module_kinds`) unless ``include_private`` or
    ``include_tests``, but for the symbols of a private module a public module re-exports.
    ``checked``, when given, counts the guides read and lists those modules.
    """
    engines: dict[Path, Engine] = {}
    checked = checked or Checked()
    for path in discovery.python_files(paths):
        root = project.find_root(path)
        engine = engines.setdefault(root, Engine(settings, root))
        kind = None
        if missing:
            kind = module_kinds.hidden_kind(
                path, root, include_private=include_private, include_tests=include_tests
            )
        yield from _check_file(engine, path, missing, include_private, checked, kind)


def _check_file(
    engine: Engine,
    path: Path,
    missing: bool,
    include_private: bool,
    checked: Checked,
    hidden: str | None = None,
) -> Iterator[Finding]:
    """The findings of one file; ``hidden`` the kind of a module not searched for missing
    guides but for the symbols a public module re-exports (:mod:`howto_ls.module_kinds`)."""
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
    absent = inventory.with_state(GuideState.MISSING)
    if hidden is not None:
        public = [
            entry
            for entry in absent
            if hidden == module_kinds.PRIVATE
            and module_kinds.exported(path, engine.root, entry.qualname)
        ]
        if len(public) < len(absent):
            checked.left_out.append((path, hidden))
        absent = public
    for entry in absent:
        name = entry.qualname or entry.display_name
        yield Finding(path, entry.span.start.line + 1, name, MISSING)
