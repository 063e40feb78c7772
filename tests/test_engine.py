"""The engine on real files: offline and model guides, planned writes, stale guides."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from howto_ls import astutil, edits
from howto_ls.backends.offline import OfflineBackend
from howto_ls.cache import GuideCache
from howto_ls.config import Settings
from howto_ls.engine import Engine, GuideState
from howto_ls.errors import NotWritableError, SymbolNotFoundError
from howto_ls.guide import Guide, parse_guide, render, render_markdown
from howto_ls.model import Position, Symbol
from howto_ls.symbols import list_symbols
from howto_ls.testing.fake_openai import FakeOpenAI
from tests.verify_project import FIRST_CALL, SECOND_CALL, write_calc

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A copy of the example project."""
    target = tmp_path / "project"
    shutil.copytree(EXAMPLES, target)
    return target


def engine_for(root: Path, **settings: object) -> Engine:
    return Engine(Settings(backend="offline").with_overrides(**settings), root)


async def test_offline_guide_written_into_docstring_is_then_found_fresh(root: Path) -> None:
    engine = engine_for(root)
    path = root / "inventory/stock.py"
    source = path.read_text()
    symbol = engine.symbol_named(path, source, "restock")
    guide = await engine.write_guide(symbol, source)
    change = engine.plan_write(symbol, source, guide)
    assert change.changed and change.path == path and len(change.edits) == 1
    assert astutil.same_code(source, change.new_text)

    guides = engine.guides_in(path, change.new_text)
    assert [(g.qualname, g.where, g.stale) for g in guides] == [("restock", "docstring", False)]
    # No line length configured: 88, less the function body's 4 spaces.
    assert guides[0].markdown.strip() == render(guide, width=84).strip()
    # Only the seed's 89-character rule is longer: one word, which E501 allows.
    long = {line.strip() for line in change.new_text.splitlines() if len(line) > 88}
    assert long == {"=" * 89}
    line = change.new_text.splitlines()[guides[0].span.start.line]
    assert line[guides[0].span.start.column :].startswith("restock(")


async def test_guide_turns_stale_when_the_code_changes(root: Path) -> None:
    engine = engine_for(root)
    path = root / "inventory/stock.py"
    source = path.read_text()
    symbol = engine.symbol_named(path, source, "restock")
    written = engine.plan_write(symbol, source, await engine.write_guide(symbol, source)).new_text
    edited = written.replace("batch_size - item.quantity", "batch_size * 2 - item.quantity")
    (guide,) = engine.guides_in(path, edited)
    assert guide.stale
    reformatted = written.replace(
        "orders[item.sku] = batch_size", "orders[item.sku]  =  batch_size"
    )
    assert not engine.guides_in(path, reformatted)[0].stale


async def test_sidecar_write_and_lookup(root: Path) -> None:
    engine = engine_for(root, target="sidecar")
    path = root / "inventory/client.py"
    source = path.read_text()
    symbol = engine.symbol_named(path, source, "InventoryClient.update_quantity")
    change = engine.plan_write(symbol, source, await engine.write_guide(symbol, source))
    assert change.path == root / "docs/howto/inventory/client.md"
    assert change.old_text is None
    change.path.parent.mkdir(parents=True)
    change.path.write_text(change.new_text)
    found = engine.guides_in(path, source)
    assert [(g.qualname, g.where, g.stale) for g in found] == [
        ("InventoryClient.update_quantity", "sidecar", False)
    ]


async def test_symbol_at_a_reference_resolves_into_another_project_file(root: Path) -> None:
    engine = engine_for(root)
    path = root / "inventory/client.py"
    source = path.read_text()
    lines = source.splitlines()
    line = next(i for i, text in enumerate(lines) if "return StockItem(" in text)
    symbol = await engine.symbol_at(
        path, source, Position(line, lines[line].index("StockItem") + 2)
    )
    assert symbol.qualname == "StockItem"
    assert symbol.path == root / "inventory/stock.py"
    assert symbol.import_path == "inventory"


async def test_library_symbols_are_never_written(root: Path) -> None:
    engine = engine_for(root)
    path = root / "uses_httpx.py"
    source = "import httpx\n\nclient = httpx.Client()\n"
    path.write_text(source)
    symbol = await engine.symbol_at(path, source, Position(2, 17))
    assert not symbol.in_project
    guide = await engine.write_guide(symbol, Path(symbol.path).read_text())
    with pytest.raises(NotWritableError, match="outside the project"):
        engine.plan_write(symbol, Path(symbol.path).read_text(), guide)


