"""The offline writer on small real files: specific prose, and examples that parse and import."""

from __future__ import annotations

from pathlib import Path

import httpx
import jedi
import pygls
import pytest

from howto_ls.guide import Guide, validate
from howto_ls.model import GuideRequest, Symbol
from howto_ls.offline.analysis import segment_of
from howto_ls.offline.writer import write_guide, write_guide_candidates
from howto_ls.symbols import list_symbols, symbol_named
from tests.test_offline_seeds import identifiers
from tests.verify_project import FIRST_CALL, SECOND_CALL, write_calc

HTTP_CLIENT = '''\
"""A tiny client for the weather service."""

import httpx

BASE_URL = "https://weather.example.com"


class WeatherError(Exception):
    """The service answered with an error."""


class WeatherClient:
    """Reads forecasts; call fetch_forecast."""

    timeout = 10.0

    def __init__(self, api_key: str, base_url: str = BASE_URL) -> None:
        self.api_key = api_key
        self.base_url = base_url

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}

    async def fetch_forecast(self, city: str, days: int = 3) -> dict[str, object]:
        """Fetch the forecast for a city."""
        async with httpx.AsyncClient(timeout=self.timeout) as client:
            response = await client.get(f"{self.base_url}/v1/forecast", params={"q": city})
            if response.status_code == 429:
                raise WeatherError("rate limited")
            response.raise_for_status()
            return response.json()

    def iter_days(self, forecast: dict[str, list[str]]):
        for day in forecast["days"]:
            yield day.upper()

    @classmethod
    def from_env(cls, environ: dict[str, str]) -> "WeatherClient":
        return cls(environ["WEATHER_KEY"])

    async def stream(self, path: str):
        async with httpx.AsyncClient() as client:
            async with client.stream("GET", self.base_url + path) as response:
                async for line in response.aiter_lines():
                    yield line


def parse_temperature(text: str) -> float:
    """Parse '21.5C' into 21.5."""
    if not text.endswith("C"):
        raise ValueError(f"not a Celsius reading: {text!r}")
    try:
        return float(text[:-1])
    except ValueError:
        return float("nan")


def save_report(path: Path, lines: list[str]) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for line in lines:
            handle.write(line + "\\n")
'''


