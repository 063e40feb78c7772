"""One usage protocol per symbol: the offline example follows it, the prompt states it, the
validator holds a model's example to it, and the examples run."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from howto_ls.checked import check_answer
from howto_ls.examples_run import run_example
from howto_ls.guide import Guide, render
from howto_ls.model import GuideRequest, Symbol
from howto_ls.offline.writer import write_guide
from howto_ls.prompt import user_message
from howto_ls.symbols import symbol_named
from howto_ls.usage import Protocol, usage_in_module

KINDS = '''\
"""Kinds of symbols, each used its own way."""

from __future__ import annotations

import abc
import contextlib
from collections.abc import Awaitable, Callable, Iterator

import click

LIMIT = 10


@contextlib.contextmanager
def opened(name: str) -> Iterator[list[str]]:
    lines = [name]
    yield lines
    lines.clear()


@contextlib.asynccontextmanager
async def session(url: str):
    yield {"url": url}


class Store(abc.ABC):
    @abc.abstractmethod
    def save(self, item: str) -> None: ...

    def save_all(self, items: list[str]) -> int:
        for item in items:
            self.save(item)
        return len(items)


async def retry(action: Callable[[], Awaitable[int]], times: int) -> int:
    total = 0
    for _ in range(times):
        total += await action()
    return total


class Counter:
    def __init__(self, start: int) -> None:
        self._value = start

    @property
    def value(self) -> int:
        return self._value

    @value.setter
    def value(self, new: int) -> None:
        self._value = new

    @property
    def start(self) -> int:
        return self._value

    @start.setter
    def start(self, new: int) -> None:
        """Refuse: the start is fixed."""
        raise AttributeError("attribute 'start' is readonly")


def outer(n: int) -> int:
    def inner(x: int) -> int:
        return x * 2

    return inner(n)


@click.command()
@click.option("--name", default="world")
def hello(name: str) -> None:
    click.echo(f"Hello {name}")


def log(message: str) -> None:
    print(message)
'''


def _symbol(tmp_path: Path, qualname: str, source: str = KINDS) -> tuple[Symbol, str]:
    package = tmp_path / "kinds"
    package.mkdir(exist_ok=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'kinds'\n", encoding="utf-8")
    path = package / "things.py"
    path.write_text(source, encoding="utf-8")
    return symbol_named(source, path, qualname, tmp_path), source


def example(tmp_path: Path, qualname: str) -> str:
    """The offline example for ``qualname``, after checking that it runs."""
    symbol, source = _symbol(tmp_path, qualname)
    guide = write_guide(GuideRequest(symbol=symbol, module_source=source))
    run = run_example(guide.example, paths=[tmp_path], timeout=30)
    assert run.ok, f"{run.status}: {run.detail}\n{guide.example}\n{run.output}"
    return guide.example


def test_context_manager_function_is_used_in_with(tmp_path: Path) -> None:
    text = example(tmp_path, "opened")
    assert 'with opened(name="example") as value:' in text
    assert "for " not in text


def test_async_context_manager_function_is_used_in_async_with(tmp_path: Path) -> None:
    text = example(tmp_path, "session")
    assert 'async with session(url="https://example.com") as value:' in text
    assert "async for" not in text and "asyncio.run(main())" in text


def test_abstract_class_is_subclassed(tmp_path: Path) -> None:
    text = example(tmp_path, "Store.save_all")
    assert "class MyStore(Store):" in text and "def save(self, *args, **kwargs):" in text
    assert "= Store(" not in text


def test_awaited_callable_gets_an_async_def_stub(tmp_path: Path) -> None:
    text = example(tmp_path, "retry")
    assert "async def action(*args, **kwargs):" in text
    assert "lambda" not in text
    assert "retry(action=action, times=1)" in text


def test_property_with_a_setter_is_read_and_assigned(tmp_path: Path) -> None:
    text = example(tmp_path, "Counter.value")
    assert "print(counter.value)" in text and "counter.value = 1" in text
    assert "counter.value(" not in text


def test_a_property_whose_setter_only_raises_is_read_only(tmp_path: Path) -> None:
    text = example(tmp_path, "Counter.start")
    assert "print(counter.start)" in text and "counter.start =" not in text
    symbol, source = _symbol(tmp_path, "Counter.start")
    assert usage_in_module(source, "Counter.start").protocol is Protocol.PROPERTY
    assert "assign a new value" not in user_message(
        GuideRequest(symbol=symbol, module_source=source)
    )


def test_module_variable_is_read_not_called(tmp_path: Path) -> None:
    text = example(tmp_path, "LIMIT")
    assert "print(LIMIT)" in text and "LIMIT(" not in text


def test_nested_function_runs_through_its_enclosing_function(tmp_path: Path) -> None:
    text = example(tmp_path, "outer.inner")
    assert "import inner" not in text and "outer(n=1)" in text


def test_click_command_runs_through_its_runner(tmp_path: Path) -> None:
    text = example(tmp_path, "hello")
    assert "from click.testing import CliRunner" in text
    assert 'runner.invoke(hello, ["--help"])' in text
    assert "hello(" not in text.replace("invoke(hello", "")


def test_function_returning_none_is_called_without_using_a_result(tmp_path: Path) -> None:
    text = example(tmp_path, "log")
    assert 'log(message="Hello, world")' in text and "result" not in text


def test_type_checking_only_reexport_is_not_an_import_path(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'pkg'\n", encoding="utf-8")
    (package / "__init__.py").write_text(
        "from typing import TYPE_CHECKING\n\nfrom pkg.shown import Shown\n\n"
        "if TYPE_CHECKING:\n    from pkg.hidden import Hidden\n\n"
        "def helper():\n    from pkg.hidden import Hidden\n    return Hidden\n\n"
        "from pkg.hidden import Gone\n\ndel Gone\n",
        encoding="utf-8",
    )
    (package / "shown.py").write_text("class Shown:\n    pass\n", encoding="utf-8")
    source = "class Hidden:\n    pass\n\n\nclass Gone:\n    pass\n"
    (package / "hidden.py").write_text(source, encoding="utf-8")
    hidden = symbol_named(source, package / "hidden.py", "Hidden", tmp_path)
    gone = symbol_named(source, package / "hidden.py", "Gone", tmp_path)
    assert hidden.import_path == "pkg.hidden" and gone.import_path == "pkg.hidden"
    request = GuideRequest(symbol=hidden, module_source=source)
    assert "`from pkg.hidden import Hidden`" in user_message(request)
    guide = write_guide(request)
    assert "from pkg.hidden import Hidden" in guide.example
    assert run_example(guide.example, paths=[tmp_path]).ok


def test_all_of_a_package_decides_what_it_exports(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'pkg'\n", encoding="utf-8")
    (package / "__init__.py").write_text(
        'from pkg.impl import Listed, Unlisted\n\n__all__ = ["Listed"]\n', encoding="utf-8"
    )
    source = "class Listed:\n    pass\n\n\nclass Unlisted:\n    pass\n"
    (package / "impl.py").write_text(source, encoding="utf-8")
    assert symbol_named(source, package / "impl.py", "Listed", tmp_path).import_path == "pkg"
    unlisted = symbol_named(source, package / "impl.py", "Unlisted", tmp_path)
    assert unlisted.import_path == "pkg.impl"


@pytest.mark.parametrize(
    ("qualname", "protocol", "words"),
    [
        ("opened", Protocol.WITH, "`with` statement"),
        ("session", Protocol.ASYNC_WITH, "`async with`"),
        ("Store", Protocol.SUBCLASS, "define a subclass"),
        ("Counter.value", Protocol.PROPERTY_SETTER, "assign a new value"),
        ("LIMIT", Protocol.VARIABLE, "do not call it"),
        ("outer.inner", Protocol.NESTED, "call the function that defines it"),
        ("hello", Protocol.COMMAND, "CliRunner().invoke"),
        ("log", Protocol.CALL_NO_RESULT, "do not assign or print its result"),
    ],
)
def test_the_prompt_states_the_protocol(
    tmp_path: Path, qualname: str, protocol: Protocol, words: str
) -> None:
    symbol, source = _symbol(tmp_path, qualname)
    assert usage_in_module(source, qualname).protocol is protocol
    assert words in user_message(GuideRequest(symbol=symbol, module_source=source))
    assert "use the result" not in user_message(GuideRequest(symbol=symbol, module_source=source))


def _answer(code: str) -> str:
    return render(Guide("The `opened` function yields `lines`.", ("Yields `lines`.",), code))


def test_a_model_example_against_the_protocol_or_signature_goes_to_repair(
    tmp_path: Path,
) -> None:
    symbol, source = _symbol(tmp_path, "opened")
    request = GuideRequest(symbol=symbol, module_source=source)
    good = "from kinds.things import opened\n\nwith opened('a') as lines:\n    print(lines)\n"
    assert check_answer(_answer(good), request)[1] == []
    looped = "from kinds.things import opened\n\nfor line in opened('a'):\n    print(line)\n"
    assert any("`with` statement" in p for p in check_answer(_answer(looped), request)[1])
    unknown = "from kinds.things import opened\n\nwith opened('a', path='b') as lines:\n    pass\n"
    problems = check_answer(_answer(unknown), request)[1]
    assert any("does not match the signature" in p and "'path'" in p for p in problems)
    missing = "from kinds.things import opened\n\nwith opened() as lines:\n    pass\n"
    problems = check_answer(_answer(missing), request)[1]
    assert any("missing a required argument: 'name'" in p for p in problems)
    log_symbol = dataclasses.replace(
        symbol_named(source, symbol.path, "log", tmp_path), docstring=None
    )
    log_request = GuideRequest(symbol=log_symbol, module_source=source)
    used = "from kinds.things import log\n\nresult = log('hi')\nprint(result)\n"
    assert any("returns nothing" in p for p in check_answer(_answer(used), log_request)[1])


DOCTESTED = '''\
def halve(number: int) -> int:
    """Half of an even number.

    >>> halve(3)
    Traceback (most recent call last):
    ValueError: odd
    >>> start = 10
    >>> halve(start)
    5
    """
    if number % 2:
        raise ValueError("odd")
    return number // 2
'''


def test_the_docstrings_own_example_is_used_when_it_works(tmp_path: Path) -> None:
    symbol, source = _symbol(tmp_path, "halve", DOCTESTED)
    guide = write_guide(GuideRequest(symbol=symbol, module_source=source))
    assert guide.example.endswith("start = 10\nprint(halve(start))\n")
    assert "halve(3)" not in guide.example
    run = run_example(guide.example, paths=[tmp_path])
    assert run.ok and run.output == "5\n"


def test_definitions_under_a_main_guard_are_not_exports(tmp_path: Path) -> None:
    from howto_ls.symbols import list_symbols

    source = (
        "def api() -> int:\n    return 1\n\n\n"
        'if __name__ == "__main__":\n\n    def demo() -> None:\n        print(api())\n\n'
        "    class Thing:\n        def show(self) -> None: ...\n\n    demo()\n"
    )
    symbol, _ = _symbol(tmp_path, "api", source)
    listed = {s.qualname for s in list_symbols(source, symbol.path, tmp_path)}
    assert listed == {"", "api"}


STANDARD = """\
import datetime
import ssl
from pathlib import Path
from typing import BinaryIO, TextIO


