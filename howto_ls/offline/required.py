"""Arguments the code requires although the signature makes them optional.

A parameter with a default can still be one a call cannot do without, and a ``*args`` can be
one that must not be empty. Every rule reads a test the code makes and the ``raise`` it
guards, in the function called and in what it passes the parameter on to (functions of its
module, methods of the object, ``super()``, classes and functions its module imports from the
project), at most ``MAX_DEPTH`` calls deep:

- **Refused at its default**: ``if x is None: ... raise`` (Jinja2's ``as_const(eval_ctx=None)``
  passes ``eval_ctx`` to ``get_eval_context(node, ctx)``, which raises when ``ctx is None`` and
  the node has no environment), ``if not x: raise``, ``assert x``, ``x is DEFAULT``, and
  ``isinstance(x, C)`` for a default ``DEFAULT = C()`` (httpx's ``Timeout(timeout=UNSET)``).
  When one test names several parameters (``if iterable is None and length is None: raise``),
  the first is passed. A parameter assigned before the test is not tested at its default.
- **Never set without it**: a local that starts as None, is set under ``if x is not None:`` or
  in ``for ... in x:``, and is refused as None afterwards (rich's ``wrap_file(total=None)``,
  click's option declarations parsed in a loop): ``x`` is passed, non-empty for the loop.
- **At least one positional**: ``if not args: raise``, ``assert args``, ``len(args) == 0``
  (more-itertools' ``numeric_range(*args)``, Jinja2's ``Cycler(*items)``, rich's
  ``pick_bool(*values)``): one positional argument is passed.
- **The exception being handled**: the function calls ``sys.exc_info()`` / ``sys.exception()``
  (or ``traceback.format_exc()``...), itself or in a function it calls for a parameter it leaves
  at its default (rich's ``Console.print_exception`` builds ``Traceback()``, whose
  ``trace=None`` reads ``sys.exc_info()``): the example calls it inside an ``except`` block.
- **Option-like elements**: a sequence the code loops over, able to raise in the loop, whose
  elements go to a function of a module that tests strings' first characters against a set of
  prefixes (click's ``split_opt`` in its parser, which tests ``arg[:1] in self._opt_prefixes``
  with ``{"-", "--"}``): each element starts with the longest of them (``["--name"]``).
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from howto_ls.astutil import node_cache, own_nodes, parse_shared
from howto_ls.model import Parameter
from howto_ls.offline.analysis import FunctionNode, compares_to_none
from howto_ls.offline.index import file_text
from howto_ls.project import absolute_module, lies_under, module_file

MAX_DEPTH = 3  # calls followed from the function asked about, at most
_FALSY = frozenset({"None", "()", "[]", "{}", "''", '""', "False", "0", "set()", "b''", 'b""'})
_EXCEPTION_READERS = frozenset(
    {"exc_info", "exception", "format_exc", "print_exc", "format_exception_only"}
)


@dataclass(frozen=True)
class Code:
    """A module to follow calls in: its tree, dotted name, file name (``__init__.py`` for a
    package) and the folder it is imported from (None: imports are not followed)."""

    tree: ast.Module
    module: str
    filename: str
    root: Path | None = None


@dataclass(frozen=True)
class Demand:
    """What a call must pass beyond the parameters without a default.

    ``values``: optional parameters to pass a real value (never None or their default).
    ``nonempty``: those of ``values`` that need at least one element. ``refused``: parameter
    -> the class of the default the code refuses (a value of another type must be passed).
    ``prefixes``: parameter -> the prefix each of its elements starts with. ``star``: the
    ``*args`` needs at least one positional argument. ``in_except``: the call must run inside
    an ``except`` block."""

    values: tuple[str, ...] = ()
    nonempty: tuple[str, ...] = ()
    refused: tuple[tuple[str, str], ...] = ()
    prefixes: tuple[tuple[str, str], ...] = ()
    star: bool = False
    in_except: bool = False


@dataclass
class _Frame:
    """A function being read: its module, the class of ``self`` (where overrides are looked
    up), the class it is written in (where ``super()`` starts), and its parameters that hold
    a value of the call asked about: local name -> (parameter asked about, its value as text,
    the default when the caller left it out)."""

    function: FunctionNode
    code: Code
    receiver: ast.ClassDef | None
    defined_in: ast.ClassDef | None
    tracked: dict[str, tuple[str, str]]
    depth: int = 0


@dataclass
class _Found:
    values: list[str] = field(default_factory=list)
    nonempty: list[str] = field(default_factory=list)
    elements: dict[str, list[tuple[FunctionNode, Code, str]]] = field(default_factory=dict)
    classes: dict[str, str] = field(default_factory=dict)  # parameter -> class refused
    in_except: bool = False


@functools.lru_cache(maxsize=512)  # each entry keeps its module's tree alive
def demand(
    function: FunctionNode, code: Code, owner: ast.ClassDef | None = None, receiver: bool = True
) -> Demand:
    """What calling ``function`` (of module ``code``; a method of ``owner`` when given, whose
    first parameter is the object when ``receiver``) requires beyond its required parameters,
    by the module's rules. Parameters are named as ``function`` names them."""
    params = _parameters(function)
    static = any(ast.unparse(d) == "staticmethod" for d in function.decorator_list)
    if owner is not None and receiver and not static and params:
        params = params[1:]
    tracked = {  # a required parameter has no default a test could hold for: ""
        p.name: (p.name, "()" if p.kind == "var_positional" else p.default or "")
        for p in params
        if p.kind != "var_keyword"
    }
    star = next((p.name for p in params if p.kind == "var_positional"), None)
    found = _Found()
    frame = _Frame(function, code, owner, owner, tracked)
    _read(frame, found, set())
    order = [p.name for p in params]
    values = [name for name in order if name in found.values and name != star]
    prefixes = []
    for name in order:
        prefix = _element_prefix(found.elements.get(name, []))
        if prefix:
            prefixes.append((name, prefix))
    return Demand(
        values=tuple(values),
        nonempty=tuple(n for n in values if n in found.nonempty),
        refused=tuple((n, found.classes[n]) for n in values if n in found.classes),
        prefixes=tuple(prefixes),
        star=star is not None and star in found.values,
        in_except=found.in_except,
    )


