"""Follow-up examples for one that runs but shows nothing: ask a run what it printed, then
show more of it.

An example that ends with ``print(value)`` and printed a function object, ``None``, an empty
value or an object's default repr (:mod:`howto_ls.demonstration`) ran the code but does not show
what the code does. The *subject* of the follow-up (:func:`subjects`) is the printed expression,
or, when it printed None or nothing after ``result = obj.method(...)`` or a bare call, the
object the method ran on. A *probe* run (:func:`probe_program`, in the sandbox like every
example) executes the example up to that print and reports, as one JSON line, what the subject
is (:class:`Facts`): for a callable, its parameters (:func:`inspect.signature`); for an
iterator or a lazy collection, how many items it gives; for an object, its repr, the public
attributes whose repr shows a value, its public methods that take no argument and whose names
do not say they end, clear or change something, and whether the call it follows changed it at
all. :func:`follow_ups` writes the examples that call the callable with values for its required
parameters, list the items, or print those attributes and method results (an object a method
left as it was is not shown as that method's result).

Three more kinds need no facts of the subject: :func:`changed_arguments` prints an argument a
function that returned None changed in place (a spy in the probe tells which it changed);
:func:`with_lively_functions` swaps the writer's placeholder ``lambda *args: None`` for
functions whose results show; :func:`failing_call_subject` probes a returned callable whose
call in the last ``print`` failed. Nothing here runs code: :mod:`howto_ls.verification` runs
the probes and the follow-ups, in what is left of a symbol's time budget, for two rounds at most.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from keyword import iskeyword

from howto_ls import astutil, demonstration
from howto_ls.offline.example.tables import VALUES_BY_NAME, VALUES_BY_TYPE

MARKER = "__howto_facts__:"
"""What starts the probe's line of JSON on standard output."""

MANY_ITEMS = 1001
"""Items a probe takes from an iterator at most: one that gives this many may be endless, and a
follow-up prints only its first ten (``itertools.islice``)."""

MAX_FOLLOW_UPS = 4
"""Follow-up examples written for one subject, at most."""

FOLLOWED_REASONS = frozenset(
    {
        demonstration.FUNCTION,
        demonstration.BOUND_METHOD,
        demonstration.CLASS,
        demonstration.OBJECT,
        demonstration.NONE,
        demonstration.EMPTY,
        demonstration.BLANK,
        "",
    }
)
"""What a run showed (:attr:`Demonstration.shown`) that a follow-up may improve on."""

_ENDING = re.compile(
    r"^(clear|pop|popitem|remove|delete|discard|close|shutdown|reset|kill|terminate|stop|wait"
    r"|join|serve|run|start|sleep|exit|quit|send|write|flush|save|dump|unlink|truncate|cancel"
    r"|acquire|release|lock|unlock|detach|abort|destroy|drop|purge|commit|rollback|fork|spawn"
    r"|listen|accept|connect|open|input|print|register|unregister|set|update|add|put|insert|throw"
    r"|append|extend|mainloop|forever|loop|interact|breakpoint|debug)(_|$)"
)
"""Names of methods a follow-up does not call: they end, empty, block or change something."""

_TELLING = re.compile(
    r"^(as_|to_|get_|getvalue$|keys$|values$|items$|copy$|describe|summary|render|format)"
)
"""Names of methods that read the object out: tried before flags (``closed``) and other
methods."""

