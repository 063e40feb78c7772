"""Documents under every URI spelling editors send: actions, edits, hover, diagnostics."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import quote

import pytest
from lsprotocol import types

from howto_ls.guide import HEADING
from tests.lsp_client import (
    Editor,
    code_actions,
    line_of,
    run_action,
    running_server,
    wait_for,
)

INVENTORY = Path(__file__).resolve().parent.parent / "examples" / "inventory"
FOLDERS = ["inventory", "with space", "ünïcode", "名前", "a+b", "50%", "hash#1", "a&b (copy)"]


def vscode_uri(path: Path) -> str:
    """``URI.file(path).toString()`` on Linux: every byte but the unreserved ones encoded."""
    return "file://" + quote(str(path), safe="/")


def project(tmp_path: Path, name: str) -> Path:
    root = tmp_path / name
    shutil.copytree(INVENTORY, root / "inventory")
    return root


async def hover_value(editor: Editor, uri: str, line: int, character: int) -> str:
    result = await editor.client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=line, character=character),
        )
    )
    assert result is not None and isinstance(result.contents, types.MarkupContent)
    return result.contents.value


def edited_uris(editor: Editor) -> list[str]:
    return [
        operation.text_document.uri
        for edit in editor.edits
        for operation in edit.document_changes or []
        if isinstance(operation, types.TextDocumentEdit)
    ]


@pytest.mark.parametrize("name", FOLDERS)
async def test_vscode_encoded_document_gets_actions_edits_hover_and_diagnostics(
    tmp_path: Path, name: str
) -> None:
    root = project(tmp_path, name)
    stock = root / "inventory" / "stock.py"
    before = stock.read_bytes()
    uri = vscode_uri(stock)
    async with running_server(root) as editor:
        client = editor.client
        editor.open("inventory/stock.py", uri=uri)
        await wait_for(lambda: uri in client.diagnostics)  # published under the client's URI
        assert list(client.diagnostics[uri]) == []

        line, col = line_of(editor.text(uri), "def restock")
        actions = await code_actions(editor, uri, line, col + 5)
        assert [a.title for a in actions][:2] == [
            "Generate how-to doc",
            "Generate how-to doc in sidecar .md",
        ]
        result = await run_action(editor, actions[0])
        assert result["applied"] is True, result
        assert edited_uris(editor) == [uri]
        assert HEADING in editor.text(uri)
        assert stock.read_bytes() == before  # the edit went to the buffer, not around it

        assert "Description" in await hover_value(editor, uri, line, col + 5)

        changed = editor.text(uri).replace("batch_size - item.quantity", "batch_size * 2")
        editor.type(uri, changed)
        await wait_for(lambda: len(client.diagnostics.get(uri, [])) == 1)
        (diagnostic,) = client.diagnostics[uri]
        assert diagnostic.code == "stale-guide"
        assert isinstance(diagnostic.data, dict) and diagnostic.data["uri"] == uri


async def test_one_file_under_two_spellings_answers_under_the_opened_one(tmp_path: Path) -> None:
    root = project(tmp_path, "a&b (copy) ünï")
    stock = root / "inventory" / "stock.py"
    opened = "file://" + quote(str(stock), safe="/&()").replace("%C3%BC", "%c3%bc")
    asked = vscode_uri(stock)
    assert opened != asked
    async with running_server(root) as editor:
        editor.open("inventory/stock.py", uri=opened)
        line, col = line_of(editor.text(opened), "def parse_csv")
        actions = await code_actions(editor, asked, line, col + 5)
        assert actions, "no action for the second spelling"
        result = await run_action(editor, actions[0])
        assert result["applied"] is True, result
        assert edited_uris(editor) == [opened]
        assert HEADING in editor.text(opened)


async def test_sidecar_in_a_folder_with_a_space_and_non_ascii_letters(tmp_path: Path) -> None:
    root = project(tmp_path, "my proj ünï")
    stock = root / "inventory" / "stock.py"
    uri = vscode_uri(stock)
    async with running_server(root) as editor:
        editor.open("inventory/stock.py", uri=uri)
        line, col = line_of(editor.text(uri), "def restock")
        actions = await code_actions(editor, uri, line, col + 5)
        sidecar = next(a for a in actions if a.title == "Generate how-to doc in sidecar .md")
        result = await run_action(editor, sidecar)
        assert result["applied"] is True, result
        written = root / "docs" / "howto" / "inventory" / "stock.md"
        assert "<!-- howto-ls: begin restock" in written.read_text(encoding="utf-8")
        created = [
            operation.uri
            for edit in editor.edits
            for operation in edit.document_changes or []
            if isinstance(operation, types.CreateFile)
        ]
        assert created == [vscode_uri(written)]


UNSAVED = """def restock(counts: dict[str, int], batch: int = 20) -> dict[str, int]:
    return {sku: batch - n for sku, n in counts.items() if n < 5}