def _read(frame: _Frame, found: _Found, seen: set[int]) -> None:
    """Record what ``frame`` refuses of its tracked parameters, then follow its calls."""
    if id(frame.function) in seen or frame.depth > MAX_DEPTH:
        return
    seen.add(id(frame.function))
    nodes = own_nodes(frame.function)
    lengths = _length_aliases(nodes, frame.tracked)
    for node in nodes:
        if isinstance(node, ast.If) and _raises(node.body) and not _reads_in(node.body):
            group = _refused(node.test, frame, lengths, node.lineno, found.classes)
            if group:
                _add(found.values, group[0])
        elif isinstance(node, ast.Assert):
            group = _refused(_negated(node.test), frame, lengths, node.lineno, found.classes)
            if group:
                _add(found.values, group[0])
    for origin, nonempty, element in _set_only_with(frame, nodes):
        _add(found.values, origin)
        if nonempty:
            _add(found.nonempty, origin)
            found.elements.setdefault(origin, []).append(element)
    for node in nodes:  # a loop that can refuse an element: how each element must look
        if (
            isinstance(node, ast.For)
            and isinstance(node.iter, ast.Name)
            and isinstance(node.target, ast.Name)
            and frame.tracked.get(node.iter.id, ("", ""))[0]
            and _raises(node.body)
        ):
            element = (frame.function, frame.code, node.target.id)
            found.elements.setdefault(frame.tracked[node.iter.id][0], []).append(element)
    if _reads_exception(frame, nodes):
        found.in_except = True
    for node in nodes:
        if isinstance(node, ast.Call):
            callee = _callee(node, frame)
            if callee is not None:
                _read(callee, found, seen)


@node_cache
def _parameters(function: FunctionNode) -> tuple[Parameter, ...]:
    """The parameters of ``function`` with their defaults as source text (annotations are not
    read here: only names, kinds and defaults count). Read once per definition."""
    args = function.args
    positional = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
    defaults += args.defaults
    found = [
        Parameter(
            name=arg.arg,
            default=ast.unparse(default) if default is not None else None,
            kind="positional_only" if index < len(args.posonlyargs) else "positional_or_keyword",
        )
        for index, (arg, default) in enumerate(zip(positional, defaults, strict=True))
    ]
    if args.vararg:
        found.append(Parameter(name=args.vararg.arg, kind="var_positional"))
    for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        text = ast.unparse(default) if default is not None else None
        found.append(Parameter(name=arg.arg, default=text, kind="keyword_only"))
    if args.kwarg:
        found.append(Parameter(name=args.kwarg.arg, kind="var_keyword"))
    return tuple(found)


