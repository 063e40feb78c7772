"""The ``howto.generate`` command: resolve, write the guide, apply a versioned edit or show it.

A model's guide that still fails validation after the repair round is not written; the user is
asked (``window/showMessageRequest``) whether to write the offline guide instead.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs
from lsprotocol import types

from howto_ls.checked import numbered
from howto_ls.config import TARGETS
from howto_ls.engine import Engine, FileChange
from howto_ls.errors import GuideValidationError, HowtoError, StaleDocumentError
from howto_ls.guide import Guide
from howto_ls.lsp.convert import can_create, guide_markdown, workspace_edit
from howto_ls.lsp.progress import WorkProgress
from howto_ls.lsp.session import HowtoServer
from howto_ls.lsp.uris import display, is_notebook_cell, uri_from_path
from howto_ls.model import Symbol
from howto_ls.sourcefile import write_source

logger = logging.getLogger("howto_ls.server")

COMMAND = "howto.generate"
TITLE = "Generate how-to doc"
USE_OFFLINE = "Use offline guide"
PROBLEM_CHARS = 100  # each named problem is cut to this length
ASK_FIX = (
    f"Choose '{USE_OFFLINE}' to write the static-analysis guide, or try again or another model."
)
NOT_IN_NOTEBOOKS = (
    "howto-ls: how-to guides are not available in notebook cells; move the code into a .py"
    " file to document it"
)
TELL_FIX = (
    'Set howto.backend to "offline" for the static-analysis guide, or try again or another model.'
)


@dataclass(frozen=True)
class GenerateArgs:
    """The command's one argument: where the symbol is, and where its guide goes.

    ``line``/``character`` are an LSP position (client encoding). With ``qualname`` the command
    documents that definition of the file; without, what the position names (jedi).
    """

    uri: str
    line: int
    character: int
    target: str | None = None
    qualname: str | None = None

    @classmethod
    def parse(cls, raw: Any) -> GenerateArgs:
        """Validate the JSON argument; raise :class:`ValueError` naming what is wrong."""
        if not isinstance(raw, dict):
            raise ValueError(
                f"{COMMAND} takes one object {{uri, line, character[, target, qualname]}},"
                f" got {raw!r}"
            )
        uri, line, character = raw.get("uri"), raw.get("line"), raw.get("character")
        target, qualname = raw.get("target"), raw.get("qualname")
        if not isinstance(uri, str) or not isinstance(line, int) or not isinstance(character, int):
            raise ValueError(f"{COMMAND} needs uri (text), line and character (numbers)")
        if target is not None and target not in TARGETS:
            raise ValueError(f"{COMMAND}: target must be one of {', '.join(TARGETS)}")
        if qualname is not None and not isinstance(qualname, str):
            raise ValueError(f"{COMMAND}: qualname must be text")
        return cls(uri, line, character, target, qualname)

    def to_json(self) -> dict[str, Any]:
        """The JSON argument for a ``Command``."""
        data: dict[str, Any] = {"uri": self.uri, "line": self.line, "character": self.character}
        if self.target is not None:
            data["target"] = self.target
        if self.qualname is not None:
            data["qualname"] = self.qualname
        return data


async def generate(server: HowtoServer, raw: Any) -> dict[str, Any]:
    """Run the command; the result says what happened (also shown to the user)."""
    try:
        args = GenerateArgs.parse(raw)
    except ValueError as exc:
        server.show(str(exc), types.MessageType.Error)
        return {"applied": False, "error": str(exc)}
    if is_notebook_cell(args.uri):
        server.show(NOT_IN_NOTEBOOKS)
        return {"applied": False, "unavailable": NOT_IN_NOTEBOOKS}
    async with WorkProgress(server, TITLE, server.flags.work_done_progress) as progress:
        task: asyncio.Task[dict[str, Any]] = asyncio.ensure_future(_run(server, args, progress))
        progress.link(task)
        try:
            return await task
        except asyncio.CancelledError:
            if not task.cancelled():
                task.cancel()  # the request itself was cancelled: stop the work too
                raise
            progress.end_message = "Cancelled"
            server.log("Generating the how-to doc was cancelled; nothing was changed.")
            return {"applied": False, "cancelled": True}
        except HowtoError as exc:
            progress.end_message = "Failed"
            server.show(f"howto-ls: {exc}", types.MessageType.Error)
            return {"applied": False, "error": str(exc)}
        except Exception as exc:
            progress.end_message = "Failed"
            logger.exception("howto.generate failed")
            message = f"howto-ls: internal error ({type(exc).__name__}: {exc}); see the server log"
            server.show(message, types.MessageType.Error)
            return {"applied": False, "error": message}


async def _run(server: HowtoServer, args: GenerateArgs, progress: WorkProgress) -> dict[str, Any]:
    opened = server.python_document(args.uri)
    path = opened[1] if opened is not None else None
    with server.engine_in_use(path) as engine:  # settings changed meanwhile: this one stays open
        return await _run_with(server, engine, args, progress)


async def _run_with(
    server: HowtoServer, engine: Engine, args: GenerateArgs, progress: WorkProgress
) -> dict[str, Any]:
    opened = server.python_document(args.uri)
    if opened is None:
        raise HowtoError(
            f"{display(args.uri)} is not an open Python file; open a .py file and run the action"
            " there"
        )
    document, path = opened
    source = document.source
    progress.report("Resolving symbol")
    position = server.converter(source).to_engine(
        types.Position(line=args.line, character=args.character)
    )
    if args.qualname is not None:
        symbol = engine.symbol_by_key(path, source, args.qualname, position)
    else:
        symbol = await engine.symbol_at(path, source, position)
    module_source = source if symbol.path == path else server.current_text(symbol.path)[0]
    engine.require_parsable(symbol.path, module_source)
    if engine.backend.name == "offline":
        progress.report("Writing the guide offline")
    try:
        guide = await engine.write_guide(symbol, module_source, progress.report, verify=True)
    except GuideValidationError as exc:
        progress.report("Waiting for a choice: use the offline guide?")
        if not await _offer_offline(server, engine, symbol, exc):
            progress.end_message = "Nothing written"
            return {"applied": False, "error": str(exc), "problems": list(exc.problems)}
        progress.report("Writing the guide offline")
        current = server.current_text(symbol.path)[0]
        if current != module_source:
            symbol, module_source = _relocate(engine, symbol, module_source, current), current
        guide = engine.offline_guide(symbol, module_source)
    if not symbol.in_project:
        where = path if symbol.path.resolve() == path.resolve() else symbol.path
        return await _show_guide(server, symbol, guide, _outside(where, engine.root))
    progress.report("Inserting")
    current, version = server.current_text(symbol.path)
    if current != module_source:
        symbol = _relocate(engine, symbol, module_source, current)
    target = args.target
    if server.is_unsaved_path(symbol.path):
        if target == "sidecar":
            raise HowtoError(
                f"{display(server.client_uri(symbol.path))} is an unsaved buffer, so its guide can"
                " only go into the docstring; save it as a .py file to write a sidecar"
            )
        target = "docstring"
    change = engine.plan_write(symbol, current, guide, target)
    return await _apply(server, symbol, guide, change, version)


async def _offer_offline(
    server: HowtoServer, engine: Engine, symbol: Symbol, error: GuideValidationError
) -> bool:
    """Ask whether to write the offline guide instead; whether the user chose to."""
    name, source = symbol.display_name, engine.backend.describe()
    message = validation_message(name, source, error, ASK_FIX)
    server.log(message, types.MessageType.Warning)
    try:
        question = server.window_show_message_request_async(
            types.ShowMessageRequestParams(
                type=types.MessageType.Warning,
                message=message,
                actions=[types.MessageActionItem(title=USE_OFFLINE)],
            )
        )
        # Shielded: after a cancel the question stays open in the editor, and pygls fails on
        # an answer to a cancelled request; the late answer is then simply ignored.
        choice = await asyncio.shield(question)
    except Exception as exc:  # a client without showMessageRequest: say it, write nothing
        logger.info("window/showMessageRequest failed: %s", exc)
        server.show(validation_message(name, source, error, TELL_FIX), types.MessageType.Error)
        return False
    return choice is not None and choice.title == USE_OFFLINE


def validation_message(name: str, source: str, error: GuideValidationError, fix: str) -> str:
    """One line: what is wrong with the guide for ``name`` from ``source``, and ``fix``."""
    problems = [_shorten(problem) for problem in error.problems] or [str(error)]
    listed = numbered(problems)
    count = len(problems)
    return (
        f"howto-ls: the guide for {name} from {source} still has {count}"
        f" problem{'s' if count != 1 else ''} after a repair round ({listed}); nothing was"
        f" written. {fix}"
    )


def _shorten(problem: str) -> str:
    line = " ".join(problem.split())
    return line if len(line) <= PROBLEM_CHARS else line[: PROBLEM_CHARS - 1] + "…"


def _relocate(engine: Engine, symbol: Symbol, old: str, current: str) -> Symbol:
    """``symbol`` in the text the user changed (``old`` -> ``current``) meanwhile."""
    try:
        return engine.relocate(symbol, old, current)
    except HowtoError as exc:
        raise StaleDocumentError(
            f"{symbol.display_name} changed while its guide was being written and cannot be found"
            f" any more ({exc}); nothing was changed, run the action again"
        ) from None


async def _apply(
    server: HowtoServer, symbol: Symbol, guide: Guide, change: FileChange, version: int | None
) -> dict[str, Any]:
    name = symbol.display_name
    result: dict[str, Any] = {"path": str(change.path), "qualname": symbol.qualname}
    if not change.changed:
        server.show(f"The how-to doc for {name} is already up to date.")
        return {**result, "applied": False, "unchanged": True}
    if not server.flags.apply_edit:
        shown = await _show_guide(
            server, symbol, guide, "this editor cannot apply workspace edits (no applyEdit)"
        )
        return {**result, **shown}
    if change.old_text is None:
        change.path.parent.mkdir(parents=True, exist_ok=True)
        if not can_create(server.flags):
            # The client cannot create files through an edit: a new sidecar is written directly.
            write_source(change.path, change.new_text, root=server.root)
            server.show(f"Wrote the how-to doc for {name} to {change.path}.")
            return {**result, "applied": True, "written": True}
    if change.path != symbol.path:
        version = _sidecar_version(server, change)
    edit = workspace_edit([(change, version)], server.flags, server.client_uri)
    response = await server.workspace_apply_edit_async(
        types.ApplyWorkspaceEditParams(edit=edit, label=f"How-to doc for {name}")
    )
    server.forget_all()  # a sidecar edit changes what the Python documents' guides are
    if not response.applied:
        reason = response.failure_reason or "no reason given"
        server.show(
            f"The editor rejected the how-to edit for {name} ({reason}); nothing was changed,"
            " run the action again",
            types.MessageType.Warning,
        )
        return {**result, "applied": False, "rejected": reason}
    return {**result, "applied": True}


def _outside(path: Path, root: Path) -> str:
    """Why a symbol of ``path`` is not written: outside the project, or reached through a
    symlink that leaves it (the editor would write the file the link points to)."""
    real = path.resolve()
    if Path(os.path.abspath(path)).is_relative_to(root.resolve()):
        return f"{path.name} is a symlink to {real}, outside the project"
    return "it is defined outside the project"


def _sidecar_version(server: HowtoServer, change: FileChange) -> int | None:
    """The open sidecar's version; refuse when its unsaved text is not what was planned on."""
    document = server.open_document(change.path)
    if document is None:
        return None
    if change.old_text is not None and document.source != change.old_text:
        raise StaleDocumentError(
            f"{change.path.name} has unsaved changes; save it and run the action again"
        )
    return document.version


async def _show_guide(
    server: HowtoServer, symbol: Symbol, guide: Guide, why: str
) -> dict[str, Any]:
    """Show a guide that is not written into a file: a preview document, else a message."""
    preview = preview_path(symbol)
    preview.parent.mkdir(parents=True, exist_ok=True)
    preview.write_text(guide_markdown(guide), encoding="utf-8")
    note = f"The how-to doc for {symbol.display_name} is not written because {why}"
    if server.flags.show_document:
        await server.window_show_document_async(
            types.ShowDocumentParams(uri=uri_from_path(preview), take_focus=True)
        )
        server.show(f"{note}; showing a preview.")
    else:
        server.show(f"{note}; preview saved to {preview}.")
    return {"applied": False, "shown": str(preview)}


def preview_path(symbol: Symbol) -> Path:
    """Where the preview of ``symbol``'s guide is saved (user cache, never the project)."""
    name = re.sub(r"[^\w.-]+", "_", f"{symbol.module}.{symbol.qualname}".strip("."))
    return Path(platformdirs.user_cache_dir("howto-ls")) / "previews" / f"{name or 'module'}.md"