_PROBE = """
def __howto_probe(value):
    import inspect, json
    def text(item):
        try:
            return repr(item)[:300]
        except Exception:
            return None
    facts = {"kind": "object", "repr": text(value) or "", "parameters": None,
             "attributes": [], "methods": [], "items": None}
    if isinstance(value, type):
        facts["kind"] = "class"
    elif callable(value):
        facts["kind"] = "callable"
    else:
        import collections.abc, itertools
        iterator = isinstance(value, collections.abc.Iterator)
        default = " at 0x" in facts["repr"] or facts["repr"].startswith("<")
        if iterator or (default and isinstance(value, collections.abc.Iterable)):
            try:
                facts["items"] = len(list(itertools.islice(iter(value), 1001)))
            except Exception:
                pass
        if iterator:
            facts["kind"] = "iterator"
    if callable(value):
        try:
            signature = inspect.signature(value)
        except (TypeError, ValueError):
            signature = None
        if signature is not None:
            listed = []
            for parameter in signature.parameters.values():
                annotation = parameter.annotation
                if annotation is parameter.empty:
                    annotation = ""
                elif not isinstance(annotation, str):
                    annotation = getattr(annotation, "__name__", "")
                listed.append([parameter.name, parameter.kind.name,
                               parameter.default is not parameter.empty, annotation])
            facts["parameters"] = listed
    else:
        for name in [n for n in dir(value) if not n.startswith("_")][:80]:
            try:
                item = getattr(value, name)
            except Exception:
                continue
            if isinstance(item, type):
                continue
            if callable(item):
                try:
                    parameters = inspect.signature(item).parameters.values()
                except (TypeError, ValueError):
                    continue
                if all(p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
                       for p in parameters):
                    facts["methods"].append(name)
            else:
                shown = text(item)
                if shown is not None:
                    facts["attributes"].append([name, shown])
    if "__howto_before" in globals():
        facts["changed"] = __howto_state(value) != __howto_before
    print("\\n%s" + json.dumps(facts))
"""

_STATE = """
def __howto_state(item):
    try:
        shown = repr(item) + repr(getattr(item, "__dict__", None))
        tell = getattr(item, "tell", None)
        return shown + (repr(tell()) if callable(tell) else "")
    except Exception:
        return None
"""
"""Defines ``__howto_state(item)``: what tells whether a call changed an object (its repr, its
``__dict__`` and, for a stream, its position)."""


@dataclass(frozen=True)
class Parameter:
    """One parameter of a callable as :func:`inspect.signature` gave it: its ``name``, its
    ``kind`` (an :class:`inspect._ParameterKind` name such as ``POSITIONAL_ONLY``), whether it
    ``has_default`` and its ``annotation`` (a type's ``__name__`` or the annotation's text,
    "" when there is none)."""

    name: str
    kind: str
    has_default: bool
    annotation: str


@dataclass(frozen=True)
class Facts:
    """What the probe found the subject to be: ``kind`` is ``callable``, ``class``,
    ``iterator`` or ``object``; ``repr`` its repr (at most 300 characters); ``parameters``
    those of a callable or class (None when :func:`inspect.signature` could not tell);
    ``attributes`` (name, repr) of an object's public attributes; ``methods`` the names of its
    public methods callable without arguments; ``changed`` whether the call the subject
    follows changed it (None: not asked); ``items`` how many items iterating over an iterator
    or an iterable object with a default repr gave, counted up to :data:`MANY_ITEMS` (None: not
    iterable, or iterating raised)."""

    kind: str
    repr: str
    parameters: tuple[Parameter, ...] | None = None
    attributes: tuple[tuple[str, str], ...] = ()
    methods: tuple[str, ...] = ()
    changed: bool | None = None
    items: int | None = None


@dataclass(frozen=True)
class Subject:
    """What a follow-up looks into: the ``expression`` (source text) the example printed, or the
    object a call ran on; ``statement`` is the 0-based index, in the example's top-level
    statements, of the ``print`` (or bare call) the follow-ups replace, and ``call`` the
    0-based index of the ``result = obj.method(...)`` statement turned into a bare call when the
    subject is ``obj`` (None otherwise). ``changed_by`` is the index of the call whose effect
    on the subject (an object a method ran on) the follow-ups show: the probe then says
    whether the call changed it at all (None: the subject is what the example printed)."""

    expression: str
    statement: int
    call: int | None = None
    changed_by: int | None = None


