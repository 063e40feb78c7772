"""pytest-lsp helpers: start howto-ls, and a small editor that applies its edits like a real one."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

from lsprotocol import types
from pygls import uris
from pytest_lsp import LanguageClient
from pytest_lsp.client import make_test_lsp_client

SERVER = [sys.executable, "-m", "howto_ls.server"]


def capabilities(
    *,
    apply_edit: bool = True,
    document_changes: bool = True,
    create_files: bool = True,
    progress: bool = True,
    show_document: bool = True,
    configuration: bool = True,
    encodings: tuple[str, ...] = ("utf-16",),
) -> types.ClientCapabilities:
    """Client capabilities like VS Code's, with switches for what a test takes away."""
    return types.ClientCapabilities(
        general=types.GeneralClientCapabilities(
            position_encodings=[types.PositionEncodingKind(e) for e in encodings]
        ),
        workspace=types.WorkspaceClientCapabilities(
            apply_edit=apply_edit,
            configuration=configuration,
            workspace_edit=types.WorkspaceEditClientCapabilities(
                document_changes=document_changes,
                resource_operations=[types.ResourceOperationKind.Create] if create_files else [],
            ),
            did_change_configuration=types.DidChangeConfigurationClientCapabilities(),
        ),
        window=types.WindowClientCapabilities(
            work_done_progress=progress,
            show_document=types.ShowDocumentClientCapabilities(support=show_document),
        ),
        text_document=types.TextDocumentClientCapabilities(
            code_action=types.CodeActionClientCapabilities(
                code_action_literal_support=types.ClientCodeActionLiteralOptions(
                    code_action_kind=types.ClientCodeActionKindOptions(
                        value_set=[types.CodeActionKind.RefactorRewrite, "quickfix"]
                    )
                )
            ),
            hover=types.HoverClientCapabilities(content_format=[types.MarkupKind.Markdown]),
            publish_diagnostics=types.PublishDiagnosticsClientCapabilities(version_support=True),
            synchronization=types.TextDocumentSyncClientCapabilities(did_save=True),
        ),
    )


def utf16_offset(text: str, position: types.Position) -> int:
    """The string index of an LSP UTF-16 ``position`` in ``text`` (the editor's own arithmetic)."""
    lines = text.splitlines(keepends=True)
    offset = sum(len(line) for line in lines[: position.line])
    line = lines[position.line] if position.line < len(lines) else ""
    units = 0
    for index, char in enumerate(line):
        if units >= position.character:
            return offset + index
        units += 2 if ord(char) > 0xFFFF else 1
    return offset + len(line.rstrip("\r\n"))


def apply_text_edits(text: str, edits: list[types.TextEdit]) -> str:
    """``text`` with ``edits`` applied (ranges refer to the original text)."""
    spans = [
        (utf16_offset(text, e.range.start), utf16_offset(text, e.range.end), e.new_text)
        for e in edits
    ]
    for start, end, new in sorted(spans, reverse=True):
        text = text[:start] + new + text[end:]
    return text


