"""The client's capabilities reduced once, at initialize, to the plain flags the server uses."""

from __future__ import annotations

from dataclasses import dataclass

from lsprotocol import types

UTF16 = "utf-16"


@dataclass(frozen=True)
class ClientFlags:
    """What the client can do, as far as howto-ls cares."""

    apply_edit: bool = False
    document_changes: bool = False
    create_files: bool = False
    work_done_progress: bool = False
    show_document: bool = False
    configuration: bool = False
    code_action_literals: bool = False
    hover_markdown: bool = False
    watch_files: bool = False  # may register workspace/didChangeWatchedFiles watchers
    code_lens_refresh: bool = False  # may be sent workspace/codeLens/refresh
    position_encoding: str = "utf-16"

    @classmethod
    def from_capabilities(
        cls, capabilities: types.ClientCapabilities, position_encoding: str | None = None
    ) -> ClientFlags:
        """Reduce ``capabilities`` (and the negotiated ``position_encoding``) to flags."""
        workspace = capabilities.workspace
        edit = workspace.workspace_edit if workspace else None
        window = capabilities.window
        document = capabilities.text_document
        code_action = document.code_action if document else None
        hover = document.hover if document else None
        resource_operations = (edit.resource_operations or []) if edit else []
        return cls(
            apply_edit=bool(workspace and workspace.apply_edit),
            document_changes=bool(edit and edit.document_changes),
            create_files=types.ResourceOperationKind.Create in resource_operations,
            work_done_progress=bool(window and window.work_done_progress),
            show_document=bool(window and window.show_document and window.show_document.support),
            configuration=bool(workspace and workspace.configuration),
            code_action_literals=bool(
                code_action and code_action.code_action_literal_support is not None
            ),
            hover_markdown=bool(
                hover and hover.content_format and types.MarkupKind.Markdown in hover.content_format
            ),
            watch_files=bool(
                workspace
                and workspace.did_change_watched_files
                and workspace.did_change_watched_files.dynamic_registration
            ),
            code_lens_refresh=bool(
                workspace and workspace.code_lens and workspace.code_lens.refresh_support
            ),
            position_encoding=str(getattr(position_encoding, "value", position_encoding) or UTF16),
        )