def subjects(code: str, shown: str) -> list[Subject]:
    """The subjects of follow-ups for the example ``code`` whose run showed ``shown`` (a kind of
    :func:`howto_ls.demonstration.classify`, "" for nothing): the expression of its last
    top-level ``print(expression)``; after None, an empty value or nothing, also the object a
    method call assigned to the printed name ran on (``result = obj.method(...)``), or that a
    last bare ``obj.method(...)`` ran on. Empty when ``code`` does not parse or has neither."""
    if shown not in FOLLOWED_REASONS:
        return []
    try:
        tree = astutil.parse(code)
    except (SyntaxError, ValueError):
        return []
    body = tree.body
    found: list[Subject] = []
    for index in range(len(body) - 1, -1, -1):
        statement = body[index]
        printed = _printed(statement)
        if printed is not None:
            text = ast.get_source_segment(code, printed)
            if text is None:
                return []
            found.append(Subject(text, index))
            if shown in (demonstration.NONE, demonstration.EMPTY, demonstration.BLANK, ""):
                receiver = _receiver_of(body, index, printed)
                if receiver is not None:
                    found.append(Subject(receiver[0], index, receiver[1], receiver[1]))
            return found
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
            func = statement.value.func
            last = index == len(body) - 1
            if last and isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                found.append(Subject(func.value.id, len(body), changed_by=index))
            return found
    return found


_SILENT_FUNCTION = re.compile(r"lambda \*args(?:, \*\*kwargs)?: None\b")
"""The functions the offline writer passes where a parameter takes one and it knows no better:
they return None, so what the code makes of their results shows nothing."""

LIVELY_FUNCTIONS = ("lambda x: x * 2", "lambda *args, **kwargs: args or kwargs")
"""Functions a follow-up passes instead, in turn: one that changes what it is given, and one
that returns the arguments it was called with (any number of them, by position or, when none
is, by keyword: code that calls its hooks with keywords gets an answer too)."""


def with_lively_functions(code: str, shown: str) -> list[str]:
    """For an example that passes the writer's silent placeholder functions
    (``lambda *args: None``) and whose run showed no result (None, an empty value, a function,
    a default repr, nothing) or failed: the example with each of :data:`LIVELY_FUNCTIONS` in
    their place, so that what the code does with a function's results shows."""
    if not _SILENT_FUNCTION.search(code):
        return []
    if shown == demonstration.REAL:
        return []
    return [_SILENT_FUNCTION.sub(function, code) for function in LIVELY_FUNCTIONS]


def failing_call_subject(code: str) -> Subject | None:
    """For an example that fails, ending with ``print(f(...))`` where ``f`` is a name the
    example bound itself (a callable a call returned: ``add = adder(1)``): ``f`` as the
    subject, so that a probe (which runs the example up to that line) can tell what it takes.
    None otherwise, or when ``code`` does not parse."""
    try:
        tree = astutil.parse(code)
    except (SyntaxError, ValueError):
        return None
    if not tree.body:
        return None
    printed = _printed(tree.body[-1])
    if not (isinstance(printed, ast.Call) and isinstance(printed.func, ast.Name)):
        return None
    name = printed.func.id
    bound = any(
        isinstance(t, ast.Name) and t.id == name
        for statement in tree.body[:-1]
        if isinstance(statement, ast.Assign)
        for t in statement.targets
    )
    return Subject(name, len(tree.body) - 1) if bound else None


def _printed(statement: ast.stmt) -> ast.expr | None:
    """The one argument of a ``print(argument)`` statement, else None."""
    if not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)):
        return None
    call = statement.value
    if not (isinstance(call.func, ast.Name) and call.func.id == "print"):
        return None
    if len(call.args) != 1 or call.keywords or isinstance(call.args[0], ast.Starred):
        return None
    return call.args[0]


def _receiver_of(body: list[ast.stmt], index: int, printed: ast.expr) -> tuple[str, int] | None:
    """For ``print(name)`` at ``index`` where an earlier statement is ``name =
    obj.method(...)`` (and nothing else reads ``name``): (``obj``, that statement's index)."""
    if not isinstance(printed, ast.Name):
        return None
    for earlier in range(index - 1, -1, -1):
        statement = body[earlier]
        if not isinstance(statement, ast.Assign):
            continue
        if [t.id for t in statement.targets if isinstance(t, ast.Name)] != [printed.id]:
            continue
        value = statement.value
        if (
            len(statement.targets) == 1
            and isinstance(value, ast.Call)
            and isinstance(value.func, ast.Attribute)
            and isinstance(value.func.value, ast.Name)
        ):
            readers = [
                n
                for s in body[earlier + 1 : index]
                for n in ast.walk(s)
                if isinstance(n, ast.Name) and n.id == printed.id
            ]
            return None if readers else (value.func.value.id, earlier)
        return None
    return None