"""


def open_buffer(editor: Editor, uri: str, text: str) -> None:
    editor.buffers[uri] = (text, 1)
    editor.client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="python", version=1, text=text
            )
        )
    )


async def test_unsaved_buffer_gets_the_guide_as_a_text_edit_and_no_sidecar(tmp_path: Path) -> None:
    root = project(tmp_path, "with space")
    uri = "untitled:Untitled-1"
    async with running_server(root) as editor:
        open_buffer(editor, uri, UNSAVED)
        actions = await code_actions(editor, uri, 0, 5)
        assert [a.title for a in actions] == ["Generate how-to doc"]
        sidecar = actions[0].command
        assert sidecar is not None and sidecar.arguments is not None
        refused = await editor.client.workspace_execute_command_async(
            types.ExecuteCommandParams(
                command=sidecar.command, arguments=[{**sidecar.arguments[0], "target": "sidecar"}]
            )
        )
        assert refused["applied"] is False
        assert "untitled:Untitled-1 is an unsaved buffer" in refused["error"]
        assert "save it as a .py file" in refused["error"]

        result = await run_action(editor, actions[0])
        assert result["applied"] is True, result
        assert edited_uris(editor) == [uri]
        text = editor.text(uri)
        assert HEADING in text and "from unsaved_untitled_1 import restock" in text
        assert not (root / "docs").exists() and not (root / "unsaved_untitled_1.py").exists()
        assert "Description" in await hover_value(editor, uri, 0, 5)


async def test_notebook_cell_says_guides_are_not_available_there(tmp_path: Path) -> None:
    root = project(tmp_path, "nb")
    cell = f"vscode-notebook-cell:{quote(str(root / 'a b.ipynb'))}#W0sZmlsZQ%3D%3D"
    async with running_server(root) as editor:
        open_buffer(editor, cell, UNSAVED)
        (action,) = await code_actions(editor, cell, 0, 5)
        assert action.title == "Generate how-to doc (not available in notebooks)"
        result = await run_action(editor, action)
        assert result["applied"] is False and "not available in notebook" in result["unavailable"]
        await wait_for(lambda: any("notebook" in m.message for m in editor.client.messages))
        (shown,) = [m for m in editor.client.messages if "notebook" in m.message]
        assert shown.type == types.MessageType.Info
        assert editor.edits == []


async def test_multi_root_workspace_reads_settings_and_writes_per_folder(tmp_path: Path) -> None:
    first = project(tmp_path, "shop one")
    second = project(tmp_path, "shop twö")
    nested = project(second, "vendored")  # a folder inside a folder: the inner one holds it
    sidecar = {"howto": {"target": "sidecar", "sidecarPath": "guides/{relpath}.md"}}
    async with running_server(
        first,
        configuration={"howto": {"target": "docstring"}},
        folders={first: None, second: sidecar, nested: {"howto": {"hover": "off"}}},
    ) as editor:
        written = []
        for root in (first, second, nested):
            stock = root / "inventory" / "stock.py"
            uri = vscode_uri(stock)
            open_buffer(editor, uri, stock.read_text(encoding="utf-8"))
            line, col = line_of(editor.text(uri), "def restock")
            actions = await code_actions(editor, uri, line, col + 5)
            command = actions[0].command
            assert command is not None and command.arguments is not None
            arguments = {**command.arguments[0]}
            arguments.pop("target", None)  # the folder's setting decides
            result = await editor.client.workspace_execute_command_async(
                types.ExecuteCommandParams(command=command.command, arguments=[arguments])
            )
            assert result["applied"] is True, result
            written.append(Path(result["path"]))
        assert written[0] == first / "inventory" / "stock.py"
        assert HEADING in editor.text(vscode_uri(written[0]))
        assert written[1] == second / "guides" / "inventory" / "stock.md"
        assert "<!-- howto-ls: begin restock" in written[1].read_text(encoding="utf-8")
        # The nested folder has its own settings (docstring, the global target) and root.
        assert written[2] == nested / "inventory" / "stock.py"
        nested_uri = vscode_uri(written[2])
        line, col = line_of(editor.text(nested_uri), "def restock")
        assert (
            await editor.client.text_document_hover_async(
                types.HoverParams(
                    text_document=types.TextDocumentIdentifier(uri=nested_uri),
                    position=types.Position(line=line, character=col + 5),
                )
            )
            is None
        )  # hover "off" in that folder alone
        assert "Description" in await hover_value(editor, vscode_uri(written[0]), line, col + 5)


@pytest.mark.parametrize(
    "uri",
    ["file:///%00/x.py", "file:///" + "b/" * 3000 + "x.py"],
    ids=["NUL", "longer than PATH_MAX"],
)
async def test_a_uri_no_file_can_have_gets_no_action_and_no_error(tmp_path: Path, uri: str) -> None:
    root = project(tmp_path, "nul")
    async with running_server(root) as editor:
        open_buffer(editor, uri, UNSAVED)
        assert await code_actions(editor, uri, 0, 5) == []
        hover = await editor.client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                position=types.Position(line=0, character=5),
            )
        )
        assert hover is None
        editor.client.text_document_did_close(
            types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
    assert [m.message for m in editor.client.messages if m.type == types.MessageType.Error] == []
    assert not any("Traceback" in line for line in editor.stderr)


async def test_a_very_long_unsaved_buffer_name_gets_its_guide(tmp_path: Path) -> None:
    root = project(tmp_path, "long")
    uri = "untitled:" + "a" * 5000
    async with running_server(root) as editor:
        open_buffer(editor, uri, UNSAVED)
        (action,) = await code_actions(editor, uri, 0, 5)
        result = await run_action(editor, action)
        assert result["applied"] is True, result
        assert edited_uris(editor) == [uri]
        assert "from unsaved_aaaa" in editor.text(uri)


async def test_an_empty_authority_with_an_extra_slash_gets_edits_under_that_spelling(
    tmp_path: Path,
) -> None:
    root = project(tmp_path, "slashes")
    stock = root / "inventory" / "stock.py"
    uri = "file:///" + vscode_uri(stock).removeprefix("file://")  # file:////tmp/...
    assert uri.startswith("file:////")
    async with running_server(root) as editor:
        editor.open("inventory/stock.py", uri=uri)
        line, col = line_of(editor.text(uri), "def parse_csv")
        actions = await code_actions(editor, uri, line, col + 5)
        result = await run_action(editor, actions[0])
        assert result["applied"] is True, result
        assert edited_uris(editor) == [uri]
        assert HEADING in editor.text(uri)