def guide_for(tmp_path: Path, qualname: str, source: str = HTTP_CLIENT) -> tuple[Symbol, Guide]:
    """The offline guide for ``qualname`` in ``source`` written to ``weather/client.py``."""
    package = tmp_path / "weather"
    package.mkdir(exist_ok=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    path = package / "client.py"
    path.write_text(source, encoding="utf-8")
    symbol = symbol_named(source, path, qualname, tmp_path)
    return symbol, write_guide(GuideRequest(symbol=symbol, module_source=source))


def assert_usable(symbol: Symbol, guide: Guide) -> None:
    """The guide passes the shared validator: no vague terms, example parses and imports, and
    every name the prose puts in backticks is in the code."""
    kind = "module" if not symbol.qualname else None
    name = symbol.import_path if kind else symbol.qualname
    source = symbol.path.read_text(encoding="utf-8")
    problems = validate(
        guide,
        name=name,
        modules=[symbol.import_path, symbol.module],
        kind=kind,
        known_identifiers=identifiers(source) | set(symbol.module.split(".")),
    )
    assert problems == [], problems
    assert 1 <= len(guide.steps) <= 14


def test_async_method_names_the_request_the_check_and_the_result(tmp_path: Path) -> None:
    symbol, guide = guide_for(tmp_path, "WeatherClient.fetch_forecast")
    assert_usable(symbol, guide)
    text = guide.description + "\n".join(guide.steps)
    assert "asynchronous method of `WeatherClient`" in guide.description
    assert "Fetch the forecast for a city." not in text  # its own docstring: not quoted back
    for fact in (
        "httpx.AsyncClient(timeout=self.timeout)",
        "GET request",
        "/v1/forecast",
        "`response.status_code` equals `429`",
        "`WeatherError`",
        "raise_for_status",
        "response.json()",
    ):
        assert fact in text, fact


def test_steps_follow_the_body_in_order(tmp_path: Path) -> None:
    _, guide = guide_for(tmp_path, "WeatherClient.fetch_forecast")
    joined = "\n".join(guide.steps)
    order = ["AsyncClient", "GET request", "429", "raise_for_status", "response.json()"]
    positions = [joined.index(word) for word in order]
    assert positions == sorted(positions)


def test_async_generator_is_consumed_with_async_for(tmp_path: Path) -> None:
    symbol, guide = guide_for(tmp_path, "WeatherClient.stream")
    assert_usable(symbol, guide)
    assert "asynchronous generator method" in guide.description
    assert "response.aiter_lines()" in "\n".join(guide.steps)
    assert "GET request" in "\n".join(guide.steps)


def test_generator_is_consumed_with_for(tmp_path: Path) -> None:
    symbol, guide = guide_for(tmp_path, "WeatherClient.iter_days")
    assert_usable(symbol, guide)
    assert "generator method" in guide.description


def test_classmethod_is_called_on_the_class(tmp_path: Path) -> None:
    symbol, guide = guide_for(tmp_path, "WeatherClient.from_env")
    assert_usable(symbol, guide)
    assert "class method of `WeatherClient`" in guide.description


def test_property_is_read_from_an_instance(tmp_path: Path) -> None:
    symbol, guide = guide_for(tmp_path, "WeatherClient.headers")
    assert_usable(symbol, guide)
    assert "is a property of `WeatherClient`" in guide.description
    assert "It is read like an attribute and returns `dict[str, str]` from `{" in guide.description
    assert "`'Authorization'`" in "\n".join(guide.steps)


def test_function_names_the_guard_the_raise_and_the_fallback(tmp_path: Path) -> None:
    symbol, guide = guide_for(tmp_path, "parse_temperature")
    assert_usable(symbol, guide)
    steps = "\n".join(guide.steps)
    assert "`ValueError`" in steps
    assert "text.endswith('C')" in steps
    assert "If `ValueError` is raised, returns `float('nan')`" in steps


def test_file_writer_gets_a_path_and_names_the_write(tmp_path: Path) -> None:
    symbol, guide = guide_for(tmp_path, "save_report")
    assert_usable(symbol, guide)
    steps = "\n".join(guide.steps)
    assert "open(path, 'w', encoding='utf-8')" in steps
    assert "handle.write" in steps


def test_class_guide_walks_construction_and_main_method(tmp_path: Path) -> None:
    symbol, guide = guide_for(tmp_path, "WeatherClient")
    assert_usable(symbol, guide)
    assert "fetch_forecast" in guide.description
    steps = "\n".join(guide.steps)
    assert "`timeout` = `10.0`" in steps
    assert "constructed with `api_key` (`str`)" in steps
    assert "/v1/forecast" in steps


def test_exception_class_without_methods(tmp_path: Path) -> None:
    symbol, guide = guide_for(tmp_path, "WeatherError")
    assert_usable(symbol, guide)
    assert "deriving from `Exception`" in guide.description
    assert "The service answered with an error." not in guide.description  # its own docstring


SHAPES = '''\
import enum
from dataclasses import dataclass, field


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


@dataclass
class Point:
    x: int
    y: int = 0
    tags: list[str] = field(default_factory=list)

    def moved(self, dx: int) -> "Point":
        return Point(self.x + dx, self.y)


class JSONRPCServer:
    def __init__(self, protocol_cls: type[Point], url: str | None) -> None:
        self.protocol_cls = protocol_cls

    def __enter__(self) -> "JSONRPCServer":
        return self


TEMPLATE = """
text at column zero inside a string
"""


class AfterString:
    note = """
column zero again
"""

    def run(self, count: int) -> int:
        return count * 2
'''


def test_dataclass_is_built_from_its_required_fields(tmp_path: Path) -> None:
    symbol, guide = guide_for(tmp_path, "Point.moved", SHAPES)
    assert_usable(symbol, guide)
    symbol, guide = guide_for(tmp_path, "Point", SHAPES)
    assert (
        "dataclass built from the fields `x: int`, `y: int = 0` and "
        "`tags: list[str] = field(default_factory=list)`" in "\n".join(guide.steps)
    )


def test_symbols_after_column_zero_strings_are_still_found(tmp_path: Path) -> None:
    symbol, guide = guide_for(tmp_path, "AfterString.run", SHAPES)
    assert_usable(symbol, guide)
    assert "`count * 2`" in "\n".join(guide.steps)
    assert "result = after_string.run(count=1)" in guide.example
    symbol, guide = guide_for(tmp_path, "TEMPLATE", SHAPES)
    assert_usable(symbol, guide)
    assert "print(TEMPLATE)" in guide.example


def test_module_variable_and_module(tmp_path: Path) -> None:
    symbol, guide = guide_for(tmp_path, "BASE_URL")
    assert_usable(symbol, guide)
    assert "'https://weather.example.com'" in guide.description
    symbol, guide = guide_for(tmp_path, "")
    assert_usable(symbol, guide)
    assert "`WeatherClient`" in guide.description
    assert (
        "It defines the functions `parse_temperature()` and `save_report()`." in guide.description
    )
    steps = "\n".join(guide.steps)
    assert (
        'the class `WeatherError` (from `Exception`) ("The service answered with an error.")'
        in (steps)
    )
    assert "Imports `httpx`." in guide.steps


@pytest.mark.parametrize(
    "said",
    [
        "Client for the AWS IoT Things registry.",
        "Getting started with the registry.",
        "Doing various things to stuff.",
    ],
)
def test_a_quoted_docstring_is_never_rewritten(tmp_path: Path, said: str) -> None:
    source = (
        f"class Registry:\n    {said!r}\n\n\n"
        f"def tidy(items):\n    {said!r}\n    return sorted(items)\n"
    )
    symbol, guide = guide_for(tmp_path, "", source)  # the module's guide quotes both
    assert_usable(symbol, guide)
    steps = " ".join(guide.steps)
    assert steps.count(f'("{said}")') == 2
    for replacement in ("Items", "Retrieving", "Performing", "several", "data"):
        assert replacement not in steps


def test_a_quoted_docstring_with_quotes_inside_is_kept_exactly(tmp_path: Path) -> None:
    said = 'Wrap "getting" in quotes, things and all.'
    source = f"def tidy(items):\n    {said!r}\n    return sorted(items)\n"
    _, guide = guide_for(tmp_path, "", source)
    assert f'("{said}")' in " ".join(guide.steps)


def test_code_names_with_vague_words_are_kept(tmp_path: Path) -> None:
    source = "def count(things: list[str]) -> int:\n    return len(things)\n"
    symbol, guide = guide_for(tmp_path, "count", source)
    assert_usable(symbol, guide)
    assert "`things` (`list[str]`)" in guide.steps[0]


def test_overloads_describe_the_implementation(tmp_path: Path) -> None:
    source = (
        "from typing import overload\n\n\n"
        "@overload\ndef scale(value: int) -> int: ...\n\n\n"
        "@overload\ndef scale(value: str) -> str: ...\n\n\n"
        "def scale(value):\n    return value * 2\n"
    )
    symbol, guide = guide_for(tmp_path, "scale", source)
    assert_usable(symbol, guide)
    assert "Returns `value * 2`." in guide.steps


def test_segment_is_the_whole_top_level_block(tmp_path: Path) -> None:
    source = (
        "import os\n\n\n@register(\n    'x',\n)\ndef handler(event):\n"
        "    return os.path.join(\nevent.path, 'out')\n\n\nLIMIT = 3\n"
    )
    symbol, guide = guide_for(tmp_path, "handler", source)
    segment = segment_of(source, symbol)
    assert segment is not None
    assert segment.startswith("@register(") and "def handler" in segment
    assert "LIMIT" not in segment  # the column-0 continuation cut it short: the module is parsed
    assert_usable(symbol, guide)
    assert "decorated with `@register`" in guide.description
    assert "`os.path.join(event.path, 'out')`" in guide.steps[-1]


def test_broken_source_still_gives_a_guide(tmp_path: Path) -> None:
    source = "def ok(x: int) -> int:\n    return x + 1\n"
    symbol, _ = guide_for(tmp_path, "ok", source)
    guide = write_guide(GuideRequest(symbol=symbol, module_source="def ok(:\n"))
    assert_usable(symbol, guide)


def _package_symbols(package: Path, limit: int) -> list[tuple[Symbol, str, set[str]]]:
    """Up to ``limit`` symbols of an installed package, each with its module source and names."""
    root = package.parent
    out: list[tuple[Symbol, str, set[str]]] = []
    for path in sorted(package.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        known = identifiers(source)
        out.extend((s, source, known) for s in list_symbols(source, path, root, True))
        if len(out) >= limit:
            break
    return out[:limit]


@pytest.mark.parametrize("module", [httpx, jedi, pygls], ids=lambda m: m.__name__)
def test_sweep_over_installed_packages(module: object) -> None:
    package = Path(str(getattr(module, "__file__", ""))).parent
    symbols = _package_symbols(package, 300)
    assert len(symbols) == 300
    for symbol, source, known in symbols:
        guide = write_guide(GuideRequest(symbol=symbol, module_source=source))
        kind = "module" if not symbol.qualname else None
        problems = validate(
            guide,
            name=symbol.import_path if kind else symbol.qualname,
            modules=[symbol.import_path, symbol.module],
            kind=kind,
            known_identifiers=known | set(symbol.module.split(".")),
        )
        assert problems == [], (symbol.module, symbol.qualname, problems)
        assert 1 <= len(guide.steps) <= 14


def test_candidates_start_with_the_guide_write_guide_gives(tmp_path: Path) -> None:
    numbers = write_calc(tmp_path)
    source = numbers.read_text(encoding="utf-8")
    symbol = symbol_named(source, numbers, "parse_number", tmp_path)
    request = GuideRequest(symbol=symbol, module_source=source)
    guides = write_guide_candidates(request)
    assert guides[0] == write_guide(request)
    assert FIRST_CALL in guides[0].example and SECOND_CALL in guides[1].example
    assert "parse_number(text=" in guides[2].example  # written from the code
    # then variants of the written one with other values for its uncertain argument
    assert 'parse_number(text=" 42 ")' in guides[3].example  # the tests' own literal first
    assert len({guide.example for guide in guides}) == 6
    assert len(write_guide_candidates(request, mined=1)) == 5
