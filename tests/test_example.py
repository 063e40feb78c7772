"""Usage examples: the call shape each kind needs, argument values, and classes of the module
built for real, imported from the symbol's public path."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from howto_ls.model import Symbol
from howto_ls.offline.analysis import definitions, parse_module
from howto_ls.offline.example import build_example
from howto_ls.symbols import symbol_named
from tests.test_writer import HTTP_CLIENT, SHAPES

STOCK = '''\
"""Stock records."""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple, Protocol


class Unit(enum.Enum):
    PIECE = "piece"
    BOX = "box"


class Money(NamedTuple):
    amount: float
    currency: str


@dataclass
class StockItem:
    sku: str
    quantity: int
    unit: Unit
    price: Money

    def needs_reorder(self, threshold: int = 5) -> bool:
        return self.quantity < threshold


class Shelf:
    def __init__(self, label: str, first: StockItem) -> None:
        self.items = [first]


class Aisle:
    def __init__(self, shelf: Shelf) -> None:
        self.shelf = shelf


class Node:
    def __init__(self, parent: Node) -> None:
        self.parent = parent


class Sink(Protocol):
    def write(self, text: str) -> None: ...


class Store(ABC):
    @abstractmethod
    def save(self, item: StockItem) -> None: ...


class Hidden:
    def __init__(self, size: int) -> None:
        self.size = size


def restock(items: Iterable[StockItem], batch_size: int = 20) -> dict[str, int]:
    orders: dict[str, int] = {}
    for item in items:
        if item.needs_reorder():
            orders[item.sku] = batch_size - item.quantity
    return orders


def by_sku(table: Mapping[str, StockItem]) -> list[str]:
    return sorted(table)


def walk(aisle: Aisle, node: Node) -> None:
    print(aisle, node)


def report(sink: Sink, store: Store, hidden: Hidden, name: StockItem | str) -> None:
    sink.write(name if isinstance(name, str) else name.sku)
'''


def example_for(
    tmp_path: Path, qualname: str, source: str, package: str = "weather", exports: str = ""
) -> tuple[Symbol, str]:
    """The example for ``qualname`` in ``source``, written to ``<package>/client.py``."""
    folder = tmp_path / package
    folder.mkdir(exist_ok=True)
    (folder / "__init__.py").write_text(exports, encoding="utf-8")
    path = folder / "client.py"
    path.write_text(source, encoding="utf-8")
    symbol = symbol_named(source, path, qualname, tmp_path)
    tree = parse_module(source)
    assert tree is not None
    found = definitions(tree)
    parts = qualname.split(".")
    parents = [found[".".join(parts[:end])] for end in range(1, len(parts))]
    node: ast.AST | None = found.get(qualname) if qualname else tree
    if node is None:
        node = next(
            n
            for n in tree.body
            if isinstance(n, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == qualname for t in n.targets)
        )
    example = build_example(symbol, node, source, parents)
    ast.parse(example)
    return symbol, example


def run_example(tmp_path: Path, example: str) -> str:
    """Run ``example`` with ``tmp_path`` importable; its standard output."""
    result = subprocess.run(
        [sys.executable, "-c", example],
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path)},
        capture_output=True,
        check=False,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


# -- call shapes ---------------------------------------------------------------------------------


def test_async_method_runs_in_asyncio_on_an_instance(tmp_path: Path) -> None:
    _, example = example_for(tmp_path, "WeatherClient.fetch_forecast", HTTP_CLIENT)
    assert "asyncio.run(main())" in example
    assert 'weather_client = WeatherClient(api_key="example")' in example
    assert 'await weather_client.fetch_forecast(city="example")' in example


def test_each_kind_gets_its_call_shape(tmp_path: Path) -> None:
    shapes = {
        "WeatherClient.stream": "async for chunk in weather_client.stream(path=",
        "WeatherClient.iter_days": "for item in weather_client.iter_days(forecast=",
        "WeatherClient.from_env": 'WeatherClient.from_env(environ={"key": "value"})',
        "WeatherClient.headers": "print(weather_client.headers)",
        "WeatherClient": "await weather_client.fetch_forecast(",
        "parse_temperature": 'result = parse_temperature(text="Hello, world")',
        "save_report": 'save_report(path=Path("data.txt"), lines=["example"])',
        "BASE_URL": "print(BASE_URL)",
        "": "from weather import client",
    }
    for qualname, expected in shapes.items():
        _, example = example_for(tmp_path, qualname, HTTP_CLIENT)
        assert expected in example, (qualname, example)
    _, example = example_for(tmp_path, "WeatherClient.iter_days", HTTP_CLIENT)
    assert "asyncio" not in example
    _, example = example_for(tmp_path, "save_report", HTTP_CLIENT)
    assert example.startswith(
        "from pathlib import Path\n\nfrom weather.client import save_report\n"
    )


def test_exception_class_is_raised_and_caught(tmp_path: Path) -> None:
    _, example = example_for(tmp_path, "WeatherError", HTTP_CLIENT)
    assert 'raise WeatherError("example")' in example
    assert "except WeatherError as error:" in example


def test_enum_lists_its_members(tmp_path: Path) -> None:
    _, example = example_for(tmp_path, "Color", SHAPES)
    assert "print(Color.RED)" in example
    assert "for member in Color:" in example


def test_dataclass_is_built_from_its_required_fields(tmp_path: Path) -> None:
    _, example = example_for(tmp_path, "Point.moved", SHAPES)
    assert "point = Point(x=1)" in example
    assert "result = point.moved(dx=1)" in example


def test_class_parameters_get_the_class_and_context_managers_use_with(
    tmp_path: Path,
) -> None:
    _, example = example_for(tmp_path, "JSONRPCServer.__enter__", SHAPES)
    assert "from weather.client import JSONRPCServer, Point" in example
    assert (
        'with JSONRPCServer(protocol_cls=Point, url="https://example.com") '
        "as jsonrpc_server:" in example
    )


def test_context_manager_classes_are_used_in_a_with_block(tmp_path: Path) -> None:
    _, example = example_for(tmp_path, "JSONRPCServer", SHAPES)
    assert example.endswith(
        'with JSONRPCServer(protocol_cls=Point, url="https://example.com") '
        "as jsonrpc_server:\n    print(jsonrpc_server.protocol_cls)\n"
    )  # what the constructor set: the class has no repr of its own


def test_a_symbol_missing_from_the_source_is_imported_and_printed(tmp_path: Path) -> None:
    symbol, _ = example_for(tmp_path, "parse_temperature", HTTP_CLIENT)
    example = build_example(symbol, None, "")
    assert example == "from weather.client import parse_temperature\n\nprint(parse_temperature)\n"


# -- classes of the module built for real ------------------------------------------------------


def test_a_list_of_the_modules_class_is_built_and_runs(tmp_path: Path) -> None:
    exports = "from inventory.client import StockItem, restock\n"
    symbol, example = example_for(tmp_path, "restock", STOCK, "inventory", exports)
    assert symbol.import_path == "inventory"
    assert example == (
        "from inventory import StockItem, restock\n"
        "from inventory.client import Money, Unit\n"
        "\n"
        "items = [\n"
        "    StockItem(\n"
        '        sku="example",\n'
        "        quantity=1,\n"
        "        unit=Unit.PIECE,\n"
        '        price=Money(amount=1.0, currency="example"),\n'
        "    ),\n"
        "]\n"
        "\n"
        "result = restock(items=items)\n"
        "print(result)\n"
    )
    assert run_example(tmp_path, example) == "{'example': 19}\n"


def test_short_bindings_stay_on_one_line(tmp_path: Path) -> None:
    _, example = example_for(tmp_path, "StockItem.needs_reorder", STOCK)
    assert example.startswith("from weather.client import Money, StockItem, Unit\n")
    assert 'unit = Unit.PIECE\nprice = Money(amount=1.0, currency="example")\n' in example
    assert 'StockItem(sku="example", quantity=1, unit=unit, price=price)' in example
    assert run_example(tmp_path, example) == "True\n"


def test_mappings_of_the_modules_class_are_built(tmp_path: Path) -> None:
    _, example = example_for(tmp_path, "by_sku", STOCK)
    assert 'table = {\n    "example": StockItem(\n        sku="example",' in example
    assert "result = by_sku(table=table)" in example


def test_building_stops_three_classes_deep_and_never_loops(tmp_path: Path) -> None:
    _, example = example_for(tmp_path, "walk", STOCK)
    setup = example.split("\n\n")[1].splitlines()
    assert "price = ...  # fill in: a Money object" in setup
    assert '        first=StockItem(sku="example", quantity=1, unit=unit, price=price),' in setup
    assert "parent = ...  # fill in: a Node object" in setup
    assert "node = Node(parent=parent)" in setup
    assert "walk(aisle=aisle, node=node)" in example


def test_protocols_get_a_class_of_their_shape_abstract_ones_are_subclassed(
    tmp_path: Path,
) -> None:
    source = STOCK.replace("class Hidden", "class _Hidden").replace("hidden: Hidden", "h: _Hidden")
    _, example = example_for(tmp_path, "report", source)
    assert "class MySink:\n    def write(self, *args, **kwargs):\n        return None" in example
    assert "sink = MySink()" in example  # structural typing: no base class needed
    assert "class MyStore(Store):\n    def save(self, *args, **kwargs):" in example
    assert "store = MyStore()" in example
    assert "h = ...  # fill in: a _Hidden object" in example
    assert 'name="example"' in example  # a plain str beats building StockItem
    assert example.startswith("from weather.client import Store, report\n")


def test_module_examples_reach_classes_through_the_module(tmp_path: Path) -> None:
    source = (
        "class Client:\n"
        "    def __init__(self, token: str) -> None:\n        self.token = token\n\n\n"
        "def fetch(client: Client) -> str:\n    return client.token\n"
    )
    _, example = example_for(tmp_path, "", source)
    assert 'client_obj = client.Client(token="example")' in example
    assert "result = client.fetch(client=client_obj)" in example


def test_tuples_get_one_value_per_element_type(tmp_path: Path) -> None:
    source = (
        "def scale(points: list[tuple[float, float]], factor: float) -> list:\n"
        "    return [(x * factor, y * factor) for x, y in points]\n\n\n"
        "def pair(entry: tuple[str, int]) -> str:\n"
        "    return entry[0] * entry[1]\n\n\n"
        "def count(names: tuple[str, ...]) -> int:\n"
        "    return len(names)\n"
    )
    _, scale = example_for(tmp_path, "scale", source)
    assert "points=[(1.0, 1.0)]" in scale
    _, pair = example_for(tmp_path, "pair", source)
    assert 'entry=("example", 1)' in pair
    _, count = example_for(tmp_path, "count", source)
    assert 'names=("example",)' in count
    assert run_example(tmp_path, scale).strip() == "[(1.0, 1.0)]"


# -- type aliases, NewTypes and TypeVars stand for what they name ------------------------------

ALIASES = """\
from typing import Callable, NewType, Tuple, TypeVar, Union

