"""Arguments the code requires although the signature makes them optional: a value refused at
its default (also through a helper, ``super()`` and an overriding method), a local set only from
the parameter, an ``*args`` refused empty, the exception being handled, and option-like
elements; each example is written offline, checked for the argument, and run."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from howto_ls.astutil import parse
from howto_ls.examples_run import run_example
from howto_ls.model import GuideRequest
from howto_ls.offline.analysis import find_method
from howto_ls.offline.required import Code, Demand, demand
from howto_ls.offline.writer import write_guide
from howto_ls.symbols import symbol_named

REQUIRED = '''\
"""Calls whose optional parameters the code cannot do without."""

from __future__ import annotations

import sys
from typing import Union


class Context:
    def __init__(self, strict: bool = False) -> None:
        self.strict = strict


def context_of(node: Node, ctx: Context | None) -> Context:
    if ctx is None:
        if node.context is None:
            raise RuntimeError("pass a context or attach one to the node")
        return node.context
    return ctx


class Node:
    def __init__(self) -> None:
        self.context: Context | None = None

    def evaluate(self, ctx: Context | None = None) -> bool:
        ctx = context_of(self, ctx)
        return not ctx.strict

    def describe(self, verbose: bool | None = None) -> str:
        if verbose is None:
            verbose = False
        return "node" if not verbose else "a node"


class Unset:
    pass


UNSET = Unset()
Seconds = Union[float, int]


class Limits:
    def __init__(self, default: Seconds | Unset = UNSET, *, read: float | None = None) -> None:
        if isinstance(default, Unset):
            raise ValueError("Limits needs a default or all of its limits")
        self.default = default
        self.read = read


class _Bar:
    def __init__(self, items: list[str] | None = None, length: int | None = None) -> None:
        if length is None:
            length = len(items) if items is not None else None
        if items is None:
            if length is None:
                raise TypeError("items or length is required")
            items = [str(index) for index in range(length)]
        self.items = items


def progress(items: list[str] | None = None, length: int | None = None) -> list[str]:
    return _Bar(items=items, length=length).items


def meter(items: list[str] | None = None, length: int | None = None) -> int:
    from things.bars import Meter  # imported where it is used, as click's progressbar does

    return Meter(items, length).total


def copy_bytes(data: bytes, total: int | None = None, task: str | None = None) -> int:
    size = None
    if total is not None:
        size = total
    if task is not None:
        size = len(task)
    if size is None:
        raise ValueError("unable to get the total number of bytes, please specify 'total'")
    return min(size, len(data))


def first_set(*values: bool | None) -> bool:
    assert values, "1 or more values required"
    for value in values:
        if value is not None:
            return value
    return False


class Cycle:
    def __init__(self, *items: str) -> None:
        if not items:
            raise RuntimeError("at least one item has to be provided")
        self.items = items

    def next(self) -> str:
        return self.items[0]


class Steps:
    """Steps up to a stop, as ``range`` counts them for floats.

    >>> Steps(2.5).count()
    3
    """

    def __init__(self, *args: float) -> None:
        count = len(args)
        if count == 0:
            raise TypeError("Steps expected at least 1 argument, got 0")
        self.stop = args[-1]

    def count(self) -> int:
        return int(self.stop) + 1


def span(*args: int) -> range:
    count = len(args)
    if count == 0:
        raise TypeError("span expected at least 1 argument, got 0")
    return range(*args)


def report_error() -> str:
    kind, value, _ = sys.exc_info()
    if kind is None or value is None:
        raise ValueError("call report_error inside an except block")
    return f"{kind.__name__}: {value}"


class Report:
    def __init__(self, trace: str | None = None) -> None:
        if trace is None:
            _, value, _ = sys.exc_info()
            if value is None:
                raise ValueError("Value for 'trace' required if not called in except: block")
            trace = str(value)
        self.trace = trace


def show(report: Report, width: int = 80) -> str:
    return report.trace[:width]


class Printer:
    def print_error(self) -> str:
        return Report().trace


def split_flag(text: str) -> tuple[str, str]:
    first = text[:1]
    if first.isalnum():
        return "", text
    return (text[:2], text[2:]) if text[1:2] == first else (first, text[1:])


class Parser:
    def __init__(self) -> None:
        self.prefixes = {"-", "--"}

    def is_flag(self, arg: str) -> bool:
        return arg[:1] in self.prefixes


class Switch:
    def __init__(self, opts: list[str], dest: str | None = None) -> None:
        self.names = []
        for opt in opts:
            prefix, value = split_flag(opt)
            if not prefix:
                raise ValueError(f"Invalid start character for option ({opt})")
            self.names.append(value)
        self.dest = dest


class Param:
    def __init__(self, decls: list[str] | None = None, required: bool = False) -> None:
        self.name = self._parse(decls or ())
        self.required = required

    def _parse(self, decls: list[str] | tuple[str, ...]) -> str:
        return decls[0] if decls else "value"


class Flag(Param):
    def __init__(self, decls: list[str] | None = None, hidden: bool = False) -> None:
        super().__init__(decls)
        self.hidden = hidden

    def _parse(self, decls: list[str] | tuple[str, ...]) -> str:
        name = None
        for decl in decls:
            prefix, rest = split_flag(decl)
            if prefix:
                name = rest
        if name is None:
            raise TypeError("Could not determine name for option")
        return name
'''


BARS = """\
class Meter:
    def __init__(self, items=None, length=None):
        if items is None:
            if length is None:
                raise TypeError("items or length is required")
            items = range(length)
        self.total = len(list(items))
