"""``howto.clearCache`` over real LSP: the server forgets its cached model guides and says so."""

from __future__ import annotations

import asyncio
from pathlib import Path

from lsprotocol import types

from howto_ls.testing import FakeOpenAI
from howto_ls.testing.samples import GOOD_GUIDE, write_project
from tests.lsp_client import code_actions, line_of, run_action, running_server


async def test_clear_cache_forgets_the_guides_and_says_how_many(tmp_path: Path) -> None:
    root = tmp_path / "project"
    write_project(root)
    with FakeOpenAI(default=GOOD_GUIDE) as fake:
        options = {"howto": {"backend": "openai", "baseUrl": fake.url, "model": fake.model}}
        async with running_server(root, init_options=options) as editor:
            client = editor.client
            uri = editor.open("shop/cart.py")
            original = editor.text(uri)

            async def generate() -> None:
                editor.type(uri, original)  # the same code each time: the same prompt
                line, col = line_of(original, "def total")
                actions = await code_actions(editor, uri, line, col + 5)
                chosen = next(a for a in actions if a.title == "Generate how-to doc")
                result = await asyncio.wait_for(run_action(editor, chosen), 30)
                assert result["applied"] is True, result

            await generate()
            await generate()
            assert len(fake.chat_requests) == 1  # the second came from the cache
            result = await client.workspace_execute_command_async(
                types.ExecuteCommandParams(command="howto.clearCache", arguments=[])
            )
            assert result == {"removed": 1}
            shown = [m.message for m in client.messages if "cached guide" in m.message]
            assert len(shown) == 1 and shown[0].startswith("howto-ls: removed 1 cached guide from ")
            assert str(tmp_path / "project-state" / "cache") in shown[0]
            await generate()
            assert len(fake.chat_requests) == 2  # asked again after the clear
            again = await client.workspace_execute_command_async(
                types.ExecuteCommandParams(command="howto.clearCache", arguments=[])
            )
            assert again == {"removed": 1}
