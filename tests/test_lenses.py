"""Code lenses over missing and stale guides, their lazy commands and refreshes, end to end."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lsprotocol import types

from howto_ls.lsp.lenses import GENERATE, REGENERATE
from howto_ls.testing.samples import CART_SOURCE, write_project
from tests.lsp_client import (
    Editor,
    capabilities,
    code_actions,
    line_of,
    run_action,
    running_server,
    wait_for,
)

HIDDEN = "\n\ndef _hidden() -> int:\n    return 1\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    cart = write_project(root)
    cart.write_text(CART_SOURCE + HIDDEN, encoding="utf-8")
    return root


async def lenses(editor: Editor, uri: str) -> list[types.CodeLens]:
    result = await editor.client.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    return list(result or [])


async def resolved(editor: Editor, uri: str) -> dict[int, str]:
    """Each lens's first line and the title its resolve gives."""
    titles = {}
    for lens in await lenses(editor, uri):
        assert lens.command is None  # commands come on resolve only
        done = await editor.client.code_lens_resolve_async(lens)
        assert done.command is not None
        titles[lens.range.start.line] = done.command.title
    return titles


async def document_total(editor: Editor, uri: str) -> None:
    line, col = line_of(editor.text(uri), "def total")
    actions = await code_actions(editor, uri, line, col + 5)
    result = await run_action(editor, actions[0])
    assert result["applied"] is True


def with_refresh(support: bool = True) -> types.ClientCapabilities:
    caps = capabilities()
    assert caps.workspace is not None
    caps.workspace.code_lens = types.CodeLensWorkspaceClientCapabilities(refresh_support=support)
    return caps


async def test_missing_stale_and_fresh_guides(project: Path) -> None:
    async with running_server(project) as editor:
        cart = editor.open("shop/cart.py")
        total = line_of(CART_SOURCE, "def total")[0]
        # The module and total have no guide; _hidden is private and gets nothing.
        assert await resolved(editor, cart) == {0: GENERATE, total: GENERATE}

        await document_total(editor, cart)
        editor.save(cart)
        assert await resolved(editor, cart) == {0: GENERATE}  # fresh: no lens

        text = editor.text(cart).replace("subtotal = sum(prices)", "subtotal = sum(prices) * 2")
        editor.type(cart, text)
        assert await resolved(editor, cart) == {0: GENERATE, total: REGENERATE}


async def test_resolve_gives_the_generate_command_which_writes_the_guide(project: Path) -> None:
    async with running_server(project) as editor:
        cart = editor.open("shop/cart.py")
        line, col = line_of(CART_SOURCE, "def total")
        (lens,) = [lens for lens in await lenses(editor, cart) if lens.range.start.line == line]
        assert lens.range.end == types.Position(line=line, character=col + len("def total"))
        done = await editor.client.code_lens_resolve_async(lens)
        assert done.command is not None
        assert done.command.command == "howto.generate"
        assert list(done.command.arguments or []) == [
            {"uri": cart, "line": line, "character": col + 4, "qualname": "total"}
        ]
        result = await run_action(editor, done.command)
        assert result["applied"] is True
        assert "How to Use This Code Block" in editor.text(cart)
        assert [lens.range.start.line for lens in await lenses(editor, cart)] == [0]

        # A stale guide is regenerated where it is: the command names its target.
        text = editor.text(cart).replace("subtotal = sum(prices)", "subtotal = sum(prices) + 1")
        editor.type(cart, text)
        (stale,) = [lens for lens in await lenses(editor, cart) if lens.range.start.line == line]
        done = await editor.client.code_lens_resolve_async(stale)
        assert done.command is not None and done.command.title == REGENERATE
        assert done.command.arguments is not None
        assert done.command.arguments[0]["target"] == "docstring"


async def test_setting_off_gives_no_lenses(project: Path) -> None:
    async with running_server(project, init_options={"howto": {"codeLens": "off"}}) as editor:
        cart = editor.open("shop/cart.py")
        assert await lenses(editor, cart) == []


async def test_setting_stale_only_lists_only_stale_guides(project: Path) -> None:
    options = {"howto": {"codeLens": "stale-only"}}
    async with running_server(project, init_options=options) as editor:
        cart = editor.open("shop/cart.py")
        assert await lenses(editor, cart) == []  # two symbols miss a guide: no lens
        await document_total(editor, cart)
        text = editor.text(cart).replace("subtotal = sum(prices)", "subtotal = sum(prices) - 1")
        editor.type(cart, text)
        total = line_of(CART_SOURCE, "def total")[0]
        assert await resolved(editor, cart) == {total: REGENERATE}


async def test_bad_setting_warns_and_keeps_lenses_on(project: Path) -> None:
    async with running_server(project, configuration={"howto": {"codeLens": "loud"}}) as editor:
        client = editor.client
        await wait_for(lambda: any("howto.codeLens" in m.message for m in client.messages))
        (warning,) = [m for m in client.messages if "howto.codeLens" in m.message]
        assert "'loud'" in warning.message and "on, stale-only, off" in warning.message
        cart = editor.open("shop/cart.py")
        assert len(await lenses(editor, cart)) == 2


async def test_refresh_is_requested_after_edits_when_supported(project: Path) -> None:
    async with running_server(project, with_refresh()) as editor:
        refreshes: list[float] = []

        @editor.client.feature(types.WORKSPACE_CODE_LENS_REFRESH)
        def refresh(params: None) -> None:
            refreshes.append(asyncio.get_running_loop().time())

        cart = editor.open("shop/cart.py")
        await asyncio.sleep(0.5)  # let the refresh after start-up arrive
        refreshes.clear()
        text = editor.text(cart)
        for number in range(5):  # typing: one refresh once it pauses
            text = text.replace("sum(prices)", f"sum(prices) + {number}", 1)
            editor.type(cart, text)
        await wait_for(lambda: len(refreshes) == 1)
        await asyncio.sleep(0.6)
        assert len(refreshes) == 1
        editor.save(cart)  # a save refreshes at once
        await wait_for(lambda: len(refreshes) == 2)


async def test_no_refresh_without_client_support(project: Path) -> None:
    async with running_server(project, with_refresh(support=False)) as editor:
        refreshes: list[None] = []

        @editor.client.feature(types.WORKSPACE_CODE_LENS_REFRESH)
        def refresh(params: None) -> None:
            refreshes.append(params)

        cart = editor.open("shop/cart.py")
        editor.type(cart, editor.text(cart) + "\nVALUE = 1\n")
        editor.save(cart)
        await wait_for(lambda: len(editor.client.diagnostics.get(cart, [None])) == 0)
        await asyncio.sleep(0.6)  # longer than the refresh delay
        assert refreshes == []


async def test_a_pushed_setting_applies_and_refreshes(project: Path) -> None:
    async with running_server(project, with_refresh()) as editor:
        refreshes: list[None] = []

        @editor.client.feature(types.WORKSPACE_CODE_LENS_REFRESH)
        def refresh(params: None) -> None:
            refreshes.append(params)

        cart = editor.open("shop/cart.py")
        assert len(await lenses(editor, cart)) == 2
        await asyncio.sleep(0.5)  # let the refresh after start-up arrive
        refreshes.clear()
        editor.client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(settings={"howto": {"codeLens": "off"}})
        )
        await wait_for(lambda: len(refreshes) == 1)
        assert await lenses(editor, cart) == []
