"""Every parse in howto-ls goes through ``astutil.parse`` and its lock."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import howto_ls
from howto_ls import astutil

PACKAGE = Path(howto_ls.__file__).parent


def _unlocked_parses(tree: ast.Module) -> list[int]:
    """Lines calling ``ast.parse``, or ``ast.literal_eval`` on something that may be text."""
    lines = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if not (isinstance(node.func.value, ast.Name) and node.func.value.id == "ast"):
            continue
        if node.func.attr == "parse":
            lines.append(node.lineno)
        elif node.func.attr == "literal_eval" and node.args:
            argument = node.args[0]
            parsed = isinstance(argument, ast.Call) and (
                getattr(argument.func, "id", "") == "parse"
                or getattr(argument.func, "attr", "") == "parse"
            )
            if not (parsed or isinstance(argument, ast.Attribute)):
                lines.append(node.lineno)
    return lines


def test_nothing_parses_outside_the_lock() -> None:
    # Before Python 3.12 two threads parsing at once fail with "AST constructor recursion
    # depth mismatch" (python/cpython#106905); ast.literal_eval of a string parses too.
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "astutil.py" or "testing" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found += [f"{path.relative_to(PACKAGE)}:{line}" for line in _unlocked_parses(tree)]
    assert found == []


def test_the_check_sees_an_unlocked_parse() -> None:
    tree = ast.parse("import ast\nast.parse(text)\nast.literal_eval(text)\n")
    assert _unlocked_parses(tree) == [2, 3]


def _sum_of_ones(terms: int) -> str:
    return "x = " + "+".join(["1"] * terms) + "\n"


@pytest.mark.parametrize(
    ("source", "line"),
    [
        (_sum_of_ones(100_000), 1),  # the parser itself gives up (RecursionError)
        ("import os\n" + _sum_of_ones(2_000), 2),  # parses, but deeper than any walk may go
        ("y = " + "(" * 300 + "1" + ")" * 300 + "\n", 1),  # "too many nested parentheses"
        ("if a:\n    pass\n" + "elif a:\n    pass\n" * 300, 399),  # a long elif chain
    ],
)
def test_a_deeply_nested_source_is_one_clear_error(source: str, line: int) -> None:
    with pytest.raises(astutil.TooDeeplyNestedError) as caught:
        astutil.parse(source)
    assert caught.value.msg.startswith("too deeply nested")
    assert caught.value.lineno == line
    assert isinstance(caught.value, SyntaxError)  # callers treat it as a file that won't parse


def test_ordinary_code_of_any_size_parses() -> None:
    source = (PACKAGE / "offline" / "analysis.py").read_text(encoding="utf-8")
    assert astutil.parse(source).body
    assert astutil.parse(_sum_of_ones(150)).body  # deep, but within every walk's reach
    assert astutil.deep_line(astutil.parse(source)) is None


def test_is_docstring_is_a_bare_string_statement() -> None:
    tree = astutil.parse('"""Doc."""\nx = "not one"\n"a string left as a comment"\nf"{x}"\n')
    assert [astutil.is_docstring(s) for s in tree.body] == [True, False, True, False]


def _function(source: str) -> ast.FunctionDef:
    node = ast.parse(source).body[0]
    assert isinstance(node, ast.FunctionDef)
    return node


def test_is_generator_reads_the_functions_own_body() -> None:
    assert astutil.is_generator(_function("def f():\n    x = yield\n"))
    assert astutil.is_generator(_function("def f():\n    if x:\n        yield from y\n"))
    nested = "def f():\n    def g():\n        yield 1\n    h = lambda: (yield)\n    return g\n"
    assert not astutil.is_generator(_function(nested))
    # a default value runs in the enclosing scope, not in the function
    outer = _function("def outer():\n    def inner(x=(yield)):\n        return x\n")
    inner = outer.body[0]
    assert isinstance(inner, ast.FunctionDef)
    assert not astutil.is_generator(inner)


def test_own_nodes_stop_at_nested_scopes() -> None:
    function = _function(
        "def f(a):\n    b = a\n    def g():\n        c = 1\n    class K:\n        d = 2\n"
    )
    names = {n.id for n in astutil.own_nodes(function) if isinstance(n, ast.Name)}
    assert names == {"a", "b"}
    kinds = {type(n) for n in astutil.own_nodes(function)}
    assert ast.FunctionDef in kinds and ast.ClassDef in kinds  # the nested nodes themselves
    assert astutil.own_nodes(function) is astutil.own_nodes(function)  # cached per node


def test_a_node_cache_remembers_while_the_node_lives_and_never_keeps_it_alive() -> None:
    import gc
    import weakref

    calls: list[str] = []

    @astutil.node_cache
    def names(node: ast.AST, prefix: str) -> frozenset[str]:
        calls.append(prefix)
        return frozenset(prefix + n.id for n in ast.walk(node) if isinstance(n, ast.Name))

    tree = ast.parse("a = b + c")
    assert names(tree, "x") == {"xa", "xb", "xc"}
    assert names(tree, "x") == {"xa", "xb", "xc"} and calls == ["x"]  # remembered
    assert names(tree, "y") == {"ya", "yb", "yc"} and calls == ["x", "y"]  # per extra argument
    alive = weakref.ref(tree)
    del tree
    gc.collect()
    assert alive() is None  # the memo did not keep the tree


def test_a_source_cache_keeps_recent_results_within_its_character_budget() -> None:
    calls: list[str] = []

    @astutil.source_cache(entries=3, chars=10)
    def length(source: str, extra: int) -> int:
        calls.append(source)
        return len(source) + extra

    assert length("aaaa", 1) == 5
    assert length("aaaa", 1) == 5 and calls == ["aaaa"]  # remembered
    assert length("bbbb", 0) == 4 and length("aaaa", 1) == 5 and len(calls) == 2
    length("cccc", 0)  # 12 characters: the least recently used ("bbbb") goes
    assert length("aaaa", 1) == 5 and len(calls) == 3
    length("bbbb", 0)
    assert calls[-1] == "bbbb"
    assert length("x" * 50, 0) == 50  # the latest is kept even over the budget
    assert length("x" * 50, 0) == 50 and calls.count("x" * 50) == 1
    length.cache_clear()  # type: ignore[attr-defined]
    length("aaaa", 1)
    assert calls.count("aaaa") == 2


def test_a_source_cache_does_not_remember_errors() -> None:
    calls: list[str] = []

    @astutil.source_cache(entries=2)
    def fails(source: str) -> None:
        calls.append(source)
        raise ValueError(source)

    for _ in range(2):
        with pytest.raises(ValueError):
            fails("bad")
    assert calls == ["bad", "bad"]


def test_editing_a_big_file_keeps_few_syntax_trees_alive() -> None:
    import gc
    import weakref

    from howto_ls import definitions

    body = "".join(f"def f{n}(a, b):\n    return a + b * {n}\n\n\n" for n in range(3000))
    trees = []
    for edit in range(20):  # every keystroke is a new text: a new tree
        tree = astutil.parse_shared(f"{body}# edit {edit}\n")
        definitions.units(tree)  # cached per tree, weakly
        trees.append(weakref.ref(tree))
    del tree
    gc.collect()
    alive = sum(ref() is not None for ref in trees)
    budget = astutil.TREE_CACHE_CHARS // len(body)
    assert 1 <= alive <= max(budget, 1)