def _add(items: list[str], item: str) -> None:
    if item and item not in items:
        items.append(item)


def _negated(test: ast.expr) -> ast.expr:
    """The test under which ``assert test`` raises."""
    return ast.UnaryOp(op=ast.Not(), operand=test)


def _raises(body: list[ast.stmt]) -> bool:
    """Whether a ``raise`` statement lies in ``body`` (nested functions aside)."""
    for statement in body:
        if isinstance(statement, ast.Raise):
            return True
        nested = isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        if not nested and any(isinstance(n, ast.Raise) for n in own_nodes(statement)):
            return True
    return False


def _length_aliases(
    nodes: tuple[ast.AST, ...], tracked: dict[str, tuple[str, str]]
) -> dict[str, str]:
    """``n = len(x)`` for a tracked ``x``: local ``n`` -> ``x``."""
    found: dict[str, str] = {}
    for node in nodes:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and _length_of(node.value) in tracked
        ):
            found[node.targets[0].id] = str(_length_of(node.value))
    return found


def _length_of(node: ast.expr) -> str | None:
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "len"
        and len(node.args) == 1
        and isinstance(node.args[0], ast.Name)
    ):
        return node.args[0].id
    return None


def _refused(
    test: ast.expr,
    frame: _Frame,
    lengths: dict[str, str],
    line: int,
    classes: dict[str, str],
) -> list[str] | None:
    """The parameters asked about whose default makes ``test`` true (all of them for an
    ``and``: passing the first is enough), or None when the test holds for no default. A
    class an ``isinstance`` test refuses is noted in ``classes`` (parameter -> class)."""
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        parts = [_refused(value, frame, lengths, line, classes) for value in test.values]
        if any(part is None for part in parts):
            return None
        return [name for part in parts for name in part or []]
    if isinstance(test, ast.BoolOp):
        for value in test.values:
            part = _refused(value, frame, lengths, line, classes)
            if part:
                return part
        return None
    tested = _tested_name(test, frame, lengths)
    if tested is None:
        return None
    local, is_length = tested
    name = lengths.get(local, local)
    if _assigned_before(frame.function, name, line):
        return None
    origin, default = frame.tracked[name]
    holds = _length_test(test) if is_length else _default_test(test, default, frame.code)
    if holds and origin and isinstance(test, ast.Call):
        classes.setdefault(origin, ast.unparse(test.args[1]).rsplit(".", 1)[-1])
    return [origin] if holds and origin else None


def _tested_name(test: ast.expr, frame: _Frame, lengths: dict[str, str]) -> tuple[str, bool] | None:
    """The tracked local (or length alias) a simple test is about, and whether the test is
    on its length."""
    target: ast.expr = test
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        target = test.operand
    elif isinstance(test, ast.Compare) and len(test.ops) == 1:
        target = test.left
    elif (
        isinstance(test, ast.Call)
        and isinstance(test.func, ast.Name)
        and test.func.id == "isinstance"
        and len(test.args) == 2
    ):
        target = test.args[0]
    length = _length_of(target)
    if length is not None and length in frame.tracked:
        return length, True
    if isinstance(target, ast.Name) and target.id in lengths:
        return target.id, True
    if isinstance(target, ast.Name) and target.id in frame.tracked:
        return target.id, False
    return None


def _length_test(test: ast.expr) -> bool:
    """``not n``, ``n == 0``, ``n < 1`` for a length ``n``."""
    if isinstance(test, ast.UnaryOp):
        return True
    if isinstance(test, ast.Compare):
        right = test.comparators[0]
        value = right.value if isinstance(right, ast.Constant) else None
        return (isinstance(test.ops[0], ast.Eq) and value == 0) or (
            isinstance(test.ops[0], ast.Lt) and value == 1
        )
    return False


def _default_test(test: ast.expr, default: str, code: Code) -> bool:
    """Whether ``test`` (on one name) holds when the name holds ``default`` (source text)."""
    if isinstance(test, ast.UnaryOp):
        return default in _FALSY
    if isinstance(test, ast.Compare):
        right = ast.unparse(test.comparators[0])
        return isinstance(test.ops[0], ast.Is | ast.Eq) and right == default
    if isinstance(test, ast.Call):
        return _made_by(default, code) == ast.unparse(test.args[1]).rsplit(".", 1)[-1]
    return False


