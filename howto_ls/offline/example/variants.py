"""Variants of a written usage example where the writer is unsure of a value.

The writer picks one value per parameter; where that value is a guess (a literal it wrote, or
a constructor called with nothing), a run may show it is of the wrong type or one the code
rejects. This module writes a few other versions of the same example, each with other values
for the uncertain arguments, for a run (:mod:`howto_ls.verification`) to choose from: "run and
keep what works". The alternatives for one argument, best guess first:

1. literals the project itself passes that parameter in calls of the same callable
   (:mod:`howto_ls.offline.call_literals`);
2. the parameter's default, by leaving a keyword argument out;
3. typed placeholders: by the annotation (``int`` -> ``1``, ``list`` -> ``[1, 2, 3]``...), by
   the default's type, else a number, a list, a dict and a function in turn.

Variant ``k`` gives every uncertain argument its ``k``-th alternative (its last, when it has
fewer). At most :data:`MAX_VARIANTS` are written. Pure: nothing runs; the project is only read.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from howto_ls.astutil import literal_value, parse, parse_expression
from howto_ls.model import Parameter
from howto_ls.offline import call_literals
from howto_ls.offline.analysis import find_method, parameters_of
from howto_ls.offline.example.annotation_text import (
    MAPPING_TYPES,
    SEQUENCE_TYPES,
    union_members,
)

MAX_VARIANTS = 3
"""Variants written for one example at most: each costs a run when the first ones fail."""

MAX_PROJECT_LITERALS = 2
"""Literals the project passes a parameter, taken as alternatives at most."""

_LEAVE_OUT = "\0leave out"
"""An alternative that drops a keyword argument, so the parameter takes its default."""

_BY_TYPE: dict[str, tuple[str, ...]] = {
    "int": ("1", "0"),
    "float": ("1.5", "0.0"),
    "complex": ("1.5",),
    "bool": ("True", "False"),
    "str": ('"a"',),
    "bytes": ('b"a"',),
    "tuple": ("(1, 2, 3)",),
    "set": ("{1, 2, 3}",),
    "frozenset": ("frozenset({1, 2, 3})",),
    "Callable": ("lambda *args, **kwargs: 1",),
}
"""Typed placeholders by an annotation's (or a default's) type name."""

_ANY_VALUE = ("1", "[3, 1, 2]", '{"a": 1}', "lambda *args, **kwargs: 1")
"""Placeholders for a parameter nothing types: a number, a list, a dict, a function."""

_CONTENTS = ("[3, 1, 2]", '{"a": 1}', "1")
"""Placeholders for what an object built empty is given first: a list, a dict, a number."""

_POSITIONAL = frozenset({"positional_only", "positional_or_keyword"})

_RECEIVERS = frozenset({"self", "cls", "mcs", "metacls"})


@dataclass(frozen=True)
class Callee:
    """A callable whose calls in an example get variants: the ``name`` it is called by
    (``f`` in ``f(...)`` or ``obj.f(...)``) and its ``params`` (a receiver left out)."""

    name: str
    params: tuple[Parameter, ...]

    @classmethod
    def of(cls, name: str, params: Sequence[Parameter]) -> Callee:
        """The callee ``name`` with ``params``, a first ``self``/``cls`` left out."""
        kept = tuple(params)
        if kept and kept[0].name in _RECEIVERS and kept[0].kind != "keyword_only":
            kept = kept[1:]
        return cls(name, kept)


@dataclass(frozen=True)
class _Slot:
    """One uncertain value in the example text: the span to replace (``start``/``end`` byte
    offsets; equal when the value is to be inserted), the text now there, the alternatives,
    and the ``keyword`` of a keyword argument (its span is then the whole ``name=value``)."""

    start: int
    end: int
    current: str
    alternatives: tuple[str, ...]
    keyword: str = ""

    def spelled(self, choice: str) -> str:
        """The text of the alternative ``choice`` at the span: empty to leave it out."""
        if choice == _LEAVE_OUT:
            return ""
        return f"{self.keyword}={choice}" if self.keyword else choice


def variants(
    example: str,
    callees: Sequence[Callee],
    literals: Callable[[str, Sequence[Parameter]], list[dict[str, str]]] | None = None,
) -> list[str]:
    """Up to :data:`MAX_VARIANTS` versions of ``example`` (code that parses) with other values
    for the uncertain arguments of its calls of ``callees``, none equal to ``example``; empty
    when nothing in it is uncertain or it does not parse.

    An argument is uncertain when it is a literal (or ``...``), or a name the example binds
    to a literal; a call of a callee with no arguments at all has its first parameter with a
    default uncertain too (an object built empty may lack the state a method needs).
    ``literals(callee name, params)`` gives the parameter -> literal maps of the project's own
    calls (:func:`project_literals`); None: none are used.
    """
    try:
        tree = parse(example)
    except SyntaxError:
        return []
    data = example.encode("utf-8")  # ast's column offsets count UTF-8 bytes
    offsets = _line_offsets(data)
    bound = _literal_bindings(tree)
    slots: list[tuple[int, _Slot]] = []  # (the callee's place in ``callees``, slot)
    taken: set[tuple[int, int]] = set()
    by_name = {callee.name: (place, callee) for place, callee in enumerate(callees)}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _called_name(node.func)
        if name not in by_name:
            continue
        place, callee = by_name[name]
        passed = literals(callee.name, callee.params) if literals is not None else []
        for slot in _call_slots(node, callee, passed, bound, offsets, data):
            if (slot.start, slot.end) not in taken:
                taken.add((slot.start, slot.end))
                slots.append((place, slot))
    written: list[str] = []
    for chosen in _plan(slots):
        changed = data
        for slot, k in sorted(chosen, key=lambda pair: pair[0].start, reverse=True):
            choice = slot.alternatives[min(k, len(slot.alternatives) - 1)]
            changed = _spliced(changed, slot.start, slot.end, slot.spelled(choice))
        text = changed.decode("utf-8")
        if text != example and text not in written and _parses(text):
            written.append(text)
        if len(written) == MAX_VARIANTS:
            break
    return written


def _plan(slots: Sequence[tuple[int, _Slot]]) -> list[list[tuple[_Slot, int]]]:
    """Which alternative of which slots each variant takes, in order: the first callee's
    (the symbol's own call) first, its slots together; then the others' (the calls that
    build what it needs) with the first callee's values as written; then both at once."""
    own = [slot for place, slot in slots if place == min(p for p, _ in slots)] if slots else []
    other = [slot for _, slot in slots if slot not in own]
    plans: list[list[tuple[_Slot, int]]] = []
    for k in range(MAX_VARIANTS):
        if own:
            plans.append([(slot, k) for slot in own])
        if other:
            plans.append([(slot, k) for slot in other])
    if own and other:
        plans.append([(slot, 0) for slot in [*own, *other]])
    ordered = plans[:2] + plans[-1:] + plans[2:-1] if own and other else plans
    return ordered


def project_literals(
    path: Path, definitions: Sequence[ast.AST] = (), module: str = ""
) -> Callable[[str, Sequence[Parameter]], list[dict[str, str]]]:
    """For :func:`variants`: the literal arguments of the calls of a callee that bind to its
    parameters (:func:`call_literals.bind`): first those of the ``>>>`` examples in the
    docstrings of ``definitions`` (the symbol's own, in the module ``module`` at ``path``),
    then those the project holding ``path`` passes, doctests first."""
    holder = ast.Module(body=[d for d in definitions if isinstance(d, ast.stmt)], type_ignores=[])

    def found(name: str, params: Sequence[Parameter]) -> list[dict[str, str]]:
        own = [
            call
            for callee, call in call_literals.calls_in(holder, path, module)
            if callee == name and call.in_doctest
        ]
        calls = sorted(call_literals.literal_calls(path, name), key=lambda c: not c.in_doctest)
        bound = (call_literals.bind(call, params) for call in [*own, *calls])
        return [values for values in bound if values]

    return found


def alternatives(param: Parameter, current: str, passed: Sequence[str] = ()) -> tuple[str, ...]:
    """Other values for ``param`` than ``current`` (source text; empty when nothing is
    passed), best guess first: ``passed`` (literals the project passes it, at most
    :data:`MAX_PROJECT_LITERALS`), the default (``_LEAVE_OUT``, when something is passed and
    there is one), then typed placeholders (see the module docstring)."""
    found: list[str] = []
    for text in passed[:MAX_PROJECT_LITERALS]:
        found.append(text.replace("'", '"') if "'" in text and '"' not in text else text)
    if current and param.default is not None and param.kind != "positional_only":
        found.append(_LEAVE_OUT)
    found += _placeholders(param)
    seen: list[str] = []
    for text in found:
        if text != current and text not in seen:
            seen.append(text)
    return tuple(seen)


def _placeholders(param: Parameter) -> tuple[str, ...]:
    """Typed placeholders for ``param``: from its annotation, else its default's type, else
    :data:`_ANY_VALUE`."""
    heads = [a.partition("[")[0].rsplit(".", 1)[-1] for a in union_members(param.annotation or "")]
    heads = [h for h in heads if h not in {"None", "NoneType", "Optional"}]
    if not heads and param.default not in (None, "None"):
        try:
            value = literal_value(parse_expression(param.default or ""))
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            value = None
        heads = [type(value).__name__] if value is not None else []
    typed: list[str] = []
    for head in heads:
        if head in _BY_TYPE:
            typed += _BY_TYPE[head]
        elif head in SEQUENCE_TYPES or head == "list":
            typed.append("[3, 1, 2]")
        elif head in MAPPING_TYPES:
            typed.append('{"a": 1}')
        elif head in {"Any", "object"}:
            typed += _ANY_VALUE
    if not typed:  # nothing typed it, or only classes a literal cannot be
        typed += _ANY_VALUE
    return tuple(typed)


def _call_slots(
    call: ast.Call,
    callee: Callee,
    passed: Sequence[dict[str, str]],
    bound: dict[str, ast.expr],
    offsets: list[int],
    data: bytes,
) -> list[_Slot]:
    """The uncertain values of one call of ``callee``."""
    positional = [p for p in callee.params if p.kind in _POSITIONAL]
    named = {p.name: p for p in callee.params if p.kind not in {"var_positional", "var_keyword"}}
    slots: list[_Slot] = []

    def slot(param: Parameter, value: ast.expr, keyword: ast.keyword | None) -> None:
        if isinstance(value, ast.Name) and value.id in bound:
            value, keyword = bound[value.id], None  # the binding's value is the guess
        if not _is_literal(value) or not _uncertain(param, value):
            return
        start, end = _span(value, offsets)
        current = data[start:end].decode("utf-8")
        given = [values[param.name] for values in passed if param.name in values]
        options = alternatives(param, current, given)
        if keyword is None:
            options = tuple(o for o in options if o != _LEAVE_OUT)
        if not options:
            return
        if keyword is not None:  # the whole keyword argument, so that it can be left out
            slots.append(_Slot(_span(keyword, offsets)[0], end, current, options, param.name))
        else:
            slots.append(_Slot(start, end, current, options))

    for param, value in zip(positional, call.args, strict=False):
        if not isinstance(value, ast.Starred):
            slot(param, value, None)
    for keyword in call.keywords:
        if keyword.arg is not None and keyword.arg in named:
            slot(named[keyword.arg], keyword.value, keyword)
    if not call.args and not call.keywords and positional and positional[0].default is not None:
        first = positional[0]  # built empty: perhaps without the state a method needs
        given = [values[first.name] for values in passed if first.name in values]
        options = tuple(o for o in alternatives(first, "", given) if o != _LEAVE_OUT)
        if options[len(given) :] == _ANY_VALUE:  # untyped contents: a collection first
            options = options[: len(given)] + _CONTENTS
        end = _span(call, offsets)[1] - 1  # before the closing parenthesis
        if options and data[end : end + 1] == b")":
            slots.append(_Slot(end, end, "", options))
    return slots


def _spliced(data: bytes, start: int, end: int, text: str) -> bytes:
    """``data`` with ``data[start:end]`` replaced by ``text``; an argument left out (``text``
    empty, a span that was not empty) takes the comma after it along (else the one before),
    so that ``f(a=1, b=2)`` becomes ``f(b=2)``, never ``f(, b=2)``."""
    if text or start == end:
        return data[:start] + text.encode("utf-8") + data[end:]
    after = end
    while after < len(data) and data[after : after + 1] in (b" ", b"\n"):
        after += 1
    if data[after : after + 1] == b",":
        after += 1
        while after < len(data) and data[after : after + 1] in (b" ", b"\n"):
            after += 1
        return data[:start] + data[after:]
    before = start
    while before > 0 and data[before - 1 : before] in (b" ", b"\n"):
        before -= 1
    if data[before - 1 : before] == b",":
        return data[: before - 1] + data[end:]
    return data[:start] + data[end:]


_FITS: dict[type, frozenset[str]] = {
    bool: frozenset({"bool", "int"}),
    int: frozenset({"int", "float", "complex", "SupportsInt", "SupportsIndex", "Number"}),
    float: frozenset({"float", "complex", "SupportsFloat", "Number"}),
    list: SEQUENCE_TYPES | frozenset({"list"}),
    tuple: frozenset({"tuple", "Tuple", "Sequence", "Iterable", "Collection"}),
    dict: MAPPING_TYPES,
}
"""Annotations (their head's last part) a literal of each type is a value of."""


def _uncertain(param: Parameter, value: ast.expr) -> bool:
    """Whether the literal ``value`` passed for ``param`` is a guess worth varying: a string
    or ``...`` (the code may reject its content), a literal of a type the annotation does not
    name, or anything passed to a parameter without an annotation."""
    try:
        literal = literal_value(value)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return True
    if isinstance(literal, str | bytes) or literal is Ellipsis or not param.annotation:
        return True
    heads = {a.partition("[")[0].rsplit(".", 1)[-1] for a in union_members(param.annotation)}
    return not heads & _FITS.get(type(literal), frozenset())


def _literal_bindings(tree: ast.Module) -> dict[str, ast.expr]:
    """Names the example binds once, at its top level, to a literal or ``...``."""
    bound: dict[str, ast.expr] = {}
    counts: dict[str, int] = {}
    for statement in tree.body:
        if isinstance(statement, ast.Assign):
            for target in statement.targets:
                if isinstance(target, ast.Name):
                    counts[target.id] = counts.get(target.id, 0) + 1
                    if _is_literal(statement.value) and len(statement.targets) == 1:
                        bound[target.id] = statement.value
    return {name: value for name, value in bound.items() if counts[name] == 1}


def _is_literal(node: ast.expr) -> bool:
    """Whether ``node`` is a literal value (``...`` included)."""
    if isinstance(node, ast.Constant):
        return True
    try:
        literal_value(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


def _called_name(func: ast.expr) -> str | None:
    """``f`` of ``f(...)`` and ``obj.f(...)``."""
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _line_offsets(data: bytes) -> list[int]:
    """The byte offset in ``data`` at which each line (1-based, so index 0 unused) starts."""
    offsets = [0, 0]
    for line in data.splitlines(keepends=True):
        offsets.append(offsets[-1] + len(line))
    return offsets


def _span(node: ast.AST, offsets: list[int]) -> tuple[int, int]:
    """``node``'s start and end byte offsets in the text ``offsets`` describes."""
    start = offsets[node.lineno] + node.col_offset  # type: ignore[attr-defined]
    end = offsets[node.end_lineno] + node.end_col_offset  # type: ignore[attr-defined]
    return start, end


def _parses(text: str) -> bool:
    """Whether ``text`` is Python."""
    try:
        parse(text)
    except SyntaxError:
        return False
    return True


ADDERS = ("append", "add", "push", "put", "insert", "extend", "update", "set", "__setitem__")
"""Methods that give a container its contents, in the order one is chosen."""

_BUILTIN_ADDERS = {"list": "append", "dict": "__setitem__", "set": "add"}
"""The adder of a class derived from a builtin container."""

_INDEX = frozenset({"index", "idx", "i", "pos", "position"})


def with_contents(example: str, owner: ast.ClassDef, symbol_name: str) -> list[str]:
    """``example`` (of the method or property ``symbol_name`` of the class ``owner``) with
    contents given to the object it builds, right after it is built: an object built empty
    may lack the state the method needs (``pop`` of an empty list). One variant, calling the
    first of :data:`ADDERS` the class defines (or its builtin base's), with placeholders for
    its required arguments; empty when the class has none, the symbol is that adder, or the
    example builds no ``owner`` at its top level."""
    adder, required = _adder(owner)
    if adder is None or adder == symbol_name:
        return []
    try:
        tree = parse(example)
    except SyntaxError:
        return []
    for statement in tree.body:
        if not (
            isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name)
            and isinstance(statement.value, ast.Call)
            and _called_name(statement.value.func) == owner.name
        ):
            continue
        name = statement.targets[0].id
        values = [
            _content(param, position, adder, len(required))
            for position, param in enumerate(required)
        ]
        if adder == "__setitem__":
            line = f"{name}[{values[0]}] = {values[1]}" if len(values) == 2 else ""
        else:
            line = f"{name}.{adder}({', '.join(values)})"
        if not line:
            return []
        lines = example.splitlines(keepends=True)
        end = statement.end_lineno or statement.lineno
        indent = " " * statement.col_offset
        text = "".join([*lines[:end], f"{indent}{line}\n", *lines[end:]])
        return [text] if _parses(text) else []
    return []


def _adder(owner: ast.ClassDef) -> tuple[str | None, list[Parameter]]:
    """The adder of ``owner`` and its required parameters (receiver left out)."""
    for name in ADDERS:
        method = find_method(owner, name)
        if method is not None:
            params = Callee.of(name, parameters_of(method)).params
            required = [p for p in params if p.default is None and p.kind in _POSITIONAL]
            return (name, required) if 1 <= len(required) <= 2 else (None, [])
    for base in owner.bases:
        adder = _BUILTIN_ADDERS.get(_called_name(base) or "")
        if adder is not None:
            count = 2 if adder == "__setitem__" else 1
            return adder, [Parameter(f"arg{n}") for n in range(count)]
    return None, []


def _content(param: Parameter, position: int, adder: str, count: int) -> str:
    """A placeholder for the argument at ``position`` of an adder taking ``count``: a list
    or dict for ``extend``/``update``, 0 for an index, a key ``"a"`` then a value ``1`` for a
    key-value adder, else one typed by the annotation, else 1."""
    if count == 1 and adder in {"extend", "update"}:
        return "[3, 1, 2]" if adder == "extend" else '{"a": 1}'
    if param.name.lower() in _INDEX:
        return "0"
    if param.annotation:
        return _placeholders(param)[0]
    return '"a"' if count == 2 and position == 0 else "1"


_BUILTIN_VALUES = frozenset({"str", "int", "float", "bytes", "tuple", "frozenset", "complex"})
"""Builtin classes whose ``__new__`` takes no keyword arguments (``str(_="a")`` fails)."""


def positionally(
    example: str, callees: Sequence[Callee], classes: Sequence[ast.ClassDef]
) -> list[str]:
    """``example`` with the keyword arguments of its calls of ``callees`` passed by position,
    where a keyword may be refused: the parameter's name starts with ``_`` (private by
    convention, meant positional) or the callee is one of ``classes`` derived from a builtin
    value class (its ``__new__`` takes no keywords). Only keywords that bind, in order, to the
    positional parameters after the call's positional arguments move. One variant at most."""
    try:
        tree = parse(example)
    except SyntaxError:
        return []
    builtin_based = {
        c.name for c in classes if {_called_name(b) for b in c.bases} & _BUILTIN_VALUES
    }
    data = example.encode("utf-8")
    offsets = _line_offsets(data)
    by_name = {callee.name: callee for callee in callees}
    edits: list[tuple[int, int, str]] = []
    for node in ast.walk(tree):
        callee = by_name.get(_called_name(node.func) or "") if isinstance(node, ast.Call) else None
        if callee is None or not isinstance(node, ast.Call) or not node.keywords:
            continue
        positional = [p for p in callee.params if p.kind in _POSITIONAL][len(node.args) :]
        given = [k.arg for k in node.keywords]
        wanted = [p.name for p in positional[: len(given)]]
        risky = callee.name in builtin_based or any((g or "").startswith("_") for g in given)
        if given != wanted or not risky:
            continue
        for keyword in node.keywords:
            start = _span(keyword, offsets)[0]
            value_start = _span(keyword.value, offsets)[0]
            edits.append((start, value_start, ""))
    if not edits:
        return []
    for start, end, text in sorted(edits, reverse=True):
        data = data[:start] + text.encode("utf-8") + data[end:]
    changed = data.decode("utf-8")
    return [changed] if changed != example and _parses(changed) else []