TaskID = NewType("TaskID", int)
GetTimeCallable = Callable[[], float]
PaddingDimensions = Union[int, Tuple[int, int]]
Number = TypeVar("Number", bound=float)
"""

USES_ALIASES = """\
import logging
from typing import TYPE_CHECKING, Callable, ContextManager, TypeAlias

from weather.kinds import GetTimeCallable, Number, PaddingDimensions, TaskID

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

LineHandler: TypeAlias = Callable[[str, int], str]


def track(
    task_id: TaskID,
    get_time: GetTimeCallable,
    pad: PaddingDimensions,
    on_line: LineHandler,
    scale: Number,
    record: logging.LogRecord,
    resource: ContextManager[str],
    app: "WSGIApplication",
) -> str:
    with resource:
        body = b"".join(app({}, lambda status, headers: None))
    return f"{task_id} {get_time() * scale} {pad} {on_line('x', 1)} {record.msg} {body!r}"
"""


def test_annotations_naming_aliases_get_what_the_alias_stands_for(tmp_path: Path) -> None:
    (tmp_path / "weather").mkdir()
    (tmp_path / "weather" / "kinds.py").write_text(ALIASES, encoding="utf-8")
    _, example = example_for(tmp_path, "track", USES_ALIASES)
    assert "= ...  # fill in" not in example
    assert "task_id=1," in example  # NewType: its base type
    assert "def get_time():\n    return 1.0" in example  # Callable[[], float]: no parameters
    assert 'def on_line(arg1, arg2):\n    return "example"' in example  # one per argument
    assert "pad=1," in example  # the first alternative that can be built
    assert "scale=1.0," in example  # a TypeVar's bound
    assert 'logging.makeLogRecord({"msg": "example"})' in example
    assert "contextlib.nullcontext()" in example
    assert 'start_response("200 OK"' in example  # a WSGI application, not a placeholder
    output = run_example(tmp_path, example)
    assert output.strip() == "1 1.0 1 example example b'Hello, world'"


# -- only methods have receivers -----------------------------------------------------------------

RECORDS = '''\
def define(cls):
    cls.defined = True
    return cls


def is_defined(cls) -> bool:
    return getattr(cls, "defined", False)


def evolve(*args, **changes):
    """A copy of an instance with ``changes`` applied.

    Args:
        inst: The instance to copy.
            It must be passed by position.
        changes: The new values.

    Raises:
        TypeError: An unknown field.
    """
    (inst,) = args
    return inst.x, inst.y, changes


class Shape:
    def __new__(cls, *sides):
        return super().__new__(cls)
'''


def test_a_module_functions_cls_gets_a_class_the_example_defines(tmp_path: Path) -> None:
    exports = "from weather.client import define\n"
    _, example = example_for(tmp_path, "is_defined", RECORDS, exports=exports)
    assert "from weather import define" in example
    assert "@define\nclass Point:\n    x: int = 1\n    y: int = 2\n" in example
    assert "result = is_defined(cls=Point)" in example
    assert run_example(tmp_path, example) == "True\n"


def test_documented_positional_arguments_reach_star_args(tmp_path: Path) -> None:
    _, example = example_for(tmp_path, "evolve", RECORDS)
    assert "result = evolve(Point())" in example  # ``inst``, never ``TypeError``
    assert run_example(tmp_path, example) == "(1, 2, {})\n"
    _, shape = example_for(tmp_path, "Shape.__new__", RECORDS)
    assert "shape = Shape()" in shape and "__new__(" not in shape
    run_example(tmp_path, shape)


# -- constructors come through the method resolution order ---------------------------------------

SERIALIZERS = """\
import enum
import typing as t