def schedule(
    when: datetime.datetime, log: TextIO, blob: BinaryIO, folder: Path, context: ssl.SSLContext
) -> str:
    log.write(when.isoformat())
    return f"{folder.name} {blob.read()!r} {context.protocol} {log.getvalue()}"
"""


def test_standard_types_are_built_properly(tmp_path: Path) -> None:
    symbol, source = _symbol(tmp_path, "schedule", STANDARD)
    text = write_guide(GuideRequest(symbol=symbol, module_source=source)).example
    assert "when=datetime.datetime(2024, 1, 1, 12, 0)" in text
    assert 'log=io.StringIO("example\\n")' in text and 'blob=io.BytesIO(b"data")' in text
    assert 'folder=Path("data.txt")' in text and "context=ssl.create_default_context()" in text
    run = run_example(text, paths=[tmp_path])
    assert run.ok, run.output


CHECKED = """\
class Color:
    def __init__(self, name: str) -> None:
        self.name = name

    @classmethod
    def parse(cls, color: str) -> "Color":
        color = color.lower().strip()
        if color == "default":
            return cls(color)
        if color in ("red", "green"):
            return cls(color)
        raise ValueError(f"{color!r} is not a valid color")
"""


def test_a_literal_the_code_compares_against_is_passed(tmp_path: Path) -> None:
    symbol, source = _symbol(tmp_path, "Color.parse", CHECKED)
    text = write_guide(GuideRequest(symbol=symbol, module_source=source)).example
    assert 'Color.parse(color="default")' in text
    assert run_example(text, paths=[tmp_path]).ok


def test_definitions_under_a_main_guard_joined_with_and_are_not_exports(tmp_path: Path) -> None:
    from howto_ls.symbols import list_symbols

    source = (
        "import sys\n\n\ndef api() -> int:\n    return 1\n\n\n"
        'if sys.platform != "win32" and __name__ == "__main__":\n\n'
        "    def read(fd: int) -> bytes:\n        return b''\n"
    )
    symbol, _ = _symbol(tmp_path, "api", source)
    listed = {s.qualname for s in list_symbols(source, symbol.path, tmp_path)}
    assert listed == {"", "api"}


STOPPING = '''\
"""Functions called for the exception they raise."""

from __future__ import annotations

import sys

from kinds.errors import UsageError


class BadValue(ValueError):
    pass


class Context:
    def __init__(self, name: str) -> None:
        self.name = name

    def fail(self, message: str) -> None:
        raise UsageError(f"{self.name}: {message}")

    def abort(self) -> None:
        self.fail("aborted")

    def exit(self, code: int = 0) -> None:
        sys.exit(code)

    def check(self, message: str, exc: type[Exception] = LookupError) -> None:
        raise exc(message)

    def maybe(self, flag: bool) -> None:
        if flag:
            raise BadValue("flagged")


def pick_first(*values: str) -> str:
    for value in values:
        if value:
            return value
    raise BadValue("expected at least one value")
'''


@pytest.mark.parametrize(
    ("qualname", "caught"),
    [
        ("Context.fail", "from kinds.errors import UsageError"),
        ("Context.abort", "except UsageError as error:"),  # through self.fail(...)
        ("Context.exit", "except SystemExit as error:"),
        ("Context.check", "except LookupError as error:"),  # the raised parameter's default
        ("pick_first", "from kinds.things import BadValue"),
    ],
)
def test_a_function_that_ends_by_raising_is_called_in_try_and_its_exception_caught(
    tmp_path: Path, qualname: str, caught: str
) -> None:
    symbol, source = _symbol(tmp_path, qualname, STOPPING)
    (tmp_path / "kinds" / "errors.py").write_text(
        "class UsageError(Exception):\n    pass\n", encoding="utf-8"
    )
    assert usage_in_module(source, qualname).protocol is Protocol.RAISES
    guide = write_guide(GuideRequest(symbol=symbol, module_source=source))
    text = guide.example
    assert "try:\n" in text and caught in text and "    print(error)" in text, text
    run = run_example(text, paths=[tmp_path], timeout=30)
    assert run.ok, f"{run.status}: {run.detail}\n{text}\n{run.output}"
    if qualname != "pick_first":  # nothing returns from the others: no result to print
        assert "result" not in text
    assert "call it inside `try:`" in user_message(
        GuideRequest(symbol=symbol, module_source=source)
    )


def test_a_model_example_calling_a_raising_function_outside_try_goes_to_repair(
    tmp_path: Path,
) -> None:
    symbol, source = _symbol(tmp_path, "Context.fail", STOPPING)
    request = GuideRequest(symbol=dataclasses.replace(symbol, docstring=None), module_source=source)
    setup = "from kinds.errors import UsageError\nfrom kinds.things import Context\n\n"
    bare = setup + "Context(name='a').fail(message='b')\n"
    assert any("outside `try`" in p for p in check_answer(_answer(bare), request)[1])
    caught = (
        setup + "try:\n    Context(name='a').fail(message='b')\n"
        "except UsageError as error:\n    print(error)\n"
    )
    assert not any("outside `try`" in p for p in check_answer(_answer(caught), request)[1])


def test_a_function_that_may_return_is_not_wrapped(tmp_path: Path) -> None:
    symbol, source = _symbol(tmp_path, "Context.maybe", STOPPING)
    assert usage_in_module(source, "Context.maybe").protocol is Protocol.CALL_NO_RESULT
    text = write_guide(GuideRequest(symbol=symbol, module_source=source)).example
    assert "try:" not in text


ENDLESS = '''\
"""Iterators that never end on their own, and one that does."""

from collections.abc import Iterator
from itertools import count, repeat


def iterate(func, start):
    while True:
        yield start
        try:
            start = func(start)
        except StopIteration:
            break


def repeat_last(iterable, default=None):
    item = default
    for item in iterable:
        yield item
    yield from repeat(item)


def numbers(step: int) -> Iterator[int]:
    return map(lambda n: n * step, count())


def until_none(func, start):
    while True:
        if start is None:
            return
        yield start
        start = func(start)
'''


@pytest.mark.parametrize("qualname", ["iterate", "repeat_last", "numbers"])
def test_an_endless_iterator_is_iterated_through_a_bounded_slice(
    tmp_path: Path, qualname: str
) -> None:
    symbol, source = _symbol(tmp_path, qualname, ENDLESS)
    text = write_guide(GuideRequest(symbol=symbol, module_source=source)).example
    assert "from itertools import islice" in text and f"in islice({qualname}(" in text, text
    run = run_example(text, paths=[tmp_path], timeout=30)
    assert run.ok, f"{run.status}: {run.detail}\n{text}\n{run.output}"


def test_an_iterator_that_ends_is_iterated_whole(tmp_path: Path) -> None:
    symbol, source = _symbol(tmp_path, "until_none", ENDLESS)
    text = write_guide(GuideRequest(symbol=symbol, module_source=source)).example
    assert "islice" not in text and "in until_none(" in text


TYPE_CHECKED = """\
from __future__ import annotations

