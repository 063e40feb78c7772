"""The state a method needs first: constructor flags it asserts on, push before pop, set before
read, and reading after the ``with`` block; each example is written offline and run."""

from __future__ import annotations

from pathlib import Path

import pytest

from howto_ls.examples_run import run_example
from howto_ls.model import GuideRequest
from howto_ls.offline.writer import write_guide
from howto_ls.symbols import symbol_named

STATEFUL = '''\
"""Objects whose methods need them in some state first."""

from __future__ import annotations

import json
import time


class Console:
    def __init__(self, width: int = 80, record: bool = False) -> None:
        self.width = width
        self.record = record
        self._buffer: list[str] = []
        self._hooks: list[str] = []

    def print(self, text: str) -> None:
        self._buffer.append(text)

    def export_text(self) -> str:
        assert self.record, "To export, set record=True in the constructor"
        return "".join(self._buffer)

    def save_text(self, path: str) -> None:
        text = self.export_text()
        with open(path, "w", encoding="utf-8") as file:
            file.write(text)

    def push_hook(self, hook: str) -> None:
        self._hooks.append(hook)

    def pop_hook(self) -> str:
        return self._hooks.pop()


class Stack(list):
    def push(self, item: str) -> None:
        self.append(item)

    @property
    def top(self) -> str:
        return self[-1]


class Timer:
    def sync_start(self) -> None:
        self.started = time.perf_counter()

    def sync_elapsed(self) -> float:
        return time.perf_counter() - self.started


class Capture:
    def __init__(self) -> None:
        self._result: str | None = None

    def __enter__(self) -> Capture:
        return self

    def __exit__(self, *args: object) -> None:
        self._result = "captured"

    def get(self) -> str:
        if self._result is None:
            raise RuntimeError("Capture result is not available until the with block exits")
        return self._result


class Request:
    def __init__(self, url: str) -> None:
        self.url = url


class Response:
    def __init__(self, status_code: int, request: Request | None = None) -> None:
        self.status_code = status_code
        self._request = request

    @property
    def request(self) -> Request:
        if self._request is None:
            raise RuntimeError("The request instance has not been set on this response.")
        return self._request

    @property
    def url(self) -> str:
        return self.request.url


def origin(response: Response) -> str:
    return response.request.url


class Loader:
    def names(self) -> list[str]:
        return ["index.html"]


class Environment:
    def __init__(self, autoescape: bool = False, loader: Loader | None = None) -> None:
        self.autoescape = autoescape
        self.loader = loader

    def list_templates(self) -> list[str]:
        assert self.loader is not None, "No loader configured."
        return self.loader.names()


class Reply:
    """What a transport fills in after the fact: the status and the raw body stream."""

    def __init__(self) -> None:
        self.status = None
        self.raw = None
        self.reason = None
        self._decoded = None

    @property
    def ok(self) -> bool:
        return not 400 <= self.status < 600

    def json(self) -> object:
        if self.status == 0:
            raise ValueError("no reply")
        return json.loads(self._read())

    def _read(self) -> bytes:
        def chunks():
            yield self.raw.read()

        return b"".join(chunks())

    def close(self) -> None:
        self.raw.close()


class CallState:
    """An outcome left None by the constructor, set by ``set_result``."""

    def __init__(self, attempt: int) -> None:
        self.attempt = attempt
        self.outcome = None

    def set_result(self, value):
        self.outcome, self.finished = value, True


class RetryIfResult:
    """Refuses a state whose outcome is not set yet."""

    def __init__(self, predicate) -> None:
        self.predicate = predicate

    def __call__(self, retry_state: "CallState") -> bool:
        if retry_state.outcome is None:
            raise RuntimeError("called before the outcome was set")
        return self.predicate(retry_state.outcome)


class Params:
    """Immutable: ``__setitem__`` refuses, ``get`` of a key not there gives None."""

    def __init__(self) -> None:
        self._items: dict[str, str] = {}

    def __setitem__(self, key: str, value: str) -> None:
        raise RuntimeError("Params are immutable. Use `params.set(key, value)`.")

    def get(self, key: str) -> str | None:
        return self._items.get(key)


class Cache:
    """Keys put in by ``__setitem__``; ``pop`` of a key not there raises ``KeyError``."""

    def __init__(self, maxsize=10):
        self.maxsize = maxsize
        self._data = {}

    def __setitem__(self, key, value):
        self._data[key] = value

    def pop(self, key):
        if key in self._data:
            return self._data.pop(key)
        raise KeyError(key)

    def popitem(self):
        try:
            key = next(iter(self._data))
        except StopIteration:
            raise KeyError("the cache is empty") from None
        return key, self._data.pop(key)


class Table:
    """Keys put in by ``append(key, item)``; ``item`` of a key not there raises."""

    def __init__(self) -> None:
        self._map: dict[str, int] = {}
        self._items: list[object] = []

    def append(self, key: str, item: object) -> Table:
        if key in self._map:
            raise KeyError(f"{key} is already there")
        self._map[key] = len(self._items)
        self._items.append(item)
        return self

    def __setitem__(self, key: str, item: object) -> None:
        self.append(key, item)

    def remove(self, key: str) -> object:
        index = self._map.pop(key, None)
        if index is None:
            raise LookupError(key)
        item, self._items[index] = self._items[index], None
        return item

    def item(self, key: str) -> object:
        index = self._map.get(key)
        if index is None:
            raise LookupError(key)
        return self._items[index]
'''