from weather.base import Serializer

T = t.TypeVar("T")


class URLSafeMixin(Serializer[str]):
    def dump(self, obj: str) -> str:
        return self.secret_key + obj


class URLSafeSerializer(URLSafeMixin, Serializer[str]):
    pass


class Mode(enum.Enum):
    FAST = "fast"


def run(mode: Mode) -> str:
    return mode.value
"""

BASE = """\
import typing as t

T = t.TypeVar("T")


class Serializer(t.Generic[T]):
    def __init__(self, secret_key: str, salt: str = "x") -> None:
        self.secret_key = secret_key
"""


def test_inherited_constructors_are_found_through_mixins_and_generic_bases(
    tmp_path: Path,
) -> None:
    (tmp_path / "weather").mkdir()
    (tmp_path / "weather" / "base.py").write_text(BASE, encoding="utf-8")
    _, example = example_for(tmp_path, "URLSafeSerializer", SERIALIZERS)
    assert 'url_safe_serializer = URLSafeSerializer(secret_key="example")' in example
    _, mixin = example_for(tmp_path, "URLSafeMixin.dump", SERIALIZERS)
    assert 'URLSafeSerializer(secret_key="example")' in mixin  # a mixin through its user
    assert run_example(tmp_path, mixin) == "exampleexample\n"


def test_an_enum_is_used_by_member_never_called(tmp_path: Path) -> None:
    source = "import enum\n\n\nclass ControlType(enum.Enum):\n    BELL = 1\n    HOME = 2\n"
    _, example = example_for(tmp_path, "", source)
    assert "control_type = client.ControlType.BELL\nprint(control_type)" in example
    assert run_example(tmp_path, example) == "ControlType.BELL\n"


# -- module variables are read, and only names the module binds ---------------------------------


def test_a_module_of_variables_shadowed_by_one_of_them_prints_their_values(
    tmp_path: Path,
) -> None:
    source = '__title__ = "weather"\n__version__ = "1.0"\n'
    exports = "from .client import __title__\nfrom .client import __version__ as client\n"
    _, example = example_for(tmp_path, "", source, exports=exports)
    assert example == (
        "from weather.client import __title__, __version__\n\n"
        "print(__title__)\nprint(__version__)\n"
    )
    assert run_example(tmp_path, example) == "weather\n1.0\n"


def test_all_names_the_module_never_binds_are_not_read(tmp_path: Path) -> None:
    source = (
        'from json import dumps, loads\n\n__all__ = ["__author__", "dumps", "__version__", "loads"]'
        '\n\n\ndef __getattr__(name):\n    if name == "__version__":\n        return "1.0"\n'
        "    raise AttributeError(name)\n"
    )
    _, example = example_for(tmp_path, "", source)
    assert "__author__" not in example
    assert "print(client.dumps)\nprint(client.__version__)\nprint(client.loads)" in example
    assert run_example(tmp_path, example).splitlines()[1] == "1.0"


def test_a_protocol_parameter_gets_an_object_whose_methods_return_their_types(
    tmp_path: Path,
) -> None:
    source = (
        "import typing as t\n\n\nclass Dumper(t.Protocol):\n"
        "    def dumps(self, obj: t.Any) -> str: ...\n\n"
        "    async def close(self) -> None: ...\n\n\n"
        "def is_text(serializer: Dumper) -> bool:\n"
        "    return isinstance(serializer.dumps({}), str)\n"
    )
    _, example = example_for(tmp_path, "is_text", source)
    assert '    def dumps(self, *args, **kwargs):\n        return "example"' in example
    assert "    async def close(self, *args, **kwargs):\n        return None" in example
    assert "result = is_text(serializer=serializer)" in example
    assert run_example(tmp_path, example) == "True\n"


def test_classes_inside_containers_are_classes(tmp_path: Path) -> None:
    source = (
        "import typing as t\n\n\n"
        "def names(types: t.Sequence[t.Union[t.Type[t.Any], int]]) -> list[str]:\n"
        "    return [kind.__name__ for kind in types]\n"
    )
    _, example = example_for(tmp_path, "names", source)
    assert "result = names(types=[str])" in example
    assert run_example(tmp_path, example) == "['str']\n"


# -- values the project itself passes ------------------------------------------------------------

RELEASES = '''\
"""Release versions.

