"""What a function's code does with a parameter, and a value that survives it.

A parameter without an annotation tells nothing by itself, but the code using it does: ``32 -
mask`` needs a number, ``proxies.get("no_proxy")`` a mapping, ``auth(self)`` something to call,
``for name, value in other`` pairs, ``with manager as iterable`` a context manager. The rules
come from Python's data model (the special methods an operation looks up: ``__sub__`` and the
other numeric methods, ``__lt__`` against a number, ``__call__``, ``__getitem__`` with a string
key, ``__setitem__``, ``__iter__`` with unpacking of each item, ``__enter__``) and from the
attributes the code reads on the parameter (``dir()`` of the candidate value must hold them all).

:func:`use_of` reads what one function does with one parameter (and, one call deep, what the
function it is passed to does with it); :func:`value_for` picks the first candidate value that
satisfies every use, unless the value the example would pass anyway already does.
"""

from __future__ import annotations

import ast
import collections.abc
import contextlib
import datetime
import functools
import http.cookiejar
import http.cookies
import inspect
import io
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import cast

from howto_ls.astutil import own_nodes, parse
from howto_ls.offline.aliases import imported_names
from howto_ls.offline.analysis import FunctionNode, find_method, top_level_class
from howto_ls.offline.index import file_text
from howto_ls.project import lies_under, module_file

MAX_DEPTH = 2  # loop variables and ``as`` targets followed, and calls followed, at most

# ``x - 1``: binary operators no ``str`` (nor most other objects) supports with a number
_NUMERIC_OPERATORS = (
    ast.Sub,
    ast.Div,
    ast.FloorDiv,
    ast.Pow,
    ast.LShift,
    ast.RShift,
)
# operators ``str`` and containers support too, which need a number only next to one
_NUMBER_NEIGHBOUR_OPERATORS = (ast.Add, ast.Mod, ast.BitAnd, ast.BitOr, ast.BitXor)
_ORDERING = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)
_NUMBER_BUILTINS = frozenset({"range", "abs", "round", "divmod", "chr", "hex", "oct", "bin"})


@dataclass(frozen=True)
class Use:
    """What code does with one name (a parameter, or a loop variable or ``as`` target bound
    from it).

    ``attributes``: attributes read or methods called on it (``x.get``). ``calls``: the number
    of positional arguments of each call ``x(...)``; ``keywords``: whether a call passes
    keywords or unpacks arguments; ``returns``: whether a call's result is used;
    ``callable_checked``: ``callable(x)``. ``number``: ``"int"`` or ``"float"`` when it is an
    operand of arithmetic, compared in order with a number or given to ``range()``. ``keys``:
    the string keys read from it (``x["max-age"]``); ``mapping``: items set or deleted, or
    read with its own keys (``for k in x: x[k]``). ``unpacked``: the number of names it is
    unpacked into (``a, b = x``), with the use of each (``parts``). ``items``: the use of each
    item when it is iterated (``for a, b in x`` is an item unpacked into 2); ``iterated``:
    whether it is iterated at all. ``entered``: used in a ``with`` statement, ``entered_as``
    the use of what ``__enter__`` returns. ``checked``: the classes ``isinstance(x, C)``
    tests it against; what runs only after such a check (``if isinstance(x, tuple): f(*x)``) is
    left out, being one kind of value among those the code takes. ``raised``: raised
    (``raise x``), or called and what the call returns raised (``raise x(*args)``): an
    exception, or an exception class.
    """

    attributes: frozenset[str] = frozenset()
    calls: tuple[int, ...] = ()
    keywords: bool = False
    returns: bool = False
    callable_checked: bool = False
    number: str | None = None
    keys: tuple[str, ...] = ()
    mapping: bool = False
    unpacked: int = 0
    parts: tuple[Use | None, ...] = ()
    iterated: bool = False
    items: Use | None = None
    entered: bool = False
    entered_as: Use | None = None
    checked: tuple[str, ...] = ()
    raised: bool = False
    argument_names: tuple[str, ...] = field(default=(), compare=False)

    @property
    def called(self) -> bool:
        """Whether the code calls it or checks that it can be called."""
        return bool(self.calls) or self.callable_checked

    def fits(self, value: object) -> bool:
        """Whether ``value`` (a real object) supports every use (the data model's checks:
        attributes by ``dir()``, ``callable()``, ``numbers``, ``Mapping``, lengths)."""
        if not self.attributes <= set(dir(value)):
            return False
        if self.called and not callable(value):
            return False
        if self.raised and not _raisable(value, self.called):
            return False
        if self.number is not None and not isinstance(value, int | float):
            return False
        if (self.keys or self.mapping) and not isinstance(value, collections.abc.Mapping):
            return False
        if self.unpacked and not _unpacks(value, self.unpacked, self.parts):
            return False
        if self.entered and not hasattr(type(value), "__enter__"):
            return False
        if self.iterated or self.items is not None:
            if not isinstance(value, collections.abc.Iterable) or isinstance(value, Iterator):
                return False  # never exhaust an iterator the example passes on
            if self.items is not None and not all(self.items.fits(item) for item in value):
                return False
        return True

    def fits_text(self, text: str) -> bool:
        """Whether the value the expression ``text`` makes fits (see :meth:`fits`); True when
        the value cannot be known without running code (a variable, a call)."""
        try:
            tree = cast(ast.Expression, parse(text, mode="eval"))
        except SyntaxError:
            return True
        if isinstance(tree.body, ast.Lambda):
            return self.fits(_function)
        try:
            value = ast.literal_eval(tree.body)
        except ValueError:
            return True
        return self.fits(value)