def _made_by(default: str, code: Code) -> str | None:
    """``C`` for a default ``NAME`` the module assigns ``NAME = C()`` at its top level."""
    for statement in code.tree.body:
        if (
            isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and ast.unparse(statement.targets[0]) == default
            and isinstance(statement.value, ast.Call)
        ):
            return ast.unparse(statement.value.func).rsplit(".", 1)[-1]
    return None


def _assigned_before(function: FunctionNode, local: str, line: int) -> bool:
    """Whether ``function`` assigns ``local`` before line ``line`` (1-based)."""
    for node in own_nodes(function):
        if (
            isinstance(node, ast.Name)
            and node.id == local
            and isinstance(node.ctx, ast.Store)
            and node.lineno < line
        ):
            return True
    return False


def _set_only_with(
    frame: _Frame, nodes: tuple[ast.AST, ...]
) -> Iterator[tuple[str, bool, tuple[FunctionNode, Code, str]]]:
    """(parameter asked about, whether it is looped over, (function, module, loop variable))
    for each local that starts as None, is set only under a test of a tracked parameter or in
    a loop over one, and is refused as None afterwards; the first such parameter of each."""
    starts_none = {
        target.id
        for node in nodes
        if isinstance(node, ast.Assign | ast.AnnAssign)
        and isinstance(node.value, ast.Constant)
        and node.value.value is None
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Name)
    }
    starts_none -= frame.tracked.keys()
    if not starts_none:
        return
    setters: dict[str, list[tuple[int, tuple[str, bool, str]]]] = {}
    for node in nodes:
        tied: tuple[str, bool, str] | None = None
        if isinstance(node, ast.For) and isinstance(node.iter, ast.Name):
            entry = frame.tracked.get(node.iter.id)
            if entry is not None and entry[1] in _FALSY and entry[0]:
                loop = node.target.id if isinstance(node.target, ast.Name) else ""
                tied = (entry[0], True, loop)
        elif isinstance(node, ast.If) and _given(node.test) in frame.tracked:
            origin, default = frame.tracked[str(_given(node.test))]
            if default == "None" and origin:
                tied = (origin, False, "")
        if tied is None or not isinstance(node, ast.For | ast.If):
            continue
        for inner in node.body:
            for stored in ast.walk(inner):
                if (
                    isinstance(stored, ast.Name)
                    and isinstance(stored.ctx, ast.Store)
                    and stored.id in starts_none
                ):
                    setters.setdefault(stored.id, []).append((node.lineno, tied))
    for node in nodes:
        if not (isinstance(node, ast.If) and _raises(node.body)):
            continue
        test = node.test
        if (
            compares_to_none(test, ast.Is)
            and isinstance(test, ast.Compare)
            and isinstance(test.left, ast.Name)
            and test.left.id in setters
        ):
            origin, loops, loop = min(setters[test.left.id])[1]  # the first in the code
            yield origin, loops, (frame.function, frame.code, loop)


def _given(test: ast.expr) -> str | None:
    """``x`` for a test that holds only when ``x`` was given: ``x is not None`` or ``x``."""
    if isinstance(test, ast.Name):
        return test.id
    if (
        compares_to_none(test, ast.IsNot)
        and isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
    ):
        return test.left.id
    return None


def _reads_exception(frame: _Frame, nodes: tuple[ast.AST, ...]) -> bool:
    """Whether the function reads the exception being handled: ``sys.exc_info()`` and the
    like, anywhere in the function asked about, else under a test of a parameter its caller
    left at its default."""
    if frame.depth == 0:
        return any(_exception_call(node) for node in nodes)
    if _reads_in(frame.function.body, nested=False):
        return True
    for node in nodes:
        if not isinstance(node, ast.If):
            continue
        names = {n.id for n in ast.walk(node.test) if isinstance(n, ast.Name)}
        left_out = {n for n in names if n in frame.tracked and not frame.tracked[n][0]}
        if left_out and _reads_in(node.body):
            return True
    return False


def _reads_in(body: list[ast.stmt], nested: bool = True) -> bool:
    """Whether ``body`` calls ``sys.exc_info()`` and the like (with ``nested``, also inside
    its compound statements)."""
    for statement in body:
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        if not nested and isinstance(statement, ast.If | ast.For | ast.While | ast.Try | ast.With):
            continue
        if any(_exception_call(n) for n in (statement, *own_nodes(statement))):
            return True
    return False