>>> split_at("abcb", lambda x: x == "b")
[['a'], ['c']]
"""

import re

_PATTERN = re.compile(r"^(\\d+)\\.(\\d+)$")


class Version:
    """A release version.

    >>> Version("1.4").minor
    4
    """

    def __init__(self, text: str) -> None:
        match = _PATTERN.match(text)
        if match is None:
            raise ValueError(f"not a version: {text!r}")
        self.major, self.minor = (int(part) for part in match.groups())

    @property
    def release(self) -> tuple[int, int]:
        return (self.major, self.minor)


def split_at(items, pred):
    parts, current = [], []
    for item in items:
        if pred(item):
            parts.append(current)
            current = []
        else:
            current.append(item)
    return parts
'''


def test_arguments_come_from_the_projects_own_doctests_and_calls(tmp_path: Path) -> None:
    _, example = example_for(tmp_path, "Version.release", RELEASES)
    assert 'version = Version(text="1.4")' in example
    assert run_example(tmp_path, example) == "(1, 4)\n"
    _, example = example_for(tmp_path, "split_at", RELEASES)
    assert "print(split_at(\"abcb\", lambda x: x == \"b\"))  # [['a'], ['c']]" in example
    assert run_example(tmp_path, example) == "[['a'], ['c']]\n"


def test_a_literal_of_another_type_than_the_annotation_is_not_used(tmp_path: Path) -> None:
    source = RELEASES.replace('>>> Version("1.4").minor', ">>> Version(14).minor")
    _, example = example_for(tmp_path, "Version.release", source)
    assert "Version(14)" not in example and "text=14" not in example


SIGNING = '''\
"""Signed tokens."""

import base64
import hashlib
import hmac


class Signer:
    def __init__(self, secret_key: str) -> None:
        self.secret_key = secret_key.encode()

    def sign(self, value: str) -> str:
        mac = hmac.new(self.secret_key, value.encode(), hashlib.sha256).hexdigest()
        return f"{value}.{mac}"

    def unsign(self, signed_value: str) -> str:
        value, _, mac = signed_value.rpartition(".")
        if self.sign(value) != signed_value:
            raise ValueError("bad signature")
        return value


def urlsafe_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text.encode())


def urlsafe_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode()
'''


def test_the_reverse_half_of_a_pair_gets_what_the_forward_half_returns(tmp_path: Path) -> None:
    _, example = example_for(tmp_path, "Signer.unsign", SIGNING)
    assert "signed_value = signer.sign(value=" in example
    assert "signer.unsign(signed_value=signed_value)" in example
    run_example(tmp_path, example)
    _, example = example_for(tmp_path, "urlsafe_decode", SIGNING)
    assert "text = urlsafe_encode(data=" in example
    assert "import urlsafe_decode, urlsafe_encode" in example
    run_example(tmp_path, example)


PARCELS = '''\
"""Parcels and labels."""


class Label:
    def __init__(self, text: str) -> None:
        self.text = text


class Parcel:
    def __init__(self, weight: float) -> None:
        self.weight = weight
        self.labels: list[str] = []

    def stamp(self, mark: str) -> None:
        self.labels.append(mark)


def ship(parcel_like):
    parcel_like.stamp("shipped")
    return parcel_like.weight * 2
'''


def test_an_unannotated_parameter_gets_the_class_its_code_uses_it_as(tmp_path: Path) -> None:
    _, example = example_for(tmp_path, "ship", PARCELS)
    assert "parcel_like = Parcel(weight=1.0)" in example
    assert run_example(tmp_path, example) == "2.0\n"


TASKS = '''\
"""Task boards."""

from typing import NewType

TaskID = NewType("TaskID", int)


class Board:
    def __init__(self) -> None:
        self._tasks: dict[TaskID, str] = {}

    def add_task(self, title: str) -> TaskID:
        task_id = TaskID(len(self._tasks))
        self._tasks[task_id] = title
        return task_id

    def finish(self, task_id: TaskID) -> str:
        return self._tasks.pop(task_id)
'''


def test_a_value_only_the_class_makes_comes_from_the_method_that_makes_it(tmp_path: Path) -> None:
    _, example = example_for(tmp_path, "Board.finish", TASKS)
    assert "task_id = board.add_task(title=" in example
    assert "board.finish(task_id=task_id)" in example
    run_example(tmp_path, example)


SPINNERS = '''\
"""Spinners."""

FRAMES = {"dots": "⠋⠙⠹", "line": "-\\\\|/"}


class Spinner:
    def __init__(self, name: str) -> None:
        if name not in FRAMES:
            raise KeyError(f"no spinner called {name!r}")
        self.frames = FRAMES[name]

    def frame(self, tick: int) -> str:
        return self.frames[tick % len(self.frames)]
'''


def test_a_parameter_looked_up_in_a_module_dict_gets_one_of_its_keys(tmp_path: Path) -> None:
    _, example = example_for(tmp_path, "Spinner.frame", SPINNERS)
    assert 'spinner = Spinner(name="dots")' in example
    run_example(tmp_path, example)


def test_a_compared_string_is_not_passed_where_the_annotation_wants_a_class(
    tmp_path: Path,
) -> None:
    source = (
        "class URL:\n"
        "    def __init__(self, scheme: str) -> None:\n"
        "        self.scheme = scheme\n\n\n"
        "def is_secure(url: URL) -> bool:\n"
        '    return url.scheme == "https"\n'
    )
    _, example = example_for(tmp_path, "is_secure", source)
    assert 'url="https"' not in example
    assert "url = URL(scheme=" in example
    run_example(tmp_path, example)


def test_an_exception_whose_constructor_takes_nothing_is_raised_without_arguments(
    tmp_path: Path,
) -> None:
    source = (
        "class StreamClosed(RuntimeError):\n"
        "    def __init__(self) -> None:\n"
        '        super().__init__("the stream is closed")\n\n\n'
        "class Failed(RuntimeError):\n"
        "    pass\n"
    )
    _, example = example_for(tmp_path, "StreamClosed", source)
    assert "raise StreamClosed()" in example
    assert run_example(tmp_path, example) == "the stream is closed\n"
    _, example = example_for(tmp_path, "Failed", source)
    assert 'raise Failed("example")' in example
    run_example(tmp_path, example)


def test_a_method_that_hands_back_what_the_object_holds_is_not_used_to_make_a_value(
    tmp_path: Path,
) -> None:
    source = (
        "class Line:\n"
        "    def __init__(self, text: str) -> None:\n"
        "        self.text = text\n\n\n"
        "class Lines:\n"
        "    def __init__(self) -> None:\n"
        "        self._lines: list[Line] = []\n\n"
        "    def pop(self) -> Line:\n"
        "        return self._lines.pop()\n\n"
        "    def append(self, line: Line) -> None:\n"
        "        self._lines.append(line)\n"
    )
    _, example = example_for(tmp_path, "Lines.append", source)
    assert "lines.pop()" not in example
    run_example(tmp_path, example)


COMMAND_LINE = '''\
"""A command that refuses arguments it does not know."""

from __future__ import annotations


class Command:
    """A command without options."""

    def parse_args(self, args: list[str]) -> list[str]:
        if args:
            raise SystemExit(f"unexpected extra argument {args[0]!r}")
        return args
'''


def test_command_line_arguments_are_empty(tmp_path: Path) -> None:
    _, example = example_for(tmp_path, "Command.parse_args", COMMAND_LINE)
    assert "parse_args(args=[])" in example
    assert run_example(tmp_path, example).strip() == "[]"


RECEIVER_BY_CONVENTION = '''\
class Runner:
    """Calls things; its methods mark positional-only parameters with ``__`` (pre-PEP 570)."""

    def invoke(__self, __callback, *args, **kwargs):
        """Call ``__callback`` with the arguments that follow."""
        return __callback(*args, **kwargs)
'''


def test_a_receiver_named_with_the_positional_only_prefix_is_not_passed(tmp_path: Path) -> None:
    _, example = example_for(tmp_path, "Runner.invoke", RECEIVER_BY_CONVENTION)
    call = next(
        n
        for n in ast.walk(ast.parse(example))
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "invoke"
    )
    assert len(call.args) == 1 and not call.keywords  # __callback only, by position
    assert "self =" not in example
    run_example(tmp_path, example)


CORE_OPTION = '''\
class Option:
    """A command-line option as users declare it."""

    def __init__(self, name: str) -> None:
        self.name = name
'''

PARSER_OPTION = '''\
from __future__ import annotations

import typing as t

if t.TYPE_CHECKING:
    from weather.core import Option as CoreOption


class Option:
    """The parser's view of a declared option: same name, another class."""

    def __init__(self, obj: CoreOption, dest: str) -> None:
        self.obj = obj
        self.dest = dest

    def describe(self) -> str:
        return f"{self.obj.name} -> {self.dest}"
