"""Whether an example demonstrates its symbol: real runs in the sandbox, traced by coverage.py."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from howto_ls import tracing
from howto_ls.demonstration import (
    BLANK,
    BOUND_METHOD,
    CLASS,
    EMPTY,
    FUNCTION,
    MODULE,
    NONE,
    OBJECT,
    REAL,
    Demonstration,
    Target,
    body_lines,
    classify,
    demonstrate,
)

MODULE_SOURCE = '''\
"""Shapes and helpers."""
import functools


def retry(func):
    """Wrap ``func``."""

    @functools.wraps(func)
    def wrapper(*args):
        return func(*args)

    return wrapper


def nothing():
    total = 0
    return None


def evens(numbers):
    return [
        n
        for n in numbers
        if n % 2 == 0
    ]


def area(width, height):
    if width < 0:
        raise ValueError("negative")
    return width * height


class Box:
    """A box of items."""

    def __init__(self, items):
        self.items = list(items)

    def size(self):
        return len(self.items)
'''


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with one package module, ``pkg.shapes``."""
    root = tmp_path_factory.mktemp("project")
    (root / "pkg").mkdir()
    (root / "pkg" / "__init__.py").write_text("", encoding="utf-8")
    (root / "pkg" / "shapes.py").write_text(MODULE_SOURCE, encoding="utf-8")
    return root


def measure(project: Path, key: str, code: str) -> Demonstration:
    """``code`` run against ``pkg.shapes``'s ``key`` in the sandbox."""
    target = Target(project / "pkg" / "shapes.py", key)
    return demonstrate(code, target, paths=[project], timeout=15)


def test_printing_a_function_object_does_not_demonstrate(project: Path) -> None:
    shown = measure(project, "retry", "from pkg.shapes import retry\n\nprint(retry(print))\n")
    assert shown.run.ok and shown.measured
    assert shown.body_executed > 0  # retry's body ran: it is what it printed that fails
    assert not shown.demonstrates
    assert shown.reason == "printed a function object"
    assert shown.describe() == "runs but does not demonstrate: printed a function object"


def test_printing_none_does_not_demonstrate(project: Path) -> None:
    shown = measure(project, "nothing", "from pkg.shapes import nothing\n\nprint(nothing())\n")
    assert not shown.demonstrates
    assert shown.reason == "printed None", shown.run.stdout


def test_printing_an_empty_list_does_not_demonstrate(project: Path) -> None:
    code = "from pkg.shapes import evens\n\nprint('evens:', evens([1, 3]))\n"
    shown = measure(project, "evens", code)
    assert (shown.body_executed, shown.body_total) == (1, 1)  # one statement over five lines
    assert not shown.demonstrates
    assert shown.reason == "printed an empty value"


def test_an_example_that_never_reaches_the_body_does_not_demonstrate(project: Path) -> None:
    code = "from pkg.shapes import Box\n\nbox = Box([1, 2])\nprint(box.items)\n"
    shown = measure(project, "Box.size", code)
    assert shown.run.ok and shown.shown == REAL
    assert not shown.demonstrates
    assert shown.body_executed == 0 and shown.body_total == 1
    assert shown.reason == "never reached the body of Box.size"


def test_a_real_example_demonstrates_with_its_body_coverage(project: Path) -> None:
    shown = measure(project, "area", "from pkg.shapes import area\n\nprint(area(3, 4))\n")
    assert shown.demonstrates, shown.reason
    assert (shown.body_executed, shown.body_total) == (2, 3)  # the raise did not run
    assert shown.describe() == "runs and demonstrates (body 2/3 lines)"


def test_an_example_that_only_asserts_demonstrates(project: Path) -> None:
    code = "from pkg.shapes import area\n\nassert area(2, 5) == 10\n"
    shown = measure(project, "area", code)
    assert shown.run.stdout == ""
    assert shown.asserted and shown.demonstrates, shown.reason


def test_an_assert_that_never_runs_shows_nothing(project: Path) -> None:
    code = "from pkg.shapes import area\n\narea(2, 5)\nif False:\n    assert area(1, 1) == 1\n"
    shown = measure(project, "area", code)
    assert not shown.asserted and not shown.demonstrates
    assert shown.reason == "printed nothing and asserted nothing"


def test_a_class_demonstrates_when_its_methods_run(project: Path) -> None:
    code = "from pkg.shapes import Box\n\nprint(Box('abc').size())\n"
    shown = measure(project, "Box", code)
    assert shown.demonstrates, shown.reason
    assert (shown.body_executed, shown.body_total) == (2, 2)


def test_a_class_printed_as_its_default_repr_does_not_demonstrate(project: Path) -> None:
    shown = measure(project, "Box", "from pkg.shapes import Box\n\nprint(Box([1]))\n")
    assert shown.body_executed == 1  # __init__ ran
    assert shown.reason == "printed an object's default repr"


def test_a_failing_example_is_reported_by_its_run(project: Path) -> None:
    shown = measure(project, "area", "from pkg.shapes import area\n\nprint(area(-1, 2))\n")
    assert not shown.run.ok and not shown.demonstrates
    assert shown.describe() == "fails: ValueError: negative"


def test_the_examples_own_imports_do_not_see_the_tracer(project: Path) -> None:
    code = (
        "import sys\n\nfrom pkg.shapes import area\n\n"
        "print(area(1, 2), any(m.split('.')[0] == 'coverage' for m in sys.modules))\n"
    )
    shown = measure(project, "area", code)
    assert shown.run.stdout.strip() == "2 False"
    assert shown.demonstrates