def _raisable(value: object, called: bool) -> bool:
    """Whether ``raise value`` (``raise value(...)`` when ``called``) raises it: an exception
    instance, or an exception class (the data model's rule for ``raise``)."""
    if isinstance(value, type) and issubclass(value, BaseException):
        return True
    return not called and isinstance(value, BaseException)


def _function(*args: object, **kwargs: object) -> None:
    """Stands for a lambda when checking what a callable offers."""


def _unpacks(value: object, count: int, parts: tuple[Use | None, ...]) -> bool:
    """Whether ``value`` is a tuple or list of ``count`` items, each fitting its part."""
    if not isinstance(value, tuple | list) or len(value) != count:
        return False
    return all(part is None or part.fits(item) for part, item in zip(parts, value, strict=False))


@dataclass(frozen=True)
class Guess:
    """A value for a parameter: the expression and the imports it needs."""

    expression: str
    imports: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scope:
    """Where the function's module is: its text, dotted name, file name, the project root
    (calls are followed only into the project's own files) and the class the function is a
    method of (``self.method(x)`` is followed into it)."""

    source: str
    module: str
    filename: str
    root: Path | None = None
    owner: ast.ClassDef | None = None


# -- reading the code ------------------------------------------------------------------------------


@functools.lru_cache(maxsize=128)  # each entry keeps its function's tree alive
def _parents(function: ast.AST) -> dict[ast.AST, ast.AST]:
    """Child node -> parent node, for the nodes of ``function``'s own body (trees are shared
    and never changed, so the map is cached by the function node's identity)."""
    found: dict[ast.AST, ast.AST] = {}
    for node in (function, *own_nodes(function)):
        for child in ast.iter_child_nodes(node):
            found[child] = node
    return found


def _parameter_names(function: FunctionNode) -> list[str]:
    args = function.args
    return [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]


def use_of(
    function: FunctionNode, name: str, scope: Scope | None = None, depth: int = 0
) -> Use | None:
    """What ``function``'s own code (not nested functions) does with the name ``name``; None
    when it does nothing this module can tell (only passes it on, prints it...).

    With ``scope``, a call passing the name on to a function of the project (``helper(x)``,
    ``self.helper(x)``, by position or keyword) adds what that function does with it, one call
    deep; ``depth`` counts the loop variables, ``as`` targets and calls followed so far.
    """
    parents = _parents(function)
    use = Use()
    found = False
    loop_targets: set[str] = set()
    loads = [
        node
        for node in own_nodes(function)
        if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load)
    ]
    for node in sorted(loads, key=lambda n: (n.lineno, n.col_offset)):  # in reading order
        parent = parents.get(node)
        if parent is None:
            continue
        checked = _checked_type(node, parent, parents)
        if checked is not None:
            use = replace(use, checked=(*use.checked, checked))
            found = True
            continue
        if _guarded(node, parents):
            continue  # a branch for one kind of value the check picked out
        step = _step(node, parent, parents, function, scope, depth)
        if step is None:
            continue
        found = True
        use = _merged(use, step)
        if isinstance(parent, ast.For | ast.comprehension) and isinstance(parent.target, ast.Name):
            loop_targets.add(parent.target.id)
    if loop_targets:  # ``for key in x: x[key]`` reads a mapping with its own keys
        for subscript in own_nodes(function):
            if (
                isinstance(subscript, ast.Subscript)
                and isinstance(subscript.value, ast.Name)
                and subscript.value.id == name
                and isinstance(subscript.slice, ast.Name)
                and subscript.slice.id in loop_targets
            ):
                use = replace(use, mapping=True)
    stored = _stored_use(function, name, scope, depth)
    if stored is not None:
        use, found = _merged(use, stored), True
    return use if found and use != Use() else None


