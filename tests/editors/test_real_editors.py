"""Real editors as clients, headless: Neovim and Emacs + eglot run "Generate how-to doc".

Each runs twice: in a plain folder and in one whose name has a space and non-ASCII letters, which
both editors percent-encode in every URI they send. Neovim also shows and runs code lenses.
"""

from __future__ import annotations

import ast
import asyncio
import json
from pathlib import Path

import pytest

from howto_ls.astutil import same_code
from howto_ls.config import Settings
from howto_ls.engine import Engine
from howto_ls.guide import HEADING
from howto_ls.lsp.lenses import GENERATE, REGENERATE
from tests.editors.harness import (
    ENCODED_FOLDER,
    HERE,
    Project,
    check_hover,
    check_written,
    need,
    need_eglot,
    own_server_env,
    server_command,
)

pytestmark = pytest.mark.editor

FOLDERS = pytest.mark.parametrize("name", ["proj", ENCODED_FOLDER], ids=["plain", "encoded"])


@FOLDERS
def test_neovim_generates_a_guide(tmp_path: Path, name: str) -> None:
    nvim = need("nvim")
    project = Project.make(tmp_path, name=name)
    shown = tmp_path / "hover.txt"
    argv = [nvim, "--headless", "-u", "NONE", "-i", "NONE", "-n"]
    argv += ["-c", f"luafile {HERE / 'drive.lua'}"]
    env = own_server_env(project)
    env["HOWTO_HOVER_OUT"] = str(shown)
    project.run(argv, env)
    check_written(project.file)
    check_hover(shown)


@FOLDERS
def test_emacs_eglot_generates_a_guide(tmp_path: Path, name: str) -> None:
    emacs = need("emacs")
    need_eglot()
    project = Project.make(tmp_path, name=name)
    shown = tmp_path / "hover.txt"
    argv = [emacs, "--batch", "-Q", "-l", str(HERE / "drive.el")]
    env = own_server_env(project)
    env["HOWTO_HOVER_OUT"] = str(shown)
    project.run(argv, env)
    check_written(project.file)
    check_hover(shown)


LENS_SOURCE = '''"""Prices."""


def total(prices: list[float]) -> float:
    """Sum the prices."""
    return sum(prices)


def discount(price: float, rate: float) -> float:
    """Take a share off a price."""
    return price * (1 - rate)


def shipping(weight: float) -> float:
    """What sending a parcel costs."""
    return 4.5 + weight
'''


def lens_project(tmp_path: Path) -> tuple[Project, dict[str, int]]:
    """``prices.py`` with ``total`` unguided, ``discount`` guided and ``shipping`` guided, then
    changed (stale); and each function's 0-based line (the module's is 0)."""
    project = Project.make(tmp_path)
    engine = Engine(Settings(backend="offline"), project.root)
    text = LENS_SOURCE
    for name in ("discount", "shipping"):
        symbol = engine.symbol_named(project.file, text, name)
        guide = asyncio.run(engine.write_guide(symbol, text))
        text = engine.plan_write(symbol, text, guide, "docstring").new_text
    text = text.replace("4.5 + weight", "5.0 + weight")
    project.file.write_text(text, encoding="utf-8")
    lines = {
        node.name: node.lineno - 1
        for node in ast.parse(text).body
        if isinstance(node, ast.FunctionDef)
    }
    return project, {"": 0, **lines}


def test_neovim_shows_and_runs_code_lenses(tmp_path: Path) -> None:
    nvim = need("nvim")
    project, lines = lens_project(tmp_path)
    before = project.file.read_text(encoding="utf-8")
    out = tmp_path / "lenses.json"
    argv = [nvim, "--headless", "-u", "NONE", "-i", "NONE", "-n"]
    argv += ["-c", f"luafile {HERE / 'drive_lenses.lua'}"]
    env = project.env(
        HOWTO_BACKEND="offline",
        HOWTO_CMD=json.dumps(server_command()),
        HOWTO_LINE=str(lines["total"]),
        HOWTO_LENSES_OUT=str(out),
    )
    project.run(argv, env)
    seen = json.loads(out.read_text(encoding="utf-8"))
    expected = {
        str(lines[""]): GENERATE,  # the module has no guide either
        str(lines["total"]): GENERATE,
        str(lines["shipping"]): REGENERATE,
    }  # discount's guide is fresh: no lens
    assert seen["requested"] == expected
    assert seen["shown"] == expected
    assert seen["run"] == GENERATE

    after = project.file.read_text(encoding="utf-8")
    assert same_code(before, after)  # only docstrings changed
    old, new = function_docstrings(before), function_docstrings(after)
    assert HEADING not in old["total"]
    assert HEADING in new["total"] and "Sum the prices." in new["total"]
    assert new["shipping"] == old["shipping"]  # the stale guide waits for its own lens
    assert new["discount"] == old["discount"]


def function_docstrings(text: str) -> dict[str, str]:
    """Each top-level function's docstring in ``text``."""
    return {
        node.name: ast.get_docstring(node) or ""
        for node in ast.parse(text).body
        if isinstance(node, ast.FunctionDef)
    }