def _exception_call(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id in {"sys", "traceback"}
        and node.func.attr in _EXCEPTION_READERS
    )


# -- following calls -----------------------------------------------------------------------


def _callee(call: ast.Call, frame: _Frame) -> _Frame | None:
    """The frame a call of ``frame`` enters, with what it passes of the tracked values and
    what it leaves at the default; None when the callee is not project code."""
    if frame.depth >= MAX_DEPTH:
        return None
    found = _definition(call.func, frame)
    if found is None:
        return None
    function, code, receiver, defined_in, is_method = found
    params = _parameters(function)
    if is_method and params:
        params = params[1:]
    tracked: dict[str, tuple[str, str]] = {}
    positional = [p for p in params if p.kind in {"positional_only", "positional_or_keyword"}]
    given: set[str] = set()
    for index, argument in enumerate(call.args):
        if isinstance(argument, ast.Starred):
            source = _passed(argument.value, frame)
            rest = next((p for p in params if p.kind == "var_positional"), None)
            target = positional[index] if index < len(positional) else rest
            if source is not None and target is not None and target.default is None:
                tracked[target.name] = source  # an ``*args`` filling a parameter or ``*args``
            break
        if index >= len(positional):
            break
        target = positional[index]
        given.add(target.name)
        source = _passed(argument, frame)
        if source is not None:
            tracked[target.name] = source
    by_name = {p.name: p for p in params}
    for keyword in call.keywords:
        if keyword.arg is None or keyword.arg not in by_name:
            continue
        given.add(keyword.arg)
        source = _passed(keyword.value, frame)
        if source is not None:
            tracked[keyword.arg] = source
    for param in params:
        if param.name not in given and param.name not in tracked and param.default is not None:
            tracked[param.name] = ("", param.default)  # left at its default by the caller
    return _Frame(function, code, receiver, defined_in, tracked, frame.depth + 1)


def _passed(value: ast.expr, frame: _Frame) -> tuple[str, str] | None:
    """What an argument carries of a tracked value: ``x`` or ``x or ()`` (then ``()`` is its
    default)."""
    if isinstance(value, ast.Name) and value.id in frame.tracked:
        return frame.tracked[value.id]
    if (
        isinstance(value, ast.BoolOp)
        and isinstance(value.op, ast.Or)
        and len(value.values) == 2
        and isinstance(value.values[0], ast.Name)
        and value.values[0].id in frame.tracked
    ):
        origin, default = frame.tracked[value.values[0].id]
        return origin, ast.unparse(value.values[1]) if default in _FALSY else default
    return None


_Definition = tuple[FunctionNode, Code, ast.ClassDef | None, ast.ClassDef | None, bool]


def _definition(func: ast.expr, frame: _Frame) -> _Definition | None:
    """What a call's function expression names: a module function or class (its ``__init__``)
    of the module or imported from the project, ``self.method``, or ``super().method``."""
    if isinstance(func, ast.Name):
        found = _top_level(frame.code, func.id)
        if found is None:
            return None
        node, code = found
        if isinstance(node, ast.ClassDef):
            init = _method(node, code, "__init__")
            if init is None:
                return None
            return init[0], init[1], node, init[2], True
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            return None
        return node, code, None, None, False
    if not isinstance(func, ast.Attribute):
        return None
    target = func.value
    if isinstance(target, ast.Name) and target.id == "self" and frame.receiver is not None:
        method = _method(frame.receiver, frame.code, func.attr)
        if method is None:
            return None
        return method[0], method[1], frame.receiver, method[2], True
    if (
        isinstance(target, ast.Call)
        and isinstance(target.func, ast.Name)
        and target.func.id == "super"
        and frame.defined_in is not None
    ):
        for base in _bases(frame.defined_in, frame.code):
            method = _method(base[0], base[1], func.attr)
            if method is not None:
                return method[0], method[1], frame.receiver, method[2], True
    return None


def _method(
    owner: ast.ClassDef, code: Code, name: str, depth: int = 0
) -> tuple[FunctionNode, Code, ast.ClassDef] | None:
    """Method ``name`` of ``owner`` or of its project bases (depth first, four deep): the
    function, its module and the class that defines it."""
    for statement in owner.body:
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef) and (
            statement.name == name
        ):
            return statement, code, owner
    if depth >= 4:
        return None
    for base, base_code in _bases(owner, code):
        found = _method(base, base_code, name, depth + 1)
        if found is not None:
            return found
    return None


