"""The ``howto-ls`` command line: argument handling only; the engine does the work."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from howto_ls import __version__, config
from howto_ls.backends.factory import resolved_backend_name
from howto_ls.commands.output import FORMATS
from howto_ls.errors import HowtoError, SymbolNotFoundError, UsageError, shown_input
from howto_ls.project import SOURCE_SUFFIXES
from howto_ls.redact import install_log_redaction, redact
from howto_ls.terminal import printable_output

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2


@dataclass(frozen=True)
class Target:
    """A symbol named on the command line: a file plus a 1-based line/column or a qualname."""

    path: Path
    line: int | None = None
    column: int | None = None
    qualname: str | None = None


def parse_target(text: str) -> Target:
    """Parse ``path.py:LINE[:COL]`` (1-based), ``path.py::Qual.name``, or ``path.py`` (module)."""
    if "::" in text:
        path, _, qualname = text.partition("::")
        if not path:
            raise UsageError(f"target {shown_input(text)} has no file: write path.py::Qual.name")
        return Target(Path(path), qualname=qualname.strip())
    parts = text.rsplit(":", 2)
    numbers: list[int] = []
    while len(parts) > 1 and parts[-1].isdigit():
        numbers.insert(0, int(parts.pop()))
    path = ":".join(parts)
    if not numbers and Path(text).suffix in SOURCE_SUFFIXES:
        return Target(Path(text), qualname="")  # no line and no name: the module itself
    if not numbers or not path:
        raise UsageError(
            f"target {shown_input(text)} is not path.py, path.py:LINE[:COL] or path.py::Qual.name"
            " (e.g. src/app.py, src/app.py:42 or src/app.py::Client.send)"
        )
    line = numbers[0]
    column = numbers[1] if len(numbers) > 1 else None
    if line < 1 or (column is not None and column < 1):
        raise UsageError(f"target {shown_input(text)}: lines and columns start at 1")
    return Target(Path(path), line=line, column=column)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(
        prog="howto-ls",
        description="Task-oriented 'How to Use This Code Block' guides for Python code.",
    )
    parser.add_argument("--version", action="version", version=f"howto-ls {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the language server (stdio by default)")
    serve.add_argument(
        "--tcp",
        metavar="[HOST:]PORT",
        help="listen on TCP instead of stdio (host 127.0.0.1 unless given; clients need the token)",
    )
    serve.add_argument(
        "--token",
        help="with --tcp: the token clients send as initializationOptions.token "
        "(default $HOWTO_LS_TOKEN, else a new one printed once)",
    )
    serve.add_argument(
        "--allow-remote",
        action="store_true",
        help="with --tcp: allow a host that is not loopback (unencrypted; trusted networks only)",
    )
    serve.add_argument("--stdio", action="store_true", help="use stdio (the default; for clients)")

    doc = commands.add_parser("doc", help="print (or write) the guide for one symbol")
    doc.add_argument(
        "target", help="path.py (the module), path.py:LINE[:COL] (1-based) or path.py::Qual.name"
    )
    doc.add_argument("--write", choices=config.TARGETS, help="write the guide instead of printing")
    doc.add_argument("--json", action="store_true", help="print a JSON object for tools")
    _add_model_options(doc)
    _add_exclude_option(doc)

    generate = commands.add_parser("generate", help="write guides for every symbol under paths")
    generate.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders")
    generate.add_argument("--write", choices=config.TARGETS, help="docstring (default) or sidecar")
    _add_visibility_options(generate, "document")
    generate.add_argument("--only-missing", action="store_true", help="skip symbols with a guide")
    generate.add_argument("--stale", action="store_true", help="only symbols whose guide is stale")
    generate.add_argument(
        "--force", action="store_true", help="regenerate guides that are already up to date"
    )
    generate.add_argument("--dry-run", action="store_true", help="print the diff, write nothing")
    generate.add_argument("--concurrency", type=int, metavar="N", help="model calls in flight")
    generate.add_argument("--no-progress", action="store_true", help="no progress bar")
    _add_format_option(generate)
    _add_exclude_option(generate)
    _add_model_options(generate)

    cache = commands.add_parser("cache", help="the cache of model guides: clear it or show it")
    cache.add_argument(
        "action", choices=("clear", "path"), help="clear: forget every guide; path: its file"
    )

    check = commands.add_parser("check", help="exit 1 when a guide is stale (for CI)")
    check.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders")
    check.add_argument(
        "--missing", action="store_true", help="also list public symbols without one"
    )
    _add_visibility_options(check, "with --missing: list")
    check.add_argument(
        "--examples", action="store_true", help="also run each Usage Example (network refused)"
    )
    check.add_argument("--python", metavar="PATH", help="with --examples: the interpreter")
    check.add_argument(
        "--require-demonstrate",
        action="store_true",
        help="run the examples (--examples) and fail on one that runs but does not demonstrate",
    )
    check.add_argument(
        "--timeout",
        type=_positive_seconds,
        default=20.0,
        metavar="SECONDS",
        help="per example (default 20)",
    )
    _add_format_option(check)
    _add_exclude_option(check)

    coverage = commands.add_parser(
        "coverage", help="the share of public symbols with a fresh guide, per file and in total"
    )
    coverage.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders")
    coverage.add_argument(
        "--fail-under",
        type=_percent,
        metavar="PERCENT",
        help="exit 1 when the total share of fresh guides is below PERCENT (0-100)",
    )
    _add_format_option(coverage, "a table")
    _add_visibility_options(coverage, "count")
    _add_exclude_option(coverage)

    mcp = commands.add_parser("mcp", help="serve guides to coding agents over MCP (stdio)")
    mcp.add_argument("--root", metavar="DIR", help="workspace folder (default: the working one)")
    _add_model_options(mcp)
    _add_exclude_option(mcp)
    return parser


def _add_format_option(parser: argparse.ArgumentParser, text: str = "lines as today") -> None:
    parser.add_argument(
        "--format",
        type=lambda value: "text" if value == "table" else value,  # coverage's first name
        choices=FORMATS,
        default="text",
        help=f"text (default: {text}), json (one JSON document on stdout) or github "
        "(GitHub Actions annotations on stdout); the summary stays on stderr",
    )


def _add_visibility_options(parser: argparse.ArgumentParser, verb: str) -> None:
    parser.add_argument(
        "--include-private",
        action="store_true",
        help=f"{verb} _private symbols and private modules (pkg/_compat.py) too",
    )
    parser.add_argument(
        "--include-tests",
        action="store_true",
        help=f"{verb} test modules (test_*.py, *_test.py, conftest.py, tests/) too",
    )


def _add_exclude_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--exclude",
        action="append",
        metavar="PATTERN",
        help="gitignore pattern of files never documented nor sent to a model (repeatable; "
        "added to HOWTO_EXCLUDE, [tool.howto-ls] exclude and the defaults)",
    )


def _positive_seconds(text: str) -> float:
    """``--timeout``'s value: a number of seconds above zero (argparse reports the error)."""
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not seconds > 0:  # also refuses nan
        raise argparse.ArgumentTypeError(f"must be above 0 seconds, not {text}")
    return seconds


