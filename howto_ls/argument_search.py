"""Mend a failing example by trying other values for the literals it passes: one sandboxed run
tries many, and the ones that run are kept.

An example the offline writer wrote fails most often because a placeholder is a value the code
rejects: ``date(raw="example")`` ("Invalid RFC 3339 string"), ``get_locale("example")``,
``validate_bounds("example")`` ("Please select between '()', '(]', '[)', or '[]'"). The values
the code accepts are usually in sight: quoted in the error message, written as literals in the
code itself, or one of a few common formats (a date, a TOML or JSON document, a locale).

:func:`search` finds the statement the traceback names and the set-up statements before it, their
*slots* (each literal argument of a call, or the value of ``name = literal``: a constant, a list,
tuple, set or dict of constants, a lambda) and writes *variants*: the example with one slot given
another value from :func:`pool` (only values written out, so a variant never runs code the example
did not hold; a value of the slot's own kind first, and set-up slots keep their kind), after the
failing statement in the form the error asks for where it says the form is wrong (an attribute
called, a loop over what is not iterable, keywords refused). Its program runs the statements before
the first varied one once, then each variant's rest of the example in a copy of the globals, with
its output captured and a timer of :data:`VARIANT_SECONDS`, and for each variant that ran to the end
(or left by ``sys.exit(0)``) writes to the standard output it started with a line of the search's
own marker (:data:`MARKER` with a random token) followed by the JSON pair of its index and whether
the last line it printed shows a value (not None, an empty value or a default repr). :func:`chosen`
reads those lines: the variants to run in full (in the sandbox, with coverage) and rank like any
candidate. A variant that defeats the timer (it ignores SIGALRM) or ends the process leaves the
lines written before it. Nothing here runs code: :mod:`howto_ls.verification` runs the program, in
the sandbox, in half of what is left of a symbol's time budget.
"""

from __future__ import annotations

import ast
import json
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass

from howto_ls import astutil

MARKER = "__howto_search__:"
"""What starts the search program's line of JSON on standard output; each :func:`search`
puts a random token before the colon, so an example printing this text cannot pass for it."""

MAX_VARIANTS = 400
"""Variants one search program tries at most."""

MAX_SLOTS = 6
"""Slots one search varies at most: those of the failing statement, then of the statements
before it, nearest first."""

VARIANT_SECONDS = 0.25
"""Seconds one variant may run in the search program before it is stopped."""

KEPT = 2
"""Variants :func:`chosen` returns at most: each is then run in full, with coverage."""

ENOUGH_SHOWN = 4
"""The search program stops after this many variants ran and showed a value."""

MAX_CODE_LITERALS = 80
"""String literals of the symbol's module :func:`pool` offers at most (nearest first)."""

LITERAL_CHARS = 60
"""Longest string literal of the code (or quoted in an error) offered as a value, characters."""

COMMON_VALUES: tuple[str, ...] = (
    # documents and formats code parses
    '"2024-01-31"',
    '"12:30:00"',
    '"2024-01-31T12:30:00"',
    '"2024-01-31T12:30:00+00:00"',
    "'title = \"example\"\\n'",
    '"a = 1\\n"',
    '\'{"key": "value"}\'',
    '"hello world"',
    '"en"',
    '"en_US"',
    '"1.2.3"',
    '"https://example.com"',
    '"user@example.com"',
    '"a,b,c"',
    '"key"',
    '"name"',
    '"x"',
    '""',
    # numbers, flags and collections
    "1",
    "0",
    "2",
    "3",
    "10",
    "-1",
    "0.5",
    "True",
    "False",
    "None",
    "[1, 2, 3]",
    '["a", "b", "c"]',
    "(1, 2)",
    '{"key": "value"}',
    '{"a": 1, "b": 2}',
    "[]",
    "{}",
    'b"data"',
    # functions and types
    "lambda x: x * 2",
    "lambda *args, **kwargs: args",
    "str",
    "int",
    "dict",
)
"""Values every search offers after the error's and the code's own (Python source)."""

_FILL_IN = re.compile(r"^\s*# fill in:[^\n]*")
"""The note the offline writer puts after a placeholder (``x = ...  # fill in: a Path``)."""

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
"""One line of Python source with its end, as the tokenizer ends lines."""

