"""The state a method needs its object in before it is called, read from the class's code.

Three rules, each from what the code itself checks or uses:

- **A constructor flag the method asserts on**: the method (or a method or property it reaches
  through ``self``) guards on an attribute the constructor sets from one of its optional
  parameters (``assert self.record``, ``if self._request is None: raise``); the example passes
  that parameter (``Console(record=True)``, ``Response(200, request=Request(...))``).
- **Push before pop**: the method pops or reads the top of what another method of the class
  pushes (``self._stack.pop()`` / ``self[-1]`` against ``self._stack.append(...)`` /
  ``self.append(...)``; ``self._themes.pop_theme()`` against ``self._themes.push_theme(...)``);
  the example calls the pushing method first.
- **A context manager that only closes** (``__enter__`` returns ``self``, ``__exit__`` only calls
  ``self.close()``, as requests' ``Response`` and ``Session``): the example builds the object
  without ``with``, since closing an object that never opened anything can fail.
- **Key before lookup**: the method looks one of its parameters up in the object's contents
  (``self[key]``, ``self._map.pop(key)``, ``key in self``); the example puts that key in
  first, through the class's adder (``cache["example"] = 1``), and looks the same key up;
  a ``pop`` method that takes no key (``popitem()``) gets any item put in first.
- **Set before read, of an argument**: the function refuses an argument whose attribute is
  None (``if retry_state.outcome is None: raise``); the example calls the method of the
  argument's class that sets it (``retry_state.set_result(1)``) after building it.
- **Set before read**: the method reads an attribute the constructor does not set (or sets to
  None and the method refuses None), which another method sets (httpx's ``Timer.sync_start``
  before ``sync_elapsed``); the example calls that method first, or, when ``__exit__`` sets it,
  calls the method after the ``with`` block (rich's ``Capture.get``).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from howto_ls.astutil import is_docstring, own_nodes
from howto_ls.offline.analysis import FunctionNode, compares_to_none, parameters_of

MAX_REACH = 3  # methods and properties followed through ``self``, at most
_PUSHES = frozenset({"append", "appendleft", "add", "insert", "extend", "push"})
_FILE_READS = frozenset({"read", "readline", "readlines", "read1", "readinto", "close"})
_PAIRS = (("pop", "push"), ("leave", "enter"), ("end", "begin"), ("close", "open"))


@dataclass(frozen=True)
class Preparation:
    """What to do before calling a method: call ``method`` first, or (``after_exit``) call the
    method after the object's ``with`` block ends."""

    method: FunctionNode | None = None
    after_exit: bool = False


def methods_of(owner: ast.ClassDef) -> dict[str, FunctionNode]:
    """The functions defined directly in the class body, by name (the first of each name)."""
    found: dict[str, FunctionNode] = {}
    for statement in owner.body:
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
            found.setdefault(statement.name, statement)
    return found


def reached(owner: ast.ClassDef, method: FunctionNode) -> list[FunctionNode]:
    """``method`` and the methods and properties of ``owner`` it reaches through ``self.name``,
    followed ``MAX_REACH`` deep."""
    methods = methods_of(owner)
    seen: list[FunctionNode] = [method]
    frontier = [method]
    for _ in range(MAX_REACH):
        following: list[FunctionNode] = []
        for current in frontier:
            for name in _self_attributes(current):
                target = methods.get(name)
                if target is not None and target not in seen and not name.startswith("__"):
                    seen.append(target)
                    following.append(target)
        frontier = following
    return seen


def guarded_parameters(
    owner: ast.ClassDef, methods: list[FunctionNode] | None = None
) -> dict[str, str]:
    """Optional constructor parameters the code refuses to run without: parameter name ->
    ``"flag"`` (a boolean the code asserts is true: pass True) or ``"value"`` (one the code
    refuses as None: pass a real value).

    ``methods`` are the methods whose guards count (default: the class's properties, which any
    user of an object of the class may read)."""
    init = methods_of(owner).get("__init__")
    if init is None:
        return {}
    sources = _attribute_sources(init)
    if methods is None:
        methods = [m for m in methods_of(owner).values() if _is_property(m)]
    needed: dict[str, str] = {}
    for method in methods:
        for attribute, kind in _guards(method):
            parameter = sources.get(attribute)
            if parameter is not None:
                needed.setdefault(parameter, kind)
    defaults = {p.name: p.default for p in parameters_of(init)}
    return {
        name: kind
        for name, kind in needed.items()
        if defaults.get(name) in {"None", "False"}
        and (kind == "value") == (defaults.get(name) == "None")
    }


