"""``howto-ls mcp``: the engine's guides served to coding agents over MCP (stdio).

The Model Context Protocol (https://modelcontextprotocol.io, server built with the official
``mcp`` SDK's :class:`MCPServer`) gives an agent three tools: ``get_guide`` (the guide of one
symbol: the written one when fresh, else one written on demand and not saved unless asked),
``list_symbols`` (a file's symbols with the state of their guides) and ``search_guides`` (written
guides ranked by the words of a task, :mod:`howto_ls.guide_search`). This module only adapts:
tool arguments become engine calls, engine errors become tool errors of one line. Paths count
from the workspace root and never leave it. stdout carries the protocol; logs go to stderr.

Every tool input is bounded (:data:`MAX_TARGET_CHARS`, :data:`MAX_PATH_CHARS`,
:data:`MAX_QUERY_CHARS`), errors repeat at most a short prefix of an input, and the engine's
work runs in worker threads, so one call cannot hold up the others.

Needs the ``mcp`` package: from a clone, ``pip install ".[mcp]"``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Literal

import anyio
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, Field

from howto_ls import __version__, project
from howto_ls.cli import Target, parse_target
from howto_ls.commands.doc import load_python_file, resolve_target, save_guide
from howto_ls.config import Settings
from howto_ls.engine import Engine, ExistingGuide, GuideState
from howto_ls.errors import GuideValidationError, HowtoError, UsageError, shown_input
from howto_ls.guide import Guide, render
from howto_ls.guide_search import search_guides as find_guides
from howto_ls.model import Symbol
from howto_ls.redact import install_log_redaction, redact
from howto_ls.sourcefile import SourceFile, read_source

logger = logging.getLogger(__name__)

MAX_RESULTS = 50
"""The most hits ``search_guides`` returns in one call."""
MAX_TARGET_CHARS = 4096
"""The longest ``get_guide`` target (a path as long as Linux's ``PATH_MAX``, and a name)."""
MAX_PATH_CHARS = 4096
"""The longest path ``list_symbols`` and ``search_guides`` take (Linux's ``PATH_MAX``)."""
MAX_QUERY_CHARS = 1000
"""The longest ``search_guides`` query: a task in a few words, with room to spare."""
MAX_ERROR_CHARS = 1000
"""The longest tool error message; longer ones are cut."""


def require_length(name: str, text: str, limit: int) -> None:
    """Raise :class:`UsageError` (one line that gives the limit) when ``text`` is longer than
    ``limit`` characters."""
    if len(text) > limit:
        raise UsageError(
            f"{name} is {len(text):,} characters long; the limit is {limit:,}: give a shorter one"
        )


INSTRUCTIONS = (
    "howto-ls gives task-oriented 'How to Use This Code Block' guides for the Python code in"
    " this workspace: what a function or class is for, the steps it takes, and a usage example."
    " Read a symbol's guide with get_guide before reading its source; list_symbols tells which"
    " symbols of a file have a fresh, stale or no guide; search_guides finds guides by the"
    " words of a task. Paths are relative to the workspace root. Nothing is written to files"
    " unless get_guide is called with write."
)

TARGET_HELP = (
    "The symbol: 'path/to/file.py::Qual.name' (e.g. 'src/app.py::Client.send'),"
    " 'path/to/file.py:LINE' or 'path/to/file.py:LINE:COL' (1-based; a line holding a use of a"
    " name gives the guide of what it names), or 'path/to/file.py' for the module."
    " Paths are relative to the workspace root."
)


class GuideAnswer(BaseModel):
    """What ``get_guide`` returns besides its Markdown text."""

    symbol: str = Field(description="the symbol's qualified name (the module's name for a module)")
    target: str = Field(description="the symbol as a get_guide target: path::Qual.name")
    path: str = Field(description="the file that defines it, relative to the workspace root")
    line: int = Field(description="the 1-based line where its definition starts")
    status: Literal["fresh", "written"] = Field(
        description="fresh: the guide written in the code, up to date; written: written now"
    )
    source: str = Field(
        description="for a fresh guide, docstring or sidecar; for one written now, what wrote it"
    )
    previous: Literal["fresh", "stale", "missing"] = Field(
        description="the state of the guide in the code before this call"
    )
    saved_to: str | None = Field(
        description="the file the guide was written into (write), relative; null when not saved"
    )
    note: str = Field(description="one line saying all of the above")
    markdown: str = Field(description="the guide: How to Use This Code Block, in Markdown")


class SymbolEntry(BaseModel):
    """One symbol of ``list_symbols``."""

    symbol: str = Field(description="the qualified name; the module's name for the module")
    target: str = Field(description="the symbol as a get_guide target")
    kind: str = Field(description="function, method, class, property, variable or module")
    line: int = Field(description="the 1-based line of its name")
    state: Literal["fresh", "stale", "missing"] = Field(
        description="fresh: guide up to date; stale: the code changed since; missing: none"
    )
    where: Literal["docstring", "sidecar"] | None = Field(description="where the guide lives")
    public: bool = Field(description="whether it counts as public API")


class SymbolList(BaseModel):
    """What ``list_symbols`` returns."""

    path: str = Field(description="the file, relative to the workspace root")
    symbols: list[SymbolEntry]
    note: str | None = Field(
        description="why symbols were left out (excluded file, too large, does not parse)"
    )


class SearchEntry(BaseModel):
    """One hit of ``search_guides``."""

    symbol: str
    target: str = Field(description="the symbol as a get_guide target")
    line: int = Field(description="the 1-based line of its name")
    state: Literal["fresh", "stale"]
    where: Literal["docstring", "sidecar"]
    matched: list[str] = Field(description="the task words found in the name or the guide")
    score: int = Field(description="3 per word in the symbol's or module's name, 1 in the text")
    excerpt: str = Field(description="a line of the guide holding a matched word")


class SearchAnswer(BaseModel):
    """What ``search_guides`` returns."""

    words: list[str] = Field(description="the words looked for")
    results: list[SearchEntry]
    files_searched: int
    guides_searched: int
    truncated: bool = Field(description="true when more files were there than one search reads")


class Workspace:
    """The folder the client may reach, and one engine per project in it."""

    def __init__(self, root: Path, settings: Settings) -> None:
        self.root = root.resolve()
        self.settings = settings
        self._engines: dict[Path, Engine] = {}

    def path(self, text: str) -> Path:
        """``text`` (relative to the root, or absolute) as an absolute path with symlinks
        resolved; raises :class:`UsageError` when it is empty or lies outside the root."""
        if not text.strip():
            raise UsageError("no path given; name a file relative to the workspace root")
        if "\x00" in text:
            raise UsageError(f"not a usable path: {shown_input(text)} holds a NUL character")
        try:
            candidate = Path(text.strip()).expanduser()
            resolved = (candidate if candidate.is_absolute() else self.root / candidate).resolve()
            resolved.exists()  # a name too long for the file system is refused here
        except (OSError, RuntimeError) as exc:  # ENAMETOOLONG, ELOOP; ~nosuchuser
            why = getattr(exc, "strerror", None) or str(exc)
            raise UsageError(f"not a usable path: {shown_input(text)}: {why}") from None
        if not resolved.is_relative_to(self.root):
            raise UsageError(
                f"{shown_input(text)} is outside the workspace root {self.root}; name a path"
                " inside it (relative paths count from the root)"
            )
        return resolved

    def relative(self, path: Path) -> str:
        """``path`` relative to the root, with ``/``; as given when outside it."""
        try:
            return path.resolve().relative_to(self.root).as_posix() or "."
        except ValueError:
            return str(path)

    def engine_for(self, path: Path) -> Engine:
        """The engine of ``path``'s project (:func:`project.find_root`, as ``howto-ls doc``
        finds it), or of the workspace root when that project reaches above the root."""
        root = project.find_root(path)
        if not root.is_relative_to(self.root):
            root = self.root
        engine = self._engines.get(root)
        if engine is None:
            engine = self._engines[root] = Engine(self.settings, root)
        return engine

    def target_of(self, path: Path, key: str) -> str:
        """The ``get_guide`` target naming the symbol ``key`` of ``path``."""
        relative = self.relative(path)
        return f"{relative}::{key}" if key else relative

    async def aclose(self) -> None:
        """Close every engine's backend and cache."""
        for engine in self._engines.values():
            await engine.aclose()


@contextlib.contextmanager
def tool_errors(tool: str) -> Iterator[None]:
    """Within the block, any error becomes a :class:`ToolError` of one line, secrets redacted
    (invariant 7); an unexpected one is also logged with its traceback on stderr."""
    try:
        yield
    except ToolError:
        raise
    except HowtoError as exc:
        raise ToolError(_one_line(str(exc))) from None
    except Exception as exc:
        logger.exception("%s failed", tool)
        message = f"{tool} failed: {type(exc).__name__}: {exc}; the server's log has the details"
        raise ToolError(_one_line(message)) from None


def _one_line(text: str) -> str:
    """``text`` on one line, at most :data:`MAX_ERROR_CHARS` characters, secrets redacted."""
    line = " ".join(text.split())
    if len(line) > MAX_ERROR_CHARS:
        line = line[: MAX_ERROR_CHARS - 1] + "…"
    return redact(line)


async def get_guide(
    workspace: Workspace, target: str, write: Literal["docstring", "sidecar"] | None = None
) -> tuple[str, GuideAnswer]:
    """The guide of ``target`` (``TARGET_HELP``) as Markdown text and a :class:`GuideAnswer`.

    The guide written in the code when it is fresh (for ``write``, one already where asked);
    else one written now with the configured backend (offline unless the settings select a
    model) and, only with ``write``, saved into the docstring or sidecar the way
    ``howto-ls doc --write`` saves it. Raises :class:`HowtoError` for a bad target, a path
    outside the workspace, a symbol defined outside it, or a guide that cannot be written.
    """
    require_length("target", target, MAX_TARGET_CHARS)
    parsed = parse_target(target.strip())
    path, file, engine = await asyncio.to_thread(_open, workspace, str(parsed.path))
    located = Target(path, parsed.line, parsed.column, parsed.qualname)
    if located.qualname is not None:  # the name is looked up in a worker thread
        symbol = await asyncio.to_thread(engine.symbol_named, path, file.text, located.qualname)
    else:
        symbol = await resolve_target(engine, located, file.text)
    if not symbol.path.resolve().is_relative_to(workspace.root):
        raise UsageError(
            f"{shown_input(target)} names {symbol.display_name}, defined in {symbol.path},"
            f" outside the workspace root {workspace.root}; ask for symbols defined inside it"
        )
    symbol_file, written = await asyncio.to_thread(_written_guides, engine, symbol, path, file)
    fresh = next((g for g in written if not g.stale and write in (None, g.where)), None)
    stale = next((g for g in written if g.stale), None)
    previous: Literal["fresh", "stale", "missing"] = (
        "fresh" if any(not g.stale for g in written) else "stale" if stale else "missing"
    )
    if fresh is not None:
        note = f"fresh: the guide in its {fresh.where} matches the code"
        if write is not None:
            note += "; nothing written"
        status: Literal["fresh", "written"] = "fresh"
        source, saved_to, markdown = fresh.where, None, fresh.markdown
    else:
        guide, source = await _new_guide(engine, symbol, symbol_file.text)
        note, status, saved_to, markdown = f"written {source}", "written", None, render(guide)
        if write is None:
            note += ", not saved"
        else:
            project.require_inside(symbol.path, workspace.root)
            change = save_guide(engine, symbol, symbol_file, guide, write)
            saved_to = workspace.relative(change.path)
            note += f", saved in {saved_to} ({write})" if change.changed else ", already there"
        if stale is not None:
            note += f"; the guide in its {stale.where} is stale (the code changed since)"
    result = GuideAnswer(
        symbol=symbol.display_name,
        target=workspace.target_of(symbol.path, symbol.identity),
        path=workspace.relative(symbol.path),
        line=symbol.full_range.start.line + 1,
        status=status,
        source=source,
        previous=previous,
        saved_to=saved_to,
        note=note,
        markdown=markdown,
    )
    return _text(result), result


def _open(workspace: Workspace, path_text: str) -> tuple[Path, SourceFile, Engine]:
    """The resolved path inside the workspace, its Python file as read, and its engine."""
    path = workspace.path(path_text)
    return path, load_python_file(path), workspace.engine_for(path)


def _written_guides(
    engine: Engine, symbol: Symbol, path: Path, file: SourceFile
) -> tuple[SourceFile, list[ExistingGuide]]:
    """The file that defines ``symbol`` (``file`` when it is ``path``) and the guides written
    for it there; raises :class:`SourceError` when that file does not parse."""
    symbol_file = file if symbol.path == path else read_source(symbol.path)
    engine.require_parsable(symbol.path, symbol_file.text)
    written = [
        guide
        for guide in engine.guides_in(symbol.path, symbol_file.text)
        if guide.qualname == symbol.identity
    ]
    return symbol_file, written


async def _new_guide(engine: Engine, symbol: Symbol, source: str) -> tuple[Guide, str]:
    """A guide written now and who wrote it: the backend, or offline when a model's guide
    fails validation (as the editor offers it)."""
    try:
        guide = await engine.write_guide(symbol, source)
    except GuideValidationError as exc:
        reason = _one_line(str(exc))
        return engine.offline_guide(symbol, source), f"offline (the model's guide: {reason})"
    if engine.backend.name == "offline":
        return guide, "offline"
    return guide, f"by {engine.backend.describe()}"


def _text(answer: GuideAnswer) -> str:
    return f"{answer.target} (line {answer.line}): {answer.note}\n\n{answer.markdown}"


def list_symbols(workspace: Workspace, path_text: str, include_private: bool) -> SymbolList:
    """The symbols of one file with the state of their guides (:meth:`Engine.inventory`)."""
    require_length("path", path_text, MAX_PATH_CHARS)
    path = workspace.path(path_text)
    source = load_python_file(path).text
    engine = workspace.engine_for(path)
    inventory = engine.inventory(path, source, include_private)
    entries = [
        SymbolEntry(
            symbol=entry.display_name,
            target=workspace.target_of(path, entry.key),
            kind=entry.kind.value,
            line=entry.span.start.line + 1,
            state=entry.state.value,
            where=entry.where,  # type: ignore[arg-type]  # "docstring", "sidecar" or None
            public=entry.public,
        )
        for entry in inventory.entries
    ]
    return SymbolList(path=workspace.relative(path), symbols=entries, note=inventory.reason)


def search(workspace: Workspace, query: str, path_text: str, limit: int) -> SearchAnswer:
    """Written guides under ``path_text`` ranked by the words of ``query``."""
    if not 1 <= limit <= MAX_RESULTS:
        raise UsageError(f"limit must be from 1 to {MAX_RESULTS}, not {limit}")
    require_length("query", query, MAX_QUERY_CHARS)
    require_length("path", path_text, MAX_PATH_CHARS)
    found = find_guides(
        [workspace.path(path_text)], query, workspace.engine_for, limit, root=workspace.root
    )
    results = [
        SearchEntry(
            symbol=hit.display_name,
            target=workspace.target_of(hit.path, hit.key),
            line=hit.line,
            state="stale" if hit.state is GuideState.STALE else "fresh",
            where=hit.where,  # type: ignore[arg-type]  # "docstring" or "sidecar"
            matched=list(hit.matched),
            score=hit.score,
            excerpt=hit.excerpt,
        )
        for hit in found.hits
    ]
    return SearchAnswer(
        words=list(found.terms),
        results=results,
        files_searched=found.files_searched,
        guides_searched=found.guides_searched,
        truncated=found.truncated,
    )


def build_server(workspace: Workspace) -> MCPServer:
    """The MCP server with its three tools over ``workspace``."""
    server: MCPServer = MCPServer(
        "howto-ls", version=__version__, instructions=INSTRUCTIONS, log_level="WARNING"
    )

    @server.tool(
        name="get_guide",
        title="Get a symbol's how-to guide",
        description=(
            "Return the 'How to Use This Code Block' guide of one Python symbol (function,"
            " class, method, module): Description, Execution Steps and Usage Example."
            " When the guide written in the code is fresh it is returned as is ('fresh');"
            " otherwise one is written now (offline from static analysis, or by the model the"
            " settings select) and NOT saved ('written offline, not saved'). Files are edited"
            " only when write is 'docstring' or 'sidecar'."
        ),
        annotations=ToolAnnotations(read_only_hint=False, destructive_hint=False),
    )
    async def get_guide_tool(
        target: Annotated[str, Field(description=TARGET_HELP)],
        write: Annotated[
            Literal["docstring", "sidecar"] | None,
            Field(
                description="Omit to only read. 'docstring' writes the guide into the symbol's"
                " docstring, 'sidecar' into its Markdown file under docs/howto; the code itself"
                " never changes."
            ),
        ] = None,
    ) -> Annotated[CallToolResult, GuideAnswer]:
        with tool_errors("get_guide"):
            text, answer = await get_guide(workspace, target, write)
            return CallToolResult(
                content=[TextContent(type="text", text=text)],
                structured_content=answer.model_dump(mode="json"),
            )

    @server.tool(
        name="list_symbols",
        title="List a file's symbols and guide states",
        description=(
            "List the symbols of one Python file with the state of their guides: 'fresh' (up"
            " to date), 'stale' (the code changed since it was written) or 'missing'. Public"
            " symbols are listed, and every symbol that has a guide. Reads only."
        ),
        annotations=ToolAnnotations(read_only_hint=True),
    )
    async def list_symbols_tool(
        path: Annotated[str, Field(description="The .py file, relative to the workspace root.")],
        include_private: Annotated[
            bool, Field(description="Also list _private symbols without a guide.")
        ] = False,
    ) -> SymbolList:
        with tool_errors("list_symbols"):
            return await asyncio.to_thread(list_symbols, workspace, path, include_private)

    @server.tool(
        name="search_guides",
        title="Search guides by task",
        description=(
            "Find the guides written in the code that match the words of a task (e.g. 'parse a"
            " config file'). Each task word scores 3 when it is in the symbol's or module's"
            " name and 1 when it is in the guide's text (lowercased, endings like -ing/-ed/-s"
            " ignored, small words like 'a'/'the' dropped); results rank by words matched, then"
            " score, a symbol before its module. Only guides already written are searched."
            " Reads only."
        ),
        annotations=ToolAnnotations(read_only_hint=True),
    )
    async def search_guides_tool(
        query: Annotated[str, Field(description="The task in a few words.")],
        path: Annotated[
            str, Field(description="A folder or .py file to search, relative to the root.")
        ] = ".",
        limit: Annotated[
            int, Field(description=f"The most results to return (1 to {MAX_RESULTS}).")
        ] = 10,
    ) -> SearchAnswer:
        with tool_errors("search_guides"):
            return await asyncio.to_thread(search, workspace, query, path, limit)

    return server


def serve(root: Path, settings: Settings) -> None:
    """Serve ``root`` over stdio until the client closes the connection."""
    workspace = Workspace(root, settings)
    server = build_server(workspace)
    install_log_redaction()  # on the handler the server just configured

    async def run() -> None:
        try:
            await server.run_stdio_async()
        finally:
            await workspace.aclose()

    anyio.run(run)