'''


def test_a_class_named_like_the_symbol_is_imported_under_the_modules_alias(
    tmp_path: Path,
) -> None:
    (tmp_path / "weather").mkdir()
    (tmp_path / "weather" / "core.py").write_text(CORE_OPTION, encoding="utf-8")
    _, example = example_for(tmp_path, "Option.describe", PARSER_OPTION)
    assert "from weather.core import Option as CoreOption" in example
    assert "CoreOption(" in example and "from weather.client import Option" in example
    assert run_example(tmp_path, example).strip() == "example -> example"


def test_a_class_named_through_a_plainly_imported_module_is_built(tmp_path: Path) -> None:
    (tmp_path / "units.py").write_text(
        "class Unit:\n    def __init__(self, symbol: str) -> None:\n        self.symbol = symbol\n",
        encoding="utf-8",
    )
    source = (
        "import units\n\n\n"
        "def label(unit: units.Unit) -> str:\n"
        '    """The unit\'s symbol in brackets."""\n'
        '    return f"[{unit.symbol}]"\n'
    )
    _, example = example_for(tmp_path, "label", source)
    assert "from units import Unit" in example and "..." not in example
    assert run_example(tmp_path, example).strip() == "[example]"


def test_a_modules_example_passes_its_function_what_the_functions_own_example_passes(
    tmp_path: Path,
) -> None:
    source = (
        '"""Tags of wheels."""\n\n\n'
        "def parse_tag(tag: str) -> list[str]:\n"
        '    """The interpreter, ABI and platform of a tag."""\n'
        '    interpreter, abi, platform = tag.split("-")\n'
        "    return [interpreter, abi, platform]\n"
    )
    _, own = example_for(tmp_path, "parse_tag", source)
    _, module = example_for(tmp_path, "", source)
    argument = own.split("parse_tag(", 2)[-1].split(")")[0]
    assert argument and f"parse_tag({argument})" in module
    run_example(tmp_path, module)


def test_an_async_iterable_parameter_gets_an_async_generator(tmp_path: Path) -> None:
    source = (
        "import typing\n\n\n"
        "async def total(chunks: typing.AsyncIterable[bytes]) -> int:\n"
        '    """How many bytes the chunks hold."""\n'
        "    size = 0\n"
        "    async for chunk in chunks:\n"
        "        size += len(chunk)\n"
        "    return size\n"
    )
    _, example = example_for(tmp_path, "total", source)
    assert "async def chunks():" in example and "..." not in example
    assert run_example(tmp_path, example).strip() == "4"  # b"data"


def test_a_modules_example_passes_a_star_parameter_its_function_asserts(tmp_path: Path) -> None:
    source = (
        "def pick(*values: int) -> int:\n"
        '    """The first value."""\n'
        '    assert values, "1 or more values required"\n'
        "    return values[0]\n"
    )
    _, module = example_for(tmp_path, "", source)
    assert "pick()" not in module
    run_example(tmp_path, module)


def test_a_plain_iterable_comes_before_an_async_one_in_a_union(tmp_path: Path) -> None:
    source = (
        "import typing as t\n\n\n"
        "def first(seq: t.Union[t.AsyncIterable[str], t.Iterable[str]]) -> str:\n"
        '    """The first item of a plain iterable."""\n'
        "    return next(iter(seq))  # type: ignore[arg-type]\n"
    )
    _, example = example_for(tmp_path, "first", source)
    assert "async def" not in example
    run_example(tmp_path, example)


def test_a_literal_fits_an_annotation_naming_a_type_alias(tmp_path: Path) -> None:
    source = (
        "from typing import Union\n\n"
        "Unparsed = Union[int, str]\n\n\n"
        "def parse(text: Unparsed) -> int:\n"
        '    """Parse a version number."""\n'
        "    return int(text)\n\n\n"
        'LATEST = parse("42")\n'
    )
    _, example = example_for(tmp_path, "parse", source)
    assert 'parse(text="42")' in example or 'parse("42")' in example
    assert run_example(tmp_path, example).strip() == "42"


# -- what an example shows ------------------------------------------------------------------------

TALLY = '''\
class Tally:
    """Counts things; no ``__repr__`` of its own."""

    def __init__(self, start: int = 0) -> None:
        self.total = start
        self._seen: list[str] = []

    def add(self, name: str) -> None:
        self._seen.append(name)
        self.total += 1