def example(tmp_path: Path, qualname: str) -> str:
    """The offline example for ``qualname`` of STATEFUL, after checking that it runs."""
    package = tmp_path / "things"
    package.mkdir(exist_ok=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'things'\n", encoding="utf-8")
    path = package / "state.py"
    path.write_text(STATEFUL, encoding="utf-8")
    symbol = symbol_named(STATEFUL, path, qualname, tmp_path)
    text = write_guide(GuideRequest(symbol=symbol, module_source=STATEFUL)).example
    run = run_example(text, paths=[tmp_path], timeout=30)
    assert run.ok, f"{run.status}: {run.detail}\n{text}\n{run.output}"
    return text


@pytest.mark.parametrize("qualname", ["Console.export_text", "Console.save_text"])
def test_a_constructor_flag_the_method_asserts_on_is_passed(tmp_path: Path, qualname: str) -> None:
    text = example(tmp_path, qualname)
    assert "Console(record=True)" in text, text


def test_a_flag_nothing_asserts_on_is_left_out(tmp_path: Path) -> None:
    assert "record=" not in example(tmp_path, "Console.print")


@pytest.mark.parametrize(
    ("qualname", "first", "then"),
    [
        ("Console.pop_hook", "console.push_hook(", "console.pop_hook()"),
        ("Stack.top", "stack.push(", "print(stack.top)"),
        ("Timer.sync_elapsed", "timer.sync_start()", "timer.sync_elapsed()"),
    ],
)
def test_what_the_method_pops_or_reads_is_pushed_or_set_first(
    tmp_path: Path, qualname: str, first: str, then: str
) -> None:
    text = example(tmp_path, qualname)
    assert first in text and then in text and text.index(first) < text.index(then), text


def test_what_exit_sets_is_read_after_the_with_block(tmp_path: Path) -> None:
    text = example(tmp_path, "Capture.get")
    assert "with Capture() as capture:\n" in text
    assert "\nresult = capture.get()\n" in text  # not indented: after the block


def test_an_optional_argument_the_method_asserts_is_not_none_is_passed(tmp_path: Path) -> None:
    text = example(tmp_path, "Environment.list_templates")
    assert "loader=" in text and "Loader()" in text and "autoescape" not in text, text


@pytest.mark.parametrize("qualname", ["Response.url", "origin"])
def test_an_optional_argument_a_property_refuses_as_none_is_passed(
    tmp_path: Path, qualname: str
) -> None:
    text = example(tmp_path, qualname)
    assert "request=" in text and 'Request(url="' in text, text


CLOSING = """\
class Response:
    def __init__(self) -> None:
        self.raw = None
        self.status_code = 200

    def __enter__(self):
        return self

    def __exit__(self, *args):
        self.close()

    def close(self) -> None:
        self.raw.close()

    @property
    def ok(self) -> bool:
        return self.status_code < 400
"""


def test_an_object_whose_with_only_closes_it_is_built_without_with(tmp_path: Path) -> None:
    package = tmp_path / "things"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'things'\n", encoding="utf-8")
    path = package / "models.py"
    path.write_text(CLOSING, encoding="utf-8")
    symbol = symbol_named(CLOSING, path, "Response.ok", tmp_path)
    text = write_guide(GuideRequest(symbol=symbol, module_source=CLOSING)).example
    assert "response = Response()\nprint(response.ok)" in text and "with " not in text
    run = run_example(text, paths=[tmp_path], timeout=30)
    assert run.ok, f"{run.status}: {run.detail}\n{text}\n{run.output}"


PEEKING = """\
class Peekable:
    def __init__(self, iterable: list[int]) -> None:
        self._it = iter(iterable)
        self._cache: list[int] = []

    def peek(self) -> int:
        if not self._cache:
            self._cache.append(next(self._it))
        return self._cache[0]

    def prepend(self, *items: int) -> None:
        self._cache.extend(items)

    def _fill(self, index: object) -> None:
        self._cache.append(index.step)
"""


def test_a_method_that_fills_what_it_reads_needs_nothing_first(tmp_path: Path) -> None:
    package = tmp_path / "things"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'things'\n", encoding="utf-8")
    path = package / "peeking.py"
    path.write_text(PEEKING, encoding="utf-8")
    symbol = symbol_named(PEEKING, path, "Peekable.peek", tmp_path)
    text = write_guide(GuideRequest(symbol=symbol, module_source=PEEKING)).example
    assert "prepend" not in text and "_fill" not in text, text
    run = run_example(text, paths=[tmp_path], timeout=30)
    assert run.ok, f"{run.status}: {run.detail}\n{text}\n{run.output}"


@pytest.mark.parametrize(
    ("qualname", "assigned"),
    [
        ("Reply.ok", ["reply.status = 200"]),
        ("Reply.json", ["reply.raw = io.BytesIO(", "reply.status = 1"]),
        ("Reply.close", ["reply.raw = io.BytesIO("]),
    ],
)
def test_public_attributes_left_none_for_the_caller_are_assigned_first(
    tmp_path: Path, qualname: str, assigned: list[str]
) -> None:
    text = example(tmp_path, qualname)
    for line in assigned:
        assert line in text, text
    assert "reason" not in text  # left None, but nothing uses it


@pytest.mark.parametrize(
    ("qualname", "first", "then"),
    [
        ("Cache.pop", 'cache["example"] = 1', 'cache.pop(key="example")'),
        ("Table.item", 'table["example"] = 1', 'table.item(key="example")'),
        ("Cache.popitem", 'cache["example"] = 1', "cache.popitem()"),
        ("Table.remove", 'table["example"] = 1', 'table.remove(key="example")'),
    ],
)
def test_the_key_a_method_looks_up_is_put_in_first(
    tmp_path: Path, qualname: str, first: str, then: str
) -> None:
    text = example(tmp_path, qualname)
    assert first in text and then in text and text.index(first) < text.index(then), text


def test_a_method_that_puts_the_key_in_itself_gets_no_key_first(tmp_path: Path) -> None:
    text = example(tmp_path, "Table.append")  # it refuses a key already there
    assert "table[" not in text, text


def test_an_adder_that_only_raises_is_not_used_to_put_the_key_in(tmp_path: Path) -> None:
    text = example(tmp_path, "Params.get")  # runs: ``example`` checks that
    assert "params[" not in text, text


def test_an_argument_whose_attribute_the_code_refuses_as_none_gets_it_set_first(
    tmp_path: Path,
) -> None:
    text = example(tmp_path, "RetryIfResult.__call__")
    first, then = "retry_state.set_result(", "(retry_state=retry_state)"
    assert first in text and then in text and text.index(first) < text.index(then), text