def _stored_use(function: FunctionNode, name: str, scope: Scope | None, depth: int) -> Use | None:
    """What the other methods of the scope's class do with ``self.attr`` when ``function`` is
    its ``__init__`` and stores the parameter ``name`` there (``self.maxsize = maxsize``) and
    no other method sets it: ``self.attr - 1`` needs a number, ``self.attr.read()`` a
    stream. None when nothing is stored, or nothing tells."""
    if scope is None or scope.owner is None or function.name != "__init__" or depth > 0:
        return None
    stored = {
        target.attr
        for node in own_nodes(function)
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Name)
        and node.value.id == name
        for target in node.targets
        if isinstance(target, ast.Attribute) and _is_self_attribute(target)
    }
    methods = [
        m
        for m in scope.owner.body
        if isinstance(m, ast.FunctionDef | ast.AsyncFunctionDef) and m is not function
    ]
    for method in methods:  # an attribute another method sets holds other values too
        for node in own_nodes(method):
            if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                stored.discard(node.attr)
    use, found = Use(), False
    for method in methods if stored else ():
        parents = _parents(method)
        for node in own_nodes(method):
            if not (
                _is_self_attribute(node)
                and isinstance(node, ast.Attribute)
                and node.attr in stored
                and isinstance(node.ctx, ast.Load)
            ):
                continue
            parent = parents.get(node)
            if parent is None or (
                isinstance(parent, ast.Call)
                and isinstance(parent.func, ast.Name)
                and parent.func.id in {"isinstance", "hasattr", "callable", "type"}
            ):
                continue  # a check of its kind: it takes several
            step = _step(node, parent, parents, method, scope, MAX_DEPTH - 1)
            if step is not None:
                use, found = _merged(use, step), True
    return use if found else None


def _is_self_attribute(node: ast.AST) -> bool:
    """Whether ``node`` is ``self.<name>``."""
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "self"
    )


def _type_check(test: ast.AST, name: str) -> bool:
    """Whether ``test`` checks the kind of ``name``: ``isinstance(name, ...)``,
    ``hasattr(name, ...)``, ``callable(name)``, ``type(name) ...`` (alone or inside ``and``,
    ``or``, ``not``)."""
    for node in ast.walk(test):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in {"isinstance", "hasattr", "callable", "type", "issubclass"}
            and node.args
            and isinstance(node.args[0], ast.Name)
            and node.args[0].id == name
        ):
            return True
    return False


def _guarded(node: ast.Name, parents: dict[ast.AST, ast.AST]) -> bool:
    """Whether ``node`` runs only after a check of its name's kind picked it out: inside the
    ``if`` branch (or the rest of an ``and``) whose test checks it."""
    child: ast.AST = node
    parent = parents.get(child)
    while parent is not None:
        body = getattr(parent, "body", None)
        inside = child is body or (isinstance(body, list) and child in body)
        if (
            isinstance(parent, ast.If | ast.IfExp | ast.While)
            and inside
            and _type_check(parent.test, node.id)
        ):
            return True
        if isinstance(parent, ast.BoolOp) and isinstance(parent.op, ast.And):
            earlier = parent.values[: parent.values.index(child)] if child in parent.values else []
            if any(_type_check(value, node.id) for value in earlier):
                return True
        child, parent = parent, parents.get(parent)
    return False