def preparation(owner: ast.ClassDef, method: FunctionNode) -> Preparation | None:
    """What must happen before ``method`` of ``owner`` can run (see the module's rules), or
    None when it can be called on a freshly built object."""
    if method.name.startswith("__") or method.name == "__init__":
        return None
    methods = methods_of(owner)
    chain = reached(owner, method)
    pushed = _pushing_method(methods, chain, method)
    if pushed is not None:
        return Preparation(pushed)
    return _setting_method(owner, methods, chain, method)


def _pushing_method(
    methods: dict[str, FunctionNode], chain: list[FunctionNode], method: FunctionNode
) -> FunctionNode | None:
    """The public method that pushes onto what ``method`` (through ``chain``) pops or reads the
    top of and does not fill itself, preferring the pair of its name (``pop_theme`` ->
    ``push_theme``) and the one that takes the fewest required arguments."""
    popped: set[str] = set()
    for current in chain:
        popped |= _popped_receivers(current)
    for current in chain:
        popped -= _pushed_receivers(current)  # it fills what it reads itself
    if not popped:
        return None
    candidates = [
        other
        for name, other in methods.items()
        if other not in chain
        and not name.startswith("_")
        and _pushed_receivers(other) & popped
        and not _popped_receivers(other, tops=False) & popped
    ]
    if not candidates:
        return None
    partner = _partner_name(method.name)
    return min(
        candidates,
        key=lambda m: (m.name != partner, _required_count(m), m.name),
    )


def _setting_method(
    owner: ast.ClassDef,
    methods: dict[str, FunctionNode],
    chain: list[FunctionNode],
    method: FunctionNode,
) -> Preparation | None:
    """The method that sets an attribute ``method`` reads before anything else does."""
    if any(_base_name(base) not in {"object", "Generic"} for base in owner.bases):
        return None  # a base class's constructor may set what is read
    init = methods.get("__init__")
    initialized = _stored_attributes(init) if init is not None else {}
    initialized |= {name: False for name in _class_attributes(owner)}
    refused = {attribute for current in chain for attribute, kind in _guards(current)}
    read: list[str] = []
    for current in chain:
        read += [a for a in _self_attributes(current) if a not in methods]
    for attribute in dict.fromkeys(read):
        if attribute in initialized and not (
            initialized[attribute] is None and attribute in refused
        ):
            continue
        setters = [
            other
            for name, other in methods.items()
            if other not in chain
            and name != "__init__"
            and _stored_attributes(other).get(attribute) is True
        ]
        if not setters:
            continue
        if any(s.name in {"__exit__", "__aexit__"} for s in setters):
            return Preparation(after_exit=True)
        same_kind = [s for s in setters if isinstance(s, type(method))] or setters
        plain = [s for s in same_kind if not s.name.startswith("_")] or same_kind
        return Preparation(min(plain, key=lambda m: (_required_count(m), m.name)))
    return None


def assigned_first(owner: ast.ClassDef, method: FunctionNode) -> list[tuple[str, str]]:
    """Public attributes to assign before calling ``method``: ``(name, expression)`` pairs.

    An attribute qualifies when the constructor sets it to None, no other method of the class
    sets it (whoever uses the class is meant to: requests' ``Response.status_code`` and
    ``raw``, filled in by a transport adapter), and ``method`` or what it reaches through
    ``self`` (nested functions included) uses it in a way None refuses: compared with
    numbers (``400 <= self.status_code``) gets an int below the smallest bound (half of
    it) and unlike any number it is tested ``==`` against, read from or closed like a file
    (``self.raw.read(...)``) gets ``io.BytesIO`` holding a JSON object's bytes. Classes
    with a base other than ``object`` are skipped (the base's constructor may set it)."""
    if any(_base_name(base) not in {"object", "Generic"} for base in owner.bases):
        return []
    methods = methods_of(owner)
    init = methods.get("__init__")
    if init is None or method.name.startswith("__"):
        return []
    left_empty = [
        name
        for name, kind in _stored_attributes(init).items()
        if kind is None and not name.startswith("_")
    ]
    set_elsewhere = {
        name
        for other_name, other in methods.items()
        if other_name != "__init__"
        for name, kind in _stored_attributes(other).items()
        if kind is True
    }
    found: list[tuple[str, str]] = []
    for name in left_empty:
        if name in set_elsewhere:
            continue
        value = _value_by_use(reached(owner, method), name)
        if value is not None:
            found.append((name, value))
    return found


