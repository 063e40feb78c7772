"""Mending a failing example by trying other values: the values come from the error message,
the code's own literals and common formats, one sandboxed run tries them, and the variants that
ran are run in full and ranked like any candidate."""

from __future__ import annotations

import ast
import textwrap
import time
from pathlib import Path

import pytest

from howto_ls import argument_search, examples_run
from howto_ls.argument_search import MARKER, Search
from howto_ls.demonstration import Target
from howto_ls.verification import DEMONSTRATES, FAILS, RUNS, Verdict, Verifier

PACKAGE = textwrap.dedent(
    """\
    import datetime

    BOUNDS = ("()", "(]", "[)", "[]")
    UNITS = {"seconds": 1, "minutes": 60, "hours": 3600}


    def validate_bounds(bounds):
        if bounds not in BOUNDS:
            raise ValueError("Invalid bounds. Please select between '()', '(]', '[)', or '[]'.")
        return {"left": bounds[0], "right": bounds[1]}


    def parse_day(raw):
        return datetime.date.fromisoformat(raw)


    def to_seconds(amount, unit):
        return amount * UNITS[unit]


    def announce(message):
        if message != "ready":
            raise ValueError("not ready")
        print("announced:", message)


    def describe(kind):
        if kind == "example":
            return ""
        return f"{kind} has {UNITS.get(kind, 0)} seconds"


    class Window:
        def __init__(self, size):
            self.size = size
            self.shape = (size, size)


    def is_even(number):
        return number % 2 == 0


    def scale(value, /, factor=2):
        return value * factor


    def never(value):
        raise RuntimeError("no value is ever accepted")


    def pick(mode):
        if mode == "slow":  # a timer cannot stop it: only the run's own limit does
            import signal, time
            signal.signal(signal.SIGALRM, signal.SIG_IGN)
            time.sleep(60)
        if mode != "fast":
            raise ValueError("Use 'fast' or 'slow'.")
        return "picked " + mode

    """
)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'units'\n", encoding="utf-8")
    (tmp_path / "units").mkdir()
    (tmp_path / "units" / "__init__.py").write_text(PACKAGE, encoding="utf-8")
    return tmp_path


def verifier(root: Path) -> Verifier:
    found = Verifier(root)
    if found.problem() is not None:
        pytest.skip(f"examples cannot run here: {found.problem()}")
    return found


def target(root: Path, key: str) -> Target:
    return Target(root / "units" / "__init__.py", key, None, "function")


def best_after_failing(root: Path, key: str, code: str) -> Verdict:
    """The best verdict for ``code`` (an example of ``key``) with follow-ups, after checking
    that ``code`` itself fails."""
    ranking = verifier(root).rank([code], target(root, key), follow=True)
    assert ranking is not None
    assert ranking.verdicts[0].tier == FAILS
    return ranking.best


def test_the_failing_line_is_the_example_s_own_top_level_frame() -> None:
    output = textwrap.dedent(
        """\
        Traceback (most recent call last):
          File "<string>", line 107, in <module>
          File "<frozen runpy>", line 88, in _run_code
          File "/tmp/howto-example-x/example.py", line 4, in <module>
            result = parse(text="example")
          File "/tmp/project/pkg/parser.py", line 12, in parse
            raise ValueError("bad")
        ValueError: bad
        """
    )
    assert argument_search.failing_line(output) == 4
    assert argument_search.failing_line("ValueError: bad\n") is None


def test_values_quoted_in_the_error_come_first_then_the_code_s_then_common_ones() -> None:
    detail = "ValueError: Invalid bounds. Please select between '()', '(]', or \"[]\"."
    assert argument_search.quoted_values(detail) == ['"()"', '"(]"', '"[]"']
    values = argument_search.pool(detail, PACKAGE, near=None)
    assert values[:3] == ['"()"', '"(]"', '"[]"']
    assert '"hours"' in values and '"[)"' in values
    assert values.index('"hours"') < values.index('"2024-01-31"')
    assert len(values) == len(set(values))