def _bases(owner: ast.ClassDef, code: Code) -> Iterator[tuple[ast.ClassDef, Code]]:
    for base in owner.bases:
        target = base.value if isinstance(base, ast.Subscript) else base
        if isinstance(target, ast.Name):
            found = _top_level(code, target.id)
            if found is not None and isinstance(found[0], ast.ClassDef):
                yield found[0], found[1]


def _top_level(code: Code, name: str, depth: int = 0) -> tuple[ast.AST, Code] | None:
    """The top-level function or class ``name`` of the module, or the project's definition
    a ``from ... import`` of the module (function-local ones too) brings in."""
    defined, imported = _names(code.tree, code.module, code.filename)
    if name in defined:
        return defined[name], code
    if code.root is None or depth >= 2 or name not in imported:
        return None
    module, original = imported[name]
    other = _code_of(module, code.root)
    return _top_level(other, original, depth + 1) if other is not None else None


@node_cache
def _names(
    tree: ast.Module, module: str, filename: str
) -> tuple[dict[str, ast.AST], dict[str, tuple[str, str]]]:
    """A module's top-level functions and classes by name, and what its ``from ... import``
    statements bind: local name -> (absolute module, imported name). Read once per tree (trees
    are shared and never changed)."""
    defined: dict[str, ast.AST] = {}
    for statement in tree.body:
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            defined.setdefault(statement.name, statement)
    package = module if filename == "__init__.py" else module.rpartition(".")[0]
    imported: dict[str, tuple[str, str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                imported.setdefault(
                    alias.asname or alias.name, (absolute_module(node, package), alias.name)
                )
    return defined, imported


def _code_of(module: str, root: Path) -> Code | None:
    """The project module ``module`` under ``root``, parsed once."""
    path = module_file(module, root)
    if path is None or not lies_under(path, root):
        return None
    text = file_text(path)
    if text is None:
        return None
    try:
        tree = parse_shared(text)
    except (SyntaxError, ValueError):
        return None
    return Code(tree, module, path.name, root)


# -- option-like elements ------------------------------------------------------------------


def _element_prefix(loops: list[tuple[FunctionNode, Code, str]]) -> str:
    """The prefix each element of a sequence the code loops over must start with: when the
    loop hands its variable to a function of a module whose code tests strings' first
    characters against a set of literal prefixes (``arg[:1] in self._opt_prefixes``, with
    ``self._opt_prefixes = {"-", "--"}``), the longest of them; else ""."""
    for function, code, loop in loops:
        if not loop:
            continue
        frame = _Frame(function, code, None, None, {})
        for node in own_nodes(function):
            if not (
                isinstance(node, ast.Call)
                and any(isinstance(a, ast.Name) and a.id == loop for a in node.args)
            ):
                continue
            found = _definition(node.func, frame)
            if found is None:
                continue
            prefixes = _prefix_sets(found[1])
            if prefixes:
                return max(prefixes, key=len)
    return ""


def _prefix_sets(code: Code) -> set[str]:
    """The literal prefixes a module tests first characters against: ``x[:1] in NAME`` (or
    ``self.NAME``) where the module assigns NAME a set, list or tuple of strings."""
    assigned: dict[str, set[str]] = {}
    for node in ast.walk(code.tree):
        if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(
            node.value, ast.Set | ast.List | ast.Tuple
        ):
            strings = {
                e.value
                for e in node.value.elts
                if isinstance(e, ast.Constant) and isinstance(e.value, str) and e.value
            }
            if strings and len(strings) == len(node.value.elts):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    key = target.attr if isinstance(target, ast.Attribute) else ast.unparse(target)
                    assigned.setdefault(key, set()).update(strings)
    found: set[str] = set()
    for node in ast.walk(code.tree):
        if (
            isinstance(node, ast.Compare)
            and len(node.ops) == 1
            and isinstance(node.ops[0], ast.In)
            and isinstance(node.left, ast.Subscript)
            and isinstance(node.left.slice, ast.Slice)
            and node.left.slice.lower is None
        ):
            container = node.comparators[0]
            key = container.attr if isinstance(container, ast.Attribute) else ast.unparse(container)
            found |= {s for s in assigned.get(key, set()) if not s[:1].isalnum()}
    return found
