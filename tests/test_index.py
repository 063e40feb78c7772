"""The project index: each module parsed once, kept in step with the files, read by the rules."""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from howto_ls import project
from howto_ls.edits import apply_edits, docstring_edit
from howto_ls.guide import Guide, render
from howto_ls.model import GuideRequest
from howto_ls.offline import call_literals, callers, index
from howto_ls.offline.offers import indexed_offer
from howto_ls.offline.writer import write_guide
from howto_ls.symbols import list_symbols

MODULES = 2_000


@pytest.fixture(autouse=True)
def fresh_indexes() -> Iterator[None]:
    index.reset()
    yield
    index.reset()


def module_text(number: int, project: str) -> str:
    """A small module of the generated project: a class whose method the next module calls
    with literal arguments, and a base class from the previous module."""
    item = f"{project.title()}Item"  # names differ by project: caches keyed by text stay apart
    base = f"from shop.m{number - 1} import {item}{number - 1}\n" if number else ""
    parent = f"{item}{number - 1}" if number else "object"
    return (
        f'"""Module {number} of {project}."""\n\n{base}\n\n'
        f"class {item}{number}({parent}):\n"
        f'    """An item."""\n\n'
        f"    def __init__(self, name: str) -> None:\n"
        f"        self.name{number} = name\n\n"
        f"    def price{number}(self, amount: int, currency: str) -> str:\n"
        f'        return f"{{amount}} {{currency}}"\n\n\n'
        f"def use{number}(item: {item}{number}) -> str:\n"
        f'    return item.price{number}(3, "EUR")\n'
    )


def make_project(root: Path, modules: int) -> Path:
    """A project of ``modules`` modules under ``root`` (a ``pyproject.toml`` marks it)."""
    (root / "pyproject.toml").write_text('[project]\nname = "shop"\n', encoding="utf-8")
    package = root / "shop"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    for number in range(modules):
        (package / f"m{number}.py").write_text(module_text(number, root.name), encoding="utf-8")
    return package


class ParseCounter:
    """Counts :func:`ast.parse` calls (every parse howto-ls makes goes through it)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        real = ast.parse

        def counting(*args: object, **kwargs: object) -> ast.Module:
            self.calls += 1
            return real(*args, **kwargs)  # type: ignore[call-overload,no-any-return]

        monkeypatch.setattr(ast, "parse", counting)


def write_module_guides(path: Path, root: Path) -> list[Guide]:
    source = path.read_text(encoding="utf-8")
    symbols = list_symbols(source, path, root)
    return [write_guide(GuideRequest(symbol=s, module_source=source)) for s in symbols]


def test_a_big_project_is_parsed_once_however_many_rules_ask(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = make_project(tmp_path, MODULES)
    counter = ParseCounter(monkeypatch)
    first = package / "m5.py"
    calls = callers.method_calls(first)
    assert calls["price7"] == 1 and calls["price1999"] == 1
    held = index.index_of(first)
    assert (held.reads, held.parses) == (MODULES + 1, 0)  # call counts need no parse
    parsed: list[int] = []
    for _ in range(2):  # many rules, many callees, asked again: nothing read or parsed twice
        for number in range(0, MODULES, 40):
            found = call_literals.literal_calls(first, f"price{number}")
            assert [(c.positional, c.path.name) for c in found] == [
                (("3", "'EUR'"), f"m{number}.py")
            ]
            item = f"{tmp_path.name.title()}Item{number}"
            offered = indexed_offer(held, f"shop.m{number}", item, tmp_path, "shop")
            assert isinstance(offered, frozenset) and f"price{number}" in offered
            assert number == 0 or f"name{number - 1}" in offered  # the base class's attributes
        parsed.append(held.parses)
    # each callee's own module, and the modules of its class's three bases: never the project
    assert parsed[0] <= 4 * (MODULES // 40) and parsed[1] == parsed[0]
    assert held.reads == MODULES + 1
    assert counter.calls == held.parses


def test_parses_grow_with_the_code_documented_not_with_the_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small, big = tmp_path / "small", tmp_path / "big"
    small.mkdir()
    big.mkdir()
    per_project: list[int] = []
    for root, modules in ((small, 100), (big, MODULES)):
        package = make_project(root, modules)
        write_module_guides(package / "m50.py", root)  # the index is built once here
        counter = ParseCounter(monkeypatch)
        guides = [g for n in (60, 61, 62) for g in write_module_guides(package / f"m{n}.py", root)]
        assert len(guides) == 12 and all(g.example for g in guides)
        per_project.append(counter.calls)
        monkeypatch.undo()
        held = index.index_of(package / "m60.py")
        assert held.reads == modules + 1 and held.parses < 20
    # 20x the modules, the same parses: the documented modules' own code, never the project's
    assert per_project[0] == per_project[1]


def test_a_changed_added_deleted_or_renamed_file_updates_the_index(tmp_path: Path) -> None:
    package = make_project(tmp_path, 3)
    target = package / "m0.py"
    held = index.index_of(target)
    assert callers.method_calls(target)["price1"] == 1
    # changed
    (package / "m2.py").write_text("def f(item):\n    return item.price1(5, 'USD')\n")
    held.file_changed((package / "m2.py").resolve())
    assert callers.method_calls(target)["price1"] == 2
    # added
    (package / "extra.py").write_text("def g(item):\n    item.price0(1, 'GBP')\n")
    held.file_changed((package / "extra.py").resolve())
    found = call_literals.literal_calls(target, "price0")  # its own file's calls first
    assert [(c.path.name, c.positional) for c in found] == [
        ("m0.py", ("3", "'EUR'")),
        ("extra.py", ("1", "'GBP'")),
    ]
    # renamed: the module's calls stay, under its new name
    (package / "extra.py").rename(package / "other.py")
    index.file_changed(package / "extra.py")
    index.file_changed(package / "other.py")
    found = call_literals.literal_calls(target, "price0")
    assert [c.path.name for c in found] == ["m0.py", "other.py"]
    # deleted
    (package / "other.py").unlink()
    index.file_changed(package / "other.py")
    assert [c.path.name for c in call_literals.literal_calls(target, "price0")] == ["m0.py"]


def test_a_change_on_disk_is_seen_once_the_listing_is_old(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = make_project(tmp_path, 2)
    target = package / "m0.py"
    assert callers.method_calls(target)["price1"] == 1
    monkeypatch.setattr(index, "LIST_SECONDS", 0.0)  # no file event: only the clock tells
    (package / "m1.py").write_text("def f(item):\n    item.price1(2, 'x')\n    item.price1()\n")
    stat = (package / "m1.py").stat()
    os.utime(package / "m1.py", ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert callers.method_calls(target)["price1"] == 2


def test_editor_text_replaces_the_file_until_closed(tmp_path: Path) -> None:
    package = make_project(tmp_path, 2)
    target = (package / "m1.py").resolve()
    held = index.index_of(target)
    held.set_text(target, "def f(item):\n    item.total(1, 2)\n")
    assert callers.method_calls(target)["total"] == 1
    held.forget_text(target)
    assert callers.method_calls(target)["total"] == 0


DECODER = """\
import zlib