def _checked_type(node: ast.Name, parent: ast.AST, parents: dict[ast.AST, ast.AST]) -> str | None:
    """The class name ``isinstance(node, Class)`` checks against (the last dotted part; the
    first of a tuple), or None."""
    if not (
        isinstance(parent, ast.Call)
        and isinstance(parent.func, ast.Name)
        and parent.func.id == "isinstance"
        and len(parent.args) == 2
        and parent.args[0] is node
    ):
        return None
    kind = parent.args[1]
    if isinstance(kind, ast.Tuple) and kind.elts:
        kind = kind.elts[0]
    if isinstance(kind, ast.Attribute):
        return kind.attr
    return kind.id if isinstance(kind, ast.Name) else None


def _step(
    node: ast.Name | ast.Attribute | ast.Subscript,
    parent: ast.AST,
    parents: dict[ast.AST, ast.AST],
    function: FunctionNode,
    scope: Scope | None,
    depth: int,
) -> Use | None:
    """What the one expression ``parent`` does with ``node`` (a load of the name)."""
    if isinstance(parent, ast.Attribute) and parent.value is node:
        return Use(attributes=frozenset({parent.attr}))
    if isinstance(parent, ast.Raise) and parent.exc is node:
        return Use(raised=True)
    if isinstance(parent, ast.Call) and parent.func is node:
        keywords = bool(parent.keywords) or any(isinstance(a, ast.Starred) for a in parent.args)
        names = tuple(a.id if isinstance(a, ast.Name) else "" for a in parent.args)
        outer = parents.get(parent)
        returns = not isinstance(outer, ast.Expr)
        raised = isinstance(outer, ast.Raise) and outer.exc is parent
        return Use(
            calls=(len(parent.args),),
            keywords=keywords,
            returns=returns,
            raised=raised,
            argument_names=names,
        )
    if isinstance(parent, ast.Call):
        return _passed(node, parent, scope, depth)
    if isinstance(parent, ast.keyword) and isinstance(call := parents.get(parent), ast.Call):
        return _passed(node, call, scope, depth)  # passed by keyword: ``f(key=x)``
    if isinstance(parent, ast.BinOp):
        other = parent.right if parent.left is node else parent.left
        number = _number(other)
        if isinstance(parent.op, _NUMERIC_OPERATORS) or (
            number and isinstance(parent.op, _NUMBER_NEIGHBOUR_OPERATORS)
        ):
            return Use(number=number or "int")
        return None
    if isinstance(parent, ast.UnaryOp) and isinstance(parent.op, ast.USub | ast.Invert):
        return Use(number="int")
    if isinstance(parent, ast.Compare):
        operands = [parent.left, *parent.comparators]
        at = next(i for i, operand in enumerate(operands) if operand is node)
        for index in (at - 1, at):  # the operators on either side of it
            if 0 <= index < len(parent.ops) and isinstance(parent.ops[index], _ORDERING):
                number = _number(operands[index + 1 if index == at else index])
                if number:
                    return Use(number=number)
        return None
    if isinstance(parent, ast.Subscript) and parent.value is node:
        if not isinstance(parent.ctx, ast.Load):
            return Use(mapping=True)  # ``x[k] = v``, ``del x[k]``: ``__setitem__``
        key = parent.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return Use(keys=(key.value,))
        return None
    if isinstance(parent, ast.For | ast.AsyncFor | ast.comprehension) and parent.iter is node:
        return Use(iterated=True, items=_bound_use(parent.target, function, scope, depth))
    if isinstance(parent, ast.YieldFrom | ast.Starred):
        return Use(iterated=True)
    if isinstance(parent, ast.Assign) and parent.value is node and len(parent.targets) == 1:
        target = parent.targets[0]
        if isinstance(target, ast.Tuple | ast.List) and not any(
            isinstance(e, ast.Starred) for e in target.elts
        ):
            parts = tuple(_bound_use(e, function, scope, depth) for e in target.elts)
            return Use(unpacked=len(target.elts), parts=parts)
        return None
    if isinstance(parent, ast.withitem) and parent.context_expr is node:
        inner = _bound_use(parent.optional_vars, function, scope, depth)
        return Use(entered=True, entered_as=inner)
    return None


