"""Whether a Usage Example *demonstrates* its symbol, not merely runs.

An example demonstrates when (a) it runs (:mod:`howto_ls.examples_run`, in the sandbox), (b) the
run executes at least one line of the symbol's own body, measured by coverage.py inside the
sandbox (:mod:`howto_ls.tracing`), and (c) it shows a result: a line of standard output that is
not ``None`` (nor a list or tuple of ``None`` alone), not an empty value (``[]``, ``{}``,
``''``, ``set()``, ``()``) and not the default repr of a function, class, module or object
(``<function f at 0x…>``, ``<class 'x.Y'>``, ``<x.Y object at 0x…>``, ``<bound method …>``),
or an ``assert`` statement of the example that ran. Printing anything at all satisfies none of
this by itself.

The symbol's *body* (:func:`body_lines`) is, for a function, method or property, the statements
of its body (its docstring left out); for a class, those of its methods' bodies (of its own
body when it has no method); for a module, every statement of the file but imports and
docstrings (its top-level code and the bodies of what it defines); for a module-level name, its
assignment. A body with no statement at all counts its definition line. Lines are counted per
statement: a statement written over several lines is one line of the body.
"""

from __future__ import annotations

import ast
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from howto_ls import astutil, examples_run, sandbox
from howto_ls.definitions import plain_qualname
from howto_ls.model import Symbol

REAL = "result"
NONE = "None"
EMPTY = "empty"
FUNCTION = "function"
BOUND_METHOD = "bound method"
CLASS = "class"
MODULE = "module"
OBJECT = "object"
BLANK = "blank"

_SAID = {
    FUNCTION: "printed a function object",
    BOUND_METHOD: "printed a bound method",
    CLASS: "printed a class object",
    MODULE: "printed a module object",
    OBJECT: "printed an object's default repr",
    NONE: "printed None",
    EMPTY: "printed an empty value",
}
"""What a run that shows no result printed, most telling first."""

_EMPTY_VALUES = frozenset(
    {"[]", "{}", "''", '""', "set()", "()", "b''", 'b""', "frozenset()", "deque([])"}
)
_LABEL = re.compile(r"^[A-Za-z_][\w .\-]{0,60}?\s*[:=]\s+(?=\S)")
_INNER = r"(?:[^<>]|<[\w-]+>)*"  # a repr's text, with ``<locals>``, ``<lambda>``... in names
_DEFAULT_REPRS = (
    (BOUND_METHOD, re.compile(rf"<bound method [^<>]* of (?:<{_INNER}>|{_INNER})>")),
    (
        FUNCTION,
        re.compile(rf"<(?:function|built-in function|built-in method|cyfunction) {_INNER}>"),
    ),
    (CLASS, re.compile(r"<class '[^'<>]*'>")),
    (MODULE, re.compile(r"<module '[^'<>]*'[^<>]*>")),
    (OBJECT, re.compile(rf"<{_INNER} at 0x[0-9a-fA-F]+>")),
)
_LONGEST = 2000
"""Characters of a line looked at: a longer one is a result."""
_PUNCTUATION = re.compile(r"^[\s\[\](){},]*$")
_NONES = re.compile(r"^[\[(]\s*None(?:\s*,\s*None)*\s*,?\s*[\])]$")
"""A list or tuple of nothing but None (``[None, None]``): what a function that returns nothing
gave for each item."""
_LEFT_OUT = re.compile(r"^\[\.\.\. \d+ bytes of output left out \.\.\.\]$")


@dataclass(frozen=True)
class Target:
    """The symbol an example is measured against: the file that defines it (``path``), its
    key in that file (``key``: the qualified name, ``qualname#N`` for an earlier definition of
    the same name, "" for the module; :mod:`howto_ls.definitions`), the 1-based line where its
    definition starts (``line``, decorators included; None: found by key alone) and its
    ``kind`` (a :class:`howto_ls.model.SymbolKind` value, for reports)."""

    path: Path
    key: str
    line: int | None = None
    kind: str = ""

    @classmethod
    def of(cls, symbol: Symbol) -> Target:
        """The target of ``symbol``."""
        line = symbol.full_range.start.line + 1 if symbol.qualname else None
        return cls(symbol.path, symbol.identity, line, symbol.kind.value)

    @property
    def name(self) -> str:
        """The name reports use: the qualified name, or for a module the file's stem (the
        folder's name for a package's ``__init__.py``)."""
        if self.key:
            return plain_qualname(self.key)
        return self.path.parent.name if self.path.name == "__init__.py" else self.path.stem