def _percent(text: str) -> float:
    """``--fail-under``'s value: a number from 0 to 100 (argparse reports the error)."""
    try:
        percent = float(text.removesuffix("%"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a percentage: {text!r}") from None
    if not 0 <= percent <= 100:  # also refuses nan
        raise argparse.ArgumentTypeError(f"must be from 0 to 100, not {text}")
    return percent


def _add_model_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--backend", choices=config.BACKENDS, help="auto, offline or openai")
    parser.add_argument("--model", help="model name for the openai backend")
    parser.add_argument(
        "--base-url", help="OpenAI-compatible base URL, e.g. http://localhost:11434/v1"
    )
    parser.add_argument("--language", help="language of the guide's prose (default English)")
    parser.add_argument(
        "--max-tokens",
        type=int,
        metavar="N",
        help=f"token cap of each model answer (default {config.DEFAULT_MAX_TOKENS})",
    )
    parser.add_argument(
        "--structured-output",
        choices=config.STRUCTURED_OUTPUT,
        help="ask the model for JSON by schema: auto (where the server supports it), on, off",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="ask the model again instead of reusing a cached guide (and cache nothing)",
    )
    parser.add_argument(
        "--verify-examples",
        action=argparse.BooleanOptionalAction,
        help="run each example in the sandbox: repair a model's from its run, keep the best "
        "offline candidate (default: where bubblewrap keeps your files, except in a batch of "
        "offline guides; HOWTO_VERIFY_EXAMPLES)",
    )


def _on_off(flag: bool | None) -> str | None:
    """A ``--flag/--no-flag`` as a setting's ``on``/``off``; None when neither was given."""
    return None if flag is None else ("on" if flag else "off")


def settings_from(args: argparse.Namespace) -> config.Settings:
    """Environment settings with the command-line overrides applied; bad values are usage errors."""
    settings = config.from_environment()
    for warning in settings.warnings:
        if warning != settings.base_url_error:  # an error, unless --base-url replaces it
            print(f"howto-ls: warning: {redact(warning)}", file=sys.stderr)
    max_tokens = getattr(args, "max_tokens", None)
    if max_tokens is not None and max_tokens < 1:
        raise UsageError(f"--max-tokens must be at least 1, got {max_tokens}")
    excluded = getattr(args, "exclude", None)
    settings = settings.with_overrides(
        exclude=(*settings.exclude, *excluded) if excluded else None,
        backend=getattr(args, "backend", None),
        model=getattr(args, "model", None),
        base_url=getattr(args, "base_url", None),
        language=getattr(args, "language", None),
        max_tokens=max_tokens,
        structured_output=getattr(args, "structured_output", None),
        cache="off" if getattr(args, "no_cache", False) else None,
        verify_examples=_on_off(getattr(args, "verify_examples", None)),
    )
    if settings.base_url_error:
        if resolved_backend_name(settings, config.api_key()) == "openai":
            raise UsageError(redact(settings.base_url_error))
        print(f"howto-ls: warning: {redact(settings.base_url_error)}", file=sys.stderr)
    return settings


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if not arguments or arguments[0] in ("--tcp", "--stdio"):
        arguments = ["serve", *arguments]
    args = build_parser().parse_args(arguments)
    install_log_redaction()
    if args.command in ("serve", "mcp"):  # their stdout is JSON-RPC, written as is
        return _run(args)
    with printable_output():  # file names, examples' output and models' text are untrusted
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    """Run the parsed command; returns the exit status."""
    try:
        if args.command == "serve":
            from howto_ls.server import serve

            if (args.token or args.allow_remote) and args.tcp is None:
                raise UsageError("--token and --allow-remote go with --tcp [HOST:]PORT")

            serve(args.tcp, args.token, args.allow_remote)
            return EXIT_OK
        if args.command == "cache":
            return run_cache(args.action)
        if args.command == "mcp":
            from howto_ls.commands.mcp import run_mcp

            return run_mcp(args, settings_from(args))
        if args.command in {"doc", "generate", "check", "coverage"}:
            settings = settings_from(args)
            with persisted_index(settings.cache == "on"):
                return _run_on_code(args, settings)
    except (UsageError, SymbolNotFoundError) as exc:
        print(f"howto-ls: error: {exc}", file=sys.stderr)
        _json_error(args, str(exc))
        return EXIT_USAGE
    except HowtoError as exc:
        print(f"howto-ls: error: {exc}", file=sys.stderr)
        _json_error(args, str(exc))
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("howto-ls: interrupted; no file was left half-written", file=sys.stderr)
        _json_error(args, "interrupted")
        return 130
    build_parser().print_help()
    return EXIT_USAGE


def _run_on_code(args: argparse.Namespace, settings: config.Settings) -> int:
    """``doc``, ``generate``, ``check`` or ``coverage``."""
    if args.command == "doc":
        from howto_ls.commands.doc import run_doc

        return asyncio.run(run_doc(parse_target(args.target), args, settings))
    if args.command == "generate":
        from howto_ls.commands.generate import run_generate

        return asyncio.run(run_generate(args, settings))
    if args.command == "coverage":
        from howto_ls.commands.coverage import run_coverage

        return run_coverage(args, settings)
    from howto_ls.commands.check import run_check

    return run_check(args, settings)


@contextlib.contextmanager
def persisted_index(enabled: bool) -> Iterator[None]:
    """While the block runs, project indexes keep their records in the cache database (when
    ``enabled``: the ``cache`` setting), written out when it ends."""
    from howto_ls.offline import index

    if not enabled:
        yield
        return
    from howto_ls.cache import GuideCache
    from howto_ls.offline.index_store import IndexStore

    index.persist_with(lambda: IndexStore(GuideCache()))
    try:
        yield
    finally:
        index.flush()
        index.persist_with(None)


def run_cache(action: str) -> int:
    """``howto-ls cache clear|path``: forget every cached model guide, or print the file."""
    from howto_ls.cache import GuideCache

    cache = GuideCache()
    if action == "path":
        print(cache.path)
        return EXIT_OK
    removed = cache.clear()
    cache.close()
    print(f"removed {removed} cached guide{'' if removed == 1 else 's'} from {cache.path}")
    return EXIT_OK


_json_output = {"printed": False}
"""Whether this run printed its JSON document yet (``--format json`` prints one, no more)."""

JSON_RECORDS = {"generate": "records", "check": "findings", "coverage": "files"}
"""The list of records in each batch command's JSON document."""


def print_json(payload: object) -> None:
    """Print one JSON document to stdout."""
    print(json.dumps(payload, indent=2, ensure_ascii=False))
    _json_output["printed"] = True


def _json_error(args: argparse.Namespace, message: str) -> None:
    """With ``--format json``, when no document was printed: ``{"error": MESSAGE, RECORDS: []}``
    (:data:`JSON_RECORDS`), so that stdout holds one JSON document whatever happened."""
    records = JSON_RECORDS.get(args.command)
    if (
        records is not None
        and getattr(args, "format", "text") == "json"
        and not _json_output["printed"]
    ):
        print_json({"error": message, records: []})