async def test_model_guides_are_checked_and_cached(root: Path, tmp_path: Path) -> None:
    path = root / "inventory/stock.py"
    source = path.read_text()
    offline = Engine(Settings(backend="offline"), root)
    symbol = offline.symbol_named(path, source, "parse_csv")
    answer = render(await offline.write_guide(symbol, source))
    cache = GuideCache(tmp_path / "cache.sqlite3")
    with FakeOpenAI(replies=[f"Sure! Here is the guide.\n\n{answer}\nHope it helps."]) as fake:
        settings = Settings(backend="openai", base_url=fake.url, model="fake-model")
        engine = Engine(settings, root, cache=cache)
        messages: list[str] = []
        first = await engine.write_guide(symbol, source, messages.append)
        again = await Engine(settings, root, cache=cache).write_guide(symbol, source)
        await engine.aclose()
        assert len(fake.chat_requests) == 1
    assert first == parse_guide(answer).guide
    assert again == first
    assert any(m.startswith("Asking fake-model at 127.0.0.1:") for m in messages)


def test_auto_backend_without_url_or_key_is_offline(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HOWTO_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    assert isinstance(Engine(Settings(), root).backend, OfflineBackend)


async def _guides_for(engine: Engine, path: Path, source: str) -> list[tuple[Symbol, Guide]]:
    found = list_symbols(source, path, engine.root)
    return [(symbol, await engine.write_guide(symbol, source)) for symbol in found]


@pytest.mark.parametrize("target", ["docstring", "sidecar"])
async def test_plan_writes_puts_every_guide_of_a_file_in_one_change(
    root: Path, target: str
) -> None:
    engine = engine_for(root)
    path = root / "inventory/client.py"
    source = path.read_text()
    items = await _guides_for(engine, path, source)
    assert len(items) >= 3

    change, failures = engine.plan_writes(path, source, items, target)

    assert not failures
    assert set(change.written) == {symbol.qualname for symbol, _ in items}
    if target == "docstring":
        assert change.path == path and astutil.same_code(source, change.new_text)
        path.write_text(change.new_text)
    else:
        assert change.path == root / "docs/howto/inventory/client.md" and change.old_text is None
        change.path.parent.mkdir(parents=True)
        change.path.write_text(change.new_text)
    found = {g.qualname: g for g in engine.guides_in(path, path.read_text())}
    assert set(found) == set(change.written)
    indents = edits.docstring_indents(source, [symbol.qualname for symbol, _ in items])
    for symbol, guide in items:
        assert found[symbol.qualname].where == target and not found[symbol.qualname].stale
        if target == "docstring":
            expected = render(guide, width=88 - len(indents[symbol.qualname]))
        else:
            expected = render_markdown(guide)  # a section of the sidecar document
        assert found[symbol.qualname].markdown.strip() == expected.strip()

    again, failures = engine.plan_writes(path, path.read_text(), items, target)
    assert not failures and not again.changed and again.written == ()


async def test_plan_writes_reports_bad_symbols_alone(root: Path) -> None:
    engine = engine_for(root)
    path = root / "inventory/stock.py"
    source = path.read_text()
    good = await _guides_for(engine, path, source)
    outside = replace(good[0][0], qualname="elsewhere", in_project=False)
    gone = replace(good[0][0], qualname="no_such_function")
    items = [*good, (outside, good[0][1]), (gone, good[0][1])]

    change, failures = engine.plan_writes(path, source, items)

    assert set(failures) == {"elsewhere", "no_such_function"}
    assert isinstance(failures["elsewhere"], NotWritableError)
    assert isinstance(failures["no_such_function"], SymbolNotFoundError)
    assert set(change.written) == {symbol.qualname for symbol, _ in good}
    assert astutil.same_code(source, change.new_text)
    with pytest.raises(SymbolNotFoundError):
        engine.plan_write(gone, source, good[0][1])


def test_warm_up_prepares_the_model_backend_without_a_request(root: Path) -> None:
    from howto_ls.backends import transport

    transport.ssl_context.cache_clear()
    with FakeOpenAI(replies=[]) as fake:
        engine = Engine(Settings(backend="openai", base_url=fake.url, model="m"), root)
        engine.warm_up()
        assert fake.requests == []
    assert transport.ssl_context.cache_info().currsize == 1
    Engine(Settings(backend="offline"), root).warm_up()  # nothing to prepare offline


SHOP = '''\
"""Shop helpers."""

import sys

RATE = 3


def fresh(x: int) -> int:
    return x + 1


def stale(x: int) -> int:
    return x * 2


def side(x: int) -> int:
    return x - 1


def missing(x: int) -> int:
    return x // 2


def _private(x: int) -> int:
    return x


def outer() -> int:
    def inner() -> int:
        return 1

    return inner()


if sys.platform == "win32":

    def twice() -> int:
        return 1

else:

    def twice() -> int:
        return 2
'''


async def _shop_with_guides(root: Path) -> tuple[Engine, Path, str]:
    """``shop/helpers.py`` with docstring guides on ``fresh`` and ``stale``, a sidecar guide on
    ``side``, then ``stale``'s code changed; returns the engine, the path and the text."""
    engine = engine_for(root)
    path = root / "shop" / "helpers.py"
    path.parent.mkdir()
    path.write_text(SHOP)
    items = []
    for key in ("fresh", "stale"):
        symbol = engine.symbol_named(path, SHOP, key)
        items.append((symbol, await engine.write_guide(symbol, SHOP)))
    written = engine.plan_writes(path, SHOP, items)[0].new_text
    symbol = engine.symbol_named(path, written, "side")
    guide = await engine.write_guide(symbol, written)
    change = engine.plan_write(symbol, written, guide, "sidecar")
    change.path.parent.mkdir(parents=True)
    change.path.write_text(change.new_text)
    edited = written.replace("return x * 2", "return x * 3")
    path.write_text(edited)
    return engine, path, edited


async def test_inventory_lists_public_symbols_with_their_guide_state(root: Path) -> None:
    engine, path, source = await _shop_with_guides(root)
    inventory = engine.inventory(path, source)
    assert inventory.reason is None and inventory.path == path
    listed = [(e.key, e.kind.value, e.state, e.where) for e in inventory.entries]
    assert listed == [
        ("", "module", GuideState.MISSING, None),
        ("RATE", "variable", GuideState.MISSING, None),
        ("fresh", "function", GuideState.FRESH, "docstring"),
        ("stale", "function", GuideState.STALE, "docstring"),
        ("side", "function", GuideState.FRESH, "sidecar"),
        ("missing", "function", GuideState.MISSING, None),
        ("outer", "function", GuideState.MISSING, None),  # its nested ``inner`` is left out
        ("twice#1", "function", GuideState.MISSING, None),
        ("twice", "function", GuideState.MISSING, None),
    ]
    lines = source.splitlines()
    for entry in inventory.entries[1:]:
        name_line = lines[entry.span.start.line]
        start, end = entry.span.start.column, entry.span.end.column
        assert name_line[start:end] == entry.qualname
        assert entry.range.start <= entry.span.start < entry.range.end
    module, *_ = inventory.entries
    assert module.display_name == "shop.helpers" and module.span.start.line == 0
    first, last = inventory.with_state(GuideState.MISSING)[-2:]
    assert first.qualname == last.qualname == "twice"
    assert first.display_name == "twice (definition 1 of 2, under `if sys.platform == 'win32':`)"
    assert last.display_name == "twice (definition 2 of 2, under `else:`)"
    assert first.span.start.line < last.span.start.line
    stale = inventory.entry("stale")
    assert stale is not None and stale.guide is not None and stale.guide.stale
    side = inventory.entry("side")
    assert side is not None and side.guide is not None
    assert "from shop.helpers import side" in side.guide.markdown
    assert all(e.public for e in inventory.entries)


async def test_inventory_agrees_with_list_symbols_and_guides_in(root: Path) -> None:
    engine, path, source = await _shop_with_guides(root)
    for private in (False, True):
        inventory = engine.inventory(path, source, include_private=private)
        public = {s.identity for s in list_symbols(source, path, root, include_private=private)}
        guides = {(g.qualname, g.where, g.stale) for g in engine.guides_in(path, source)}
        assert {e.key for e in inventory.entries} == public
        assert {
            (e.key, e.where, e.state is GuideState.STALE)
            for e in inventory.entries
            if e.state is not GuideState.MISSING
        } == guides


async def test_inventory_leaves_private_symbols_out_unless_asked(root: Path) -> None:
    engine, path, source = await _shop_with_guides(root)
    assert engine.inventory(path, source).entry("_private") is None
    private = engine.inventory(path, source, include_private=True).entry("_private")
    assert private is not None
    assert (private.state, private.public, private.kind.value) == (
        GuideState.MISSING,
        False,
        "function",
    )


async def test_inventory_keeps_the_guide_of_a_nested_function(root: Path) -> None:
    engine, path, source = await _shop_with_guides(root)
    assert not [e for e in engine.inventory(path, source, True).entries if "inner" in e.key]
    symbol = engine.symbol_named(path, source, "outer.inner")
    guide = await engine.write_guide(symbol, source)
    documented = engine.plan_write(symbol, source, guide).new_text
    inner = engine.inventory(path, documented).entry("outer.inner")
    assert inner is not None
    assert (inner.state, inner.where, inner.public) == (GuideState.FRESH, "docstring", False)


def test_inventory_of_an_excluded_file_is_empty_with_the_reason(root: Path) -> None:
    engine = engine_for(root)
    path = root / "shop_secret.py"
    path.write_text(SHOP)
    inventory = engine.inventory(path, SHOP, include_private=True)
    assert inventory.entries == ()
    assert inventory.reason == "excluded by pattern '*secret*' (default)"


async def test_inventory_of_an_excluded_file_keeps_its_written_guides(root: Path) -> None:
    engine, _, source = await _shop_with_guides(root)
    path = root / "shop_secret.py"
    path.write_text(source)
    inventory = engine.inventory(path, source)
    assert [(e.key, e.state) for e in inventory.entries] == [
        ("fresh", GuideState.FRESH),
        ("stale", GuideState.STALE),
    ]
    assert inventory.reason == "excluded by pattern '*secret*' (default)"


def test_inventory_of_a_file_over_max_file_size_is_empty_with_the_reason(root: Path) -> None:
    engine = engine_for(root, max_file_size=100)
    path = root / "big.py"
    path.write_text(SHOP)
    inventory = engine.inventory(path, SHOP)
    assert inventory.entries == ()
    assert inventory.reason is not None
    assert inventory.reason.startswith(f"big.py is {len(SHOP.encode()):,} bytes, over the 100")
    assert "maxFileSize" in inventory.reason
    small = engine_for(root).inventory(path, SHOP)
    assert small.reason is None and small.entries


def test_inventory_of_a_file_that_does_not_parse_is_empty_with_the_reason(root: Path) -> None:
    engine = engine_for(root)
    path = root / "broken.py"
    inventory = engine.inventory(path, "def f(:\n    return 1\n")
    assert inventory.entries == ()
    assert inventory.reason is not None and inventory.reason.startswith("broken.py")


async def test_a_model_is_asked_with_what_a_use_of_the_symbol_needs(tmp_path: Path) -> None:
    """The engine's enrichment (``Engine._with_context``) reaches the wire: a method's prompt
    names its owner's constructor and the package's companion API from the project index."""
    from tests.prompt_package import package_symbol

    symbol, source = package_symbol(tmp_path, "_hooks", "PluginManager.register")
    answer = render(await engine_for(tmp_path).write_guide(symbol, source))
    with FakeOpenAI(replies=[answer]) as fake:
        settings = Settings(backend="openai", base_url=fake.url, model="fake-model", cache="off")
        engine = Engine(settings, tmp_path)
        await engine.write_guide(symbol, source)
        await engine.aclose()
        sent = "\n".join(m["content"] for m in fake.chat_requests[0].messages)
    needs = sent.split("What a use needs, from the project's code:", 1)[1]
    assert "built as `PluginManager(project_name: str)`" in needs
    assert "Companion API: `from retrier import HookimplMarker`" in needs


@pytest.mark.parametrize(("mode", "verify", "kept"), [
    ("on", True, SECOND_CALL),
    ("off", True, FIRST_CALL),
    ("on", False, FIRST_CALL),  # a hover preview: nothing runs
])  # fmt: skip
async def test_verify_examples_runs_offline_candidates_only_when_asked(
    tmp_path: Path, mode: str, verify: bool, kept: str
) -> None:
    numbers = write_calc(tmp_path)
    engine = Engine(Settings(backend="offline", verify_examples=mode), tmp_path)
    source = numbers.read_text(encoding="utf-8")
    symbol = engine.symbol_named(numbers, source, "parse_number")
    if mode == "on" and await engine.verifier() is None:
        pytest.skip("examples cannot run here")
    seen: list[str] = []
    guide = await engine.write_guide(symbol, source, seen.append, verify=verify)
    assert kept in guide.example
    ran = any(m.startswith("Running ") and m.endswith(" candidate examples") for m in seen)
    assert ran == (kept == SECOND_CALL)
