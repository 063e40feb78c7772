"""Hover, stale-guide diagnostics and settings, end to end."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from howto_ls.guide import HEADING
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

MAIN = 'from shop.cart import total\n\nlabel = "😋 total"; amount = total([1.0, 2.0])\n'


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    write_project(root)
    (root / "main.py").write_text(MAIN, encoding="utf-8")
    return root


async def generate(editor: Editor, uri: str) -> None:
    line, col = line_of(editor.text(uri), "def total")
    actions = await code_actions(editor, uri, line, col + 5)
    result = await run_action(editor, actions[0])
    assert result["applied"] is True


async def hover(editor: Editor, uri: str, line: int, character: int) -> types.Hover | None:
    return await editor.client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=line, character=character),
        )
    )


def value(result: types.Hover | None) -> str:
    assert result is not None and isinstance(result.contents, types.MarkupContent)
    assert result.contents.kind == types.MarkupKind.Markdown
    return result.contents.value


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


async def test_hover_fresh_then_stale_on_definition_and_reference(project: Path) -> None:
    async with running_server(project) as editor:
        cart = editor.open("shop/cart.py")
        line, col = line_of(CART_SOURCE, "def total")
        assert await hover(editor, cart, line, col + 5) is None  # no guide yet
        await generate(editor, cart)
        editor.save(cart)
        fresh = value(await hover(editor, cart, line, col + 5))
        assert "Description" in fresh and "Stale" not in fresh
        # The docstring's order, as help() shows it: the person's summary, then the guide.
        assert fresh.startswith("Sum the prices and add the region's tax.\n\n" + HEADING)

        # A reference on a non-ASCII line, in UTF-16 units as VS Code sends them.
        main = editor.open("main.py")
        prefix = MAIN.splitlines()[2].split("total([")[0]
        result = await hover(editor, main, 2, utf16(prefix) + 2)
        assert "Description" in value(result)
        assert result is not None and result.range is not None
        assert result.range.start.character == utf16(prefix)
        assert result.range.end.character == utf16(prefix) + len("total")

        text = editor.text(cart).replace("subtotal = sum(prices)", "subtotal = sum(prices) * 2")
        editor.type(cart, text)
        stale = value(await hover(editor, cart, line, col + 5))
        assert "Stale" in stale and "Description" in stale


async def test_stale_diagnostic_appears_and_its_quick_fix_clears_it(project: Path) -> None:
    async with running_server(project) as editor:
        client = editor.client
        cart = editor.open("shop/cart.py")
        await wait_for(lambda: cart in client.diagnostics)
        assert list(client.diagnostics[cart]) == []
        await generate(editor, cart)
        text = editor.text(cart).replace("subtotal = sum(prices)", "subtotal = sum(prices) - 1")
        editor.type(cart, text)
        await wait_for(lambda: len(client.diagnostics[cart]) == 1)
        (diagnostic,) = client.diagnostics[cart]
        assert diagnostic.severity == types.DiagnosticSeverity.Information
        assert diagnostic.code == "stale-guide" and "stale" in diagnostic.message
        line, col = line_of(text, "def total")
        assert diagnostic.range.start == types.Position(line=line, character=col + 4)

        fixes = await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=cart),
                range=diagnostic.range,
                context=types.CodeActionContext(diagnostics=[diagnostic], only=["quickfix"]),
            )
        )
        assert fixes is not None
        (fix,) = fixes
        assert isinstance(fix, types.CodeAction) and fix.title == "Regenerate how-to doc"
        assert list(fix.diagnostics or []) == [diagnostic]
        result = await run_action(editor, fix)
        assert result["applied"] is True
        await wait_for(lambda: list(client.diagnostics[cart]) == [])
        assert "subtotal = sum(prices) - 1" in editor.text(cart)


async def test_hover_settings_from_init_options_configuration_and_changes(project: Path) -> None:
    async with running_server(
        project,
        init_options={"howto": {"hover": "loud", "target": "docstring"}},
        configuration={"howto": {"hover": "preview"}},
    ) as editor:
        client = editor.client
        await wait_for(lambda: any("howto.hover" in m.message for m in client.messages))
        (warning,) = [m for m in client.messages if "howto.hover" in m.message]
        assert warning.type == types.MessageType.Warning and "'loud'" in warning.message
        cart = editor.open("shop/cart.py")
        line, col = line_of(CART_SOURCE, "def total")
        # workspace/configuration arrives after initialization: wait until it is applied.
        await wait_for_hover(editor, cart, line, col + 5, lambda h: h is not None)
        preview = value(await hover(editor, cart, line, col + 5))
        assert "Preview" in preview and "Description" in preview

        client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(settings={"howto": {"hover": "off"}})
        )
        await wait_for_hover(editor, cart, line, col + 5, lambda h: h is None)

        client.set_configuration({"howto": {"hover": "guide", "timeout": "soon"}})
        client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={}))
        await wait_for(lambda: any("howto.timeout" in m.message for m in client.messages))
        await generate(editor, cart)
        guide = value(await hover(editor, cart, line, col + 5))
        assert "Preview" not in guide and HEADING in guide


async def wait_for_hover(editor: Editor, uri: str, line: int, col: int, check: Any) -> None:
    for _ in range(200):
        if check(await hover(editor, uri, line, col)):
            return
        await asyncio.sleep(0.02)
    raise AssertionError("hover never matched")


async def test_utf8_positions_when_the_client_prefers_them(project: Path) -> None:
    caps = capabilities(encodings=("utf-8", "utf-16"))
    async with running_server(project, caps) as editor:
        cart = editor.open("shop/cart.py")
        await generate(editor, cart)
        editor.save(cart)
        main = editor.open("main.py")
        prefix = MAIN.splitlines()[2].split("total([")[0]
        start = len(prefix.encode("utf-8"))
        result = await hover(editor, main, 2, start + 2)
        assert "Description" in value(result)
        assert result is not None and result.range is not None
        assert (result.range.start.character, result.range.end.character) == (start, start + 5)
