"""The right definition through the language server: overloads, redefinitions, properties."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from howto_ls.astutil import same_code
from tests.lsp_client import Editor, code_actions, line_of, run_action, running_server
from tests.placement import definition_at, guided
from tests.redefined_sample import CASES, MAIN, SOURCE

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("redefined") / "proj"
    (root / "shapes").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[project]\nname = 'shapes'\n", encoding="utf-8")
    (root / "shapes" / "__init__.py").write_text("", encoding="utf-8")
    (root / "shapes" / "geo.py").write_text(SOURCE, encoding="utf-8")
    (root / "main.py").write_text(MAIN, encoding="utf-8")
    return root


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def editor(project: Path) -> AsyncIterator[Editor]:
    async with running_server(project) as running:
        yield running


@pytest.mark.parametrize(("cursor", "target"), CASES, ids=[c for c, _ in CASES])
async def test_the_action_writes_into_the_meant_definition(
    editor: Editor, cursor: str, target: str
) -> None:
    uri = editor.open("shapes/geo.py")
    editor.type(uri, SOURCE)
    line, column = line_of(SOURCE, cursor)
    actions = await code_actions(editor, uri, line, column + 1)
    (generate,) = [a for a in actions if a.title == "Generate how-to doc"]
    result = await run_action(editor, generate)
    assert result["applied"] is True, result
    text = editor.text(uri)
    assert same_code(SOURCE, text)
    assert guided(text) == [definition_at(SOURCE, line_of(SOURCE, target)[0])]
    # The action is offered again as "Regenerate" at the same place, and changes nothing.
    again = await code_actions(editor, uri, line, column + 1)
    (regenerate,) = [a for a in again if a.title == "Regenerate how-to doc"]
    assert (await run_action(editor, regenerate)).get("unchanged") is True


async def test_a_reference_to_an_overloaded_function_in_another_file(
    editor: Editor, project: Path
) -> None:
    editor.open("shapes/geo.py")
    geo = editor.uri("shapes/geo.py")
    editor.type(geo, SOURCE)
    uri = editor.open("main.py")
    line, column = line_of(MAIN, "scale(2)")
    actions = await code_actions(editor, uri, line, column + 1)
    (generate,) = [a for a in actions if a.title == "Generate how-to doc for scale"]
    result = await run_action(editor, generate)
    assert result["applied"] is True and result["qualname"] == "scale"
    assert editor.text(uri) == MAIN
    assert guided(editor.text(geo)) == [
        definition_at(SOURCE, line_of(SOURCE, "def scale(value):")[0])
    ]