def _bound_use(
    target: ast.expr | None, function: FunctionNode, scope: Scope | None, depth: int
) -> Use | None:
    """The use of what ``target`` (a loop variable, an ``as`` target) is bound to: a name's
    use in the function, a tuple of names an item unpacked into as many names."""
    if target is None or depth >= MAX_DEPTH:
        return None
    if isinstance(target, ast.Name):
        return use_of(function, target.id, scope, depth + 1)
    if isinstance(target, ast.Tuple | ast.List) and not any(
        isinstance(e, ast.Starred) for e in target.elts
    ):
        parts = tuple(_bound_use(e, function, scope, depth) for e in target.elts)
        return Use(unpacked=len(target.elts), parts=parts)
    return None


def _number(node: ast.expr) -> str | None:
    """``"int"``/``"float"`` when ``node`` is a number literal (or ``-1``) or a call of
    ``len()``; else None."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        node = node.operand
    if isinstance(node, ast.Constant) and not isinstance(node.value, bool):
        if isinstance(node.value, int):
            return "int"
        if isinstance(node.value, float):
            return "float"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "len":
        return "int"
    return None


def _passed(node: ast.expr, call: ast.Call, scope: Scope | None, depth: int) -> Use | None:
    """What a call does with ``node`` passed to it (by position or keyword): ``callable(x)``,
    ``range(x)``, or (with a scope, one call deep) what the project function called does
    with its parameter."""
    callee = call.func
    if isinstance(callee, ast.Name) and call.args and call.args[0] is node:
        if callee.id == "callable":
            return Use(callable_checked=True)
        if callee.id in _NUMBER_BUILTINS:
            return Use(number="int")
    if scope is None or depth >= MAX_DEPTH:
        return None
    inherited = _base_method(callee, scope)
    if inherited is not None:  # ``super().__init__(x)``: the base's code, as the base sees it
        function, receiver, base = inherited
        scope = replace(scope, owner=base)
    else:
        target = _callee(callee, scope)
        if target is None:
            return None
        function, receiver = target
    names = _parameter_names(function)[receiver:]
    if function.args.vararg is not None or function.args.kwarg is not None:
        return None  # ``*args``/``**kwargs`` pass it on further
    parameter = None
    for index, argument in enumerate(call.args):
        if argument is node and index < len(names):
            parameter = names[index]
        if isinstance(argument, ast.Starred):
            return None
    for keyword in call.keywords:
        if keyword.value is node and keyword.arg is not None:
            parameter = keyword.arg
    if parameter is None or parameter not in names:
        return None
    return use_of(function, parameter, scope, depth + 1)


def _callee(callee: ast.expr, scope: Scope) -> tuple[FunctionNode, int] | None:
    """The project function a call's ``callee`` names and how many leading parameters the
    call does not fill (1 for ``self.method``): a function of this module, one imported from
    a module of the project, or a method of the scope's class; None otherwise."""
    if (
        isinstance(callee, ast.Attribute)
        and isinstance(callee.value, ast.Name)
        and callee.value.id == "self"
        and scope.owner is not None
    ):
        for statement in scope.owner.body:
            if isinstance(statement, ast.FunctionDef) and statement.name == callee.attr:
                plain = not any(
                    isinstance(d, ast.Name) and d.id == "staticmethod"
                    for d in statement.decorator_list
                )
                return statement, int(plain)
        return None
    if not isinstance(callee, ast.Name):
        return None
    found = _top_function(scope.source, callee.id)
    if found is not None:
        return found, 0
    target = imported_names(scope.source, scope.module, scope.filename).get(callee.id)
    if target is None or not target[1] or scope.root is None:
        return None
    path = module_file(target[0], scope.root)
    if path is None or not lies_under(path, scope.root):
        return None
    text = file_text(path)
    found = _top_function(text, target[1]) if text is not None else None
    return (found, 0) if found is not None else None


def _base_method(callee: ast.expr, scope: Scope) -> tuple[FunctionNode, int, ast.ClassDef] | None:
    """The method of a base class of the scope's class that ``callee`` calls, how many leading
    parameters the call does not fill and that base: ``super().name`` (the first base, in
    method resolution order, of this module that defines ``name``; 1) or ``Base.name`` called
    on ``self`` (0: ``self`` is passed). Only classes of the scope's module are read."""
    if scope.owner is None or not isinstance(callee, ast.Attribute):
        return None
    holder = callee.value
    if (
        isinstance(holder, ast.Call)
        and isinstance(holder.func, ast.Name)
        and holder.func.id == "super"
    ):
        return _inherited(scope.owner, callee.attr, scope.source, 0)
    if isinstance(holder, ast.Name) and holder.id in _base_names(scope.owner):
        base = top_level_class(scope.source, holder.id)
        found = find_method(base, callee.attr) if base is not None else None
        if base is not None and isinstance(found, ast.FunctionDef):
            return found, 0, base
    return None