def test_the_code_s_literals_nearest_the_symbol_come_first() -> None:
    source = 'FAR = "far"\n\n\n\n\n\ndef f(x):\n    return x == "near"\n'
    assert argument_search.code_literals(source, near=7)[:2] == ['"near"', '"far"']
    assert argument_search.code_literals("def broken(:\n") == []
    documented = 'def f(x):\n    """Say hello."""\n    return x == "hello"\n'
    assert argument_search.code_literals(documented) == ['"hello"']


def test_each_literal_argument_is_varied_values_of_its_own_kind_first() -> None:
    code = (
        "from units import to_seconds\n\n"
        'result = to_seconds(amount=1, unit="example")\nprint(result)\n'
    )
    found = argument_search.search(code, 3, ['"hours"', "2"])
    assert found is not None
    assert [v.splitlines()[2] for v in found.variants] == [
        'result = to_seconds(amount=1, unit="hours")',
        'result = to_seconds(amount=2, unit="example")',
        'result = to_seconds(amount="hours", unit="example")',
        "result = to_seconds(amount=1, unit=2)",
    ]
    assert all(v.endswith("print(result)\n") for v in found.variants)


def test_a_failing_line_without_literals_varies_the_nearest_earlier_statement() -> None:
    code = 'from units import parse_day\n\nday = parse_day("example")\nprint(day.year)\n'
    found = argument_search.search(code, 4, ['"2024-01-31"'])
    assert found is not None
    assert found.variants == (
        'from units import parse_day\n\nday = parse_day("2024-01-31")\nprint(day.year)\n',
    )
    assert argument_search.search("print(1 +)\n", 1, ["1"]) is None
    assert argument_search.search("import units\n", 1, ["1"]) is None
    assert argument_search.search("x = units.f(1)\n", 9, ["2"]) is None


def test_statements_before_the_failing_one_are_varied_too_nearest_first() -> None:
    code = (
        "from pathlib import Path\n\nfrom units import load\n\n"
        'Path("data.txt").write_text("example")\n'
        'loaded = load(path="data.txt")\n'
        "print(loaded.read())\n"
    )
    found = argument_search.search(code, 7, ['"a = 1"', "0"])
    assert found is not None
    assert [v.splitlines()[4:6] for v in found.variants] == [
        ['Path("data.txt").write_text("example")', 'loaded = load(path="a = 1")'],
        ['Path("data.txt").write_text("a = 1")', 'loaded = load(path="data.txt")'],
        ['Path("a = 1").write_text("example")', 'loaded = load(path="data.txt")'],
    ]  # set-up lines keep their kind: no load(path=0), which would read standard input


def test_a_placeholder_assigned_to_a_name_is_a_slot() -> None:
    code = "from units import parse_day\n\nraw = ...  # fill in: a date\nprint(parse_day(raw))\n"
    found = argument_search.search(code, 4, ['"2024-01-31"'])
    assert found is not None
    assert found.variants == (
        'from units import parse_day\n\nraw = "2024-01-31"\nprint(parse_day(raw))\n',
    )


@pytest.mark.parametrize(
    ("key", "code", "fixed"),
    [
        (
            "Window",
            "from units import Window\n\nwindow = Window(size=2)\nresult = window.shape()\n"
            "print(result)\n",
            "result = window.shape",
        ),
        (
            "is_even",
            "from units import is_even\n\nfor item in is_even(number=4):\n    print(item)\n",
            "print(is_even(number=4))",
        ),
        (
            "scale",
            "from units import scale\n\nprint(scale(value=3))\n",
            "print(scale(3))",
        ),
    ],
)
def test_a_call_in_a_form_the_error_says_is_wrong_is_written_in_the_right_one(
    root: Path, key: str, code: str, fixed: str
) -> None:
    best = best_after_failing(root, key, code)
    assert best.tier == DEMONSTRATES
    assert fixed in best.code.splitlines()