@dataclass
class Editor:
    """The open buffers of a pretend editor: it applies ``workspace/applyEdit`` like VS Code."""

    client: LanguageClient
    root: Path
    buffers: dict[str, tuple[str, int]] = field(default_factory=dict)
    edits: list[types.WorkspaceEdit] = field(default_factory=list)
    reject: str | None = None
    edit_hook: Any = None  # called with the edit before it is applied
    choose: Any = None  # picks the title answered to window/showMessageRequest (None: dismiss)
    requests_shown: list[types.ShowMessageRequestParams] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)  # the server's stderr, line by line
    registrations: list[types.Registration] = field(default_factory=list)  # client/register...

    def uri(self, relpath: str) -> str:
        """The URI of a project file."""
        return str(uris.from_fs_path(str(self.root / relpath)))

    def open(self, relpath: str, language: str = "python", *, uri: str | None = None) -> str:
        """Open a project file as a buffer (under ``uri`` if given, a spelling of its own)."""
        uri = uri or self.uri(relpath)
        text = (self.root / relpath).read_text(encoding="utf-8")
        self.buffers[uri] = (text, 1)
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri, language_id=language, version=1, text=text
                )
            )
        )
        return uri

    def text(self, uri: str) -> str:
        """The buffer's text."""
        return self.buffers[uri][0]

    def type(self, uri: str, text: str) -> None:
        """Replace the buffer's text, as if the user typed it."""
        version = self.buffers[uri][1] + 1
        self.buffers[uri] = (text, version)
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )

    def save(self, uri: str) -> None:
        """Write the buffer to disk and tell the server."""
        path = Path(uris.to_fs_path(uri))
        path.write_text(self.text(uri), encoding="utf-8", newline="")
        self.client.text_document_did_save(
            types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )

    async def answer(
        self, params: types.ShowMessageRequestParams
    ) -> types.MessageActionItem | None:
        """Answer ``window/showMessageRequest`` with the action ``choose`` picks, or dismiss it.

        ``choose`` may be a coroutine function: the answer then waits for it.
        """
        self.requests_shown.append(params)
        title = self.choose(params) if self.choose is not None else None
        if inspect.isawaitable(title):
            title = await title
        return None if title is None else types.MessageActionItem(title=title)

    def apply(self, edit: types.WorkspaceEdit) -> types.ApplyWorkspaceEditResult:
        """Apply a workspace edit: reject stale versions, create files, edit buffers or disk."""
        self.edits.append(edit)
        if self.edit_hook is not None:
            self.edit_hook(edit)
        if self.reject is not None:
            return types.ApplyWorkspaceEditResult(applied=False, failure_reason=self.reject)
        for operation in edit.document_changes or []:
            if isinstance(operation, types.TextDocumentEdit):
                uri = operation.text_document.uri
                version = operation.text_document.version
                if uri in self.buffers and version not in (None, self.buffers[uri][1]):
                    return types.ApplyWorkspaceEditResult(
                        applied=False, failure_reason=f"version {version} is stale"
                    )
        for operation in edit.document_changes or []:
            if isinstance(operation, types.CreateFile):
                path = Path(uris.to_fs_path(operation.uri))
                if not path.exists():
                    path.write_text("", encoding="utf-8")
            elif isinstance(operation, types.TextDocumentEdit):
                self._edit(operation.text_document.uri, list(operation.edits))  # type: ignore[arg-type]
        for uri, text_edits in (edit.changes or {}).items():
            self._edit(uri, list(text_edits))
        return types.ApplyWorkspaceEditResult(applied=True)

    def _edit(self, uri: str, edits: list[types.TextEdit]) -> None:
        if uri in self.buffers:
            text = apply_text_edits(self.text(uri), edits)
            self.type(uri, text)
        else:
            path = Path(uris.to_fs_path(uri))
            path.write_text(apply_text_edits(path.read_text(encoding="utf-8"), edits), "utf-8")


def _code_action_hook(client: LanguageClient) -> None:
    """Decode ``Command | CodeAction`` by shape (lsprotocol's client side picks Command)."""
    converter = client.protocol._converter

    def structure(obj: Any, _: Any) -> types.Command | types.CodeAction:
        if isinstance(obj, dict) and ("kind" in obj or isinstance(obj.get("command"), dict)):
            return converter.structure(obj, types.CodeAction)
        return converter.structure(obj, types.Command)

    converter.register_structure_hook(Union[types.Command, types.CodeAction], structure)  # noqa: UP007


