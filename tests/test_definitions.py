"""Units and keys: overloads, property accessors and names defined more than once."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from howto_ls import definitions, symbols
from howto_ls.config import Settings
from howto_ls.definitions import plain_qualname, unit_index
from howto_ls.engine import Engine
from howto_ls.fingerprint import fingerprint_of
from howto_ls.model import Position
from tests.placement import definition_at, guided
from tests.redefined_sample import CASES, SOURCE


def test_keys_name_the_runtime_definition_plainly_and_number_the_others() -> None:
    index = unit_index(ast.parse(SOURCE))
    assert {"getchar#1", "getchar", "greet#1", "greet", "split_words"} <= set(index)
    assert index["getchar"].node.lineno > index["getchar#1"].node.lineno
    assert index["getchar"].count == 2 and index["split_words"].count == 1
    scale = index["scale"]
    assert len(scale.members) == 3 and scale.node is scale.members[-1]
    size = index["Box.size"]
    assert len(size.members) == 3 and size.node is size.members[0]
    assert "Box.size#1" not in index and "scale#1" not in index
    read = index["Reader.read"]
    assert read.node is read.members[-1] and len(read.members) == 2


def test_nested_keys_carry_their_parents_key() -> None:
    source = (
        "import sys\n"
        "if sys.version_info >= (3, 12):\n"
        "    class Shim:\n"
        "        def run(self): return 1\n"
        "else:\n"
        "    class Shim:\n"
        "        def run(self): return 2\n"
    )
    keys = [unit.key for unit in definitions.units(ast.parse(source))]
    assert keys == ["Shim#1", "Shim#1.run", "Shim", "Shim.run"]
    assert plain_qualname("Shim#1.run") == "Shim.run"


def test_nested_functions_are_not_importable() -> None:
    source = "def outer():\n    def inner():\n        class Local: pass\n    return inner\n"
    found = {unit.key: unit.importable for unit in definitions.units(ast.parse(source))}
    assert found == {"outer": True, "outer.inner": False, "outer.inner.Local": False}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'shapes'\n")
    (tmp_path / "shapes").mkdir()
    (tmp_path / "shapes" / "__init__.py").write_text("")
    (tmp_path / "shapes" / "geo.py").write_text(SOURCE)
    return tmp_path


@pytest.mark.parametrize(("cursor", "target"), CASES, ids=[c for c, _ in CASES])
async def test_the_guide_goes_into_the_meant_definition(
    project: Path, cursor: str, target: str
) -> None:
    path = project / "shapes" / "geo.py"
    engine = Engine(Settings(backend="offline"), project)
    lines = SOURCE.split("\n")
    line = next(n for n, text in enumerate(lines) if cursor in text)
    column = lines[line].index(cursor)
    symbol = engine.quick_symbol(path, SOURCE, Position(line, column))
    assert symbol is not None
    guide = await engine.write_guide(symbol, SOURCE)
    change = engine.plan_write(symbol, SOURCE, guide, "docstring")
    expected_line = next(n for n, text in enumerate(lines) if target in text)
    assert guided(change.new_text) == [definition_at(SOURCE, expected_line)]
    # by name: the key reaches the same definition, and a second run changes nothing
    again = engine.symbol_named(path, change.new_text, symbol.identity)
    assert engine.plan_write(again, change.new_text, guide, "docstring").changed is False


def test_a_plain_name_is_the_definition_python_binds_last(project: Path) -> None:
    path = project / "shapes" / "geo.py"
    last = symbols.symbol_named(SOURCE, path, "greet", project)
    first = symbols.symbol_named(SOURCE, path, "greet#1", project)
    assert "new greeting" in last.source and "old greeting" in first.source
    assert first.qualname == last.qualname == "greet" and first.identity == "greet#1"
    assert symbols.redefinitions(SOURCE, path, "greet", project) == [
        ("greet#1", first.full_range.start.line + 1)
    ]


def test_the_property_guide_covers_setter_and_deleter(project: Path) -> None:
    before = fingerprint_of(SOURCE, "Box.size")
    changed = SOURCE.replace("if value < 0:", "if value < 1:")
    assert fingerprint_of(changed, "Box.size") != before
    deleter = SOURCE.replace("del self._size", "self._size = 0")
    assert fingerprint_of(deleter, "Box.size") != before
    symbol = symbols.symbol_named(SOURCE, project / "shapes" / "geo.py", "Box.size", project)
    assert any("raise ValueError" in text for text in symbol.related)
    assert any("del self._size" in text for text in symbol.related)


async def test_sidecar_blocks_of_redefined_names_stay_apart(project: Path) -> None:
    path = project / "shapes" / "geo.py"
    engine = Engine(Settings(backend="offline"), project)
    items = []
    for key in ("getchar#1", "getchar"):
        symbol = engine.symbol_named(path, SOURCE, key)
        items.append((symbol, await engine.write_guide(symbol, SOURCE)))
    change, failures = engine.plan_writes(path, SOURCE, items, "sidecar")
    assert not failures and change.written == ("getchar#1", "getchar")
    change.path.parent.mkdir(parents=True)
    change.path.write_text(change.new_text)
    found = {g.qualname: g for g in engine.guides_in(path, SOURCE)}
    assert set(found) == {"getchar#1", "getchar"} and not any(g.stale for g in found.values())
    assert found["getchar#1"].span.start.line < found["getchar"].span.start.line
    assert "windows key" in found["getchar#1"].markdown


def test_a_definition_is_found_again_by_position_after_edits_above(project: Path) -> None:
    path = project / "shapes" / "geo.py"
    engine = Engine(Settings(backend="offline"), project)
    symbol = engine.symbol_named(path, SOURCE, "greet#1")
    # A new greet written at the top: the old first greet is now the second of three.
    edited = SOURCE.replace(
        '"""Shapes."""\n', '"""Shapes."""\n\ndef greet() -> str:\n    return ""\n'
    )
    moved = engine.relocate(symbol, SOURCE, edited)
    assert "old greeting" in moved.source and moved.identity == "greet#2"


def test_doc_by_name_says_which_of_several_definitions_it_documents(project: Path) -> None:
    import os
    import subprocess
    import sys

    env = {"PATH": "/usr/bin:/bin", "HOME": str(project), "HOWTO_BACKEND": "offline"}
    env["PYTHONPATH"] = os.environ.get("PYTHONPATH", "")
    result = subprocess.run(
        [sys.executable, "-m", "howto_ls", "doc", "shapes/geo.py::greet"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "'new greeting'" in result.stdout and "'old greeting'" not in result.stdout
    assert "greet is defined 2 times" in result.stderr
    assert "the one Python binds at run time" in result.stderr
    assert "shapes/geo.py::greet#1 (line" in result.stderr


def test_describe_key_says_which_definition_and_under_which_branch() -> None:
    source = (
        "import sys\n"
        "if sys.platform == 'win32':\n"
        "    def getchar(): return 1\n"
        "elif sys.platform == 'darwin':\n"
        "    def getchar(): return 2\n"
        "else:\n"
        "    def getchar(): return 3\n"
        "try:\n"
        "    from fast import parse\n"
        "except ImportError:\n"
        "    def parse(): return 1\n"
        "class Shim:\n"
        "    def run(self): return 1\n"
        "class Shim:\n"
        "    def run(self): return 2\n"
        "def once(): return 1\n"
    )
    tree = ast.parse(source)
    assert definitions.describe_key(tree, "getchar#1") == (
        "definition 1 of 3, under `if sys.platform == 'win32':`"
    )
    assert definitions.describe_key(tree, "getchar#2") == (
        "definition 2 of 3, under `elif sys.platform == 'darwin':`"
    )
    assert definitions.describe_key(tree, "getchar") == "definition 3 of 3, under `else:`"
    assert definitions.describe_key(tree, "Shim#1") == "definition 1 of 2"
    assert definitions.describe_key(tree, "Shim.run") == "in the definition 2 of 2 of `Shim`"
    assert definitions.describe_key(tree, "parse") == ""  # the import is no definition
    assert definitions.describe_key(tree, "once") == definitions.describe_key(tree, "") == ""