_QUOTED = re.compile(r"""'([^'\n]{1,60})'|"([^"\n]{1,60})\"""")

_TELLING = """
def __howto_telling(text):
    import re
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return False
    last = lines[-1].strip()
    if last in ("None", "[]", "{}", "()", "''", '""', "set()", "b''", "frozenset()"):
        return False
    return not re.match(r"<.*( at 0x[0-9a-f]+|function |class |bound method |module )", last)
"""

_SEARCH = """
def __howto_search(variants):
    import contextlib, io, json, os, signal
    class Late(BaseException):
        pass
    def late(*args):
        raise Late()
    timed = hasattr(signal, "setitimer")  # not on Windows: the run's own limit still holds
    report = os.dup(1)  # still there when a variant closes or replaces standard output
    base = dict(globals())
    shown = 0
    for index, text in enumerate(variants):
        out = io.StringIO()
        try:
            code = compile(text, "<variant>", "exec")
            if timed:
                signal.signal(signal.SIGALRM, late)  # again: a variant may set its own
                signal.setitimer(signal.ITIMER_REAL, %(seconds)s)
            try:
                with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
                    exec(code, dict(base))
            except SystemExit as stop:
                if stop.code not in (None, 0):
                    raise
            finally:
                if timed:
                    signal.setitimer(signal.ITIMER_REAL, 0)
            telling = __howto_telling(out.getvalue())
        except BaseException:
            continue
        os.write(report, ("\\n%(marker)s" + json.dumps([index, telling]) + "\\n").encode())
        shown += telling
        if shown >= %(enough)s:
            break
"""


@dataclass(frozen=True)
class Search:
    """A search for one failing example: ``program`` (runs the example's statements before the
    varied one, then tries each variant), ``variants`` (each a whole example, in the order
    the program tries them) and ``marker`` (what starts each line the program reports a
    variant with: :data:`MARKER` with this search's own token)."""

    program: str
    variants: tuple[str, ...]
    marker: str = MARKER


def failing_line(output: str, name: str = "example.py") -> int | None:
    """The 1-based line of the example's own top-level frame (``File ".../example.py", line N,
    in <module>``) in a traceback in ``output``, the last such frame; None when there is none."""
    pattern = re.compile(rf'File "[^"\n]*[/\\]{re.escape(name)}", line (\d+), in <module>')
    found = pattern.findall(output)
    return int(found[-1]) if found else None


def quoted_values(detail: str) -> list[str]:
    """The strings quoted in an error's ``detail`` line, as Python string literals, in order
    and each once: the values a message lists as accepted (``Please select between '()',
    '(]'``). A quoted text with a backslash is offered as Python reads it first (messages quote
    with ``repr``: ``'C:\\\\new'`` is ``C:\\new``), then as written."""
    values: list[str] = []
    for match in _QUOTED.finditer(detail):
        quote = "'" if match.group(1) is not None else '"'
        text = match.group(1) if match.group(1) is not None else match.group(2)
        read = _read(quote + text + quote) if "\\" in text else None
        for found in ([] if read is None else [read]) + [text]:
            literal = _literal(found)
            if literal not in values:
                values.append(literal)
    return values


def _read(literal: str) -> str | None:
    """The text of the Python string ``literal``; None when it is not one."""
    try:
        tree = astutil.parse(literal)
    except (SyntaxError, ValueError):
        return None
    read = tree.body[0] if len(tree.body) == 1 else None
    if isinstance(read, ast.Expr) and isinstance(read.value, ast.Constant):
        return read.value.value if isinstance(read.value.value, str) else None
    return None