_LOOKUPS = frozenset({"get", "pop", "remove", "index", "__getitem__", "__delitem__"})
"""Methods of a container that look an item up by the key (or item) they are given."""


def looked_up_key(method: FunctionNode) -> str | None:
    """The required parameter ``method`` looks up in its own object's contents: ``self[key]``,
    ``del self._map[key]``, ``key in self``, ``self._data.pop(key)`` (the lookups of
    :data:`_LOOKUPS`); None when it looks none up. Such a method fails (``KeyError``) or finds
    nothing on an object built empty unless the key was put in first."""
    required = [
        p.name
        for p in parameters_of(method)[1:]
        if p.default is None and p.kind in {"positional_only", "positional_or_keyword"}
    ]
    puts = _PUTS - {"setdefault"}  # which keeps a key already there
    if not required or _puts(method, required) or any(method.name.endswith(a) for a in puts):
        return None  # it puts the key in itself: one already there may be refused
    for node in own_nodes(method):
        looked_up: ast.expr | None = None
        if isinstance(node, ast.Subscript) and _receiver(node.value) is not None:
            looked_up = node.slice
        elif (
            isinstance(node, ast.Compare)
            and len(node.ops) == 1
            and isinstance(node.ops[0], ast.In | ast.NotIn)
            and _receiver(node.comparators[0]) is not None
        ):
            looked_up = node.left
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _LOOKUPS
            and _receiver(node.func.value) is not None
            and node.args
        ):
            looked_up = node.args[0]
        if isinstance(looked_up, ast.Name) and looked_up.id in required:
            return looked_up.id
    return None


_PUTS = frozenset({"append", "add", "insert", "put", "set", "setdefault", "update", "__setitem__"})
"""Methods that put an item in a container."""


def _puts(method: FunctionNode, names: list[str]) -> bool:
    """Whether ``method`` puts one of its parameters ``names`` in its object's contents as a
    key: ``self[k] = v``, ``self._map[k] = v``, ``self._value.append(k, v)`` (the methods of
    :data:`_PUTS`)."""
    for node in own_nodes(method):
        key: ast.expr | None = None
        if (
            isinstance(node, ast.Subscript)
            and isinstance(node.ctx, ast.Store)
            and _receiver(node.value) is not None
        ):
            key = node.slice
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _PUTS
            and _receiver(node.func.value) is not None
            and node.args
        ):
            key = node.args[0]
        if isinstance(key, ast.Name) and key.id in names:
            return True
    return False


def refused_none(function: FunctionNode, name: str) -> list[str]:
    """The attributes of the parameter ``name`` that ``function`` refuses to run with None:
    ``if name.outcome is None: raise ...`` and ``assert name.outcome is not None``."""
    found: list[str] = []
    for node in own_nodes(function):
        test: ast.expr | None = None
        if (isinstance(node, ast.Assert) and compares_to_none(node.test, ast.IsNot)) or (
            isinstance(node, ast.If)
            and node.body
            and isinstance(node.body[0], ast.Raise)
            and compares_to_none(node.test, ast.Is)
        ):
            test = node.test
        left = test.left if isinstance(test, ast.Compare) else None
        if (
            isinstance(left, ast.Attribute)
            and isinstance(left.value, ast.Name)
            and left.value.id == name
            and left.attr not in found
        ):
            found.append(left.attr)
    return found


def setter_of(owner: ast.ClassDef, attribute: str) -> FunctionNode | None:
    """The public method of ``owner`` (not its constructor) that sets ``self.<attribute>`` to
    something other than None, taking the fewest required arguments (at most one); None when
    no method does."""
    setters = [
        method
        for name, method in methods_of(owner).items()
        if not name.startswith("_")
        and not _is_property(method)
        and _stored_attributes(method).get(attribute) is True
        and _required_count(method) <= 1
    ]
    return min(setters, key=lambda m: (_required_count(m), m.name)) if setters else None


def takes_any_item(method: FunctionNode) -> bool:
    """Whether ``method`` takes an item out of its object without being told which
    (``popitem()``, ``pop()``, ``popleft()``: a ``pop`` method with no required parameter),
    which an object built empty has none of."""
    return method.name.startswith("pop") and _required_count(method) == 0