def _base_names(owner: ast.ClassDef) -> set[str]:
    return {b.id for b in owner.bases if isinstance(b, ast.Name)}


def _inherited(
    owner: ast.ClassDef, name: str, source: str, depth: int
) -> tuple[FunctionNode, int, ast.ClassDef] | None:
    """Method ``name`` of the first base of ``owner`` (depth first, three deep) of ``source``
    that defines it, with 1 leading parameter unfilled and that base."""
    if depth >= 3:
        return None
    for base_name in (b.id for b in owner.bases if isinstance(b, ast.Name)):
        base = top_level_class(source, base_name)
        if base is None or base is owner:
            continue
        found = find_method(base, name)
        if isinstance(found, ast.FunctionDef):
            return found, 1, base
        deeper = _inherited(base, name, source, depth + 1)
        if deeper is not None:
            return deeper
    return None


def project_function(name: str, scope: Scope) -> FunctionNode | None:
    """The top-level function ``name`` names in the scope's module: its own, or one it
    imports from a module of the project; None otherwise."""
    found = _callee(ast.Name(id=name, ctx=ast.Load()), scope)
    return found[0] if found is not None else None


@functools.lru_cache(maxsize=256)
def _functions(source: str) -> dict[str, FunctionNode]:
    """The top-level functions of ``source`` by name (the last definition of each)."""
    try:
        tree = parse(source)
    except (SyntaxError, ValueError):
        return {}
    return {s.name: s for s in tree.body if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)}


def _top_function(source: str, name: str) -> FunctionNode | None:
    return _functions(source).get(name)


def _merged(left: Use, right: Use) -> Use:
    """Both uses at once (a name used in several places must support all of them)."""
    number = left.number or right.number
    if "float" in {left.number, right.number}:
        number = "float"
    return Use(
        attributes=left.attributes | right.attributes,
        calls=left.calls + right.calls,
        keywords=left.keywords or right.keywords,
        returns=left.returns or right.returns,
        callable_checked=left.callable_checked or right.callable_checked,
        number=number,
        keys=tuple(dict.fromkeys(left.keys + right.keys)),
        mapping=left.mapping or right.mapping,
        unpacked=left.unpacked or right.unpacked,
        parts=left.parts or right.parts,
        iterated=left.iterated or right.iterated,
        items=_either(left.items, right.items),
        entered=left.entered or right.entered,
        entered_as=_either(left.entered_as, right.entered_as),
        checked=left.checked + right.checked,
        raised=left.raised or right.raised,
        argument_names=left.argument_names or right.argument_names,
    )


def _either(left: Use | None, right: Use | None) -> Use | None:
    if left is None or right is None:
        return left or right
    return _merged(left, right)


# -- values ----------------------------------------------------------------------------------------


def first_item_use(function: FunctionNode, star: str, scope: Scope | None = None) -> Use | None:
    """What ``function`` does with the first item of its ``*star`` parameter: ``star[0]``
    itself, or a name bound to it (``func = args[0]``, ``func, rest = args[0], args[1:]``);
    None when nothing tells."""
    parents = _parents(function)
    use, found = Use(), False
    for node in own_nodes(function):
        if not (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Name)
            and node.value.id == star
            and isinstance(node.slice, ast.Constant)
            and node.slice.value == 0
            and isinstance(node.ctx, ast.Load)
        ):
            continue
        parent = parents.get(node)
        target: ast.expr | None = None
        if isinstance(parent, ast.Assign) and len(parent.targets) == 1:
            target = parent.targets[0]
        elif isinstance(parent, ast.Tuple) and isinstance(parents.get(parent), ast.Assign):
            assign = parents[parent]
            assert isinstance(assign, ast.Assign)
            outer = assign.targets[0] if len(assign.targets) == 1 else None
            if isinstance(outer, ast.Tuple) and len(outer.elts) == len(parent.elts):
                target = outer.elts[parent.elts.index(node)]
        if isinstance(target, ast.Name):
            step = use_of(function, target.id, scope, 1)
        elif parent is not None:
            step = _step(node, parent, parents, function, scope, 1)
        else:
            step = None
        if step is not None:
            use, found = _merged(use, step), True
    return use if found and use != Use() else None