class Decoder:
    def __init__(self) -> None:
        self.decompressor = zlib.decompressobj()

    def flush(self) -> bytes:
        return self.decompressor.flush()
"""


@pytest.mark.parametrize("qualname", ["Decoder.flush", "Decoder"])
def test_guides_never_count_as_the_projects_calls(tmp_path: Path, qualname: str) -> None:
    package = make_project(tmp_path, 2)
    target = package / "decoder.py"
    target.write_text(DECODER, encoding="utf-8")
    before = dict(callers.method_calls(target))
    symbol = next(s for s in list_symbols(DECODER, target, tmp_path) if s.qualname == qualname)
    guide = write_guide(GuideRequest(symbol=symbol, module_source=DECODER))
    edit = docstring_edit(DECODER, qualname, render(guide), "0123456789ab")
    assert edit is not None
    written = apply_edits(DECODER, [edit])
    assert written.count(".flush(") > DECODER.count(".flush(")  # the summary, steps, example
    target.write_text(written, encoding="utf-8")
    index.file_changed(target)
    assert dict(callers.method_calls(target)) == before
    assert call_literals.literal_calls(target, "Decoder") == ()


def test_a_file_that_does_not_parse_keeps_its_text_facts(tmp_path: Path) -> None:
    package = make_project(tmp_path, 1)
    broken = package / "broken.py"
    broken.write_text("def f(x:\n    x.spin(1)\n", encoding="utf-8")
    held = index.index_of(broken)
    record = held.record(broken.resolve())
    assert record is not None and record.attribute_calls["spin"] == 1
    assert held.parsed(broken.resolve()) == index.NOT_PARSED


def test_public_import_paths_read_the_modules_exports_from_the_index(tmp_path: Path) -> None:
    package = make_project(tmp_path, 3)
    item = f"{tmp_path.name.title()}Item2"
    held = index.index_of(package / "m2.py")
    held.files()
    assert project.public_import_path("shop.m2", item, tmp_path) == "shop.m2"
    init = (package / "__init__.py").resolve()
    held.set_text(init, f"from shop.m2 import {item}\n")  # re-exported in an unsaved buffer
    stat = init.stat()  # the file on disk is touched, not changed: only the index knows
    os.utime(init, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert project.public_import_path("shop.m2", item, tmp_path) == "shop"
    facts = index.facts_of(init)
    assert facts is not None and facts.exports is not None
    assert facts.exports.imported == {item: "shop.m2"}