def _value_by_use(chain: list[FunctionNode], name: str) -> str | None:
    """An expression for ``self.<name>`` from how ``chain`` uses it (see
    :func:`assigned_first`), or None when it is not used in a way None refuses."""
    bounds: list[int] = []  # compared with <, <=, >, >=
    special: set[int] = set()  # compared with ==, != (a value the code treats apart)
    file_like = False
    for function in chain:
        for node in ast.walk(function):
            if isinstance(node, ast.Compare):
                sides = [node.left, *node.comparators]
                if any(_is_self_attribute(side, name) for side in sides):
                    numbers = [
                        side.value
                        for side in sides
                        if isinstance(side, ast.Constant)
                        and isinstance(side.value, int)
                        and not isinstance(side.value, bool)
                    ]
                    if any(isinstance(op, ast.Eq | ast.NotEq) for op in node.ops):
                        special.update(numbers)
                    else:
                        bounds += numbers
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and _is_self_attribute(node.func.value, name)
                and node.func.attr in _FILE_READS
            ):
                file_like = True
    if bounds or special:
        value = min(bounds) // 2 if bounds else max(special) + 1
        while value in special:
            value += 1
        return str(value)
    if file_like:
        return """io.BytesIO(b'{"key": "value"}')"""
    return None


def _is_self_attribute(node: ast.expr, name: str) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == name
        and isinstance(node.value, ast.Name)
        and node.value.id == "self"
    )


def closes_only(owner: ast.ClassDef) -> bool:
    """Whether the class's ``with`` support does nothing but close it: ``__enter__`` only
    returns ``self`` and ``__exit__`` only calls a method of ``self``."""
    methods = methods_of(owner)
    enter, leave = methods.get("__enter__"), methods.get("__exit__")
    if enter is None or leave is None:
        return False
    enter_body = [s for s in enter.body if not is_docstring(s)]
    exit_body = [s for s in leave.body if not is_docstring(s)]
    returns_self = (
        len(enter_body) == 1
        and isinstance(enter_body[0], ast.Return)
        and enter_body[0].value is not None
        and _receiver(enter_body[0].value) == "self"
    )
    closes = (
        len(exit_body) == 1
        and isinstance(exit_body[0], ast.Expr)
        and isinstance(exit_body[0].value, ast.Call)
        and isinstance(exit_body[0].value.func, ast.Attribute)
        and _receiver(exit_body[0].value.func.value) == "self"
        and exit_body[0].value.func.attr in {"close", "aclose", "shutdown", "release"}
    )
    return returns_self and closes


def _partner_name(name: str) -> str:
    for taking, giving in _PAIRS:
        if name.startswith(taking):
            return giving + name[len(taking) :]
    return ""


def _required_count(method: FunctionNode) -> int:
    return sum(
        1
        for p in parameters_of(method)[1:]
        if p.default is None and p.kind not in {"var_positional", "var_keyword"}
    )


def _base_name(base: ast.expr) -> str:
    target = base.value if isinstance(base, ast.Subscript) else base
    if isinstance(target, ast.Attribute):
        return target.attr
    return target.id if isinstance(target, ast.Name) else ""


def _is_property(method: FunctionNode) -> bool:
    return any(
        (isinstance(d, ast.Name) and d.id in {"property", "cached_property"})
        or (isinstance(d, ast.Attribute) and d.attr in {"property", "cached_property"})
        for d in method.decorator_list
    )


def _receiver(node: ast.expr) -> str | None:
    """``"self"`` for ``self``, ``"self.x"`` for ``self.x``; None for anything else."""
    if isinstance(node, ast.Name) and node.id == "self":
        return "self"
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return f"self.{node.attr}" if node.value.id == "self" else None
    return None


def _popped_receivers(method: FunctionNode, tops: bool = True) -> set[str]:
    """What ``method`` pops (``R.pop...()``) or, with ``tops``, reads the top of (``R[-1]``,
    ``R[0]``)."""
    found: set[str] = set()
    for node in own_nodes(method):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            receiver = _receiver(node.func.value)
            if receiver is not None and node.func.attr.startswith("pop"):
                found.add(receiver)
        elif tops and isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
            receiver = _receiver(node.value)
            index = node.slice
            if (
                receiver is not None
                and isinstance(index, ast.UnaryOp | ast.Constant)
                and ast.unparse(index) in {"-1", "0"}
            ):
                found.add(receiver)
    return found