def value_for(
    function: FunctionNode, name: str, current: str, scope: Scope | None = None
) -> Guess | None:
    """A value for ``function``'s parameter ``name`` that supports what the code does with
    it, when ``current`` (the expression the example would pass otherwise) does not; None
    when ``current`` fits or nothing does."""
    use = use_of(function, name, scope)
    if use is None:
        return None
    if use.fits_text(current):
        return None if _is_checked(current, use.checked) else _checked_standard(use)
    return guess(use, name)


def _is_checked(text: str, checked: tuple[str, ...]) -> bool:
    """Whether the literal ``text`` is an instance of a builtin class ``checked`` names (or
    cannot be known)."""
    try:
        value = ast.literal_eval(parse(text, mode="eval"))
    except (SyntaxError, ValueError):
        return True
    return any(cls.__name__ in checked for cls in type(value).__mro__)


def _checked_standard(use: Use) -> Guess | None:
    """The standard-library object of a class ``isinstance`` checks the parameter against
    (``isinstance(other, cookielib.CookieJar)``), when it fits the rest of the use: the kind
    of value the code singles out."""
    for make, text, imports in _STANDARD:
        value = make()
        if type(value).__name__ in use.checked and use.fits(value):
            return Guess(text, imports)
    return None


def guess(use: Use, name: str = "") -> Guess | None:
    """The first value that supports ``use``: an exception (or its class) for what is raised,
    a lambda for a callable, else a string, a number, a dict (with the string keys the code
    reads), a tuple or list (of items that fit), a context manager, a text or bytes stream, or
    a standard-library object the attributes used point to; None when none does."""
    if use.raised:
        exception = ValueError if use.called else ValueError("example")
        text = "ValueError" if use.called else 'ValueError("example")'
        return Guess(text) if use.fits(exception) else None
    if use.called:
        return _lambda(use) if use.fits(_function) else None
    for candidate in _candidates(use, name):
        if candidate is not None and use.fits(candidate[0]):
            return candidate[1]
    return None


def _lambda(use: Use) -> Guess | None:
    """``lambda a, b: None`` taking as many positional arguments as the code passes (named as
    the code names them when it can), returning its first argument when the code uses the
    result; ``lambda *args, **kwargs: None`` when the calls differ or pass keywords."""
    counts = set(use.calls)
    if use.keywords or len(counts) > 1:
        returned = "args[0] if args else None" if use.returns else "None"
        return Guess(f"lambda *args, **kwargs: {returned}")
    count = counts.pop() if counts else 0
    names = list(use.argument_names) if len(use.argument_names) == count else []
    if not all(n.isidentifier() and n not in {"self", "cls"} for n in names) or len(
        set(names)
    ) != len(names):
        names = ["value"] if count == 1 else [f"arg{index + 1}" for index in range(count)]
    if not use.calls:
        return Guess("lambda *args: None")
    returned = names[0] if use.returns and names else "None"
    return Guess(f"lambda {', '.join(names)}: {returned}" if names else f"lambda: {returned}")


def _item_text(use: Use | None) -> tuple[object, str, tuple[str, ...]] | None:
    """(object, expression, imports) of a value fitting ``use``; a string when nothing is
    asked of it; None when nothing fits."""
    if use is None:
        return "example", '"example"', ()
    if use.called:
        function = guess(use)
        return (_function, function.expression, ()) if function is not None else None
    for candidate in _candidates(use, ""):
        if candidate is not None and use.fits(candidate[0]):
            return candidate[0], candidate[1].expression, candidate[1].imports
    return None


Candidate = tuple[object, Guess] | None


def _candidates(use: Use, name: str) -> Iterator[Candidate]:
    """(object, guess) pairs in the order they are tried; the object is what the guess's
    expression makes, checked against the use."""
    yield "example", Guess('"example"')
    if use.number == "float":
        yield 1.0, Guess("1.0")
    yield 1, Guess("1")
    yield _dict(use)
    yield from (_sequence(use, tuple), _sequence(use, list))
    yield _context(use)
    yield io.StringIO("example\n"), Guess('io.StringIO("example\\n")', ("import io",))
    yield io.BytesIO(b"data"), Guess('io.BytesIO(b"data")', ("import io",))
    yield from _standard(use, name)


