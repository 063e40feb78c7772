"""Prompt context resolved from the AST: same module, methods, project imports, bounds."""

from __future__ import annotations

import os
import threading
from dataclasses import replace
from pathlib import Path

from howto_ls.context import called_context
from howto_ls.model import ContextItem, Position, Span
from howto_ls.symbols import symbol_named

SAMPLE = '''\
"""Sample module."""

import json


def helper(x: int, *, scale: int = 2) -> int:
    """Double a number.

    More text that is not the summary.
    """
    return x * scale


async def fetch(url: str) -> bytes:
    """Fetch bytes."""
    return url.encode()


def make_default() -> int:
    """Build the default."""
    return helper(1)


DEFAULT = make_default()


class Base:
    """A base."""

    def close(self) -> None:
        """Close it."""

    def ping(self) -> str:
        """Ping the base."""
        return "pong"


class Client(Base, metaclass=type):
    """A client."""

    pool: Base

    def __init__(self, base: str) -> None:
        self.base = base
        self.helper_client = Helper()

    def close_all(self) -> None:
        """Close the pool and the helper client."""
        self.pool.close()
        self.helper_client.run()
        self.unknown.close()

    def send(self, data: bytes) -> int:
        """Send bytes."""
        self.close()
        helper(len(data))
        return len(json.dumps(self.prepare(data)))

    def prepare(self, data: bytes) -> bytes:
        """Prepare bytes."""
        return data

    def ping(self) -> str:
        """Ping with a prefix."""
        return "client " + super().ping() + self.ping()

    @property
    def name(self) -> str:
        """The name."""
        return self.base

    @name.setter
    def name(self, value: str) -> None:
        self.base = helper(value)

    @classmethod
    def create(cls) -> "Client":
        """Make one."""
        return cls("x").tidy()

    def tidy(self) -> "Client":
        """Tidy up."""
        return self


class Helper:
    def run(self) -> None:
        """Run the helper."""


def uses_local(items: list[int]) -> int:
    client = Client("x")
    client.send(b"x")
    other: Base = Base()
    other.ping()
    return helper(helper(len(items)))
'''

MAIN = """\
import httpx
import demo.sample
import demo.sample as sample_module
from demo import Client
from demo.sample import fetch
from demo.broken import shattered
from demo.binary import unreadable
from . import tools


def run(param):
    client = Client("x")
    client.send(b"x")
    fetch("u")
    sample_module.helper(1)
    demo.sample.make_default()
    httpx.get("https://example.org")
    print(len([]), param)
    shattered()
    unreadable()
    tools.tool()
    Client.create()
"""


