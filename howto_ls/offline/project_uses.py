"""The project's own uses of its code, read once per file for the project index: the test
functions of its test files and the ``>>>`` examples of its docstrings, as statements.

A usage example is best taken from how the project itself uses a symbol: a test that builds
an object, sets it up and checks what a method returns, or a docstring example with its
expected output. :func:`uses_in` keeps, per module, each such use as a sequence of statements
(source text, the names each binds and reads, a doctest's expected output), bounded in size;
:mod:`howto_ls.offline.example.mined` picks the statements one call needs.

What counts as a test follows pytest's default discovery (``python_files = test_*.py
*_test.py``, ``python_functions = test*``, ``python_classes = Test*``): functions named
``test*`` at the top level of a test file, or methods named so in a class named ``Test*``.
Tests that take pytest fixtures (any parameter ``@pytest.mark.parametrize`` does not give)
or carry any other decorator are left out; parametrized ones take their first case's values.
"""

from __future__ import annotations

import ast
import builtins
import textwrap
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from howto_ls.astutil import literal_value, parse, parse_expression

MAX_USES = 400
"""Uses kept per module (test functions first, then docstring examples)."""

MAX_STATEMENTS = 40
"""Statements kept per use: a test's first ones (the rest is rarely what one call needs)."""

MAX_STATEMENT_CHARS = 600
"""Longer statements are kept as unusable (``text == ""``), with the names they bind."""

MAX_EXPECTED_CHARS = 200
"""Longer expected doctest output is dropped."""

TEST_FOLDERS = frozenset({"tests", "test", "testing"})

_ASSERT_METHODS = {
    "assertEqual": "==",
    "assertEquals": "==",
    "assertNotEqual": "!=",
    "assertIs": "is",
    "assertIsNot": "is not",
    "assertIn": "in",
    "assertNotIn": "not in",
    "assertGreater": ">",
    "assertLess": "<",
}
"""``unittest.TestCase`` assertions with a two-operand ``assert`` form."""


@dataclass(frozen=True)
class StatementRecord:
    """One statement of a use: its source text ("" when it cannot be reused: too long, a
    doctest line whose output is a traceback, a statement that reads the test's ``self``),
    the names it binds and those it reads, and a doctest line's expected output."""

    text: str
    bound: tuple[str, ...]
    used: tuple[str, ...]
    expected: str = ""


@dataclass(frozen=True)
class UseRecord:
    """A test function or a docstring's ``>>>`` example: where it is (``test_parse``,
    ``TestCache.test_get``, or the documented object's qualified name; 0-based line) and its
    statements in order."""

    origin: str
    line: int
    in_doctest: bool
    statements: tuple[StatementRecord, ...]


def is_test_file(path: Path, module: str) -> bool:
    """Whether ``path`` (of the dotted ``module``) holds tests as pytest finds them:
    ``test_*.py`` or ``*_test.py``, or any file under a ``tests``/``test`` folder;
    ``conftest.py`` (fixtures, hooks) never."""
    name = path.name
    if name == "conftest.py":
        return False
    if name.startswith("test_") or name.endswith("_test.py"):
        return True
    return any(part in TEST_FOLDERS for part in module.split(".")[:-1])


def uses_in(tree: ast.Module, source: str, path: Path, module: str) -> tuple[UseRecord, ...]:
    """The uses in ``tree`` (parsed from ``source``, the module ``module`` at ``path``): its
    test functions when it is a test file (:func:`is_test_file`), then every docstring's
    ``>>>`` example; at most :data:`MAX_USES`."""
    found: list[UseRecord] = []
    if is_test_file(path, module):
        for origin, function in _tests(tree):
            use = _test_use(origin, function, source)
            if use is not None:
                found.append(use)
            if len(found) >= MAX_USES:
                return tuple(found)
    for origin, line, docstring in _docstrings(tree):
        use = _doctest_use(origin, line, docstring)
        if use is not None:
            found.append(use)
        if len(found) >= MAX_USES:
            break
    return tuple(found)


def _tests(tree: ast.Module) -> Iterator[tuple[str, ast.FunctionDef]]:
    for statement in tree.body:
        if isinstance(statement, ast.FunctionDef) and statement.name.startswith("test"):
            yield statement.name, statement
        elif isinstance(statement, ast.ClassDef) and statement.name.startswith("Test"):
            for member in statement.body:
                if isinstance(member, ast.FunctionDef) and member.name.startswith("test"):
                    yield f"{statement.name}.{member.name}", member