"""


def example(tmp_path: Path, qualname: str) -> str:
    """The offline example for ``qualname`` of REQUIRED, after checking that it runs."""
    package = tmp_path / "things"
    package.mkdir(exist_ok=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'things'\n", encoding="utf-8")
    (package / "bars.py").write_text(BARS, encoding="utf-8")
    path = package / "required.py"
    path.write_text(REQUIRED, encoding="utf-8")
    symbol = symbol_named(REQUIRED, path, qualname, tmp_path)
    text = write_guide(GuideRequest(symbol=symbol, module_source=REQUIRED)).example
    run = run_example(text, paths=[tmp_path], timeout=30)
    assert run.ok, f"{run.status}: {run.detail}\n{text}\n{run.output}"
    return text


def demand_of(qualname: str) -> Demand:
    """What calling ``qualname`` of REQUIRED requires (imports not followed)."""
    tree = parse(REQUIRED)
    code = Code(tree, "things.required", "required.py")
    first, _, rest = qualname.partition(".")
    node = next(s for s in tree.body if getattr(s, "name", None) == first)
    if isinstance(node, ast.ClassDef):
        method = find_method(node, rest or "__init__")
        assert method is not None
        return demand(method, code, node)
    assert isinstance(node, ast.FunctionDef)
    return demand(node, code)


@pytest.mark.parametrize(
    ("qualname", "values"),
    [
        ("Node.evaluate", ("ctx",)),  # refused as None by the helper it is passed to
        ("Limits", ("default",)),  # isinstance() of the default's class
        ("progress", ("items",)),  # either of two: the first; ``length`` is reassigned
        ("copy_bytes", ("total",)),  # a local set only from it, refused as None
        ("Flag", ("decls",)),  # through super().__init__ to the overriding _parse
        ("Node.describe", ()),  # None replaced, never refused
        ("Param", ()),  # the base's own _parse takes an empty sequence
    ],
)
def test_the_parameters_the_code_refuses_at_their_default(
    qualname: str, values: tuple[str, ...]
) -> None:
    assert demand_of(qualname).values == values


def test_star_args_refused_empty_and_the_exception_being_handled() -> None:
    assert [demand_of(q).star for q in ("first_set", "Cycle", "span", "progress")] == [
        True,
        True,
        True,
        False,
    ]
    assert [demand_of(q).in_except for q in ("report_error", "Printer.print_error", "span")] == [
        True,
        True,
        False,
    ]
    assert demand_of("Report").values == ()  # read from the exception, not demanded


def test_option_like_elements_take_the_prefix_the_module_tests() -> None:
    found = demand_of("Flag")
    assert found.nonempty == ("decls",) and found.prefixes == (("decls", "--"),)
    assert demand_of("Switch").prefixes == (("opts", "--"),)  # required, checked per element
    assert demand_of("Param").prefixes == ()  # nothing in its loop-free parse raises


@pytest.mark.parametrize(
    ("qualname", "expected"),
    [
        ("Node.evaluate", "node.evaluate(ctx=ctx)"),
        ("Limits", "Limits(default=1."),
        ("progress", "progress(items="),
        ("meter", "meter(items="),  # the class another module of the project defines
        ("copy_bytes", "total="),
        ("first_set", "first_set(True)"),
        ("Cycle.next", 'Cycle("'),
        ("Steps.count", "Steps(2.5)"),  # the project's own call gives the positional value
        ("Flag", 'Flag(decls=["--name"])'),
        ("Switch", 'Switch(opts=["--name"])'),
    ],
)
def test_examples_pass_what_the_code_requires_and_run(
    tmp_path: Path, qualname: str, expected: str
) -> None:
    text = example(tmp_path, qualname)
    assert expected in text, text


@pytest.mark.parametrize("qualname", ["report_error", "Printer.print_error"])
def test_readers_of_the_handled_exception_are_called_in_an_except_block(
    tmp_path: Path, qualname: str
) -> None:
    text = example(tmp_path, qualname)
    call = qualname.rsplit(".", 1)[-1] + "("
    assert "try:\n    raise ValueError(" in text and "\nexcept ValueError:\n" in text, text
    assert text.index("except ValueError:") < text.index(call, text.index("try:")), text


def test_a_parameter_the_code_replaces_when_none_is_left_out(tmp_path: Path) -> None:
    assert "verbose" not in example(tmp_path, "Node.describe")


def test_a_value_whose_constructor_reads_the_handled_exception_is_built_in_except(
    tmp_path: Path,
) -> None:
    text = example(tmp_path, "show")
    assert "except ValueError:\n    report = Report()\n" in text, text
    assert "\nresult = show(report=report)" in text, text  # the call itself needs no exception