class Bag(dict):
    def drop(self, key: str) -> None:
        self.pop(key, None)


class Gauge:
    def __init__(self, level: int = 3) -> None:
        self._level = level

    @property
    def level(self) -> int:
        return self._level
'''


def test_a_method_that_returns_nothing_is_followed_by_what_it_set(tmp_path: Path) -> None:
    _, example = example_for(tmp_path, "Tally.add", TALLY)
    assert example.rstrip().endswith('tally.add(name="example")\nprint(tally.total)')
    assert run_example(tmp_path, example).strip() == "1"


def test_a_method_of_a_readable_class_is_followed_by_the_object(tmp_path: Path) -> None:
    _, example = example_for(tmp_path, "Bag.drop", TALLY)
    assert example.rstrip().endswith("print(bag)")
    assert run_example(tmp_path, example).strip() == "{}"


def test_a_class_without_a_repr_is_shown_by_a_property_or_attribute(tmp_path: Path) -> None:
    _, example = example_for(tmp_path, "Gauge", TALLY)
    assert example.rstrip().endswith("print(gauge.level)")
    assert run_example(tmp_path, example).strip() == "3"


def test_a_module_of_exceptions_builds_one_with_a_message(tmp_path: Path) -> None:
    source = "class ToolError(Exception):\n    pass\n\n\nclass Missing(ToolError):\n    pass\n"
    _, example = example_for(tmp_path, "", source)
    assert 'tool_error = client.ToolError("example")' in example
    assert run_example(tmp_path, example).strip() == "example"


def test_a_module_prefers_a_class_that_is_no_exception(tmp_path: Path) -> None:
    source = "class ToolError(Exception):\n    pass\n\n\n" + TALLY
    _, example = example_for(tmp_path, "", source)
    assert "client.ToolError" not in example
    assert "print(tally.total)" in example


def test_a_property_that_needs_state_first_is_not_read_to_show_an_object(tmp_path: Path) -> None:
    source = (
        "class Reply:\n"
        "    def __init__(self) -> None:\n        self.status = None\n\n"
        "    @property\n    def ok(self) -> bool:\n        return self.status < 400\n\n"
        "    def close(self) -> None:\n        self._closed = True\n"
    )
    _, example = example_for(tmp_path, "Reply.close", source)
    assert "reply.ok" not in example
    run_example(tmp_path, example)


# -- names that alias a function -------------------------------------------------------------

WRAPPED = '''\
def curry(function):
    """Return ``function`` unchanged (a stand-in for a currying wrapper)."""
    return function