def test_forms_are_changed_only_where_the_error_says_so() -> None:
    code = "from units import Window\n\nwindow = Window(size=2)\nprint(window.shape())\n"
    assert argument_search.search(code, 4, [], "ValueError: bad size") is None
    found = argument_search.search(code, 4, [], "TypeError: 'tuple' object is not callable")
    assert found is not None and found.variants[0].endswith("print(window.shape)\n")
    keywords = "import math\n\nprint(math.gcd(a=12, b=18))\n"
    detail = "TypeError: math.gcd() takes no keyword arguments"
    found = argument_search.search(keywords, 3, [], detail)
    assert found is not None and found.variants[0].endswith("print(math.gcd(12, 18))\n")
    built = "from units import Window\n\nwindow = Window\nprint(window())\n"
    assert argument_search.search(built, 4, [], "TypeError: 'str' object is not callable") is None


def test_print_s_own_arguments_and_long_texts_are_not_slots() -> None:
    code = 'print("a label")\nprint(f("""\n    a\n    b\n"""))\n'
    assert argument_search.search(code, 1, ['"x"']) is None
    assert argument_search.search(code, 2, ['"x"']) is None


def test_non_ascii_text_before_a_slot_keeps_the_columns_right() -> None:
    code = 'from units import to_seconds\n\nprint("été", to_seconds(1, "example"))\n'
    found = argument_search.search(code, 3, ['"hours"'])
    assert found is not None
    assert found.variants[0].splitlines()[2] == 'print("été", to_seconds(1, "hours"))'


def test_chosen_prefers_variants_that_showed_a_value_and_reads_only_the_marker() -> None:
    found = Search("", ("a", "b", "c"))
    stdout = f"noise\n{MARKER}[0, false]\n{MARKER}[2, true]\n{MARKER}[7, true]\n"
    assert argument_search.chosen(found, stdout) == ["c", "a"]
    assert argument_search.chosen(found, stdout, shown_only=True) == ["c"]
    assert argument_search.chosen(found, "no marker\n") == []
    assert argument_search.chosen(found, f"{MARKER}not json\n{MARKER}[1, true]\n") == ["b"]
    assert argument_search.chosen(found, f'{MARKER}[0]\n{MARKER}["0", true]\n') == []


@pytest.mark.parametrize(
    ("key", "code", "fixed"),
    [
        (
            "validate_bounds",
            'from units import validate_bounds\n\nprint(validate_bounds(bounds="example"))\n',
            'print(validate_bounds(bounds="()"))',
        ),
        (
            "parse_day",
            'from units import parse_day\n\nresult = parse_day(raw="example")\nprint(result)\n',
            'result = parse_day(raw="2024-01-31")',
        ),
        (
            "to_seconds",
            'from units import to_seconds\n\nprint(to_seconds(amount=2, unit="example"))\n',
            'print(to_seconds(amount=2, unit="seconds"))',
        ),
        (
            "announce",
            'from units import announce\n\nannounce(message="example")\n',
            'announce(message="ready")',
        ),
    ],
)
def test_a_real_search_mends_a_value_the_code_rejects(
    root: Path, key: str, code: str, fixed: str
) -> None:
    best = best_after_failing(root, key, code)
    assert best.tier == DEMONSTRATES and best.origin == 0
    assert fixed in best.code.splitlines()


def test_a_search_that_finds_nothing_leaves_the_failure_as_it_was(root: Path) -> None:
    code = 'from units import never\n\nprint(never(value="example"))\n'
    ranking = verifier(root).rank([code], target(root, "never"), follow=True)
    assert ranking is not None
    assert ranking.best.tier == FAILS and ranking.best.index == 0


def test_a_variant_that_hangs_is_stopped_and_the_others_still_tried(root: Path) -> None:
    code = "import time\n\ntime.sleep(100)\nprint(int('x'))\n"
    found = argument_search.search(code, 3, ["30", "0"])
    assert found is not None
    run = run_search(root, found)
    assert run.ok
    assert argument_search.chosen(found, run.stdout) == []  # the rest still fails on int('x')
    mended = argument_search.search(
        "import time\n\ntime.sleep(100)\nprint('slept')\n", 3, ["30", "0"]
    )
    assert mended is not None
    run = run_search(root, mended)
    assert argument_search.chosen(mended, run.stdout) == [
        "import time\n\ntime.sleep(0)\nprint('slept')\n"
    ]