def code_literals(source: str, near: int | None = None) -> list[str]:
    """The short one-line string literals of the module ``source`` (docstrings left out), as
    Python string literals, nearest to the 1-based line ``near`` first (the top of the module
    first when None); at most :data:`MAX_CODE_LITERALS`. [] when ``source`` does not parse."""
    try:
        tree = astutil.parse_shared(source)
    except (SyntaxError, ValueError):
        return []
    documented = {
        id(node)
        for owner in ast.walk(tree)
        if isinstance(owner, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        for node in [astutil.docstring_node(owner)]
        if node is not None
    }
    found: dict[str, int] = {}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            continue
        text = node.value
        if id(node) in documented or not text.strip() or "\n" in text:
            continue
        if len(text) > LITERAL_CHARS:
            continue
        distance = abs(node.lineno - near) if near is not None else node.lineno
        literal = _literal(text)
        found[literal] = min(distance, found.get(literal, distance))
    return sorted(found, key=lambda literal: found[literal])[:MAX_CODE_LITERALS]


def pool(detail: str, source: str, near: int | None) -> list[str]:
    """The values a search tries, as Python source, best first and each once: the strings
    quoted in the error's ``detail``, the string literals of the symbol's module ``source``
    (nearest the symbol's 1-based line ``near`` first), then :data:`COMMON_VALUES`."""
    return list(
        dict.fromkeys([*quoted_values(detail), *code_literals(source, near), *COMMON_VALUES])
    )


def search(code: str, line: int, values: list[str], detail: str = "") -> Search | None:
    """The :class:`Search` of ``code``, which failed at the 1-based ``line`` with the error
    line ``detail`` ("" for an example that ran but showed nothing): first the statements
    there (more than one when ``;`` joins them) in another form where the error says the form
    is wrong (:func:`_reformed`); then the slots of those statements and of the statements
    before them (nearest first, at most :data:`MAX_SLOTS`) given each of ``values``: values
    of a slot's own kind first (a text for a text), then, in the failing statements' slots and
    in placeholders (``...``) only, the others; within each, values first (all slots get the
    first value before any gets the second); at most :data:`MAX_VARIANTS`. A value is Python
    source for a value written out (:func:`_is_literal`, or a name such as ``str``); others
    are left out, so a variant only ever passes another value. None when ``code`` does not
    parse, ``line`` is not in a top-level statement or there is nothing to vary."""
    try:
        tree = astutil.parse(code)
    except (SyntaxError, ValueError):
        return None
    there = [
        index
        for index, statement in enumerate(tree.body)
        if astutil.statement_start(statement)[0] <= line <= (statement.end_lineno or 0)
    ]
    if not there:
        return None
    slots = [slot for index in there for slot in _slots(tree.body[index])]
    failing = len(slots)  # the slots of the failing statements come first
    first = there[0]
    for index in range(there[0] - 1, -1, -1):  # earlier statements, nearest first
        if len(slots) >= MAX_SLOTS:
            break
        earlier = list(_slots(tree.body[index]))
        if earlier:
            slots += earlier
            first = index
    slots = slots[:MAX_SLOTS]
    lines = _lines(code)
    start = astutil.statement_start(tree.body[first])[0]
    head = "".join(lines[: start - 1])
    rest = "".join(lines[start - 1 :])
    variants: list[str] = []
    for index in there:
        for span, text in _reformed(tree.body[index], detail):
            reformed = _replaced(rest, span, text, start)
            if reformed is not None:
                variants.append(reformed)
    written = [(value, _value(value)) for value in values]
    for same_kind in (True, False):  # a value of the slot's own kind first: "data.txt", not 0
        for value, kept in written:
            if kept is None:
                continue
            for number, slot in enumerate(slots):
                if len(variants) >= MAX_VARIANTS:
                    break
                if kept == slot.text or (_kind(kept) == _kind(slot.text)) != same_kind:
                    continue
                if not same_kind and number >= failing and slot.text != "...":
                    continue  # set-up before the failing line keeps the kind it was given
                replaced = _replaced(rest, slot, value, start)
                if replaced is not None:
                    variants.append(replaced)
    if not variants:
        return None
    marker = f"{MARKER[:-3]}_{secrets.token_hex(8)}__:"
    program = "".join(
        [
            head,
            "\n" if head and not head.endswith(("\n", "\r")) else "",
            _TELLING,
            _SEARCH % {"seconds": VARIANT_SECONDS, "enough": ENOUGH_SHOWN, "marker": marker},
            f"__howto_search({variants!r})\n",
        ]
    )
    return Search(program, tuple(head + variant for variant in variants), marker)


def last_line(code: str) -> int | None:
    """The 1-based line where the last top-level statement of ``code`` ends: where a search of
    an example that ran but showed nothing starts looking back for slots; None when ``code``
    does not parse or has no statement."""
    try:
        tree = astutil.parse(code)
    except (SyntaxError, ValueError):
        return None
    return tree.body[-1].end_lineno if tree.body else None


def _reformed(statement: ast.stmt, detail: str) -> list[tuple[_Slot, str]]:
    """Spans of ``statement`` (as :class:`_Slot`) to write in another form, with the text to
    put there, where the error ``detail`` says the form is wrong: a method-like call without
    arguments of what is not callable (``obj.args()``: "'tuple' object is not
    callable", an attribute the writer took for a method) becomes the attribute itself; a loop
    over what is not iterable (``for item in f(x):``: "'bool' object is not iterable")
    becomes a print of it; a call with keywords where the error is about a keyword argument
    ("takes no keyword arguments", "got some positional-only arguments passed as keyword
    arguments") passes them by position, in the order written."""
    forms: list[tuple[_Slot, str]] = []
    if "is not callable" in detail:
        for node in ast.walk(statement):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and not node.args
                and not node.keywords
            ):
                forms.append((_span(node), ast.unparse(node.func)))
    if "keyword argument" in detail:  # "takes no keyword arguments", "positional-only..."
        for node in ast.walk(statement):
            if isinstance(node, ast.Call) and node.keywords:
                if any(k.arg is None for k in node.keywords):
                    continue
                passed = [*node.args, *(k.value for k in node.keywords)]
                called = f"{ast.unparse(node.func)}({', '.join(map(ast.unparse, passed))})"
                forms.append((_span(node), called))
    if (
        "is not iterable" in detail
        and isinstance(statement, ast.For)
        and isinstance(statement.iter, ast.Call)
    ):
        forms.append((_span(statement), f"print({ast.unparse(statement.iter)})"))
    return forms


