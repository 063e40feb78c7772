"""``howto.generate`` end to end: docstring, sidecar, references, site-packages, cancel, races."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from howto_ls.astutil import same_code
from howto_ls.guide import HEADING
from howto_ls.testing import FakeOpenAI, Reply
from howto_ls.testing.samples import CART_SOURCE, GOOD_GUIDE, write_project
from tests.lsp_client import (
    Editor,
    capabilities,
    code_actions,
    line_of,
    run_action,
    running_server,
    wait_for,
)

MAIN = "from shop.cart import total\nimport json\n\nprint(json.dumps(total([1.0, 2.0])))\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    write_project(root)
    (root / "main.py").write_text(MAIN, encoding="utf-8")
    return root


async def action_on(editor: Editor, uri: str, needle: str, offset: int, title: str) -> Any:
    """Find the action ``title`` at ``needle`` (+``offset``) in the buffer and run it."""
    line, col = line_of(editor.text(uri), needle)
    actions = await code_actions(editor, uri, line, col + offset)
    chosen = [a for a in actions if a.title == title]
    assert chosen, f"{title!r} not in {[a.title for a in actions]}"
    return await run_action(editor, chosen[0])


def model_env(fake: FakeOpenAI) -> dict[str, str]:
    return {"HOWTO_BACKEND": "openai", "HOWTO_BASE_URL": fake.url, "HOWTO_MODEL": fake.model}


async def test_generate_into_the_docstring_with_progress(project: Path) -> None:
    async with running_server(project) as editor:
        uri = editor.open("shop/cart.py")
        result = await action_on(editor, uri, "def total", 5, "Generate how-to doc")
        assert result["applied"] is True
        text = editor.text(uri)
        assert HEADING in text and "Sum the prices and add the region's tax." in text
        assert same_code(CART_SOURCE, text)
        edit = editor.edits[0]
        assert edit.document_changes is not None
        (change,) = edit.document_changes
        assert isinstance(change, types.TextDocumentEdit)
        assert change.text_document.version == 1  # the version the guide was computed on
        (reports,) = editor.client.progress_reports.values()
        assert isinstance(reports[0], types.WorkDoneProgressBegin) and reports[0].cancellable
        steps = [r.message for r in reports if isinstance(r, types.WorkDoneProgressReport)]
        assert steps[0] == "Resolving symbol" and steps[-1] == "Inserting"
        assert isinstance(reports[-1], types.WorkDoneProgressEnd)
        editor.save(uri)
        assert HEADING in (project / "shop" / "cart.py").read_text(encoding="utf-8")
        # Run again: the action is now "Regenerate" and nothing changes.
        result = await action_on(editor, uri, "def total", 5, "Regenerate how-to doc")
        assert result.get("unchanged") is True


async def test_generate_into_a_new_sidecar(project: Path) -> None:
    async with running_server(project) as editor:
        uri = editor.open("shop/cart.py")
        title = "Generate how-to doc in sidecar .md"
        result = await action_on(editor, uri, "def total", 5, title)
        assert result["applied"] is True
        sidecar = Path(result["path"])
        assert sidecar.is_relative_to(project) and sidecar.suffix == ".md"
        assert isinstance(editor.edits[0].document_changes[0], types.CreateFile)  # type: ignore[index]
        assert "\n## `total`\n\n### Description\n" in sidecar.read_text(encoding="utf-8")
        assert editor.text(uri) == CART_SOURCE  # the code file is untouched
        line, col = line_of(CART_SOURCE, "def total")
        hover = await editor.client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                position=types.Position(line=line, character=col + 5),
            )
        )
        assert hover is not None and "Description" in str(hover.contents)
        # Now the sidecar is open in the editor: a regeneration edits it as a versioned buffer.
        sidecar_uri = editor.open(str(sidecar.relative_to(project)), language="markdown")
        result = await action_on(editor, uri, "def total", 5, "Regenerate how-to doc")
        assert result.get("unchanged") is True
        editor.type(sidecar_uri, editor.text(sidecar_uri) + "\nMy own notes.\n")
        editor.type(uri, CART_SOURCE.replace("sum(prices)", "sum(prices) + 1"))
        result = await action_on(editor, uri, "def total", 5, "Regenerate how-to doc")
        assert result["applied"] is False and "unsaved changes" in result["error"]
        editor.save(sidecar_uri)
        result = await action_on(editor, uri, "def total", 5, "Regenerate how-to doc")
        assert result["applied"] is True
        (change,) = editor.edits[-1].document_changes  # type: ignore[misc]
        assert change.text_document.version == editor.buffers[sidecar_uri][1] - 1  # type: ignore[union-attr]
        assert "My own notes." in editor.text(sidecar_uri)


async def test_a_reference_edits_the_file_that_defines_it(project: Path) -> None:
    async with running_server(project) as editor:
        uri = editor.open("main.py")
        result = await action_on(editor, uri, "total([1.0", 1, "Generate how-to doc for total")
        assert result["applied"] is True and result["qualname"] == "total"
        assert editor.text(uri) == MAIN
        cart = (project / "shop" / "cart.py").read_text(encoding="utf-8")
        assert HEADING in cart and same_code(CART_SOURCE, cart)


async def test_a_site_packages_definition_is_shown_not_written(project: Path) -> None:
    import json

    before = Path(json.__file__).read_bytes()
    async with running_server(project) as editor:
        uri = editor.open("main.py")
        result = await action_on(editor, uri, "dumps(", 1, "Generate how-to doc for dumps")
        assert result["applied"] is False and "shown" in result
        assert editor.edits == []
        (shown,) = editor.client.shown_documents
        preview = Path(result["shown"])
        assert shown.uri.endswith(preview.name) and not preview.is_relative_to(project)
        assert HEADING in preview.read_text(encoding="utf-8")
        assert any("outside the project" in m.message for m in editor.client.messages)
    assert Path(json.__file__).read_bytes() == before


async def test_cancel_stops_the_model_call_and_applies_nothing(project: Path) -> None:
    with FakeOpenAI(default=Reply(content=GOOD_GUIDE, first_token_delay=30)) as fake:
        async with running_server(project, env=model_env(fake)) as editor:
            uri = editor.open("shop/cart.py")
            running = asyncio.ensure_future(
                action_on(editor, uri, "def total", 5, "Generate how-to doc")
            )
            assert await asyncio.to_thread(fake.wait_for_requests, 1, 20)
            (token,) = editor.client.progress_reports
            asking = f"Asking {fake.model} at 127.0.0.1"

            def steps() -> list[str]:
                reports = editor.client.progress_reports[token]
                return [getattr(report, "message", None) or "" for report in reports]

            await wait_for(lambda: any(step.startswith(asking) for step in steps()), 5)
            editor.client.window_work_done_progress_cancel(
                types.WorkDoneProgressCancelParams(token=token)
            )
            result = await asyncio.wait_for(running, 10)
            assert result == {"applied": False, "cancelled": True}
            await wait_for(lambda: fake.requests[-1].disconnected, 5)
            assert editor.edits == [] and editor.text(uri) == CART_SOURCE
            end = editor.client.progress_reports[token][-1]
            assert isinstance(end, types.WorkDoneProgressEnd) and end.message == "Cancelled"


async def test_a_user_edit_during_generation_is_kept(project: Path) -> None:
    with FakeOpenAI(default=Reply(content=GOOD_GUIDE, first_token_delay=1.5)) as fake:
        async with running_server(project, env=model_env(fake)) as editor:
            uri = editor.open("shop/cart.py")
            running = asyncio.ensure_future(
                action_on(editor, uri, "def total", 5, "Generate how-to doc")
            )
            assert await asyncio.to_thread(fake.wait_for_requests, 1, 20)
            typed = CART_SOURCE.replace(
                "from shop.rates import tax_rate\n",
                "from shop.rates import tax_rate\n\nLIMIT = 10  # typed meanwhile\n",
            )
            editor.type(uri, typed)
            result = await asyncio.wait_for(running, 20)
            assert result["applied"] is True
            text = editor.text(uri)
            assert "LIMIT = 10  # typed meanwhile" in text and HEADING in text
            assert same_code(typed, text)
            (change,) = editor.edits[0].document_changes  # type: ignore[misc]
            assert change.text_document.version == 2  # type: ignore[union-attr]


async def test_a_rejected_edit_is_reported_not_retried(project: Path) -> None:
    async with running_server(project) as editor:
        uri = editor.open("shop/cart.py")
        editor.reject = "the file is read-only"
        result = await action_on(editor, uri, "def total", 5, "Generate how-to doc")
        assert result["applied"] is False and result["rejected"] == "the file is read-only"
        assert len(editor.edits) == 1
        assert any("rejected" in m.message for m in editor.client.messages)
        assert editor.text(uri) == CART_SOURCE


async def test_plain_changes_for_clients_without_document_changes(project: Path) -> None:
    async with running_server(project, capabilities(document_changes=False)) as editor:
        uri = editor.open("shop/cart.py")
        result = await action_on(editor, uri, "def total", 5, "Generate how-to doc")
        assert result["applied"] is True
        edit = editor.edits[0]
        assert edit.document_changes is None and edit.changes and uri in edit.changes
        assert HEADING in editor.text(uri)


async def test_a_client_that_cannot_apply_edits_gets_a_message(project: Path) -> None:
    async with running_server(project, capabilities(apply_edit=False)) as editor:
        uri = editor.open("shop/cart.py")
        result = await action_on(editor, uri, "def total", 5, "Generate how-to doc")
        assert result["applied"] is False and editor.edits == []
        assert any("cannot apply workspace edits" in m.message for m in editor.client.messages)
        assert HEADING in Path(result["shown"]).read_text(encoding="utf-8")


async def test_bad_arguments_and_non_python_files_fail_cleanly(project: Path) -> None:
    (project / "notes.txt").write_text("total\n", encoding="utf-8")
    async with running_server(project) as editor:
        client = editor.client
        bad = await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="howto.generate", arguments=["nonsense"])
        )
        assert bad["applied"] is False and "howto.generate takes one object" in bad["error"]
        assert any("takes one object" in m.message for m in client.messages)
        assert any("takes one object" in m.message for m in client.log_messages)
        notes = editor.open("notes.txt", language="plaintext")
        result = await client.workspace_execute_command_async(
            types.ExecuteCommandParams(
                command="howto.generate", arguments=[{"uri": notes, "line": 0, "character": 1}]
            )
        )
        assert result["applied"] is False and "not an open Python file" in result["error"]
        uri = editor.open("shop/cart.py")  # the server still works
        assert (await action_on(editor, uri, "def total", 5, "Generate how-to doc"))["applied"]


async def test_a_document_that_is_a_symlink_out_of_the_project_is_shown_not_written(
    project: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    outside = elsewhere / "theirs.py"
    code = b"def theirs(a: int) -> int:\n    return a + 1\n"
    outside.write_bytes(code)
    (project / "theirs.py").symlink_to(outside)
    async with running_server(project) as editor:
        uri = editor.open("theirs.py")
        result = await action_on(editor, uri, "theirs(", 1, "Generate how-to doc")
        assert result["applied"] is False and "shown" in result
        assert editor.edits == []
        message = f"theirs.py is a symlink to {outside.resolve()}, outside the project"
        assert any(message in m.message for m in editor.client.messages)
        sidecar = await editor.client.workspace_execute_command_async(
            types.ExecuteCommandParams(
                command="howto.generate",
                arguments=[{"uri": uri, "line": 0, "character": 5, "target": "sidecar"}],
            )
        )
        assert sidecar["applied"] is False
    assert outside.read_bytes() == code
    assert sorted(p.name for p in elsewhere.iterdir()) == ["theirs.py"]