def _test_use(origin: str, function: ast.FunctionDef, source: str) -> UseRecord | None:
    """The statements of a test that takes no fixtures, its parameters bound to the first
    case of its ``@pytest.mark.parametrize`` marks; None for any other test."""
    cases: dict[str, str] = {}
    for decorator in function.decorator_list:
        case = _first_case(decorator)
        if case is None:
            return None  # fixtures, patches, skips, expected failures: not a plain use
        cases.update(case)
    arguments = function.args
    names = [a.arg for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)]
    if arguments.vararg is not None or arguments.kwarg is not None:
        return None
    in_class = "." in origin
    for index, name in enumerate(names):
        if not (name in cases or (in_class and index == 0 and name == "self")):
            return None  # a fixture pytest would inject
    statements = [StatementRecord(f"{name} = {v}", (name,), ()) for name, v in cases.items()]
    for statement in function.body:
        if len(statements) >= MAX_STATEMENTS:
            break
        converted = _unittest_assert(statement)
        statements.append(_statement(converted or statement, "" if converted else source))
    return UseRecord(origin, function.lineno - 1, False, tuple(statements))


def _first_case(decorator: ast.expr) -> dict[str, str] | None:
    """``{name: value text}`` of the first case of ``@pytest.mark.parametrize("a, b", [(1,
    2), ...])`` with literal values; None for any other decorator."""
    if not (
        isinstance(decorator, ast.Call)
        and isinstance(decorator.func, ast.Attribute)
        and decorator.func.attr == "parametrize"
        and len(decorator.args) >= 2
        and isinstance(decorator.args[0], ast.Constant)
        and isinstance(decorator.args[0].value, str)
        and isinstance(decorator.args[1], ast.List | ast.Tuple)
        and decorator.args[1].elts
    ):
        return None
    names = [n.strip() for n in decorator.args[0].value.split(",") if n.strip()]
    first = decorator.args[1].elts[0]
    if (
        isinstance(first, ast.Call)
        and isinstance(first.func, ast.Attribute)
        and first.func.attr == "param"
    ):
        values = list(first.args)
    elif len(names) == 1:
        values = [first]
    elif isinstance(first, ast.Tuple | ast.List):
        values = list(first.elts)
    else:
        return None
    if len(values) != len(names) or not all(_is_literal(v) for v in values):
        return None
    return {name: ast.unparse(value) for name, value in zip(names, values, strict=True)}


def _is_literal(node: ast.expr) -> bool:
    try:
        literal_value(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


def _unittest_assert(statement: ast.stmt) -> ast.stmt | None:
    """``self.assertEqual(a, b)`` as ``assert a == b`` (and the like), else None."""
    if not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)):
        return None
    call = statement.value
    function = call.func
    if not (
        isinstance(function, ast.Attribute)
        and isinstance(function.value, ast.Name)
        and function.value.id == "self"
    ):
        return None
    if function.attr in {"assertTrue", "assertIsNotNone"} and call.args:
        return ast.Assert(test=call.args[0])
    operator = _ASSERT_METHODS.get(function.attr)
    if operator is None or len(call.args) < 2:
        return None
    try:
        test = parse_expression(f"(_a) {operator} (_b)")
    except SyntaxError:
        return None
    assert isinstance(test, ast.Compare)
    test.left, test.comparators = call.args[0], [call.args[1]]
    return ast.Assert(test=test)


def _statement(statement: ast.stmt, source: str, expected: str = "") -> StatementRecord:
    """The record of ``statement``: its text as ``source`` writes it (dedented), or as
    :func:`ast.unparse` writes it for a statement made here (``source`` "")."""
    bound, used = names_of(statement)
    try:
        segment = _segment(source, statement) if source else None
        text = textwrap.dedent(segment).strip() if segment else ast.unparse(statement)
    except (ValueError, RecursionError):
        text = ""
    if len(text) > MAX_STATEMENT_CHARS or "self" in used:
        text = ""
    return StatementRecord(text, tuple(sorted(bound)), tuple(sorted(used)), expected)


def _segment(source: str, statement: ast.stmt) -> str | None:
    """The text of ``statement`` in ``source``, a definition's decorators included (its
    ``lineno`` is the ``def`` line, PEP 3129 decorators come before it)."""
    decorators = getattr(statement, "decorator_list", [])
    if not decorators or statement.end_lineno is None:
        return ast.get_source_segment(source, statement, padded=True)
    first = min(d.lineno for d in decorators) - 1
    return "\n".join(source.splitlines()[first : statement.end_lineno])


