"""The server's project index follows the editor: buffers, saves, and file events."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lsprotocol import types

from tests.lsp_client import (
    Editor,
    code_actions,
    line_of,
    run_action,
    running_server,
    wait_for,
)

SPEED = 'def pace(mode):\n    """Set the pace."""\n    return mode.upper()\n'


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / "shop").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[project]\nname = "shop"\n', encoding="utf-8")
    (root / "shop" / "__init__.py").write_text("", encoding="utf-8")
    (root / "shop" / "speed.py").write_text(SPEED, encoding="utf-8")
    (root / "shop" / "runner.py").write_text("from shop.speed import pace\n", encoding="utf-8")
    return root


async def example_argument(editor: Editor, uri: str) -> str:
    """The argument the offline guide's example passes to ``pace`` (the buffer is reset)."""
    line, col = line_of(editor.text(uri), "def pace")
    actions = await code_actions(editor, uri, line, col + 5)
    (generate,) = [a for a in actions if a.title == "Generate how-to doc"]
    result = await run_action(editor, generate)
    assert result["applied"] is True
    found = re.search(r"pace\(mode=(\"[^\"]*\")\)", editor.text(uri))
    assert found is not None, editor.text(uri)
    editor.type(uri, SPEED)
    return found.group(1)


def file_event(editor: Editor, path: Path, kind: types.FileChangeType) -> None:
    editor.client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(changes=[types.FileEvent(uri=path.as_uri(), type=kind)])
    )


async def test_the_index_follows_buffers_and_file_events(project: Path) -> None:
    shop = project / "shop"
    async with running_server(project) as editor:
        speed = editor.open("shop/speed.py")
        assert await example_argument(editor, speed) == '"example"'
        # an unsaved buffer's calls count: the index reads the editor's text
        runner = editor.open("shop/runner.py")
        editor.type(runner, 'from shop.speed import pace\n\npace("brisk")\n')
        assert await example_argument(editor, speed) == '"brisk"'
        # closed unsaved: the file on disk again
        editor.client.text_document_did_close(
            types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(runner))
        )
        assert await example_argument(editor, speed) == '"example"'
        # created outside the editor (a watched-file event)
        (shop / "more.py").write_text('from shop.speed import pace\npace("steady")\n')
        file_event(editor, shop / "more.py", types.FileChangeType.Created)
        assert await example_argument(editor, speed) == '"steady"'
        # renamed in the editor (a file operation): the calls move with it
        (shop / "more.py").rename(shop / "later.py")
        editor.client.workspace_did_rename_files(
            types.RenameFilesParams(
                files=[
                    types.FileRename(
                        old_uri=(shop / "more.py").as_uri(), new_uri=(shop / "later.py").as_uri()
                    )
                ]
            )
        )
        assert await example_argument(editor, speed) == '"steady"'
        # changed on disk, then deleted
        (shop / "later.py").write_text('from shop.speed import pace\npace("gentle")\n')
        file_event(editor, shop / "later.py", types.FileChangeType.Changed)
        assert await example_argument(editor, speed) == '"gentle"'
        (shop / "later.py").unlink()
        file_event(editor, shop / "later.py", types.FileChangeType.Deleted)
        assert await example_argument(editor, speed) == '"example"'


async def test_the_server_asks_the_editor_to_watch_python_files(project: Path) -> None:
    caps = types.ClientCapabilities(
        workspace=types.WorkspaceClientCapabilities(
            did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(
                dynamic_registration=True
            ),
            configuration=False,
        )
    )
    async with running_server(project, caps) as editor:
        await wait_for(lambda: editor.registrations)
        (registration,) = editor.registrations
    assert registration.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
    assert registration.register_options == {"watchers": [{"globPattern": "**/*.{py,pyi}"}]}