def test_a_run_that_shows_an_empty_text_is_mended_with_a_value_that_shows_one(root: Path) -> None:
    code = 'from units import describe\n\nprint(describe(kind="example"))\n'
    ranking = verifier(root).rank([code], target(root, "describe"), follow=True)
    assert ranking is not None
    assert ranking.verdicts[0].tier == RUNS
    best = ranking.best
    assert best.tier == DEMONSTRATES and best.origin == 0
    assert 'print(describe(kind="example"))' not in best.code.splitlines()


def test_without_follow_ups_nothing_is_searched(root: Path) -> None:
    code = 'from units import parse_day\n\nprint(parse_day(raw="example"))\n'
    ranking = verifier(root).rank([code], target(root, "parse_day"))
    assert ranking is not None and len(ranking.verdicts) == 1


def run_search(root: Path, found: Search, timeout: float = 10) -> examples_run.ExampleRun:
    return examples_run.run_example(
        found.program,
        python=verifier(root).python,
        timeout=timeout,
        paths=examples_run.import_roots(root),
    )


@pytest.mark.parametrize(
    "code",
    [
        's = "a\u2028b\x85c"\nprint(int("x"))\n',
        's = "a\x0cb"  # a form feed in a string\nprint(int("x"))\n',
        "\x0cimport os\r\nprint(int('x'))\r\n",
        "import os\rprint(int('x'))\r",
    ],
)
def test_lines_are_counted_as_python_counts_them(code: str) -> None:
    found = argument_search.search(code, 2, ['"5"'])
    assert found is not None
    variant = found.variants[0]  # the failing statement's slot comes first
    assert variant == code.replace("'x'", '"5"').replace('"x"', '"5"')
    compile(found.program, "example.py", "exec")


def test_statements_joined_by_a_semicolon_are_all_varied() -> None:
    found = argument_search.search('import os; a = int("x"); b = str("y")\n', 1, ['"5"'])
    assert found is not None
    assert found.variants == (
        'import os; a = int("5"); b = str("y")\n',
        'import os; a = int("x"); b = str("5")\n',
    )


def test_the_failing_line_in_a_block_or_a_function_the_example_defines_is_found() -> None:
    code = textwrap.dedent(
        """\
        from units import parse_day

        def main():
            with open(__file__) as handle:
                for _ in range(1):
                    return parse_day("example")

        print(main())
        """
    )
    found = argument_search.search(code, 8, ['"2024-01-31"'])
    assert found is not None
    assert found.variants == (code.replace('"example"', '"2024-01-31"'),)
    output = (
        'File "/tmp/x/example.py", line 8, in <module>\n'
        '  File "/tmp/x/example.py", line 6, in main\n'
    )
    assert argument_search.failing_line(output) == 8


def test_a_value_is_only_ever_a_value_written_out() -> None:
    code = 'from units import to_seconds\n\nprint(to_seconds(1, "example"))\n'
    hostile = [
        '1), __import__("os").system("touch pwned"), (2',
        '__import__("os")',
        "1; import os",
        "open('x', 'w')",
        "-1",
        "str",
        "'example'",
    ]
    found = argument_search.search(code, 3, hostile)
    assert found is not None
    assert [v.splitlines()[2] for v in found.variants] == [
        'print(to_seconds(-1, "example"))',
        "print(to_seconds(1, -1))",
        'print(to_seconds(str, "example"))',
        "print(to_seconds(1, str))",
        "print(to_seconds('example', \"example\"))",  # "example" itself is not tried again
    ]


@pytest.mark.parametrize(
    "text",
    [
        'say "hi"',
        "C:\\path\\new",
        'end"""',
        "tab\there",
        "\ud800 lone",
        "é ü 字",
        "{x!r}",
        "x" * 60,
    ],
)
def test_odd_texts_in_the_error_or_the_code_become_literals_of_the_same_text(text: str) -> None:
    for values in (
        argument_search.quoted_values(f"ValueError: expected {text!r}"),
        argument_search.code_literals(f"CHOICE = {text!r}\n"),
    ):
        assert ast.literal_eval(values[0]) == text
        found = argument_search.search('x = 1\nprint(int("x"))\n', 2, values)
        assert found is not None
        compile(found.program, "example.py", "exec")
        assert ast.literal_eval(found.variants[0].splitlines()[1][10:-2]) == text


