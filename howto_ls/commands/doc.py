"""``howto-ls doc TARGET``: print or write the guide for one symbol."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from howto_ls import project, symbols
from howto_ls.cli import EXIT_OK, Target, print_json
from howto_ls.commands.output import display_path
from howto_ls.config import Settings
from howto_ls.engine import Engine, FileChange
from howto_ls.errors import SourceError, StaleDocumentError, UsageError
from howto_ls.guide import Guide, render
from howto_ls.model import Position, Symbol
from howto_ls.sourcefile import SourceFile, read_source, write_source
from howto_ls.terminal import visible


def load_python_file(path: Path) -> SourceFile:
    """Read a Python source file, or raise a clear error for a missing or non-Python one."""
    if not path.exists():
        raise UsageError(f"{path}: no such file")
    if path.is_dir():
        raise UsageError(f"{path} is a folder; name a .py file (howto-ls generate takes folders)")
    if path.suffix not in (".py", ".pyi", ".pyw"):
        raise UsageError(f"{path} is not a Python file (expected a .py file)")
    return read_source(path)


async def resolve_target(engine: Engine, target: Target, source: str) -> Symbol:
    """The symbol a command-line target names."""
    if target.qualname is not None:
        return engine.symbol_named(target.path, source, target.qualname)
    assert target.line is not None
    line_index = target.line - 1
    if target.column is not None:
        column = target.column - 1
    else:
        lines = source.splitlines()
        text = lines[line_index] if line_index < len(lines) else ""
        column = len(text) - len(text.lstrip())
    return await engine.symbol_at(target.path, source, Position(line_index, column))


async def run_doc(target: Target, args: argparse.Namespace, settings: Settings) -> int:
    """Resolve ``target``, write its guide, and print it or write it into the file."""
    root = project.find_root(target.path)  # from the path as spelled: a symlink stays inside
    if args.write is not None:
        project.require_inside(target.path, root)
    target = Target(target.path.resolve(), target.line, target.column, target.qualname)
    original = load_python_file(target.path)
    engine = Engine(settings, root)
    symbol = await resolve_target(engine, target, original.text)
    if target.qualname is not None:
        note = redefinition_note(symbol, original.text, engine.root)
        if note:
            print(visible(note), file=sys.stderr)
    symbol_file = original if symbol.path == target.path else read_source(symbol.path)
    engine.require_parsable(symbol.path, symbol_file.text)
    guide = await engine.write_guide(symbol, symbol_file.text, verify=True)
    markdown = render(guide)
    if args.write is None:
        if args.json:
            print_json(_describe(symbol, markdown, written_to=None))
        else:
            sys.stdout.write(markdown)
        return EXIT_OK

    change = save_guide(engine, symbol, symbol_file, guide, args.write)
    where = (
        f"{change.path}"
        if args.write == "sidecar"
        else f"{symbol.path}:{symbol.full_range.start.line + 1}"
    )
    if args.json:
        print_json(_describe(symbol, markdown, written_to=str(change.path), changed=change.changed))
    else:
        verb = "wrote" if change.changed else "unchanged:"
        print(visible(f"{verb} guide for {symbol.display_name} in {where} ({args.write})"))
    return EXIT_OK


def save_guide(
    engine: Engine, symbol: Symbol, symbol_file: SourceFile, guide: Guide, target: str
) -> FileChange:
    """Write ``guide`` into ``symbol``'s docstring or its sidecar (``target``); the change made.

    ``symbol_file`` is the file as read before the guide was written. The edit is planned by
    :meth:`Engine.plan_write` (which refuses one that would change the code: invariant 1) and
    written only if the file still holds that text. Raises :class:`StaleDocumentError` when it
    changed meanwhile (nothing is written), :class:`NotWritableError` for a symbol outside the
    project and :class:`UnsafeEditError` for an edit that would change the code.
    """
    change = engine.plan_write(symbol, symbol_file.text, guide, target)
    if change.changed:
        if read_source(symbol.path).text != symbol_file.text:
            raise StaleDocumentError(
                f"{symbol.path} changed while the guide was being written; nothing was written,"
                " run the command again"
            )
        like = symbol_file if change.path == symbol.path else _existing(change.path)
        write_source(change.path, change.new_text, like, root=engine.root)
    return change


def redefinition_note(symbol: Symbol, source: str, root: Path) -> str | None:
    """What to tell when ``symbol``'s name is defined more than once at its level, else None."""
    others = symbols.redefinitions(source, symbol.path, symbol.identity, root)
    if not others:
        return None
    line = symbol.full_range.start.line + 1
    listed = ", ".join(f"{display_path(symbol.path)}::{key} (line {n})" for key, n in others)
    which = (
        "the one Python binds at run time, the last"
        if symbol.identity == symbol.qualname
        else "the one that key names"
    )
    return (
        f"note: {symbol.qualname} is defined {len(others) + 1} times in"
        f" {display_path(symbol.path)}; using line {line}, {which}; the others are {listed}"
    )


def _existing(path: Path) -> SourceFile | None:
    try:
        return read_source(path) if path.exists() else None
    except SourceError:
        return None


def _describe(
    symbol: Symbol, markdown: str, written_to: str | None, changed: bool = False
) -> dict[str, object]:
    return {
        "symbol": symbol.display_name,
        "kind": symbol.kind.value,
        "path": str(symbol.path),
        "line": symbol.full_range.start.line + 1,
        "import_path": symbol.import_path,
        "signature": symbol.signature,
        "markdown": markdown,
        "written_to": written_to,
        "changed": changed,
    }