def write(path: Path, text: str | bytes) -> Path:
    """Write ``text`` to ``path``, creating folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def make_project(base: Path, package_root: Path) -> Path:
    """The demo package and an app that imports it, under ``package_root``; returns ``base``."""
    write(base / "pyproject.toml", "[project]\nname = 'demo'\n")
    write(package_root / "demo" / "__init__.py", "from .sample import Client, helper\n")
    write(package_root / "demo" / "sample.py", SAMPLE)
    write(package_root / "demo" / "broken.py", "def shattered(:\n    pass\n")
    write(package_root / "demo" / "binary.py", b"def unreadable():\n    return '\xff\xfe'\n")
    write(package_root / "app" / "__init__.py", "")
    write(package_root / "app" / "tools.py", 'def tool() -> None:\n    """Use a tool."""\n')
    write(package_root / "app" / "main.py", MAIN)
    return base


def context_of(path: Path, qualname: str, root: Path, **options: int) -> tuple[ContextItem, ...]:
    """The context of ``qualname`` in the file at ``path``."""
    source = path.read_text(encoding="utf-8")
    symbol = symbol_named(source, path, qualname, root)
    return called_context(symbol, source, root, **options)


def names(items: tuple[ContextItem, ...]) -> list[str]:
    """The qualnames of ``items`` in order."""
    return [item.qualname for item in items]


def test_same_module_functions_and_methods(tmp_path: Path) -> None:
    root = make_project(tmp_path, tmp_path)
    sample = root / "demo" / "sample.py"
    items = context_of(sample, "Client.send", root)
    assert names(items) == ["Base.close", "helper", "Client.prepare"]
    assert items[1] == ContextItem(
        "helper", "def helper(x: int, *, scale: int = 2) -> int", "Double a number."
    )
    assert items[0].summary == "Close it."


def test_super_and_own_overrides(tmp_path: Path) -> None:
    root = make_project(tmp_path, tmp_path)
    sample = root / "demo" / "sample.py"
    # super().ping() is the base's; self.ping() is the symbol itself and is left out
    assert names(context_of(sample, "Client.ping", root)) == ["Base.ping"]
    assert names(context_of(sample, "Client.create", root)) == ["Client.tidy"]


def test_attributes_of_self_with_a_known_class(tmp_path: Path) -> None:
    root = make_project(tmp_path, tmp_path)
    sample = root / "demo" / "sample.py"
    assert names(context_of(sample, "Client.close_all", root)) == ["Base.close", "Helper.run"]


def test_local_instances_and_nested_calls_in_call_order(tmp_path: Path) -> None:
    root = make_project(tmp_path, tmp_path)
    sample = root / "demo" / "sample.py"
    items = context_of(sample, "uses_local", root)
    assert names(items) == ["Client", "Client.send", "Base", "Base.ping", "helper"]
    assert items[0].signature == "class Client(Base, metaclass=type)"


def test_a_class_lists_what_its_methods_call_outside_itself(tmp_path: Path) -> None:
    root = make_project(tmp_path, tmp_path)
    sample = root / "demo" / "sample.py"
    assert names(context_of(sample, "Client", root)) == [
        "Helper",
        "Base.close",
        "Helper.run",
        "helper",
        "Base.ping",
    ]


def test_variables_and_repeated_qualnames(tmp_path: Path) -> None:
    root = make_project(tmp_path, tmp_path)
    sample = root / "demo" / "sample.py"
    assert names(context_of(sample, "DEFAULT", root)) == ["make_default"]
    source = sample.read_text(encoding="utf-8")
    # the property getter is listed; the setter with the same qualname is told by its line
    getter = symbol_named(source, sample, "Client.name", root)
    assert called_context(getter, source, root) == ()
    line = source.split("\n").index("    @name.setter")
    setter = replace(getter, full_range=Span(Position(line, 4), getter.full_range.end))
    assert names(called_context(setter, source, root)) == ["helper"]


def test_project_imports_reexports_and_library_calls(tmp_path: Path) -> None:
    root = make_project(tmp_path, tmp_path)
    items = context_of(root / "app" / "main.py", "run", root)
    assert names(items) == [
        "demo.Client",
        "demo.Client.send",
        "demo.sample.fetch",
        "demo.helper",
        "demo.sample.make_default",
        "app.tools.tool",
        "demo.Client.create",
    ]
    by_name = {item.qualname: item for item in items}
    assert by_name["demo.sample.fetch"].signature == "async def fetch(url: str) -> bytes"
    assert by_name["app.tools.tool"].summary == "Use a tool."


def test_src_layout(tmp_path: Path) -> None:
    root = make_project(tmp_path, tmp_path / "src")
    items = context_of(root / "src" / "app" / "main.py", "run", root)
    assert "demo.Client.send" in names(items)
    assert "demo.sample.fetch" in names(items)


def test_module_symbol_lists_only_imported_project_code(tmp_path: Path) -> None:
    root = make_project(tmp_path, tmp_path)
    write(
        root / "app" / "script.py",
        "from app.tools import tool\n\n\ndef local():\n    pass\n\n\ntool()\nlocal()\n",
    )
    assert names(context_of(root / "app" / "script.py", "", root)) == ["app.tools.tool"]


def test_bounded_by_max_chars(tmp_path: Path) -> None:
    root = make_project(tmp_path, tmp_path)
    main = root / "app" / "main.py"
    everything = context_of(main, "run", root)
    small = context_of(main, "run", root, max_chars=120)
    assert 0 < len(small) < len(everything)
    assert small == everything[: len(small)]
    assert sum(len(i.qualname) + len(i.signature) + len(i.summary) + 8 for i in small) <= 120
    assert context_of(main, "run", root, max_chars=10) == ()


def test_unsaved_text_and_changed_files(tmp_path: Path) -> None:
    root = make_project(tmp_path, tmp_path)
    main = root / "app" / "main.py"
    symbol = symbol_named(MAIN, main, "run", root)
    edited = MAIN.replace("    tools.tool()\n", "    tools.tool()\n    tools.extra()\n")
    assert "app.tools.extra" not in names(called_context(symbol, edited, root))
    tools = root / "app" / "tools.py"
    write(
        tools,
        tools.read_text(encoding="utf-8") + '\n\ndef extra(n: int) -> None:\n    """More."""\n',
    )
    os.utime(tools, ns=(1, 1))  # a new mtime even on coarse clocks; the size changed too
    items = called_context(symbol, edited, root)
    assert names(items)[-2:] == ["app.tools.extra", "demo.Client.create"]
    assert items[-2].signature == "def extra(n: int) -> None"


def test_code_broken_elsewhere_in_the_file_still_gives_context(tmp_path: Path) -> None:
    root = make_project(tmp_path, tmp_path)
    main = root / "app" / "main.py"
    symbol = symbol_named(MAIN, main, "run", root)
    expected = called_context(symbol, MAIN, root)
    assert called_context(symbol, MAIN + "\n\ndef half(:\n", root) == expected


def test_same_answer_from_many_threads(tmp_path: Path) -> None:
    root = make_project(tmp_path, tmp_path)
    main = root / "app" / "main.py"
    expected = context_of(main, "run", root)
    symbol = symbol_named(MAIN, main, "run", root)
    results: list[tuple[ContextItem, ...]] = []
    errors: list[BaseException] = []

    def work(index: int) -> None:
        try:
            # fresh text per thread so each one parses rather than hitting the cache
            results.append(called_context(symbol, MAIN + "\n" * index, root))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert results == [expected] * 8


def test_an_excluded_module_is_not_read_for_context(tmp_path: Path) -> None:
    (tmp_path / "vault.py").write_text(
        'def token() -> str:\n    """The staging token VAULT-77."""\n    return "x"\n', "utf-8"
    )
    source = "from vault import token\n\n\ndef call() -> str:\n    return token()\n"
    path = tmp_path / "app.py"
    path.write_text(source, "utf-8")
    symbol = symbol_named(source, path, "call", tmp_path)
    shown = called_context(symbol, source, tmp_path)
    assert [item.summary for item in shown] == ["The staging token VAULT-77."]
    hidden = called_context(symbol, source, tmp_path, excluded=lambda file: file.name == "vault.py")
    assert hidden == ()