import typing as t

if t.TYPE_CHECKING:
    import typing_extensions as te

    class HasHTML(te.Protocol):
        def __html__(self) -> str: ...


def escape(value: HasHTML | str) -> str:
    return value if isinstance(value, str) else value.__html__()
"""


def test_a_name_only_type_checkers_see_is_never_imported_at_run_time(tmp_path: Path) -> None:
    package = tmp_path / "markup"
    package.mkdir()
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'markup'\n", encoding="utf-8")
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "filters.py").write_text(TYPE_CHECKED, encoding="utf-8")
    symbol = symbol_named(TYPE_CHECKED, package / "filters.py", "HasHTML", tmp_path)
    assert usage_in_module(TYPE_CHECKED, "HasHTML").protocol is Protocol.TYPE_CHECKING_ONLY
    assert usage_in_module(TYPE_CHECKED, "escape").protocol is Protocol.CALL
    request = GuideRequest(symbol=symbol, module_source=TYPE_CHECKED)
    message = user_message(request)
    assert "`if TYPE_CHECKING: from markup.filters import HasHTML`" in message
    assert "exists only for type checkers" in message
    example = write_guide(request).example
    assert example.startswith("from __future__ import annotations\n")
    assert "if TYPE_CHECKING:\n    from markup.filters import HasHTML\n" in example
    assert "def use_has_html(value: HasHTML) -> HasHTML:" in example
    assert "class MyHasHTML:\n    def __html__(self, *args, **kwargs):" in example
    assert run_example(example, paths=[tmp_path]).ok
    assert not any("at run time" in p for p in check_answer(_answer(example), request)[1])
    at_run_time = "from markup.filters import HasHTML\n\nprint(HasHTML)\n"
    problems = check_answer(_answer(at_run_time), request)[1]
    assert any("imports `HasHTML` at run time" in p for p in problems)
