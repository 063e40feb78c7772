"""``howto-ls check PATH...``: list stale (and, with ``--missing``, absent) guides for CI."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from howto_ls import astutil, discovery, project, symbols
from howto_ls.cli import EXIT_ERROR, EXIT_OK
from howto_ls.config import Settings
from howto_ls.engine import Engine, name_span
from howto_ls.errors import HowtoError
from howto_ls.sourcefile import read_source

STALE = "stale guide"
MISSING = "missing guide"


@dataclass(frozen=True)
class Finding:
    """One guide problem: ``path:line: name: problem``."""

    path: Path
    line: int
    name: str
    problem: str

    def __str__(self) -> str:
        return f"{display_path(self.path)}:{self.line}: {self.name}: {self.problem}"


def run_check(args: argparse.Namespace, settings: Settings) -> int:
    """Print every finding under ``args.paths``; 0 when none, 1 otherwise."""
    findings = list(check(args.paths, settings, args.missing, args.include_private))
    for finding in findings:
        print(finding)
    if findings:
        stale = sum(1 for f in findings if f.problem == STALE)
        missing = sum(1 for f in findings if f.problem == MISSING)
        parts = [f"{stale} stale"] + ([f"{missing} missing"] if args.missing else [])
        print(
            f"howto-ls check: {', '.join(parts)}; run 'howto-ls generate --stale"
            f"{' --only-missing' if args.missing else ''} PATH...' to update them",
            file=sys.stderr,
        )
        return EXIT_ERROR
    return EXIT_OK


def check(
    paths: Sequence[Path], settings: Settings, missing: bool = False, include_private: bool = False
) -> Iterator[Finding]:
    """Findings for the Python files under ``paths``, file by file in order."""
    engines: dict[Path, Engine] = {}
    for path in discovery.python_files(paths):
        root = project.find_root(path)
        engine = engines.setdefault(root, Engine(settings, root))
        yield from _check_file(engine, path, missing, include_private)


def _check_file(
    engine: Engine, path: Path, missing: bool, include_private: bool
) -> Iterator[Finding]:
    try:
        source = read_source(path).text
    except HowtoError as exc:
        yield Finding(path, 1, "(file)", f"cannot check: {exc}")
        return
    guides = engine.guides_in(path, source)
    for guide in sorted(guides, key=lambda g: (g.span.start, g.qualname)):
        if guide.stale:
            yield Finding(
                path, guide.span.start.line + 1, _name(engine, path, guide.qualname), STALE
            )
    if not missing:
        return
    documented = {guide.qualname for guide in guides}
    try:
        found = symbols.list_symbols(source, path, engine.root, include_private)
        tree = astutil.parse_shared(source)
    except (HowtoError, SyntaxError, ValueError) as exc:
        yield Finding(path, 1, "(file)", f"cannot check: {exc}")
        return
    for symbol in found:
        if symbol.qualname not in documented:
            span = name_span(tree, source, symbol.qualname)
            line = span.start.line + 1 if span is not None else symbol.full_range.start.line + 1
            yield Finding(path, line, symbol.display_name, MISSING)


def _name(engine: Engine, path: Path, qualname: str) -> str:
    return qualname or project.module_name(path, engine.root) or path.stem


def display_path(path: Path) -> str:
    """``path`` relative to the current folder when it lies below it, else as is."""
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix()