def _dict(use: Use) -> Candidate:
    if not use.keys:
        return {"key": "value"}, Guess('{"key": "value"}')
    text = ", ".join(f'{_quoted(key)}: "example"' for key in use.keys)
    return dict.fromkeys(use.keys, "example"), Guess("{" + text + "}")


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _sequence(use: Use, kind: type[list[object]] | type[tuple[object, ...]]) -> Candidate:
    """A list (or tuple) for an iterated or unpacked use: of one item fitting the items' use,
    empty when no item can be made; the unpacked parts one by one."""
    if use.unpacked:
        parts = [_item_text(p) for p in (*use.parts, *[None] * use.unpacked)[: use.unpacked]]
        if any(p is None for p in parts):
            return None
        texts = [p[1] for p in parts if p is not None]
        imports = tuple(i for p in parts if p is not None for i in p[2])
        objects = [p[0] for p in parts if p is not None]
        if kind is tuple:
            text = f"({texts[0]},)" if len(texts) == 1 else f"({', '.join(texts)})"
            return tuple(objects), Guess(text, imports)
        return objects, Guess(f"[{', '.join(texts)}]", imports)
    if kind is tuple:
        return None
    item = _item_text(use.items)
    if item is None:
        return [], Guess("[]")  # runs, though no item the code could use can be made
    return [item[0]], Guess(f"[{item[1]}]", item[2])


def _context(use: Use) -> Candidate:
    """``contextlib.nullcontext(value)``: a context manager whose ``with ... as`` target gets
    a value fitting the target's use."""
    if not use.entered:
        return None
    inner = _item_text(use.entered_as) if use.entered_as is not None else (None, "", ())
    if inner is None:
        return None
    obj, text, imports = inner
    if use.entered_as is not None and use.entered_as.iterated and isinstance(obj, str):
        obj, text = ["example"], '["example"]'
    return contextlib.nullcontext(obj), Guess(
        f"contextlib.nullcontext({text})", ("import contextlib", *imports)
    )


def _standard(use: Use, name: str) -> Iterator[Candidate]:
    """Standard-library objects for attributes no builtin offers, when at least two of the
    attributes used are the class's own or the parameter is named after it (three letters or
    more of its name)."""
    for make, text, imports in _STANDARD:
        value = make()
        own = use.attributes - set(dir(object))
        short = name.replace("_", "").lower()
        named = len(short) >= 3 and short in type(value).__name__.lower()
        if len(own) >= 2 or named or (own and not own & _BUILTIN_ATTRIBUTES):
            yield value, Guess(text, imports)


_BUILTIN_ATTRIBUTES = frozenset(
    name for kind in (str, bytes, int, float, list, tuple, dict, set) for name in dir(kind)
)
"""Attributes of builtin values: one of these alone says too little to pick a library class."""

_STANDARD: tuple[tuple[Callable[[], object], str, tuple[str, ...]], ...] = (
    (
        lambda: http.cookies.SimpleCookie("name=value")["name"],
        'http.cookies.SimpleCookie("name=value")["name"]',
        ("import http.cookies",),
    ),
    (http.cookiejar.CookieJar, "http.cookiejar.CookieJar()", ("import http.cookiejar",)),
    (
        lambda: logging.getLogger("example"),
        'logging.getLogger("example")',
        ("import logging",),
    ),
    (
        lambda: inspect.signature(_signed),
        "inspect.signature(lambda value, *args, flag=True, **kwargs: None)",
        ("import inspect",),
    ),
    (
        lambda: datetime.datetime(2024, 1, 1, 12, 0, tzinfo=datetime.timezone.utc),
        "datetime.datetime(2024, 1, 1, 12, 0, tzinfo=datetime.timezone.utc)",
        ("import datetime",),
    ),
    (
        lambda: datetime.timedelta(seconds=5),
        "datetime.timedelta(seconds=5)",
        ("import datetime",),
    ),
)


def _signed(value: object, *args: object, flag: bool = True, **kwargs: object) -> None:
    """A function with a parameter of each kind, whose signature stands in for one."""