def test_garbage_in_the_coverage_data_file_is_not_measured(project: Path) -> None:
    code = (
        "import os\n\nfrom pkg.shapes import area\n\nprint(area(2, 2))\n"
        f"with open({tracing.DATA_FILE!r}, 'wb') as f:\n"
        "    f.write(b'\\x00{not json')\n"
        "os._exit(0)\n"  # the bootstrap never gets to write the real data
    )
    shown = measure(project, "area", code)
    assert shown.run.ok
    assert not shown.measured and not shown.demonstrates
    assert shown.describe() == (
        "runs; demonstration not measured: the coverage data file is not valid JSON"
    )


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"[]", "not measured: the coverage data file has no lines"),
        (b'{"lines": {"/x.py": [0]}}', "not measured: the coverage data file has bad line numbers"),
        (
            b'{"lines": {"/x.py": [true]}}',
            "not measured: the coverage data file has bad line numbers",
        ),
        (b'{"lines": {"/x.py": "1"}}', "not measured: the coverage data file has bad line numbers"),
        (b"[" * 100_000, "not measured: the coverage data file is not valid JSON"),
        (b" " * (tracing.MAX_DATA + 1), "not measured: the coverage data file is too large"),
        (b'{"problem": "boom\\u001b[31m"}', "not measured: boom [31m"),
    ],
)
def test_hostile_coverage_data_is_one_clear_line(
    tmp_path: Path, content: bytes, problem: str
) -> None:
    (tmp_path / tracing.DATA_FILE).write_bytes(content)
    trace = tracing.read(tmp_path, ["/x.py"])
    assert trace.problem == problem
    assert not trace.lines


def test_coverage_data_keeps_only_the_traced_files(tmp_path: Path) -> None:
    data = {"lines": {"/x.py": [1, 3], "/elsewhere.py": [2]}}
    (tmp_path / tracing.DATA_FILE).write_text(json.dumps(data), encoding="utf-8")
    trace = tracing.read(tmp_path, ["/x.py"])
    assert trace.measured and dict(trace.lines) == {"/x.py": frozenset({1, 3})}


def test_without_coverage_installed_the_run_says_how_to_measure(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "coverage", None)  # the import system's "not installed"
    shown = measure(project, "area", "from pkg.shapes import area\n\nprint(area(3, 4))\n")
    assert shown.run.ok and not shown.measured and not shown.demonstrates
    assert shown.describe() == f"runs; demonstration {tracing.INSTALL}"
    assert "pip install coverage" in shown.describe()


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("12", REAL),
        ("area: 12", REAL),
        ("None", NONE),
        ("result: None", NONE),
        ("[None, None]", NONE),
        ("results: (None,)", NONE),
        ("[None, 1]", REAL),
        ("x = []", EMPTY),
        ("{}", EMPTY),
        ("set()", EMPTY),
        ("''", EMPTY),
        ("()", EMPTY),
        ("<function retry.<locals>.wrapper at 0x7f3a2c1b0e00>", FUNCTION),
        ("decorated: <function f at 0x7f3a2c1b0e00>", FUNCTION),
        ("[<function a at 0x1>, <function b at 0x2>]", FUNCTION),
        ("<bound method Box.size of <pkg.shapes.Box object at 0x7f3a2c1b0e00>>", BOUND_METHOD),
        ("<class 'pkg.shapes.Box'>", CLASS),
        ("<pkg.shapes.Box object at 0x7f3a2c1b0e00>", OBJECT),
        ("<generator object evens at 0x7f3a2c1b0e00>", OBJECT),
        ("<module 'pkg.shapes' from '/p/pkg/shapes.py'>", MODULE),
        ("Box(items=[1]) <function f at 0x1>", REAL),
        ("{'a': None}", REAL),
        ("   ", BLANK),
    ],
)
def test_each_line_of_output_is_classified(line: str, kind: str) -> None:
    assert classify(line) == kind


def test_the_body_is_counted_in_statements_without_docstrings_or_imports(project: Path) -> None:
    path = project / "pkg" / "shapes.py"
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    evens = body_lines(source, Target(path, "evens"))
    start = lines.index("    return [") + 1
    assert set(evens) == set(range(start, start + 5)) and set(evens.values()) == {start}
    retry = body_lines(source, Target(path, "retry"))
    assert lines.index('    """Wrap ``func``."""') + 1 not in retry
    module = body_lines(source, Target(path, ""))
    assert 1 not in module and 2 not in module  # the docstring and the import
    assert lines.index("def area(width, height):") + 1 in module
    box = body_lines(source, Target(path, "Box"))
    assert set(box.values()) == {
        lines.index("        self.items = list(items)") + 1,
        lines.index("        return len(self.items)") + 1,
    }
    assert body_lines("def broken(:\n", Target(path, "broken")) == {}


def test_a_package_without_statements_is_named_by_its_folder(tmp_path: Path) -> None:
    (tmp_path / "pk").mkdir()
    init = tmp_path / "pk" / "__init__.py"
    init.write_text('"""Pk."""\n\nfrom os import sep\n', encoding="utf-8")
    target = Target(init, "")
    assert target.name == "pk"
    shown = demonstrate("import pk\n\nprint(pk.sep)\n", target, paths=[tmp_path], timeout=15)
    assert shown.run.ok, shown.run.stderr
    assert shown.reason == "module pk has no statements of its own to run"