def _span(node: ast.expr | ast.stmt) -> _Slot:
    """``node``'s span as a :class:`_Slot`."""
    return _Slot(
        ast.unparse(node),
        "",
        node.lineno,
        node.col_offset,
        node.end_lineno or node.lineno,
        node.end_col_offset or 0,
    )


def chosen(found: Search, stdout: str, keep: int = KEPT, *, shown_only: bool = False) -> list[str]:
    """The variants of ``found`` that ran to the end in its program, read from the program's
    ``stdout`` (one line starting with ``found.marker`` per variant that ran, so a program
    stopped part way still tells what it found): those that showed a value first, then in the
    order tried; at most ``keep``; with ``shown_only``, only those that showed a value (mending
    an example that ran but showed nothing). Lines that do not read as the program writes them
    are skipped."""
    ran: list[tuple[int, bool]] = []
    for text in stdout.splitlines():
        if not text.startswith(found.marker):
            continue
        try:
            index, telling = json.loads(text[len(found.marker) :])
        except (ValueError, TypeError):
            continue
        known = isinstance(index, int) and 0 <= index < len(found.variants)
        if known and (telling or not shown_only):
            ran.append((index, bool(telling)))
    ran.sort(key=lambda entry: not entry[1])  # stable: the order tried among equals
    return [found.variants[index] for index, _ in ran[:keep]]


def _lines(code: str) -> list[str]:
    """``code``'s lines with their ends, split where Python's tokenizer ends a line (``\\n``,
    ``\\r\\n``, ``\\r``), so their numbers are those of :mod:`ast`: :meth:`str.splitlines`
    also splits at a form feed, ``\\x85`` or U+2028 inside a string or a comment."""
    return _LINE.findall(code)


def _value(value: str) -> str | None:
    """``value`` (Python source) written as :func:`ast.unparse` writes it, to compare with a
    slot's text; None when it is not one value written out (:func:`_is_literal`) or a name."""
    try:
        tree = astutil.parse(value)
    except (SyntaxError, ValueError):
        return None
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Expr):
        return None
    node = tree.body[0].value
    if not (isinstance(node, ast.Name) or _is_literal(node)):
        return None
    return ast.unparse(node)


