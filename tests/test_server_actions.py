"""Code actions end to end: what is offered where, and nothing where nothing should be."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from lsprotocol import types

from tests.lsp_client import (
    Editor,
    capabilities,
    code_actions,
    line_of,
    run_action,
    running_server,
)

SHOP = '''"""A tiny shop."""

import json


def total(prices: list[float], tax: float = 0.2) -> float:
    """Sum the prices and add tax."""
    subtotal = sum(prices)
    return round(subtotal * (1 + tax), 2)


class Cart:
    """A shopping cart."""

    def __init__(self) -> None:
        self.prices: list[float] = []

    def add(self, price: float) -> None:
        self.prices.append(price)

    def checkout(self) -> str:
        return json.dumps({"total": total(self.prices)})
'''


pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("actions") / "proj"
    (root / "shop").mkdir(parents=True)
    (root / "shop" / "__init__.py").write_text("", encoding="utf-8")
    (root / "shop" / "cart.py").write_text(SHOP, encoding="utf-8")
    (root / "notes.txt").write_text("def total(): pass\n", encoding="utf-8")
    (root / "broken.py").write_text("def f(:\n    return 1\n", encoding="utf-8")
    return root


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def editor(project: Path) -> AsyncIterator[Editor]:
    """One server for the module's read-only tests (listing never changes files)."""
    async with running_server(project) as running:
        yield running


def titles(actions: list[types.CodeAction]) -> list[str]:
    return [a.title for a in actions]


async def test_actions_on_a_function_name_and_inside_its_body(editor: Editor) -> None:
    uri = editor.open("shop/cart.py")
    line, col = line_of(SHOP, "def total")
    on_name = await code_actions(editor, uri, line, col + 5)
    assert titles(on_name) == ["Generate how-to doc", "Generate how-to doc in sidecar .md"]
    assert all(a.kind == types.CodeActionKind.RefactorRewrite for a in on_name)
    command = on_name[0].command
    assert command is not None and command.command == "howto.generate"
    assert command.arguments[0]["qualname"] == "total"  # type: ignore[index]
    assert command.arguments[0]["target"] == "docstring"  # type: ignore[index]

    line, _ = line_of(SHOP, "subtotal = sum")
    inside = await code_actions(editor, uri, line, 4)
    assert inside[0].command.arguments[0]["qualname"] == "total"  # type: ignore[index,union-attr]


async def test_reference_offers_the_named_symbol_and_the_enclosing_one(editor: Editor) -> None:
    uri = editor.open("shop/cart.py")
    line, col = line_of(SHOP, "total(self.prices)")
    actions = await code_actions(editor, uri, line, col + 1)
    assert titles(actions) == [
        "Generate how-to doc for total",
        "Generate how-to doc in sidecar .md for total",
        "Generate how-to doc for Cart.checkout",
        "Generate how-to doc in sidecar .md for Cart.checkout",
    ]
    reference = actions[0].command.arguments[0]  # type: ignore[union-attr,index]
    assert "qualname" not in reference  # resolved with jedi when the command runs
    assert (reference["line"], reference["character"]) == (line, col + 1)


async def test_method_and_class(editor: Editor) -> None:
    uri = editor.open("shop/cart.py")
    line, col = line_of(SHOP, "def add")
    actions = await code_actions(editor, uri, line, col + 5)
    assert actions[0].command.arguments[0]["qualname"] == "Cart.add"  # type: ignore[union-attr,index]
    line, col = line_of(SHOP, "class Cart")
    actions = await code_actions(editor, uri, line, col + 7)
    assert actions[0].command.arguments[0]["qualname"] == "Cart"  # type: ignore[union-attr,index]


async def test_the_module_docstring_means_the_module(editor: Editor) -> None:
    uri = editor.open("shop/cart.py")
    actions = await code_actions(editor, uri, 0, 5)
    assert titles(actions)[:2] == ["Generate how-to doc", "Generate how-to doc in sidecar .md"]
    assert actions[0].command.arguments[0]["qualname"] == ""  # type: ignore[union-attr,index]


async def test_nothing_on_blank_lines_between_symbols(editor: Editor) -> None:
    uri = editor.open("shop/cart.py")
    line, _ = line_of(SHOP, "class Cart")
    assert SHOP.splitlines()[line - 1] == ""
    actions = await code_actions(editor, uri, line - 1, 0)
    assert actions == []


async def test_nothing_on_non_python_documents(editor: Editor) -> None:
    uri = editor.open("notes.txt", language="plaintext")
    assert await code_actions(editor, uri, 0, 5) == []


async def test_nothing_for_documents_that_are_not_files(editor: Editor) -> None:
    # Unsaved buffers (untitled:) get docstring guides: tests/test_server_uris.py.
    uri = "git:/proj/shop/cart.py?%7B%22ref%22%3A%22HEAD%22%7D"
    editor.client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="python", version=1, text="def f():\n    return 1\n"
            )
        )
    )
    assert await code_actions(editor, uri, 0, 4) == []


async def test_syntax_error_file_lists_nothing_and_server_keeps_running(editor: Editor) -> None:
    broken = editor.open("broken.py")
    assert await code_actions(editor, broken, 1, 5) == []
    uri = editor.open("shop/cart.py")
    line, col = line_of(SHOP, "def total")
    assert await code_actions(editor, uri, line, col + 5)


async def test_only_filter_and_commands_for_clients_without_literals(project: Path) -> None:
    caps = capabilities()
    assert caps.text_document is not None
    caps.text_document.code_action = types.CodeActionClientCapabilities()
    async with running_server(project, caps) as editor:
        uri = editor.open("shop/cart.py")
        line, col = line_of(SHOP, "def total")
        position = types.Position(line=line, character=col + 5)
        result = await editor.client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                range=types.Range(start=position, end=position),
                context=types.CodeActionContext(diagnostics=[]),
            )
        )
        assert result and all(isinstance(item, types.Command) for item in result)
        assert result[0].title == "Generate how-to doc"
        quickfix_only = await code_actions(editor, uri, line, col + 5, only=["quickfix"])
        assert quickfix_only == []


NFKC = """class Full:
    def run(self, n: int = 1) -> int:
        return n * 2


def main() -> int:
    f = Full()
    return f.ｒｕｎ(2)
"""


async def test_a_reference_spelled_otherwise_documents_the_name_python_reads(
    tmp_path: Path,
) -> None:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "full.py").write_text(NFKC, encoding="utf-8")
    async with running_server(root) as editor:
        uri = editor.open("full.py")
        line, col = line_of(NFKC, "ｒｕｎ(2)")
        actions = await code_actions(editor, uri, line, col + 1)
        assert titles(actions)[0] == "Generate how-to doc for run"
        result = await run_action(editor, actions[0])
        assert result["applied"] is True and result["qualname"] == "Full.run", result
        text = editor.text(uri)
        assert text.index("How to Use This Code Block") < text.index("def main")
