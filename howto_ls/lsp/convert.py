"""Engine results to lsprotocol types: workspace edits, hovers, diagnostics. The one place."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from lsprotocol import types

from howto_ls.engine import ExistingGuide, FileChange
from howto_ls.guide import HEADING, SECTIONS, Guide
from howto_ls.lsp.capabilities import ClientFlags
from howto_ls.lsp.positions import PositionConverter
from howto_ls.lsp.uris import uri_from_path

SOURCE = "howto-ls"
STALE_CODE = "stale-guide"


def text_edits(change: FileChange, encoding: str) -> list[types.TextEdit]:
    """The LSP text edits of ``change``, ranges in ``encoding`` against its old text."""
    if change.old_text is None:
        start = types.Position(line=0, character=0)
        return [types.TextEdit(range=types.Range(start=start, end=start), new_text=change.new_text)]
    converter = PositionConverter(change.old_text, encoding)
    return [
        types.TextEdit(range=converter.range_to_client(edit.span), new_text=edit.new_text)
        for edit in change.edits
    ]


def workspace_edit(
    changes: Sequence[tuple[FileChange, int | None]],
    flags: ClientFlags,
    uri_of: Callable[[Path], str] = uri_from_path,
) -> types.WorkspaceEdit:
    """One workspace edit for ``changes`` (each with the document version it was computed on).

    ``uri_of`` names each changed file: the server passes the URI the client opened it under,
    so the edit lands in that buffer. Versioned ``TextDocumentEdit``s (and ``CreateFile`` for
    new files) when the client supports them, plain ``changes`` otherwise. New files need
    ``CreateFile``; see :func:`can_create`.
    """
    if flags.document_changes:
        operations: list[
            types.TextDocumentEdit | types.CreateFile | types.RenameFile | types.DeleteFile
        ] = []
        for change, version in changes:
            uri = uri_of(change.path)
            if change.old_text is None:
                operations.append(
                    types.CreateFile(
                        uri=uri, options=types.CreateFileOptions(ignore_if_exists=True)
                    )
                )
            operations.append(
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(
                        uri=uri, version=None if change.old_text is None else version
                    ),
                    edits=list(text_edits(change, flags.position_encoding)),
                )
            )
        return types.WorkspaceEdit(document_changes=operations)
    return types.WorkspaceEdit(
        changes={
            uri_of(change.path): list(text_edits(change, flags.position_encoding))
            for change, _ in changes
        }
    )


def can_create(flags: ClientFlags) -> bool:
    """Whether the client can create a new file through a workspace edit."""
    return flags.document_changes and flags.create_files


def guide_markdown(guide: Guide) -> str:
    """A guide as Markdown for a hover or a preview."""
    description, steps_title, example_title = SECTIONS
    steps = "\n".join(f"{number}. {step}" for number, step in enumerate(guide.steps, 1))
    return (
        f"### {HEADING}\n\n**{description}**\n\n{guide.description}\n\n"
        f"**{steps_title}**\n\n{steps}\n\n**{example_title}**\n\n"
        f"```python\n{guide.example.rstrip()}\n```\n"
    )


def hover(
    markdown: str,
    flags: ClientFlags,
    stale: bool = False,
    range_: types.Range | None = None,
    preview: bool = False,
) -> types.Hover:
    """A hover showing a guide, marked stale or preview when it is one."""
    notes = []
    if stale:
        notes.append(
            "*Stale: the code changed since this guide was written. Run “Regenerate how-to doc”.*"
        )
    if preview:
        notes.append("*Preview (offline, not saved). Run “Generate how-to doc” to keep it.*")
    value = "\n\n".join([*notes, markdown.strip()])
    kind = types.MarkupKind.Markdown if flags.hover_markdown else types.MarkupKind.PlainText
    return types.Hover(contents=types.MarkupContent(kind=kind, value=value), range=range_)


def stale_diagnostic(
    guide: ExistingGuide, uri: str, converter: PositionConverter
) -> types.Diagnostic:
    """The diagnostic telling that ``guide`` no longer matches its code."""
    name = guide.display_name or "the module"
    return types.Diagnostic(
        range=converter.range_to_client(guide.span),
        message=(
            f"The how-to guide for {name} is stale: the code changed since it was written; "
            "run “Regenerate how-to doc” to update it."
        ),
        severity=types.DiagnosticSeverity.Information,
        source=SOURCE,
        code=STALE_CODE,
        data={"uri": uri, "qualname": guide.qualname, "where": guide.where},
    )