@dataclass(frozen=True)
class Demonstration:
    """How one example did against its :class:`Target`.

    ``run`` is how it ran (``run.ok``: it ran to its end); ``measured`` whether coverage data
    came back (else ``reason`` says why); ``body_executed`` of ``body_total`` statements of the
    symbol's body ran; ``shown`` is what the output showed (``result``, or the most telling of
    ``function``, ``bound method``, ``class``, ``module``, ``object``, ``None``, ``empty``;
    "" when it printed nothing); ``asserted`` whether an ``assert`` of the example ran;
    ``demonstrates`` the verdict; ``reason`` why not ("" when it demonstrates).
    """

    run: examples_run.ExampleRun
    measured: bool
    body_executed: int
    body_total: int
    shown: str
    asserted: bool
    demonstrates: bool
    reason: str

    @property
    def shows_result(self) -> bool:
        """Whether the output (or an assert that ran) shows a result."""
        return self.shown == REAL or self.asserted

    def describe(self) -> str:
        """One line for a report: "runs and demonstrates (body 7/9 lines)", "runs but does not
        demonstrate: printed None", or the run's status when it did not run."""
        if not self.run.ok:
            return self.run.status + (f": {self.run.detail}" if self.run.detail else "")
        if self.demonstrates:
            return f"runs and demonstrates (body {self.body_executed}/{self.body_total} lines)"
        if not self.measured:
            return f"runs; demonstration {self.reason}"
        return f"runs but does not demonstrate: {self.reason}"


def demonstrate(
    code: str,
    target: Target,
    *,
    source: str | None = None,
    python: str | None = None,
    timeout: float = examples_run.DEFAULT_TIMEOUT,
    paths: Sequence[Path] = (),
    isolation: str | None = None,
    limits: sandbox.Limits | None = None,
    cancel: threading.Event | None = None,
) -> Demonstration:
    """Run ``code`` (a Usage Example) in the sandbox with line tracing restricted to
    ``target``'s file and the example, and judge whether it demonstrates ``target``.

    ``source`` is the text of ``target.path`` (None: read from disk); the other arguments are
    those of :func:`howto_ls.examples_run.run_example`, with the same timeouts and limits.
    Never raises for what the example does or writes; raises what ``run_example`` raises
    (:class:`howto_ls.sandbox.SandboxError` for an isolation that does not work here) and
    ``OSError`` when ``source`` is None and the file cannot be read.
    """
    if source is None:
        source = target.path.read_text(encoding="utf-8")
    run = examples_run.run_example(
        code,
        python=python,
        timeout=timeout,
        paths=paths,
        isolation=isolation,
        limits=limits,
        cancel=cancel,
        trace=[target.path],
    )
    return judge(code, target, source, run)


def judge(code: str, target: Target, source: str, run: examples_run.ExampleRun) -> Demonstration:
    """The :class:`Demonstration` of ``run`` (a traced run of the example ``code``) against
    ``target``, whose file's text is ``source``."""
    body = body_lines(source, target)
    statements = set(body.values())
    trace = run.trace
    measured = trace is not None and trace.measured
    executed = (
        {body[line] for line in trace.executed(target.path) if line in body} if trace else set()
    )
    shown = shown_result(run.stdout)
    asserted = bool(trace and trace.example & assert_lines(code))
    reason = ""
    if not run.ok:
        reason = run.status
    elif trace is None or not trace.measured:
        reason = trace.problem if trace else "not measured"
    elif not statements and not target.key:
        reason = f"module {target.name} has no statements of its own to run"
    elif not statements:
        reason = f"found no body of {target.name} in {target.path.name}"
    elif not executed:
        reason = f"never reached the body of {target.name}"
    elif shown != REAL and not asserted:
        reason = _SAID.get(shown, "printed nothing and asserted nothing")
    return Demonstration(
        run=run,
        measured=measured,
        body_executed=len(executed),
        body_total=len(statements),
        shown=shown,
        asserted=asserted,
        demonstrates=not reason,
        reason=reason,
    )


def classify(line: str) -> str:
    """What one line of output shows: ``result`` (a real value), ``None``, ``empty`` (an empty
    value), ``function``, ``bound method``, ``class``, ``module`` or ``object`` (a default
    repr, alone or in brackets), or ``blank``. A leading label (``result: None``,
    ``x = []``) is looked past."""
    text = line.strip()
    if not text or _LEFT_OUT.match(text):
        return BLANK
    if len(text) > _LONGEST:
        return REAL  # no bare None, empty value or repr is that long
    label = _LABEL.match(text)
    value = text[label.end() :] if label else text
    if value == "None" or _NONES.match(value):
        return NONE
    if value in _EMPTY_VALUES:
        return EMPTY
    for kind, pattern in _DEFAULT_REPRS:
        if pattern.search(value):
            rest = value
            for _, other in _DEFAULT_REPRS:
                rest = other.sub("", rest)
            return kind if _PUNCTUATION.match(rest) else REAL
    return REAL


def shown_result(stdout: str) -> str:
    """What ``stdout`` shows as a whole: ``result`` when a line does, else the most telling
    kind of its lines (:func:`classify`), "" when it has no line but blank ones."""
    kinds = {classify(line) for line in stdout.splitlines()}
    if REAL in kinds:
        return REAL
    return next((kind for kind in _SAID if kind in kinds), "")


