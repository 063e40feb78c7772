"""The position fuzz: its rules agree with the placement cases, and a slice of it runs clean."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from howto_ls.testing.position_fuzz import (
    PACKAGES,
    apply_lsp_edits,
    code_of,
    definitions,
    download,
    fuzz_package,
    innermost,
    meant,
)
from tests.placement import definition_at
from tests.redefined_sample import CASES, SOURCE

SLICE_SECONDS = 50.0


@pytest.mark.parametrize(("cursor", "target"), CASES, ids=[c for c, _ in CASES])
def test_the_fuzz_rules_pick_the_definition_the_cases_name(cursor: str, target: str) -> None:
    tree = ast.parse(SOURCE)
    lines = SOURCE.split("\n")
    line = next(n for n, text in enumerate(lines) if cursor in text)
    node = innermost(tree, SOURCE, (line, lines[line].index(cursor) + 1))
    assert node is not None
    target_line = next(n for n, text in enumerate(lines) if target in text)
    assert definitions(tree).index(meant(tree, node)) == definition_at(SOURCE, target_line)


def test_the_code_comparison_sees_type_comments_and_ignores_docstrings() -> None:
    source = "def f(a):\n    # type: (int) -> int\n    return a\n"
    after = 'def f(a):\n    # type: (int) -> int\n    """Doc."""\n    return a\n'
    between = 'def f(a):\n    """Doc."""\n    # type: (int) -> int\n    return a\n'
    assert code_of(after) == code_of(source)
    assert code_of(between) != code_of(source)
    assert code_of('"""Module."""\nX = 1\n"""About X."""\n') == code_of("X = 1\n")
    assert code_of("def f(:\n") is None


def test_lsp_edits_count_utf16_columns() -> None:
    text = "a = '😀x'\n"
    edit = {"range": {"start": {"line": 0, "character": 7}, "end": {"line": 0, "character": 8}}}
    assert apply_lsp_edits(text, [{**edit, "newText": "y"}]) == "a = '😀y'\n"


@pytest.mark.network_download
async def test_a_slice_of_the_fuzz_over_typing_extensions_runs_clean(
    pytestconfig: pytest.Config, tmp_path: Path
) -> None:
    import asyncio

    cache = pytestconfig.cache
    folder = cache.mkdir("position-fuzz") if cache else tmp_path / "cache"
    source = download("typing_extensions", PACKAGES["typing_extensions"], folder)
    deadline = asyncio.get_running_loop().time() + SLICE_SECONDS
    report = await fuzz_package(
        "typing_extensions", source, tmp_path / "work", seed=1, deadline=deadline
    )
    assert report.runs >= 5 and report.placement_checked >= 5, report
    assert report.docstring_runs, report
    assert not report.failures, (report.failures, report.examples)