def _pushed_receivers(method: FunctionNode) -> set[str]:
    """What ``method`` pushes onto (``R.append(...)``, ``R.push...(...)``)."""
    found: set[str] = set()
    for node in own_nodes(method):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            receiver = _receiver(node.func.value)
            name = node.func.attr
            if receiver is not None and (name in _PUSHES or name.startswith("push")):
                found.add(receiver)
    return found


def _self_attributes(method: FunctionNode) -> Iterator[str]:
    """The names ``method`` reads as ``self.name``, in order."""
    nodes = sorted(
        (
            n
            for n in own_nodes(method)
            if isinstance(n, ast.Attribute)
            and isinstance(n.ctx, ast.Load)
            and isinstance(n.value, ast.Name)
            and n.value.id == "self"
        ),
        key=lambda n: (n.lineno, n.col_offset),
    )
    return (n.attr for n in nodes)


def _stored_attributes(method: FunctionNode) -> dict[str, bool | None]:
    """``self.name`` the method assigns (``self.a, self.b = x, y`` too): name -> None when it
    only assigns None, else True."""
    found: dict[str, bool | None] = {}
    for node in own_nodes(method):
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
            if len(targets) == 1 and isinstance(targets[0], ast.Tuple):
                targets = list(targets[0].elts)  # each set to an item of the value
                value = None
        elif isinstance(node, ast.AnnAssign | ast.AugAssign):
            targets, value = [node.target], node.value
        for target in targets:
            if (
                isinstance(target, ast.Attribute)
                and isinstance(target.value, ast.Name)
                and target.value.id == "self"
            ):
                is_none = isinstance(value, ast.Constant) and value.value is None
                if not is_none or target.attr not in found:
                    found[target.attr] = None if is_none else True
    return found


def _class_attributes(owner: ast.ClassDef) -> set[str]:
    names: set[str] = set()
    for statement in owner.body:
        if isinstance(statement, ast.Assign):
            names |= {t.id for t in statement.targets if isinstance(t, ast.Name)}
        elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            names.add(statement.target.id)
    return names


def _attribute_sources(init: FunctionNode) -> dict[str, str]:
    """``self.attribute = parameter`` in the constructor: attribute -> parameter."""
    parameters = {p.name for p in parameters_of(init)}
    found: dict[str, str] = {}
    for node in own_nodes(init):
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign):
            targets, value = [node.target], node.value
        if not (isinstance(value, ast.Name) and value.id in parameters):
            continue
        for target in targets:
            if (
                isinstance(target, ast.Attribute)
                and isinstance(target.value, ast.Name)
                and target.value.id == "self"
            ):
                found.setdefault(target.attr, value.id)
    return found


def _guards(method: FunctionNode) -> Iterator[tuple[str, str]]:
    """The attributes the method refuses to run without: ``assert self.a`` / ``if not self.a:
    raise`` give ``(a, "flag")``; ``if self.a is None: raise`` and ``assert self.a is not None``
    (also through a local name assigned from ``self.a``) give ``(a, "value")``."""
    aliases: dict[str, str] = {}
    for node in own_nodes(method):
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and _receiver(node.value) not in {None, "self"}
        ):
            aliases[node.targets[0].id] = str(_receiver(node.value))[len("self.") :]
    for node in own_nodes(method):
        if isinstance(node, ast.Assert):
            attribute = _attribute_of(node.test, aliases)
            if attribute is not None:
                yield attribute, "flag"
            elif isinstance(node.test, ast.Compare) and compares_to_none(node.test, ast.IsNot):
                attribute = _attribute_of(node.test.left, aliases)
                if attribute is not None:
                    yield attribute, "value"
        elif isinstance(node, ast.If) and node.body and isinstance(node.body[0], ast.Raise):
            test = node.test
            if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
                attribute = _attribute_of(test.operand, aliases)
                if attribute is not None:
                    yield attribute, "flag"
            elif isinstance(test, ast.Compare) and compares_to_none(test, ast.Is):
                attribute = _attribute_of(test.left, aliases)
                if attribute is not None:
                    yield attribute, "value"


def _attribute_of(node: ast.expr, aliases: dict[str, str]) -> str | None:
    receiver = _receiver(node)
    if receiver is not None and receiver != "self":
        return receiver[len("self.") :]
    if isinstance(node, ast.Name):
        return aliases.get(node.id)
    return None