@dataclass(frozen=True)
class ArgumentFollowUps:
    """Follow-ups that print an argument after a call (:func:`changed_arguments`): ``probe``
    runs the example up to the call, with the called function wrapped so that the run prints
    :data:`MARKER` and the JSON list of the arguments the call changed (positions as strings,
    keywords by name), by their repr, ``__dict__`` and, for a stream, position; ``candidates``
    pairs each such key with the example printing that argument."""

    probe: str
    candidates: tuple[tuple[str, str], ...]

    def changed(self, stdout: str) -> list[str]:
        """The candidates whose argument the probe run (its ``stdout``) says the call changed,
        in order; none when the probe printed no list."""
        for line in reversed(stdout.splitlines()):
            if line.startswith(MARKER):
                try:
                    keys = json.loads(line[len(MARKER) :])
                except ValueError:
                    return []
                if not isinstance(keys, list):
                    return []
                return [code for key, code in self.candidates if key in keys]
        return []


_SPY = """
def __howto_spy(function):
    import json
    def spy(*args, **kwargs):
        text = __howto_state
        before = [text(a) for a in args], {k: text(v) for k, v in kwargs.items()}
        result = function(*args, **kwargs)
        changed = [str(i) for i, a in enumerate(args) if text(a) != before[0][i]]
        changed += [k for k, v in kwargs.items() if text(v) != before[1][k]]
        print("\\n%s" + json.dumps(changed))
        return result
    return spy
"""


def changed_arguments(code: str, shown: str) -> ArgumentFollowUps | None:
    """For an example whose last statement is a bare function call, or ``print(name)`` after
    ``name = function(...)``, and whose run showed None, a blank line or nothing: follow-ups
    that print, after the call, an argument the call changed in place (a name it was given, or
    a list, dict or set literal or an object built in the call, first bound to a name). A
    function that returns None often fills or writes to what it is given; the probe tells
    which arguments it changed, so that an argument printed unchanged never passes for a
    result (a second round of follow-ups reads an object printed as a default repr:
    ``stream.getvalue()``). At most :data:`MAX_FOLLOW_UPS`; None when ``code`` does not parse
    or has no such call."""
    if shown not in (demonstration.NONE, demonstration.BLANK, ""):
        return None
    try:
        tree = astutil.parse(code)
    except (SyntaxError, ValueError):
        return None
    body = tree.body
    if not body:
        return None
    last = body[-1]
    call_index = len(body) - 1
    printed = _printed(last)
    if isinstance(printed, ast.Name):
        found = _assigned_call(body, printed.id)
        if found is None:
            return None
        call_index = found
    elif not (isinstance(last, ast.Expr) and isinstance(last.value, ast.Call)):
        return None
    statement = body[call_index]
    call = statement.value if isinstance(statement, ast.Expr | ast.Assign) else None
    if not isinstance(call, ast.Call) or isinstance(call.func, ast.Attribute):
        return None
    lines = code.splitlines()
    taken = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    arguments: list[tuple[str, str | None, ast.expr]]
    arguments = [(str(i), None, a) for i, a in enumerate(call.args)]
    arguments += [(k.arg or "", k.arg, k.value) for k in call.keywords]
    written: list[tuple[str, str]] = []
    for key, keyword, argument in arguments:
        if len(written) == MAX_FOLLOW_UPS:
            break
        if isinstance(argument, ast.Name):
            text = _with_shown(lines, statement, argument.id)
        elif isinstance(argument, ast.List | ast.Dict | ast.Set | ast.Call) and argument.end_lineno:
            name = keyword if keyword and keyword not in taken else "value"
            if name in taken:
                continue
            text = _with_hoisted(lines, statement, argument, name)
        else:
            continue
        if text is not None and text not in (w for _, w in written):
            written.append((key, text))
    probe = _spied(lines, statement, call) if written else None
    return ArgumentFollowUps(probe, tuple(written)) if probe is not None else None