@asynccontextmanager
async def running_server(
    root: Path,
    caps: types.ClientCapabilities | None = None,
    *,
    init_options: Any = None,
    configuration: dict[str, Any] | None = None,
    env: dict[str, str] | None = None,
    folders: dict[Path, dict[str, Any] | None] | None = None,
) -> AsyncIterator[Editor]:
    """Start howto-ls on ``root`` (offline backend, caches under ``root``); yield an editor.

    ``folders`` makes a multi-root workspace: each folder and the configuration the client
    answers for it (``workspace/configuration`` with its ``scopeUri``; None: the global one).
    """
    client = make_test_lsp_client()
    _code_action_hook(client)
    editor = Editor(client, root)
    if configuration is not None:
        client.set_configuration(configuration)
    workspace = [root] if folders is None else list(folders)
    for folder, scoped in (folders or {}).items():
        if scoped is not None:
            client.set_configuration(scoped, scope_uri=str(uris.from_fs_path(str(folder))))

    @client.feature(types.WORKSPACE_APPLY_EDIT)
    def apply_edit(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        return editor.apply(params.edit)

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register_capability(params: types.RegistrationParams) -> None:
        editor.registrations.extend(params.registrations)

    @client.feature(types.WINDOW_SHOW_MESSAGE_REQUEST)
    async def show_message_request(
        params: types.ShowMessageRequestParams,
    ) -> types.MessageActionItem | None:
        return await editor.answer(params)

    state = root.parent / f"{root.name}-state"
    server_env = {
        **os.environ,
        "HOWTO_BACKEND": "offline",
        "HOME": str(state),
        "XDG_CACHE_HOME": str(state / "cache"),
        "XDG_CONFIG_HOME": str(state / "config"),
        "XDG_DATA_HOME": str(state / "data"),
        **(env or {}),
    }
    for key in ("HOWTO_API_KEY", "OPENAI_API_KEY", "HOWTO_BASE_URL"):
        if env is None or key not in env:
            server_env.pop(key, None)
    await client.start_io(*SERVER, env=server_env, cwd=str(root))
    recorder = _record_stderr(client, editor.stderr)
    try:
        await client.initialize_session(
            types.InitializeParams(
                capabilities=caps or capabilities(),
                root_uri=str(uris.from_fs_path(str(root))),
                workspace_folders=[
                    types.WorkspaceFolder(uri=str(uris.from_fs_path(str(folder))), name=folder.name)
                    for folder in workspace
                ],
                initialization_options=init_options,
            )
        )
        yield editor
    finally:
        try:
            await asyncio.wait_for(client.shutdown_session(), 10)
        except Exception:  # the test already failed, or the server died; stop it anyway
            if client._server is not None and client._server.returncode is None:
                client._server.kill()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(asyncio.shield(recorder), 2)  # the last lines, up to EOF
        await asyncio.wait_for(client.stop(), 10)


def _record_stderr(client: LanguageClient, lines: list[str]) -> asyncio.Task[None]:
    """Keep the server's stderr in ``lines`` while still forwarding it to the test's stderr."""
    process = client._server
    if client._stderr_forwarder is not None:
        client._stderr_forwarder.cancel()

    async def record() -> None:
        if process is None or process.stderr is None:
            return
        while line := await process.stderr.readline():
            lines.append(line.decode("utf-8", "replace"))
            sys.stderr.buffer.write(line)

    task = asyncio.create_task(record())
    client._stderr_forwarder = task
    return task


async def code_actions(
    editor: Editor, uri: str, line: int, character: int, *, only: list[str] | None = None
) -> list[types.CodeAction]:
    """The code actions at a position (no diagnostics in the context)."""
    position = types.Position(line=line, character=character)
    result = await editor.client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=position, end=position),
            context=types.CodeActionContext(diagnostics=[], only=only),  # type: ignore[arg-type]
        )
    )
    return [a for a in result or [] if isinstance(a, types.CodeAction)]


async def run_action(editor: Editor, action: types.CodeAction | types.Command) -> Any:
    """Execute an action's command the way an editor does."""
    command = action.command if isinstance(action, types.CodeAction) else action
    assert command is not None
    return await editor.client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=command.command, arguments=command.arguments)
    )


async def wait_for(predicate: Any, timeout: float = 10.0) -> None:
    """Poll ``predicate`` every 20 ms until it holds; fail after ``timeout`` seconds."""
    for _ in range(int(timeout / 0.02)):
        if predicate():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"condition not met within {timeout} s")


def line_of(text: str, needle: str) -> tuple[int, int]:
    """The 0-based line and column where ``needle`` first occurs in ``text``."""
    for number, line in enumerate(text.splitlines()):
        if needle in line:
            return number, line.index(needle)
    raise AssertionError(f"{needle!r} not in text")