def assert_lines(code: str) -> frozenset[int]:
    """The 1-based lines where ``code``'s ``assert`` statements start; none when it does not
    parse."""
    try:
        tree = astutil.parse(code)
    except (SyntaxError, ValueError):
        return frozenset()
    return frozenset(node.lineno for node in ast.walk(tree) if isinstance(node, ast.Assert))


def body_lines(source: str, target: Target) -> dict[int, int]:
    """Each 1-based line of ``target``'s body (see the module docstring) mapped to the first
    line of the statement it belongs to: coverage.py reports any line of a statement written
    over several, the body is counted in statements. Empty when ``source`` does not parse or
    the target is not found in it."""
    try:
        tree = astutil.parse(source)
    except (SyntaxError, ValueError):
        return {}
    if not target.key:
        return _lines_of(_module_statements(tree.body))
    node = _definition(tree, target)
    if node is None:
        return _lines_of(_assignment(tree, target))
    if isinstance(node, ast.ClassDef):
        methods = [
            inner
            for inner in ast.walk(node)
            if isinstance(inner, ast.FunctionDef | ast.AsyncFunctionDef)
        ]
        statements = [s for method in methods for s in _own_body(method)] or _own_body(node)
    else:
        statements = _own_body(node)
    return _lines_of(statements) or {node.lineno: node.lineno}


def _definition(tree: ast.Module, target: Target) -> astutil.Definition | None:
    """The definition ``target`` names: the one starting at ``target.line`` when there is one
    (decorators included), else the one its key names."""
    if target.line is not None:
        for _, node in astutil.iter_definitions(tree):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            if target.line in (first, node.lineno) and node.name == target.name.rsplit(".")[-1]:
                return node
    return astutil.find_definition(tree, target.key)


def _assignment(tree: ast.Module, target: Target) -> list[ast.stmt]:
    """The module-level statement that binds ``target`` (a module-level name)."""
    for statement in astutil.flatten_statements(tree.body):
        if target.line is not None and statement.lineno == target.line:
            return [statement]
    for statement in astutil.flatten_statements(tree.body):
        if target.key in astutil.assignment_names(statement):
            return [statement]
    return []


def _own_body(node: astutil.Definition) -> list[ast.stmt]:
    """``node``'s body without its docstring."""
    body = node.body
    return body[1:] if body and astutil.is_docstring(body[0]) else list(body)


def _module_statements(body: list[ast.stmt]) -> list[ast.stmt]:
    """A module's body without its docstring and its imports (nested ones stay out too, see
    :func:`_lines_of`)."""
    statements = body[1:] if body and astutil.is_docstring(body[0]) else body
    return [s for s in statements if not isinstance(s, ast.Import | ast.ImportFrom)]


_Block = ast.stmt | ast.excepthandler | ast.match_case


def _lines_of(statements: Iterable[ast.stmt]) -> dict[int, int]:
    """Every line of ``statements`` and of the statements nested in them (imports and the
    docstrings of nested definitions left out) mapped to the first line of the innermost
    statement (or ``except``/``case`` clause) it belongs to."""
    mapping: dict[int, int] = {}
    for statement in statements:
        _visit(statement, mapping)
    return mapping


def _visit(node: _Block, mapping: dict[int, int]) -> None:
    """Map ``node``'s own lines (from its first decorator to its first nested block) to its
    first line, then those of its nested blocks to theirs."""
    children = list(_blocks(node))
    first = _start(node)
    own = node.pattern.lineno if isinstance(node, ast.match_case) else node.lineno
    last = node.body[-1] if isinstance(node, ast.match_case) else node
    end = (last.end_lineno or first) + 1
    header_end = min([end, *(_start(child) for child in children)])
    for line in range(first, max(header_end, first + 1)):
        mapping[line] = own
    for child in children:
        _visit(child, mapping)


def _blocks(node: _Block) -> Iterator[_Block]:
    """The statements and clauses nested right inside ``node``, without imports and the
    docstrings of nested definitions."""
    docstring = None
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and node.body:
        docstring = node.body[0] if astutil.is_docstring(node.body[0]) else None
    for child in ast.iter_child_nodes(node):
        if not isinstance(child, ast.stmt | ast.excepthandler | ast.match_case):
            continue
        if isinstance(child, ast.Import | ast.ImportFrom) or child is docstring:
            continue
        yield child


def _start(node: _Block) -> int:
    """The first line of ``node``: its first decorator's, or its own (a ``case`` clause
    starts at its pattern)."""
    if isinstance(node, ast.match_case):
        return int(node.pattern.lineno)
    decorators: list[ast.expr] = getattr(node, "decorator_list", [])
    return min([node.lineno, *(d.lineno for d in decorators)])
