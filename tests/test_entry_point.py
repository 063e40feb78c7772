"""Class guides walk the method callers use, list the rest, and never quote their own host."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from howto_ls.config import Settings
from howto_ls.engine import Engine
from howto_ls.offline.analysis import class_properties, main_method
from howto_ls.offline.callers import method_calls
from tests.test_guide import module_with_guide

CATALOG = """\
class Catalog:
    def __init__(self) -> None:
        self._entries: dict[str, int] = {}

    @property
    def size(self) -> int:
        return len(self._entries)

    def add(self, name: str, value: int) -> None:
        self._entries[name] = value

    def lookup(self, name: str) -> int:
        return self._entries[name]

    def export(self, path: str) -> None:
        with open(path, "w") as handle:
            for name, value in sorted(self._entries.items()):
                if value > 0:
                    handle.write(f"{name}={value}\\n")
                else:
                    handle.write(f"# {name} skipped\\n")
"""

APP = """\
from shelf.catalog import Catalog

catalog = Catalog()
catalog.add("a", 1)
print(catalog.lookup("a"), catalog.lookup("b"))
if catalog.size:
    print(catalog.lookup("c"))
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'shelf'\n", encoding="utf-8")
    (tmp_path / "shelf").mkdir()
    (tmp_path / "shelf" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "shelf" / "catalog.py").write_text(CATALOG, encoding="utf-8")
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    return tmp_path


def catalog_class(source: str = CATALOG) -> ast.ClassDef:
    node = ast.parse(source).body[0]
    assert isinstance(node, ast.ClassDef)
    return node


def test_properties_are_never_the_entry_point_and_callers_decide() -> None:
    node = catalog_class()
    assert class_properties(node) == ["size"]
    found = main_method(node)
    assert found is not None and found.name == "export"  # no calls known: the biggest method
    found = main_method(node, {"lookup": 3, "add": 1, "size": 9})
    assert found is not None and found.name == "lookup"
    named = CATALOG.replace("class Catalog:\n", 'class Catalog:\n    """Use `add`."""\n\n')
    found = main_method(catalog_class(named), {"lookup": 3, "add": 1})
    assert found is not None and found.name == "add"  # the docstring names it
    only_property = "class Box:\n    @property\n    def size(self) -> int:\n        return 1\n"
    assert main_method(catalog_class(only_property)) is None


def test_calls_are_counted_over_the_project_and_follow_edits(project: Path) -> None:
    calls = method_calls(project / "shelf" / "catalog.py")
    assert (calls["lookup"], calls["add"]) == (3, 1)
    (project / "more.py").write_text("from app import catalog\ncatalog.add('z', 2)\n", "utf-8")
    assert method_calls(project / "app.py")["add"] >= 1


def test_a_guides_example_is_not_a_call_of_the_project(project: Path) -> None:
    guided = module_with_guide("catalog.add('c', 3)\n", "catalog.add('a', 1)\ncatalog.add('b', 2)")
    (project / "guided.py").write_text(guided, encoding="utf-8")
    calls = method_calls(project / "app.py")
    assert (calls["lookup"], calls["add"]) == (3, 2)  # app.py's one ``add`` and guided.py's


async def test_class_guide_walks_the_most_called_method_and_lists_the_rest(
    project: Path,
) -> None:
    engine = Engine(Settings(backend="offline"), project)
    path = project / "shelf" / "catalog.py"
    symbol = engine.symbol_named(path, CATALOG, "Catalog")
    guide = await engine.write_guide(symbol, CATALOG)

    assert "main entry point is the method `lookup`" in guide.description
    assert "`size`" in guide.description and "property" in guide.description
    assert "`add()`" in guide.description and "`export()`" in guide.description
    assert "len(self._entries)" not in " ".join(guide.steps)
    assert ".lookup(" in guide.example


async def test_a_guide_never_quotes_the_docstring_it_is_written_into(project: Path) -> None:
    path = project / "shelf" / "catalog.py"
    documented = '    """Find one."""\n        return self._entries[name]'
    source = CATALOG.replace(
        "class Catalog:\n",
        'class Catalog:\n    """Holds priced entries; `export` saves them."""\n\n',
    ).replace("        return self._entries[name]", "    " + documented)
    source = f'"""Holds the shelf\'s catalog."""\n\n{source}'
    path.write_text(source, encoding="utf-8")
    engine = Engine(Settings(backend="offline"), project)
    own = {"": "Holds the shelf", "Catalog": "Holds priced entries", "Catalog.lookup": "Find one"}
    for qualname, words in own.items():
        symbol = engine.symbol_named(path, source, qualname)
        guide = await engine.write_guide(symbol, source)
        text = " ".join([guide.description, *guide.steps])
        assert words not in text, qualname  # the guide sits right under these words
        assert "docstring says" not in text
    catalog = engine.symbol_named(path, source, "Catalog")
    guide = await engine.write_guide(catalog, source)
    assert "main entry point is the method `export`" in guide.description  # it names export