def _spied(lines: list[str], statement: ast.stmt, call: ast.Call) -> str | None:
    """The example's ``lines`` up to the end of ``statement`` with the function ``call`` calls
    wrapped by the spy that reports changed arguments; None when its position is unknown."""
    func = call.func
    if func.end_lineno != func.lineno or func.end_col_offset is None:
        return None
    encoded = [line.encode("utf-8") for line in lines[: statement.end_lineno]]
    row = encoded[func.lineno - 1]
    wrapped = b"__howto_spy(" + row[func.col_offset : func.end_col_offset] + b")"
    encoded[func.lineno - 1] = row[: func.col_offset] + wrapped + row[func.end_col_offset :]
    first = astutil.statement_start(statement)[0] - 1
    kept = [line.decode("utf-8", "replace") for line in encoded]
    kept[first:first] = [*_STATE.splitlines(), *_SPY.replace("%s", MARKER).splitlines()]
    return "\n".join(kept) + "\n"


def _assigned_call(body: list[ast.stmt], name: str) -> int | None:
    """The index of the statement ``name = call(...)`` before the last one, when nothing
    between reads ``name``."""
    for index in range(len(body) - 2, -1, -1):
        statement = body[index]
        if isinstance(statement, ast.Assign):
            targets = [t.id for t in statement.targets if isinstance(t, ast.Name)]
            if targets == [name] and len(statement.targets) == 1:
                between = body[index + 1 : -1]
                if any(
                    isinstance(n, ast.Name) and n.id == name for s in between for n in ast.walk(s)
                ):
                    return None
                return index if isinstance(statement.value, ast.Call) else None
    return None


def _with_shown(lines: list[str], statement: ast.stmt, name: str) -> str | None:
    """``lines`` with the call ``statement`` made bare, a last ``print`` left out and
    ``print(name)`` last."""
    kept = list(lines)
    first = statement.lineno
    kept[first - 1] = re.sub(r"^[A-Za-z_]\w*\s*=\s*", "", kept[first - 1])
    return _finished(kept, name)


def _with_hoisted(
    lines: list[str], statement: ast.stmt, literal: ast.expr, name: str
) -> str | None:
    """``lines`` with ``literal`` (an argument of the call ``statement``) first bound to
    ``name`` on a line of its own before the statement, passed as ``name``, and printed
    after the call."""
    if literal.end_lineno is None or literal.end_col_offset is None:
        return None
    encoded = [line.encode("utf-8") for line in lines]
    start = (literal.lineno - 1, literal.col_offset)
    end = (literal.end_lineno - 1, literal.end_col_offset)
    if start[0] == end[0]:
        text = encoded[start[0]][start[1] : end[1]].decode("utf-8", "replace")
        row = encoded[start[0]]
        encoded[start[0]] = row[: start[1]] + name.encode() + row[end[1] :]
    else:
        pieces = [encoded[start[0]][start[1] :], *encoded[start[0] + 1 : end[0]]]
        pieces.append(encoded[end[0]][: end[1]])
        text = b"\n".join(pieces).decode("utf-8", "replace")
        merged = encoded[start[0]][: start[1]] + name.encode() + encoded[end[0]][end[1] :]
        encoded[start[0] : end[0] + 1] = [merged]
    kept = [line.decode("utf-8", "replace") for line in encoded]
    first = statement.lineno - 1
    kept[first] = re.sub(r"^[A-Za-z_]\w*\s*=\s*", "", kept[first])
    kept[first:first] = [f"{name} = {text}"]
    return _finished(kept, name)


def _finished(kept: list[str], name: str) -> str | None:
    """The example from ``kept`` lines with its last statement dropped when it is a
    ``print`` (of the result being replaced) and ``print(name)`` appended; None when it does
    not parse."""
    text = "\n".join(kept).rstrip("\n")
    try:
        tree = astutil.parse(text)
    except (SyntaxError, ValueError):
        return None
    if len(tree.body) > 1 and _printed(tree.body[-1]) is not None:
        cut = astutil.statement_start(tree.body[-1])[0] - 1
        text = "\n".join(text.split("\n")[:cut]).rstrip("\n")
    text = f"{text}\nprint({name})\n"
    try:
        astutil.parse(text)
    except (SyntaxError, ValueError):
        return None
    return text