def names_of(statement: ast.stmt) -> tuple[set[str], set[str]]:
    """(names ``statement`` binds in its scope, names it reads from outside itself). A
    function or class definition reads its decorators, defaults and bases, and the names its
    body reads that it does not bind itself."""
    bound: set[str] = set()
    used: set[str] = set()
    if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        bound.add(statement.name)
        inner_bound: set[str] = set()
        inner_used: set[str] = set()
        outer: list[ast.AST] = list(statement.decorator_list)
        if isinstance(statement, ast.ClassDef):
            outer += [*statement.bases, *(k.value for k in statement.keywords)]
        else:
            arguments = statement.args
            outer += [*arguments.defaults, *(d for d in arguments.kw_defaults if d is not None)]
            inner_bound |= {
                a.arg
                for a in (
                    *arguments.posonlyargs,
                    *arguments.args,
                    *arguments.kwonlyargs,
                    arguments.vararg,
                    arguments.kwarg,
                )
                if a is not None
            }
        for node in outer:
            used |= _loads(node)
        for inner in statement.body:
            for node in ast.walk(inner):
                if isinstance(node, ast.Name):
                    (inner_used if isinstance(node.ctx, ast.Load) else inner_bound).add(node.id)
                elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                    inner_bound.add(node.name)
                elif isinstance(node, ast.arg):
                    inner_bound.add(node.arg)
        used |= inner_used - inner_bound
        return bound, used - set(dir(builtins))
    if isinstance(statement, ast.Import | ast.ImportFrom):
        for alias in statement.names:
            bound.add((alias.asname or alias.name).split(".")[0])
        return bound, used
    local: set[str] = set()  # a lambda's or comprehension's own names
    for node in ast.walk(statement):
        if isinstance(node, ast.Name):
            (used if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, ast.arg):
            local.add(node.arg)
    return bound, used - bound - local - set(dir(builtins))


def _loads(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _docstrings(tree: ast.Module) -> Iterator[tuple[str, int, str]]:
    """(qualified name of the documented object, 0-based line, docstring) for the module and
    its classes and functions, outer ones first."""
    stack: list[tuple[str, ast.AST]] = [("", tree)]
    while stack:
        prefix, node = stack.pop(0)
        body = getattr(node, "body", [])
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            docstring = ast.get_docstring(node, clean=True)
            if docstring and ">>>" in docstring:
                yield prefix, max(getattr(node, "lineno", 1) - 1, 0), docstring
        for child in body:
            if isinstance(child, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                stack.append((f"{prefix}.{child.name}".lstrip("."), child))


def _doctest_use(origin: str, line: int, docstring: str) -> UseRecord | None:
    statements: list[StatementRecord] = []
    for source, expected in doctest_examples(docstring):
        if len(statements) >= MAX_STATEMENTS:
            break
        try:
            snippet = parse(source)
        except (SyntaxError, ValueError):
            continue
        failing = expected.startswith("Traceback")
        for statement in snippet.body:
            shown = "" if failing else expected[:MAX_EXPECTED_CHARS]
            record = _statement(statement, source, shown)
            if failing:
                record = StatementRecord("", record.bound, record.used)
            statements.append(record)
    return UseRecord(origin, line, True, tuple(statements)) if statements else None


def doctest_examples(docstring: str) -> list[tuple[str, str]]:
    """The examples of ``docstring`` as :mod:`doctest` reads them: (source, expected output),
    the source joined from its ``>>>`` line and ``...`` continuation lines, the output from
    the lines that follow up to a blank line or the next ``>>>``."""
    found: list[tuple[str, str]] = []
    lines = docstring.splitlines()
    index = 0
    while index < len(lines):
        stripped = lines[index].strip()
        if not stripped.startswith(">>>"):
            index += 1
            continue
        source = [stripped[4:]]
        index += 1
        while index < len(lines) and lines[index].strip().startswith("..."):
            source.append(lines[index].strip()[4:])
            index += 1
        output: list[str] = []
        while index < len(lines):
            text = lines[index].strip()
            if not text or text.startswith(">>>"):
                break
            output.append(text)
            index += 1
        found.append(("\n".join(source), "\n".join(output)))
    return found


def free_names(statements: Sequence[StatementRecord]) -> set[str]:
    """The names ``statements`` (in order) read that none of them binds first."""
    bound: set[str] = set()
    free: set[str] = set()
    for statement in statements:
        free |= set(statement.used) - bound
        bound |= set(statement.bound)
    return free