def test_a_marker_the_example_prints_itself_is_not_read(root: Path) -> None:
    code = f"print({MARKER!r} + '[0, true]')\nx = 1\nprint(int('a') if x else 1)\n"
    found = argument_search.search(code, 3, ['"b"'])
    assert found is not None and found.marker != MARKER
    assert found.marker.startswith(MARKER[:-3]) and found.marker.endswith("__:")
    run = run_search(root, found)
    assert f"{MARKER}[0, true]" in run.stdout
    assert argument_search.chosen(found, run.stdout) == []


@pytest.mark.parametrize(
    "hostile",
    [
        "sys.stdout.close()",
        "os.close(1)",
        "sys.stdout = None",
        "builtins.print = lambda *args, **kwargs: None",
        "signal.signal(signal.SIGALRM, lambda *args: None)",
        "raise KeyboardInterrupt",
        "sys.setrecursionlimit(100); (lambda f: f(f))(lambda f: f(f))",
        "bytearray(1 << 40)",
        "print('y' * 5_000_000)",
        "threading.Thread(target=lambda: [print('late') for _ in range(1000)]).start()",
    ],
)
def test_a_variant_that_misbehaves_does_not_stop_the_others(root: Path, hostile: str) -> None:
    code = textwrap.dedent(
        f"""\
        import builtins, os, signal, sys, threading, time
        mode = "example"
        if mode == "bad":
            {hostile}
        if mode == "hang":
            time.sleep(60)
        print({{"example": None}}.get(mode, mode))
        """
    )
    found = argument_search.search(code, 2, ['"bad"', '"hang"', '"good"'])
    assert found is not None
    run = run_search(root, found)
    assert run.ok or run.status == examples_run.FAILS, run.detail
    ran = [v.splitlines()[1] for v in argument_search.chosen(found, run.stdout, keep=3)]
    assert 'mode = "good"' in ran and 'mode = "hang"' not in ran


def test_a_variant_that_exits_with_success_ran(root: Path) -> None:
    code = "import sys\nstatus = 3\nsys.exit(status)\n"
    found = argument_search.search(code, 2, ["0", "None", "1"])
    assert found is not None
    run = run_search(root, found)
    assert [v.splitlines()[1] for v in argument_search.chosen(found, run.stdout)] == [
        "status = 0",
        "status = None",
    ]


def test_a_search_stopped_by_the_run_s_limit_still_tells_what_ran(root: Path) -> None:
    code = textwrap.dedent(
        """\
        import signal, time
        mode = "example"
        if mode == "slow":
            signal.signal(signal.SIGALRM, signal.SIG_IGN)
            time.sleep(60)
        print(mode)
        """
    )
    found = argument_search.search(code, 2, ['"fast"', '"slow"', '"late"'])
    assert found is not None
    run = run_search(root, found, timeout=3)
    assert run.status == examples_run.TIMEOUT
    assert argument_search.chosen(found, run.stdout) == [code.replace('"example"', '"fast"')]


def test_the_last_line_is_where_the_last_statement_ends() -> None:
    assert argument_search.last_line("x = 1\nprint(f(\n    x))\n\n# done\n") == 3
    assert argument_search.last_line("# nothing\n") is None
    assert argument_search.last_line("print(1 +)\n") is None


def test_a_search_that_hangs_leaves_time_to_run_what_it_found(root: Path) -> None:
    code = 'from units import pick\n\nprint(pick(mode="example"))\n'
    started = time.monotonic()
    ranking = Verifier(root, run_timeout=10, budget=10).rank(
        [code], target(root, "pick"), follow=True
    )
    assert ranking is not None
    assert time.monotonic() - started < 12
    best = ranking.best
    assert best.tier == DEMONSTRATES
    assert 'print(pick(mode="fast"))' in best.code.splitlines()