def probe_program(code: str, subject: Subject) -> str:
    """The program that runs ``code`` up to (not including) the statement ``subject`` replaces
    and prints :data:`MARKER` followed by the JSON :class:`Facts` of ``subject.expression``."""
    lines = _statement_lines(code)
    start = lines[subject.statement][0] if subject.statement < len(lines) else None
    head = code.splitlines()[: start - 1] if start is not None else code.splitlines()
    if subject.changed_by is not None:
        first = lines[subject.changed_by][0] - 1
        head[first:first] = [
            *_STATE.splitlines(),
            f"__howto_before = __howto_state({subject.expression})",
        ]
    return "\n".join(
        [*head, _PROBE.replace("%s", MARKER), f"__howto_probe({subject.expression})", ""]
    )


def _statement_lines(code: str) -> list[tuple[int, int]]:
    """(first, last) 1-based lines of each top-level statement of ``code`` (decorators
    included)."""
    tree = astutil.parse(code)
    spans = []
    for statement in tree.body:
        first = astutil.statement_start(statement)[0]
        decorators = getattr(statement, "decorator_list", [])
        first = min([first, *(d.lineno for d in decorators)])
        spans.append((first, statement.end_lineno or statement.lineno))
    return spans


def parse_facts(stdout: str) -> Facts | None:
    """The :class:`Facts` a probe run printed on ``stdout``, None when it printed none (it
    failed before the probe) or they do not read as the probe writes them. Names that are not
    identifiers (any string ``setattr`` was given) are dropped: follow-ups write them into
    code."""
    for line in reversed(stdout.splitlines()):
        if not line.startswith(MARKER):
            continue
        try:
            raw = json.loads(line[len(MARKER) :])
            parameters = raw.get("parameters")
            if parameters is not None and not all(_is_name(entry[0]) for entry in parameters):
                parameters = None  # a name no call can spell: the signature is of no use
            return Facts(
                kind=str(raw["kind"]),
                repr=str(raw.get("repr", "")),
                parameters=None
                if parameters is None
                else tuple(Parameter(str(n), str(k), bool(d), str(a)) for n, k, d, a in parameters),
                attributes=tuple(
                    (str(n), str(r)) for n, r in raw.get("attributes", []) if _is_name(n)
                ),
                methods=tuple(str(m) for m in raw.get("methods", []) if _is_name(m)),
                changed=None if raw.get("changed") is None else bool(raw["changed"]),
                items=None if raw.get("items") is None else int(raw["items"]),
            )
        except (ValueError, KeyError, TypeError):
            return None
    return None


def _is_name(text: object) -> bool:
    """Whether ``text`` can be written after a dot (an identifier, not a keyword): a name the
    probe found with ``dir()`` may be any string ``setattr`` was given, and follow-ups write
    names into code."""
    return isinstance(text, str) and text.isidentifier() and not iskeyword(text)


def follow_ups(code: str, subject: Subject, facts: Facts, *, effect_only: bool = True) -> list[str]:
    """Examples that show more of ``subject`` than ``code`` does, given the probe's ``facts``
    (at most :data:`MAX_FOLLOW_UPS`, best guess first; none parses badly): an iterator or a
    lazy collection turned into a list (its first ten items when it may be endless); a callable
    or class called with values for its required parameters (values by parameter name and
    annotation, as the offline writer chooses them, then a number, a list and a string; with
    one argument, each of those in turn, when its signature is unknown); an
    object printed itself when its repr shows a value, else its attributes that show one (not
    flags), then the results of its methods that read it out (``as_string()``,
    ``getvalue()``), then its flags (``closed``), then its other methods. With
    ``effect_only`` (showing what a method did), an object the followed call left as it was
    (``facts.changed`` False) gets none: its state is not that call's result; without it
    (showing a class or module: what an object holds is what the class made)."""
    expression = subject.expression
    shows: list[str] = []
    if facts.items is not None and facts.items > 0:  # an iterator or a lazy collection
        if facts.items < MANY_ITEMS:
            shows.append(f"print(list({expression}))")
        else:  # perhaps endless: its first items
            shows.append(f"print(list(islice({expression}, 10)))")
    if facts.kind in ("callable", "class"):
        known = facts.parameters
        # no signature (a builtin): one argument of each kind
        lists = list(_FALLBACKS) if known is None else _argument_lists(known)
        shows += [f"print({_called(expression)}({arguments}))" for arguments in lists]
    elif facts.kind in ("object", "iterator") and (facts.changed is not False or not effect_only):
        if subject.call is not None and demonstration.classify(facts.repr) == demonstration.REAL:
            shows.append(f"print({expression})")
        real = [n for n, r in facts.attributes if demonstration.classify(r) == demonstration.REAL]
        flags = [n for n, r in facts.attributes if r in ("True", "False")]
        methods = [m for m in facts.methods if not _ENDING.match(m)]
        telling = [m for m in methods if _TELLING.match(m)]
        shows += [f"print({_called(expression)}.{n})" for n in real if n not in flags]
        shows += [f"print({_called(expression)}.{m}())" for m in telling]
        shows += [f"print({_called(expression)}.{n})" for n in flags]
        shows += [f"print({_called(expression)}.{m}())" for m in methods if m not in telling]
    written = []
    for show in dict.fromkeys(shows):
        text = _replaced(code, subject, show)
        if text is not None and "islice(" in show:
            text = f"from itertools import islice\n{text}"
        if text is not None and text != code:
            written.append(text)
        if len(written) == MAX_FOLLOW_UPS:
            break
    return written


