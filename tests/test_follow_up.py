"""Follow-up examples: what a run printed is probed in the real sandbox, and the examples
written from what the probe found show a result where the first showed a function, None or a
default repr."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from howto_ls import demonstration, follow_up
from howto_ls.demonstration import Target
from howto_ls.follow_up import Facts, Parameter, Subject
from howto_ls.verification import DEMONSTRATES, FAILS, RUNS, Verifier

PACKAGE = textwrap.dedent(
    """\
    import itertools


    def evens(limit):
        return filter(lambda n: n % 2 == 0, range(limit))


    def multiples(step):
        return map(lambda n: n * step, itertools.count())


    def apply_all(func, items):
        return [func(item) for item in items]


    def notify(callback):
        return callback(key="k", value=1)


    def adder(n):
        def add(x):
            return x + n
        return add


    class Box:
        def __init__(self):
            self.items = []
            self._hidden = 1

        def put(self, item):
            self.items.append(item)

        def as_list(self):
            return list(self.items)

        def clear(self):
            self.items = []

        def check(self):
            if self._hidden < 0:
                raise ValueError("broken")


    def make_box(item):
        box = Box()
        box.put(item)
        return box


    def cleared():
        box = Box()
        box.clear()
        return box


    def merge(into, other):
        into.update(other)


    def dump(data, stream):
        stream.write(str(data))


    class Greeter:
        def __init__(self):
            self.greeting = "hello"
    """
)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'boxes'\n", encoding="utf-8")
    (tmp_path / "boxes").mkdir()
    (tmp_path / "boxes" / "__init__.py").write_text(PACKAGE, encoding="utf-8")
    return tmp_path


def verifier(root: Path) -> Verifier:
    found = Verifier(root)
    if found.problem() is not None:
        pytest.skip(f"examples cannot run here: {found.problem()}")
    return found


def target(root: Path, key: str) -> Target:
    return Target(root / "boxes" / "__init__.py", key)


def test_the_subject_is_what_the_last_print_shows() -> None:
    code = "from boxes import adder\n\nresult = adder(n=1)\nprint(result)\n"
    assert follow_up.subjects(code, demonstration.FUNCTION) == [Subject("result", 2)]


def test_after_none_the_object_the_method_ran_on_is_a_subject_too() -> None:
    code = "from boxes import Box\n\nbox = Box()\nresult = box.put(item=1)\nprint(result)\n"
    found = follow_up.subjects(code, demonstration.NONE)
    assert found == [Subject("result", 3), Subject("box", 3, call=2, changed_by=2)]


def test_a_last_bare_method_call_is_followed_by_its_object() -> None:
    code = "from boxes import Box\n\nbox = Box()\nbox.put(item=1)\n"
    assert follow_up.subjects(code, "") == [Subject("box", 3, changed_by=2)]


def test_examples_that_show_a_result_or_do_not_parse_have_no_subject() -> None:
    code = "from boxes import adder\n\nprint(adder(1)(2))\n"
    assert follow_up.subjects(code, demonstration.REAL) == []
    assert follow_up.subjects("print(", demonstration.NONE) == []


def test_a_callable_is_called_with_values_for_its_required_parameters() -> None:
    code = "from boxes import adder\n\nresult = adder(n=1)\nprint(result)\n"
    facts = Facts(
        "callable",
        "<function adder.<locals>.add at 0x1>",
        (
            Parameter("x", "POSITIONAL_OR_KEYWORD", False, ""),
            Parameter("timeout", "KEYWORD_ONLY", False, ""),
            Parameter("flag", "KEYWORD_ONLY", True, ""),
        ),
    )
    written = follow_up.follow_ups(code, Subject("result", 2), facts)
    assert written[0].endswith("print(result(1, timeout=5.0))\n")
    assert [w.splitlines()[-1] for w in written[1:]] == [
        "print(result([1, 2, 3], timeout=5.0))",
        'print(result("example", timeout=5.0))',
    ]


def test_an_object_shows_its_attributes_then_what_its_reading_methods_return() -> None:
    code = "from boxes import make_box\n\nresult = make_box(item=1)\nprint(result)\n"
    facts = Facts(
        "object",
        "<boxes.Box object at 0x1>",
        attributes=(("empty", "[]"), ("items", "[1]")),
        methods=("clear", "as_list", "pop"),
    )
    written = [w.splitlines()[-1] for w in follow_up.follow_ups(code, Subject("result", 3), facts)]
    assert written == ["print(result.items)", "print(result.as_list())"]


def test_the_result_name_is_dropped_when_the_object_is_shown_instead() -> None:
    code = "from boxes import Box\n\nbox = Box()\nresult = box.put(item=1)\nprint(result)\n"
    facts = Facts("object", "Box([1])")
    (written,) = follow_up.follow_ups(code, Subject("box", 3, call=2), facts)
    assert written == "from boxes import Box\n\nbox = Box()\nbox.put(item=1)\nprint(box)\n"


def test_facts_that_do_not_read_as_the_probe_writes_them_are_none() -> None:
    assert follow_up.parse_facts("nothing here\n") is None
    assert follow_up.parse_facts(f"{follow_up.MARKER}{{not json\n") is None
    assert follow_up.parse_facts(f'{follow_up.MARKER}{{"kind": "object", "attributes": 3}}') is None


@pytest.mark.parametrize(
    ("key", "code", "shown"),
    [
        ("adder", "from boxes import adder\n\nresult = adder(n=1)\nprint(result)\n", "result(1)"),
        (
            "Box.put",
            "from boxes import Box\n\nbox = Box()\nresult = box.put(item=1)\nprint(result)\n",
            "box.items",
        ),
        (
            "make_box",
            "from boxes import make_box\n\nprint(make_box(item=1))\n",
            "make_box(item=1).items",
        ),
        ("Box.put", "from boxes import Box\n\nbox = Box()\nbox.put(item=2)\n", "box.items"),
    ],
)
def test_a_real_probe_turns_a_run_that_shows_nothing_into_one_that_demonstrates(
    root: Path, key: str, code: str, shown: str
) -> None:
    ranking = verifier(root).rank([code], target(root, key), follow=True)
    assert ranking is not None
    first = ranking.verdicts[0]
    assert first.tier == RUNS
    best = ranking.best
    assert best.tier == DEMONSTRATES and best.origin == 0 and best.index > 0
    assert best.code.splitlines()[-1] == f"print({shown})"
    assert best.code.startswith(code.split("\n\n", maxsplit=1)[0])


def test_without_follow_or_when_the_example_demonstrates_no_follow_up_runs(root: Path) -> None:
    checker = verifier(root)
    shows_function = "from boxes import adder\n\nprint(adder(n=1))\n"
    alone = checker.rank([shows_function], target(root, "adder"))
    assert alone is not None and len(alone.verdicts) == 1
    demonstrates = "from boxes import adder\n\nprint(adder(n=1)(2))\n"
    followed = checker.rank([demonstrates], target(root, "adder"), follow=True)
    assert followed is not None and len(followed.verdicts) == 1


def test_an_object_that_only_empties_itself_is_not_emptied_by_a_follow_up(root: Path) -> None:
    code = "from boxes import cleared\n\nprint(cleared())\n"
    ranking = verifier(root).rank([code], target(root, "cleared"), follow=True)
    assert ranking is not None
    assert all(".clear()" not in verdict.code for verdict in ranking.verdicts)


def test_a_literal_the_call_may_fill_is_bound_to_a_name_first_and_printed_after() -> None:
    code = 'from boxes import merge\n\nmerge(into={"a": 1}, other={\n    "b": 2,\n})\n'
    found = follow_up.changed_arguments(code, "")
    assert found is not None
    (_, first), (_, second) = found.candidates
    assert first == (
        'from boxes import merge\n\ninto = {"a": 1}\nmerge(into=into, other={\n    "b": 2,\n})\n'
        "print(into)\n"
    )
    assert second == (
        'from boxes import merge\n\nother = {\n    "b": 2,\n}\nmerge(into={"a": 1}, other=other)\n'
        "print(other)\n"
    )
    assert "__howto_spy(merge)(into=" in found.probe
    assert found.changed(f'x\n{follow_up.MARKER}["other"]\n') == [second]
    assert found.changed("no marker\n") == []
    assert found.changed(f"{follow_up.MARKER}{{}}\n") == []


def test_a_name_passed_to_a_call_that_returned_none_is_printed_instead_of_the_result() -> None:
    code = "from boxes import merge\n\nd = {}\nresult = merge(d, {'k': 2})\nprint(result)\n"
    found = follow_up.changed_arguments(code, demonstration.NONE)
    assert found is not None
    assert found.candidates[0] == (
        "0",
        "from boxes import merge\n\nd = {}\nmerge(d, {'k': 2})\nprint(d)\n",
    )
    assert follow_up.changed_arguments(code, demonstration.REAL) is None
    method = "from boxes import Box\n\nbox = Box()\nbox.put(item=[1])\n"
    assert follow_up.changed_arguments(method, "") is None  # its object is the subject


def test_an_argument_the_call_left_unchanged_is_not_printed(root: Path) -> None:
    code = "from boxes import merge\n\nmerge(into={}, other={'b': 2})\n"
    ranking = verifier(root).rank([code], target(root, "merge"), follow=True)
    assert ranking is not None and ranking.best.tier == DEMONSTRATES
    assert ranking.best.code.endswith("print(into)\n")
    assert all(not v.code.endswith("print(other)\n") for v in ranking.verdicts)


def test_a_real_run_shows_what_the_call_filled_in(root: Path) -> None:
    code = (
        'from boxes import merge\n\nresult = merge(into={"a": 1}, other={"b": 2})\nprint(result)\n'
    )
    ranking = verifier(root).rank([code], target(root, "merge"), follow=True)
    assert ranking is not None and ranking.best.tier == DEMONSTRATES
    assert ranking.best.code.endswith('merge(into=into, other={"b": 2})\nprint(into)\n')


def test_a_class_printed_is_built_then_what_its_object_holds_is_printed(root: Path) -> None:
    code = "from boxes import Greeter\n\nprint(Greeter)\n"
    ranking = verifier(root).rank([code], target(root, "Greeter"), follow=True)
    assert ranking is not None and ranking.best.tier == DEMONSTRATES
    assert [v.code.splitlines()[-1] for v in ranking.verdicts] == [
        "print(Greeter)",
        "print(Greeter())",
        "print(Greeter().greeting)",
    ]


def test_a_stream_a_function_wrote_to_is_read_back(root: Path) -> None:
    code = "import io\n\nfrom boxes import dump\n\ndump(data=[1], stream=io.StringIO())\n"
    ranking = verifier(root).rank([code], target(root, "dump"), follow=True)
    assert ranking is not None and ranking.best.tier == DEMONSTRATES
    assert ranking.best.code.endswith(
        "stream = io.StringIO()\ndump(data=[1], stream=stream)\nprint(stream.getvalue())\n"
    )


def test_an_object_a_method_left_as_it_was_is_not_shown_as_its_result(root: Path) -> None:
    code = "from boxes import Box\n\nbox = Box()\nbox.put(item=1)\n"
    code += "result = box.check()\nprint(result)\n"
    ranking = verifier(root).rank([code], target(root, "Box.check"), follow=True)
    assert ranking is not None and ranking.best.tier == RUNS
    assert [v.code for v in ranking.verdicts] == [code]  # box.items would show put's work


@pytest.mark.parametrize(
    ("key", "code", "shown"),
    [
        ("evens", "from boxes import evens\n\nprint(evens(limit=5))\n", "list(evens(limit=5))"),
        (
            "multiples",
            "from boxes import multiples\n\nresult = multiples(step=3)\nprint(result)\n",
            "list(islice(result, 10))",
        ),
    ],
)
def test_an_iterator_is_listed_and_one_that_may_not_end_only_its_first_items(
    root: Path, key: str, code: str, shown: str
) -> None:
    ranking = verifier(root).rank([code], target(root, key), follow=True)
    assert ranking is not None and ranking.best.tier == DEMONSTRATES
    assert ranking.best.code.splitlines()[-1] == f"print({shown})"
    if "islice" in shown:
        assert ranking.best.code.startswith("from itertools import islice\n")
        assert ranking.best.demonstration is not None
        assert "[0, 3, 6, 9, 12, 15, 18, 21, 24, 27]" in ranking.best.demonstration.run.stdout


def test_a_class_may_show_what_its_object_holds_after_a_call_that_changed_nothing(
    root: Path,
) -> None:
    code = "from boxes import Greeter\n\ngreeter = Greeter()\nresult = greeter.__init__()\n"
    code += "print(result)\n"
    ranking = verifier(root).rank(
        [code], Target(root / "boxes" / "__init__.py", "Greeter", kind="class"), follow=True
    )
    assert ranking is not None and ranking.best.tier == DEMONSTRATES
    assert ranking.best.code.endswith("greeter.__init__()\nprint(greeter.greeting)\n")


def test_a_returned_callable_that_fails_on_the_value_given_is_called_with_others(
    root: Path,
) -> None:
    code = 'from boxes import adder\n\nresult = adder(n=1)\nprint(result("example"))\n'
    assert follow_up.failing_call_subject(code) == Subject("result", 2)
    assert follow_up.failing_call_subject("from boxes import adder\n\nprint(adder(1))\n") is None
    ranking = verifier(root).rank([code], target(root, "adder"), follow=True)
    assert ranking is not None and ranking.verdicts[0].tier == FAILS
    assert ranking.best.tier == DEMONSTRATES
    assert ranking.best.code.endswith("result = adder(n=1)\nprint(result(1))\n")


def test_silent_placeholder_functions_are_swapped_for_lively_ones() -> None:
    code = "from boxes import apply_all\n\nprint(apply_all(func=lambda *args: None, items=[1]))\n"
    assert follow_up.with_lively_functions(code, demonstration.NONE) == [
        "from boxes import apply_all\n\nprint(apply_all(func=lambda x: x * 2, items=[1]))\n",
        "from boxes import apply_all\n\n"
        "print(apply_all(func=lambda *args, **kwargs: args or kwargs, items=[1]))\n",
    ]
    assert follow_up.with_lively_functions(code, demonstration.REAL) == []
    assert follow_up.with_lively_functions("print(1)\n", demonstration.NONE) == []


def test_a_function_given_a_silent_placeholder_shows_what_it_does_with_a_lively_one(
    root: Path,
) -> None:
    code = (
        "from boxes import apply_all\n\nprint(apply_all(func=lambda *args: None, items=[1, 2]))\n"
    )
    ranking = verifier(root).rank([code], target(root, "apply_all"), follow=True)
    assert ranking is not None and ranking.best.tier == DEMONSTRATES
    assert "func=lambda x: x * 2" in ranking.best.code
    assert ranking.best.demonstration is not None
    assert "[2, 4]" in ranking.best.demonstration.run.stdout


def test_a_placeholder_the_code_calls_with_keywords_is_swapped_for_one_that_takes_them(
    root: Path,
) -> None:
    code = "from boxes import notify\n\nprint(notify(callback=lambda *args: None))\n"
    ranking = verifier(root).rank([code], target(root, "notify"), follow=True)
    assert ranking is not None and ranking.verdicts[0].tier == FAILS
    assert ranking.best.tier == DEMONSTRATES
    assert ranking.best.demonstration is not None
    assert "{'key': 'k', 'value': 1}" in ranking.best.demonstration.run.stdout


def test_a_callable_without_a_signature_is_tried_with_one_argument_of_each_kind() -> None:
    code = "from boxes import getter\n\nprint(getter)\n"
    facts = Facts("callable", "operator.itemgetter(0)", None)
    written = [w.splitlines()[-1] for w in follow_up.follow_ups(code, Subject("getter", 2), facts)]
    assert written == ["print(getter(1))", "print(getter([1, 2, 3]))", 'print(getter("example"))']


def test_names_no_code_can_spell_are_never_written_into_a_follow_up() -> None:
    odd = 'x); __import__("os").system("id"); (y'
    line = follow_up.MARKER + json.dumps(
        {
            "kind": "object",
            "repr": "<X object at 0x1>",
            "attributes": [[odd, "1"], ["size", "3"], ["class", "2"]],
            "methods": [odd, "as_text"],
            "parameters": None,
        }
    )
    facts = follow_up.parse_facts(line)
    assert facts is not None
    assert facts.attributes == (("size", "3"),) and facts.methods == ("as_text",)
    called = follow_up.MARKER + json.dumps(
        {"kind": "callable", "repr": "f", "parameters": [[odd, "KEYWORD_ONLY", False, ""]]}
    )
    parsed = follow_up.parse_facts(called)
    assert parsed is not None and parsed.parameters is None
