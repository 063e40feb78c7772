"""Variants of a written example where the writer is unsure of a value: which arguments are
uncertain, the alternatives they get and in which order, and that each variant parses."""

from __future__ import annotations

import ast
from collections.abc import Sequence

from howto_ls.model import Parameter
from howto_ls.offline.example.variants import (
    MAX_VARIANTS,
    Callee,
    alternatives,
    positionally,
    variants,
    with_contents,
)

SELF = Parameter("self")


def _callee(name: str, *params: Parameter) -> Callee:
    return Callee.of(name, [SELF, *params])


def test_a_placeholder_of_the_wrong_type_gets_typed_placeholders() -> None:
    example = (
        'from cache import Cache\n\ncache = Cache(maxsize="example", ttu="example")\nprint(cache)\n'
    )
    found = variants(example, [_callee("Cache", Parameter("maxsize"), Parameter("ttu"))])
    assert found[0] == example.replace('maxsize="example", ttu="example"', "maxsize=1, ttu=1")
    assert "maxsize=[3, 1, 2], ttu=[3, 1, 2]" in found[1]
    assert 0 < len(found) <= MAX_VARIANTS
    assert example not in found
    for text in found:
        ast.parse(text)


def test_a_literal_the_project_passes_the_parameter_comes_first() -> None:
    example = 'from times import Moment\n\nmoment = Moment()\nprint(moment.to(tz="example"))\n'

    def literals(name: str, params: Sequence[Parameter]) -> list[dict[str, str]]:
        return [{"tz": "'US/Pacific'"}] if name == "to" else []

    tz = Parameter("tz", annotation="TzExpression")
    found = variants(example, [_callee("to", tz)], literals)
    assert 'moment.to(tz="US/Pacific")' in found[0]
    assert "moment.to(tz=1)" in found[1]  # an annotation no literal can be: any value next


def test_a_keyword_with_a_default_is_left_out_with_its_comma() -> None:
    example = 'from text import wrap\n\nprint(wrap(mode="example", width=10))\n'
    mode = Parameter("mode", annotation="str", default="'fill'")
    width = Parameter("width", annotation="int", default="70")
    found = variants(example, [Callee.of("wrap", [mode, width])])
    assert found[0] == "from text import wrap\n\nprint(wrap(width=10))\n"  # width=10 fits int
    assert found[1] == 'from text import wrap\n\nprint(wrap(mode="a", width=10))\n'


def test_an_object_built_empty_gets_contents_for_the_method_that_needs_them() -> None:
    example = "from bags import Bag\n\nbag = Bag()\nprint(bag.pop())\n"
    callees = [_callee("pop"), _callee("Bag", Parameter("iterable", default="None"))]
    found = variants(example, callees)
    assert found[0] == "from bags import Bag\n\nbag = Bag([3, 1, 2])\nprint(bag.pop())\n"


def test_the_symbols_own_call_varies_before_the_calls_that_build_its_receiver() -> None:
    example = (
        'from calc import Ring\n\nring = Ring(slots="example")\nprint(ring.spread(weight="x"))\n'
    )
    callees = [_callee("spread", Parameter("weight")), _callee("Ring", Parameter("slots"))]
    found = variants(example, callees)
    assert 'Ring(slots="example")' in found[0] and "spread(weight=1)" in found[0]
    assert "Ring(slots=1)" in found[1] and 'spread(weight="x")' in found[1]
    assert "Ring(slots=1)" in found[2] and "spread(weight=1)" in found[2]


def test_values_that_fit_their_annotation_and_names_not_bound_to_literals_are_kept() -> None:
    example = (
        "from times import Arrow, zone\n\n"
        "tz = zone()\narrow = Arrow(year=2013, tz=tz)\nprint(arrow)\n"
    )
    year = Parameter("year", annotation="int")
    assert variants(example, [_callee("Arrow", year, Parameter("tz"))]) == []


def test_a_name_bound_to_a_literal_varies_at_its_binding() -> None:
    example = 'from calc import half\n\nvalue = "example"\nprint(half(value))\n'
    found = variants(example, [Callee.of("half", [Parameter("value", annotation="float")])])
    assert found[0] == "from calc import half\n\nvalue = 1.5\nprint(half(value))\n"


def test_text_outside_ascii_keeps_its_place() -> None:
    example = 'from shop import label\n\nprint("prix: é")\nprint(label(name="example"))\n'
    found = variants(example, [Callee.of("label", [Parameter("name")])])
    assert found[0] == 'from shop import label\n\nprint("prix: é")\nprint(label(name=1))\n'


def test_an_example_that_does_not_parse_or_calls_nothing_known_has_no_variants() -> None:
    assert variants("print(", [Callee.of("f", [Parameter("a")])]) == []
    assert variants('print(g("x"))\n', [Callee.of("f", [Parameter("a")])]) == []


def test_alternatives_order_project_literals_default_then_typed_placeholders() -> None:
    param = Parameter("count", annotation="int | None", default="None")
    assert alternatives(param, '"example"', ["5", "7", "9"]) == (
        "5",
        "7",
        "\0leave out",
        "1",
        "0",
    )
    assert alternatives(Parameter("data", annotation="Mapping[str, int]"), "{}") == ('{"a": 1}',)


BAG = """\
class Bag:
    def __init__(self, parsed=False):
        self.items = {}

    def append(self, key, item):
        self.items[key] = item

    def first(self):
        return next(iter(self.items.values()))
"""


def _class(source: str) -> ast.ClassDef:
    node = ast.parse(source).body[0]
    assert isinstance(node, ast.ClassDef)
    return node


def test_an_object_built_empty_is_given_contents_before_the_method_runs() -> None:
    example = (
        "from bags import Bag\n\nbag = Bag(parsed=True)\nresult = bag.first()\nprint(result)\n"
    )
    assert with_contents(example, _class(BAG), "first") == [
        'from bags import Bag\n\nbag = Bag(parsed=True)\nbag.append("a", 1)\n'
        "result = bag.first()\nprint(result)\n"
    ]
    assert with_contents(example, _class(BAG), "append") == []  # its own call gives contents


def test_a_builtin_container_subclass_is_filled_the_builtin_way() -> None:
    example = "from bags import Stack\n\nstack = Stack()\nprint(stack.top)\n"
    found = with_contents(example, _class("class Stack(list):\n    pass\n"), "top")
    assert found == [
        "from bags import Stack\n\nstack = Stack()\nstack.append(1)\nprint(stack.top)\n"
    ]
    table = _class("class Table(dict):\n    pass\n")
    assert (
        'table["a"] = 1\n'
        in with_contents("table = Table()\nprint(table.size)\n", table, "size")[0]
    )
    assert with_contents("print(1)\n", _class("class Plain:\n    pass\n"), "size") == []


def test_keywords_a_builtin_value_class_would_refuse_are_passed_by_position() -> None:
    source = _class("class Source(str):\n    def __init__(self, _, strict=False):\n        pass\n")
    callee = _callee("Source", Parameter("_"), Parameter("strict", default="False"))
    example = (
        'from toml import Source\n\nsource = Source(_="example", strict=True)\nprint(source)\n'
    )
    assert positionally(example, [callee], [source]) == [
        'from toml import Source\n\nsource = Source("example", True)\nprint(source)\n'
    ]
    plain = _callee("wrap", Parameter("text"), Parameter("width", default="70"))
    assert positionally('print(wrap(text="a", width=3))\n', [plain], []) == []