def _called(expression: str) -> str:
    """``expression`` ready to be called or have an attribute read: bracketed unless it is a
    name, an attribute, a call or a subscript."""
    try:
        node = astutil.parse_expression(expression)
    except (SyntaxError, ValueError):
        return f"({expression})"
    if isinstance(node, ast.Name | ast.Attribute | ast.Call | ast.Subscript):
        return expression
    return f"({expression})"


_FALLBACKS = ("1", "[1, 2, 3]", '"example"')
"""Values tried, in turn, for a required parameter neither its name nor its annotation
explains."""


def _argument_lists(parameters: tuple[Parameter, ...]) -> list[str]:
    """The argument lists to try for ``parameters``: required positional-only ones and a
    lone ``*args`` by position, other required ones by keyword, each with its value by name or
    annotation, else each fallback in turn; "" when nothing is required."""
    required = [
        p
        for p in parameters
        if not p.has_default and p.kind != "VAR_KEYWORD" and p.name not in ("self", "cls")
    ]
    if not required and any(p.kind == "VAR_POSITIONAL" for p in parameters):
        required = [p for p in parameters if p.kind == "VAR_POSITIONAL"]
    lists = []
    for fallback in _FALLBACKS:
        parts = []
        for parameter in required:
            value = _value_for(parameter) or fallback
            if parameter.kind in ("POSITIONAL_ONLY", "VAR_POSITIONAL", "POSITIONAL_OR_KEYWORD"):
                parts.append(value)
            else:
                parts.append(f"{parameter.name}={value}")
        lists.append(", ".join(parts))
    return list(dict.fromkeys(lists))


def _value_for(parameter: Parameter) -> str | None:
    """The value the offline writer passes for a parameter of this name or annotation
    (:mod:`howto_ls.offline.example.tables`), None when neither tells; a callable one gets a
    function that returns what it is given."""
    for pattern, value in VALUES_BY_NAME:
        if re.search(pattern, parameter.name):
            return (
                "lambda *args: args[0] if args else None"
                if value.startswith("lambda")
                else (value if value != "messages" else None)
            )
    return VALUES_BY_TYPE.get(parameter.annotation)


def _replaced(code: str, subject: Subject, show: str) -> str | None:
    """``code`` with the statement ``subject`` replaces (the ``print``) turned into ``show``
    (or ``show`` put after the bare call), and the ``result = obj.method(...)`` statement it
    looked through turned into a bare call; None when ``code`` does not parse."""
    try:
        spans = _statement_lines(code)
    except (SyntaxError, ValueError):
        return None
    lines = code.splitlines()
    replaced = list(lines)
    if subject.statement >= len(spans):  # after a last bare call
        replaced.append(show)
    else:
        first, last = spans[subject.statement]
        replaced[first - 1 : last] = [show]
    if subject.call is not None:
        first, _ = spans[subject.call]
        line = replaced[first - 1]
        bare = re.sub(r"^[A-Za-z_]\w*\s*=\s*", "", line)
        replaced[first - 1] = bare
    text = "\n".join(replaced) + "\n"
    try:
        astutil.parse(text)
    except (SyntaxError, ValueError):
        return None
    return text