def _kind(text: str) -> str:
    """The kind of the value ``text`` (as :func:`ast.unparse` writes it) for ordering: the
    type's name of a constant (``str``, ``int``, ``bool``...), the node's name otherwise
    (``List``, ``Dict``, ``Lambda``, ``Name``)."""
    try:
        node = astutil.parse_expression(text)
    except (SyntaxError, ValueError):
        return ""
    if isinstance(node, ast.Constant):
        return type(node.value).__name__
    if isinstance(node, ast.UnaryOp) and isinstance(node.operand, ast.Constant):
        return type(node.operand.value).__name__  # -1
    return type(node).__name__


def _literal(text: str) -> str:
    """``text`` as a Python string literal, in double quotes as the examples write them where
    it can be (no quote, backslash or unprintable character in it)."""
    if text.isprintable() and '"' not in text and "\\" not in text:
        return f'"{text}"'
    return repr(text)


@dataclass(frozen=True)
class _Slot:
    """A literal argument: its source ``text``, the keyword it is passed as ("" by position;
    the name for an assigned value),
    and its 1-based start and end lines with 0-based UTF-8 byte columns (as :mod:`ast` gives)."""

    text: str
    keyword: str
    line: int
    column: int
    end_line: int
    end_column: int


def _slots(statement: ast.stmt) -> Iterator[_Slot]:
    """The slots of ``statement``: the value of ``name = literal`` (a placeholder such as
    ``encoder = ...``), and the literal arguments of the calls in it, not ``print``'s."""
    if (
        isinstance(statement, ast.Assign)
        and len(statement.targets) == 1
        and isinstance(statement.targets[0], ast.Name)
        and _is_literal(statement.value)
    ):
        value = statement.value
        yield _Slot(
            ast.unparse(value),
            statement.targets[0].id,
            value.lineno,
            value.col_offset,
            value.end_lineno or value.lineno,
            value.end_col_offset or 0,
        )
        return
    for node in ast.walk(statement):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Name) and node.func.id == "print":
            continue
        passed = [("", argument) for argument in node.args]
        passed += [(k.arg, k.value) for k in node.keywords if k.arg is not None]
        for keyword, argument in passed:
            if _is_literal(argument) and argument.end_lineno is not None:
                yield _Slot(
                    ast.unparse(argument),
                    keyword,
                    argument.lineno,
                    argument.col_offset,
                    argument.end_lineno,
                    argument.end_col_offset or 0,
                )


def _is_literal(node: ast.expr) -> bool:
    """Whether ``node`` is a value written out: a constant (not a docstring-like long text) or
    a signed number, a list, tuple, set or dict of those, or a lambda."""
    if isinstance(node, ast.Constant):
        return not (isinstance(node.value, str) and "\n" in node.value.strip())
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return all(_is_constant(item) for item in node.elts)
    if isinstance(node, ast.Dict):
        return all(_is_constant(item) for item in [*node.keys, *node.values] if item)
    return isinstance(node, ast.Lambda) or _is_constant(node)


def _is_constant(node: ast.expr) -> bool:
    """Whether ``node`` is a constant, or a number with its sign (``-1``, ``+0.5``)."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        operand = node.operand
        return isinstance(operand, ast.Constant) and type(operand.value) in (int, float, complex)
    return isinstance(node, ast.Constant)


def _replaced(rest: str, slot: _Slot, value: str, start: int) -> str | None:
    """``rest`` (the example from its line ``start``) with ``slot`` replaced by ``value``;
    None when the result does not parse."""
    lines = _lines(rest)
    first, last = slot.line - start, slot.end_line - start
    if not (0 <= first <= last < len(lines)):
        return None
    head = lines[first].encode()[: slot.column].decode(errors="replace")
    tail = lines[last].encode()[slot.end_column :].decode(errors="replace")
    tail = _FILL_IN.sub("", tail)  # the writer's note on a placeholder no longer applies
    varied = "".join([*lines[:first], head, value, tail, *lines[last + 1 :]])
    try:
        astutil.parse(varied)
    except (SyntaxError, ValueError):
        return None
    return varied