def double(value: int) -> int:
    """Twice ``value``."""
    return value * 2
'''

CURRIED = """\
import weather.helpers
from weather.helpers import curry

twice = curry(weather.helpers.double)
"""


def test_a_name_aliasing_a_function_is_called_like_the_function(tmp_path: Path) -> None:
    (tmp_path / "weather").mkdir()
    (tmp_path / "weather" / "helpers.py").write_text(WRAPPED, encoding="utf-8")
    _, example = example_for(tmp_path, "twice", CURRIED)
    assert "from weather.client import twice\n" in example
    assert "twice(value=" in example and "double" not in example
    assert run_example(tmp_path, example).strip().lstrip("-").isdigit()


def test_a_name_bound_to_a_value_is_still_printed(tmp_path: Path) -> None:
    _, example = example_for(tmp_path, "LIMIT", "LIMIT = max(3, 4)\n")
    assert example.endswith("print(LIMIT)\n")


def test_a_name_binding_more_arguments_than_the_function_is_printed(tmp_path: Path) -> None:
    (tmp_path / "weather").mkdir()
    (tmp_path / "weather" / "helpers.py").write_text(WRAPPED, encoding="utf-8")
    source = "from functools import partial\n\nfrom weather.helpers import double\n\n"
    _, example = example_for(tmp_path, "eight", source + "eight = partial(double, 4)\n")
    assert example.endswith("print(eight)\n")  # double's own example would pass a second value


def test_a_member_of_an_abstract_base_runs_on_a_subclass_that_inherits_it(tmp_path: Path) -> None:
    source = (
        "class Item:\n"
        "    def as_string(self):\n        raise NotImplementedError\n\n"
        "    @property\n    def discriminant(self):\n        return 7\n\n\n"
        "class Alpha(Item):\n"
        "    def as_string(self):\n        return 'a'\n\n"
        "    @property\n    def discriminant(self):\n        return 1\n\n\n"
        "class Beta(Item):\n"
        "    def __init__(self, value):\n        self.value = value\n\n"
        "    def as_string(self):\n        return str(self.value)\n"
    )
    _, example = example_for(tmp_path, "Item.discriminant", source)
    assert "item = Beta(" in example  # Alpha is simpler but runs its own discriminant
    _, example = example_for(tmp_path, "Item.as_string", source)
    assert "item = Alpha()" in example  # every subclass has its own: the simplest one


def test_a_module_that_only_offers_imported_functions_shows_one_of_them(tmp_path: Path) -> None:
    (tmp_path / "weather").mkdir()
    (tmp_path / "weather" / "text.py").write_text(
        "def shout(text: str) -> str:\n    return text.upper() + '!'\n", encoding="utf-8"
    )
    source = '"""Tools."""\nfrom weather.text import shout\n\n__all__ = ["shout"]\n'
    _, example = example_for(tmp_path, "", source)
    assert example.startswith("from weather.client import shout\n")
    assert "result = shout(text=" in example and "print(result)" in example
    _, example = example_for(tmp_path, "", source + "\n\ndef own() -> int:\n    return 1\n")
    assert "client.own()" in example  # a module with functions of its own shows those


IMMUTABLE = """
class Source(str):
    def __init__(self, _: str) -> None:
        super().__init__()
        self.index = 0

    def current(self) -> str:
        return self[self.index]


class Word(str):
    def __new__(cls, kind: int, value: str) -> "Word":
        return super().__new__(cls, value)

    def __init__(self, kind: int, _: str) -> None:
        super().__init__()
        self.kind = kind

    def shout(self) -> str:
        return self.upper()


class Marked(Source):
    pass
"""


def test_a_class_whose_new_takes_other_names_than_its_init_is_built_by_position(
    tmp_path: Path,
) -> None:
    expected = {
        "Source.current": ('Source("example")', "e"),
        "Word.shout": ('Word(1, "example")', "EXAMPLE"),
        "Marked": ('Marked("example")', "0"),
    }
    for qualname, (call, printed) in expected.items():
        _, example = example_for(tmp_path, qualname, IMMUTABLE)
        assert call in example, example
        assert run_example(tmp_path, example).strip() == printed


TOKENS = """
class Token:
    def __init__(self, value):
        self.value = value


class TokenList(Token):
    def __init__(self, tokens=None):
        self.tokens = tokens or []
        super().__init__("".join(t.value for t in self.tokens))


def _group_matching(tlist, kind):
    for token in tlist.tokens:
        token.value = kind(token.value)
    return len(tlist.tokens)


def group_upper(tlist):
    return _group_matching(tlist, str.upper)
"""


def test_a_parameter_passed_on_gets_the_class_the_function_it_reaches_uses_it_as(
    tmp_path: Path,
) -> None:
    _, example = example_for(tmp_path, "group_upper", TOKENS)
    assert "tlist = TokenList()" in example, example
    assert run_example(tmp_path, example) == "0\n"


ALIASED_STANDARD = """
import datetime as dt
import typing as t
from datetime import datetime as dt_datetime


def microseconds(value: dt.timedelta) -> int:
    return value.days * 86400000000 + value.seconds * 1000000 + value.microseconds


def year_of(moment: dt_datetime) -> int:
    return moment.year


def half(number: t.SupportsFloat) -> float:
    return float(number) / 2
"""


def test_a_standard_class_imported_under_another_name_gets_a_real_value(tmp_path: Path) -> None:
    printed = {"microseconds": "5000000", "year_of": "2024", "half": "0.5"}
    for qualname, expected in printed.items():
        _, example = example_for(tmp_path, qualname, ALIASED_STANDARD)
        assert "fill in" not in example, example
        assert run_example(tmp_path, example).strip() == expected
