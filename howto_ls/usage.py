"""How a symbol is used: one protocol per symbol, read from its code.

The offline writer builds its Usage Example from it, the prompt tells the model what it says,
and the validator checks a model's example against it, so the three never disagree. The rules
follow the Python data model: a ``@contextmanager`` function and a class with ``__enter__`` are
used in ``with``, an object with ``__iter__`` is iterated, a property is read (and assigned when it
has a setter), a module variable is read, a class method is called on the class, an abstract class
is subclassed, a click/typer command runs through its test runner, and a nested function runs
through the function that defines it. A name defined or imported only under ``if TYPE_CHECKING:``
does not exist at run time: it is imported for type checkers only and used in annotations.
"""

from __future__ import annotations

import ast
import enum
from collections.abc import Sequence
from dataclasses import dataclass

from howto_ls import astutil
from howto_ls.model import Symbol, SymbolKind
from howto_ls.project import type_checking_only


class Protocol(str, enum.Enum):
    """The way a reader uses a symbol in code."""

    CALL = "call"  # call it and use the result
    CALL_NO_RESULT = "call, nothing returned"
    RAISES = "call and catch what it raises"
    AWAIT = "await"
    AWAIT_NO_RESULT = "await, nothing returned"
    ITERATE = "iterate"
    ASYNC_ITERATE = "async iterate"
    WITH = "with"
    ASYNC_WITH = "async with"
    INSTANCE_WITH = "instance in with"
    INSTANCE_ASYNC_WITH = "instance in async with"
    INSTANCE_ITERATE = "iterate the instance"
    INSTANCE_ASYNC_ITERATE = "async iterate the instance"
    INSTANCE_CALL = "call the instance"
    INSTANCE_AWAIT = "await a call of the instance"
    INSTANCE_ENTER = "instance entered by with, bound first"
    DECORATE = "decorate a function"
    CALL_RETURNED = "call what it returns"
    INSTANCE = "build an instance"
    SUBCLASS = "subclass"
    EXCEPTION = "raise and catch"
    ENUM = "enum members"
    OPERATOR = "operator or syntax"
    PROPERTY = "read the property"
    PROPERTY_SETTER = "read and assign the property"
    VARIABLE = "read the variable"
    CLASS_CALL = "call on the class"
    COMMAND = "run the command"
    NESTED = "through the enclosing function"
    MODULE = "import the module"
    TYPE_CHECKING_ONLY = "for type checkers only"


CONTEXT_MANAGER_DECORATORS = frozenset({"contextmanager"})
ASYNC_CONTEXT_MANAGER_DECORATORS = frozenset({"asynccontextmanager"})
COMMAND_DECORATORS = frozenset({"command", "group", "callback"})
ABSTRACT_DECORATORS = frozenset({"abstractmethod", "abstractproperty", "abstractclassmethod"})
ENUM_BASES = frozenset({"Enum", "IntEnum", "StrEnum", "Flag", "IntFlag"})

# dunder method -> the syntax that calls it (``{obj}`` is the instance)
OPERATOR_SYNTAX: dict[str, str] = {
    "__len__": "len({obj})",
    "__repr__": "repr({obj})",
    "__str__": "str({obj})",
    "__bool__": "bool({obj})",
    "__hash__": "hash({obj})",
    "__contains__": "value in {obj}",
    "__getitem__": "{obj}[key]",
    "__setitem__": "{obj}[key] = value",
    "__delitem__": "del {obj}[key]",
    "__eq__": "{obj} == other",
    "__ne__": "{obj} != other",
    "__lt__": "{obj} < other",
    "__le__": "{obj} <= other",
    "__gt__": "{obj} > other",
    "__ge__": "{obj} >= other",
    "__add__": "{obj} + other",
    "__sub__": "{obj} - other",
    "__mul__": "{obj} * other",
    "__truediv__": "{obj} / other",
    "__or__": "{obj} | other",
    "__and__": "{obj} & other",
    "__call__": "{obj}(...)",
    "__iter__": "for item in {obj}",
    "__aiter__": "async for item in {obj}",
    "__next__": "next({obj})",
    "__anext__": "async for item in {obj}",
    "__enter__": "with {obj}",
    "__exit__": "with {obj}",
    "__aenter__": "async with {obj}",
    "__aexit__": "async with {obj}",
    "__format__": "format({obj}, spec)",
    "__rich__": "print({obj})",
    "__rich_console__": "console.print({obj})",
}

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass(frozen=True)
class Usage:
    """A symbol's protocol and the instruction the prompt gives for it."""

    protocol: Protocol
    instruction: str


def short_decorator_names(node: FunctionNode | ast.ClassDef) -> list[str]:
    """The last part of each decorator's dotted name (``contextlib.contextmanager`` ->
    ``contextmanager``; ``cli.command()`` -> ``command``)."""
    names = []
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Attribute):
            names.append(target.attr)
        elif isinstance(target, ast.Name):
            names.append(target.id)
    return names


def base_names(node: ast.ClassDef) -> set[str]:
    """The last part of each base's name (``abc.ABC`` -> ``ABC``; ``Generic[T]`` -> ``Generic``)."""
    names = set()
    for base in node.bases:
        target = base.value if isinstance(base, ast.Subscript) else base
        if isinstance(target, ast.Attribute):
            names.add(target.attr)
        elif isinstance(target, ast.Name):
            names.add(target.id)
    return names


def is_command(node: FunctionNode | ast.ClassDef) -> bool:
    """A click/typer-style command: decorated with ``click.command``/``@group.command()``...,
    whose function becomes an object run by the library's runner, not called directly."""
    if isinstance(node, ast.ClassDef):
        return False
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Attribute) and target.attr in COMMAND_DECORATORS:
            return True
    return False


def raises_not_implemented(node: FunctionNode) -> bool:
    """Whether the method's body is only (docstring and) ``raise NotImplementedError``."""
    body = [s for s in node.body if not astutil.is_docstring(s)]
    if len(body) != 1 or not isinstance(body[0], ast.Raise) or body[0].exc is None:
        return False
    exc = body[0].exc
    target = exc.func if isinstance(exc, ast.Call) else exc
    return isinstance(target, ast.Name) and target.id == "NotImplementedError"


def is_abstract_method(node: FunctionNode) -> bool:
    """``@abstractmethod`` (and friends), or a body that only raises ``NotImplementedError``."""
    return bool(set(short_decorator_names(node)) & ABSTRACT_DECORATORS) or raises_not_implemented(
        node
    )


def abstract_methods(node: ast.ClassDef) -> list[FunctionNode]:
    """The class's own abstract methods, in order."""
    return [
        s
        for s in node.body
        if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef) and is_abstract_method(s)
    ]


def is_abstract(node: ast.ClassDef) -> bool:
    """Whether the class must be subclassed before use: abstract methods, a ``Protocol``, or a
    class body that declares itself ``abstract = True`` (Jinja's nodes, Django's models), or a
    ``...Mixin`` class."""
    declared = any(
        isinstance(s, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "abstract" for t in s.targets)
        and isinstance(s.value, ast.Constant)
        and s.value.value is True
        for s in node.body
    )
    mixin = node.name.endswith("Mixin")  # used through the classes that mix it in
    return declared or mixin or bool(abstract_methods(node)) or "Protocol" in base_names(node)


def has_setter(owner: ast.ClassDef | None, name: str) -> bool:
    """Whether ``owner`` declares ``@<name>.setter`` that may set it: a setter whose body
    only raises (``raise AttributeError("attribute 'major' is readonly")``) declares the
    property read-only and does not count."""
    if owner is None:
        return False
    for statement in owner.body:
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
            for decorator in statement.decorator_list:
                if (
                    isinstance(decorator, ast.Attribute)
                    and decorator.attr == "setter"
                    and isinstance(decorator.value, ast.Name)
                    and decorator.value.id == name
                    and not only_raises(statement)
                ):
                    return True
    return False


def only_raises(node: FunctionNode) -> bool:
    """Whether the body of ``node`` (its docstring aside) is one ``raise`` statement."""
    body = [s for s in node.body if not astutil.is_docstring(s)]
    return len(body) == 1 and isinstance(body[0], ast.Raise)


def returns_value(node: FunctionNode) -> bool:
    """Whether a call of the function ``node`` gives a value worth keeping: its return
    annotation when it has one (anything but ``None``, ``NoReturn`` or ``Never``), else a
    ``return`` with a value other than ``None`` in its own body (not in nested functions)."""
    if node.returns is not None:
        text = ast.unparse(node.returns).strip("'\"")
        return text not in {"None", "NoReturn", "Never", "typing.NoReturn"}
    return any(
        isinstance(n, ast.Return)
        and n.value is not None
        and not (isinstance(n.value, ast.Constant) and n.value.value is None)
        for n in astutil.own_nodes(node)
    )


MAX_RAISE_DEPTH = 3  # methods followed through ``self.other(...)`` calls, at most


def raised_exception(
    node: FunctionNode, owner: ast.ClassDef | None = None, depth: int = 0
) -> str | None:
    """The exception a function raises when its body runs to its end, or None when its end can
    be reached without raising ("" when it raises something that cannot be named).

    The body ends by raising when its last statement (past the docstring) is a ``raise``, a
    ``sys.exit(...)`` call (``SystemExit``), an ``if`` whose branches all end by raising, a
    ``with`` whose body does, or a call of another method of ``owner`` (``self.fail(...)``) that
    does, followed at most ``MAX_RAISE_DEPTH`` deep. The name is the raised class as the code
    writes it (``BadParameter``, ``exceptions.Abort``); a parameter raised by name
    (``raise exc(...)``) gives its default. Early ``return`` statements do not matter: a reader
    calls such a function (click's ``Context.fail``, rich's ``Style.pick_first()``) to get the
    exception, and catches it.
    """
    if depth > MAX_RAISE_DEPTH or astutil.is_generator(node) or is_abstract_method(node):
        return None  # ``raise NotImplementedError`` asks subclasses for a body
    body = [s for s in node.body if not astutil.is_docstring(s)]
    return _ends_raising(body, node, owner, depth)


def _ends_raising(
    body: Sequence[ast.stmt], node: FunctionNode, owner: ast.ClassDef | None, depth: int
) -> str | None:
    if not body:
        return None
    last = body[-1]
    if isinstance(last, ast.Raise):
        if last.exc is None:
            return ""  # a bare ``raise`` re-raises what was caught
        return _exception_name(last.exc, node)
    if isinstance(last, ast.If):
        first = _ends_raising(last.body, node, owner, depth)
        second = _ends_raising(last.orelse, node, owner, depth)
        if first is None or second is None:
            return None
        return first if first == second else ""
    if isinstance(last, ast.With | ast.AsyncWith):
        return _ends_raising(last.body, node, owner, depth)
    if isinstance(last, ast.Expr) and isinstance(last.value, ast.Call):
        func = last.value.func
        if ast.unparse(func) == "sys.exit":
            return "SystemExit"
        if (
            owner is not None
            and isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id in {"self", "cls"}
        ):
            method = next(
                (
                    s
                    for s in owner.body
                    if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef) and s.name == func.attr
                ),
                None,
            )
            if method is not None and method is not node:
                return raised_exception(method, owner, depth + 1)
    return None


def _exception_name(exc: ast.expr, node: FunctionNode) -> str:
    """The class ``raise <exc>`` raises, as the code names it; "" when it cannot be named."""
    target = exc.func if isinstance(exc, ast.Call) else exc
    if isinstance(target, ast.Name):
        arguments = node.args
        positional = [*arguments.posonlyargs, *arguments.args]
        defaults: dict[str, ast.expr | None] = {
            a.arg: d for a, d in zip(positional[::-1], arguments.defaults[::-1], strict=False)
        }
        defaults |= {
            a.arg: d for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True)
        }
        if target.id in defaults or target.id in {a.arg for a in positional}:
            default = defaults.get(target.id)
            return _exception_name(default, node) if default is not None else ""
        return target.id if target.id[:1].isupper() else ""
    if isinstance(target, ast.Attribute) and target.attr[:1].isupper():
        return ast.unparse(target)
    return ""


_ENDLESS_ITERATORS = frozenset({"count", "cycle", "repeat"})


def is_endless(node: FunctionNode) -> bool:
    """Whether the iterator a function gives never ends on its own, so an example must take a
    bounded slice of it (``itertools.islice``).

    True for a generator with a ``while True:`` loop that yields and is left only when a call
    raises ``StopIteration`` (more-itertools' ``iterate``), one that ends with ``yield from``
    an endless ``itertools`` iterator (``repeat(x)``, ``count()``, ``cycle(...)``;
    ``repeat_last``), and a function that returns one (also through ``map``/``starmap``).
    """
    own = astutil.own_nodes(node)
    for child in own:
        if (
            isinstance(child, ast.While)
            and isinstance(child.test, ast.Constant)
            and child.test.value
            and any(isinstance(n, ast.Yield | ast.YieldFrom) for n in astutil.own_nodes(child))
            and not _loop_exits(child.body, in_stop_handler=False)
        ):
            return True
    body = [s for s in node.body if not astutil.is_docstring(s)]
    last = body[-1] if body else None
    if isinstance(last, ast.Expr) and isinstance(last.value, ast.YieldFrom):
        return _endless_call(last.value.value)
    if not astutil.is_generator(node):
        returned = [n.value for n in own if isinstance(n, ast.Return) and n.value is not None]
        return bool(returned) and all(_endless_call(value) for value in returned)
    return False


def _endless_call(value: ast.expr) -> bool:
    """``count()``, ``cycle(x)``, ``repeat(x)`` (no ``times``), ``map(f, <endless>)``."""
    if not isinstance(value, ast.Call):
        return False
    name = ast.unparse(value.func).rsplit(".", 1)[-1]
    if name == "repeat":
        return len(value.args) == 1 and not value.keywords
    if name in _ENDLESS_ITERATORS:
        return True
    if name in {"map", "starmap"} and len(value.args) == 2:
        return _endless_call(value.args[1])
    return False


def _loop_exits(body: Sequence[ast.stmt], in_stop_handler: bool) -> bool:
    """Whether ``body`` (of a loop) has a ``break`` or ``return`` outside ``except
    StopIteration`` handlers, not counting those of nested loops and definitions."""
    for statement in body:
        if isinstance(statement, ast.Break | ast.Return):
            if not in_stop_handler:
                return True
        elif isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        elif isinstance(statement, ast.For | ast.AsyncFor | ast.While):
            nested = [n for n in astutil.own_nodes(statement) if isinstance(n, ast.Return)]
            if nested and not in_stop_handler:
                return True
        elif isinstance(statement, ast.Try):
            blocks = [statement.body, statement.orelse, statement.finalbody]
            if any(_loop_exits(block, in_stop_handler) for block in blocks):
                return True
            for handler in statement.handlers:
                stops = handler.type is not None and "StopIteration" in ast.unparse(handler.type)
                if _loop_exits(handler.body, in_stop_handler or stops):
                    return True
        elif isinstance(statement, ast.If | ast.With | ast.AsyncWith):
            blocks = [statement.body, getattr(statement, "orelse", [])]
            if any(_loop_exits(block, in_stop_handler) for block in blocks):
                return True
    return False


def usage_of(node: ast.AST | None, parents: Sequence[ast.AST] = ()) -> Usage:
    """The protocol for the definition ``node`` (a function, class, assignment or module),
    with ``parents`` the definitions around it, outermost first."""
    protocol = _protocol(node, tuple(parents))
    if protocol is Protocol.OPERATOR and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        syntax = OPERATOR_SYNTAX[node.name].format(obj="obj")
        return Usage(
            protocol,
            f"create an instance (`obj = Class(...)`) and use `{syntax}`, the syntax that "
            f"calls `{node.name}`, printing what it gives; never call the dunder method by name.",
        )
    if protocol is Protocol.DECORATE and getattr(node, "name", "") == "__call__":
        return Usage(
            protocol,
            "its instances are decorators: create one (`marker = Class(...)`), apply it "
            "(`@marker` or `@marker(...)` with arguments this signature has) to a small "
            "function you define, then call or use that function and print the result.",
        )
    return Usage(protocol, INSTRUCTIONS[protocol])


def _protocol(node: ast.AST | None, parents: tuple[ast.AST, ...]) -> Protocol:
    if isinstance(node, ast.Module):
        return Protocol.MODULE
    if isinstance(node, ast.Assign | ast.AnnAssign) or node is None:
        return Protocol.VARIABLE
    if isinstance(node, ast.ClassDef):
        return class_protocol(node)
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return Protocol.VARIABLE
    owner = parents[-1] if parents and isinstance(parents[-1], ast.ClassDef) else None
    if parents and owner is None:
        return Protocol.NESTED
    decorators = set(short_decorator_names(node))
    if decorators & CONTEXT_MANAGER_DECORATORS:
        return Protocol.WITH
    if decorators & ASYNC_CONTEXT_MANAGER_DECORATORS:
        return Protocol.ASYNC_WITH
    if is_command(node):
        return Protocol.COMMAND
    if decorators & {"property", "cached_property", "setter", "getter", "deleter"}:
        if owner is not None and has_setter(owner, node.name):
            return Protocol.PROPERTY_SETTER
        return Protocol.PROPERTY
    if owner is not None and node.name.startswith("__") and node.name.endswith("__"):
        if node.name in {"__enter__", "__exit__"}:
            return _with_protocol(owner)
        if node.name in {"__aenter__", "__aexit__"}:
            return Protocol.INSTANCE_ASYNC_WITH
        if node.name == "__iter__":
            return Protocol.INSTANCE_ITERATE
        if node.name in {"__aiter__", "__anext__"}:
            return Protocol.INSTANCE_ASYNC_ITERATE
        if node.name == "__init__":
            return Protocol.INSTANCE
        if node.name == "__call__":
            if callable_kind(node) == "decorator":
                return Protocol.DECORATE
            return (
                Protocol.INSTANCE_AWAIT
                if isinstance(node, ast.AsyncFunctionDef)
                else Protocol.INSTANCE_CALL
            )
        if node.name in OPERATOR_SYNTAX:
            return Protocol.OPERATOR
    is_async = isinstance(node, ast.AsyncFunctionDef)
    if astutil.is_generator(node):
        return Protocol.ASYNC_ITERATE if is_async else Protocol.ITERATE
    if not is_async and raised_exception(node, owner) is not None:
        return Protocol.RAISES
    returned = callable_kind(node)
    if returned == "decorator":
        return Protocol.DECORATE
    if returned == "factory" and not is_async:
        return Protocol.CALL_RETURNED
    if owner is not None and decorators & {"classmethod", "staticmethod"}:
        return Protocol.CLASS_CALL
    if is_async:
        return Protocol.AWAIT if returns_value(node) else Protocol.AWAIT_NO_RESULT
    return Protocol.CALL if returns_value(node) else Protocol.CALL_NO_RESULT


def class_protocol(node: ast.ClassDef) -> Protocol:
    """How a class is used: raised, enumerated, subclassed, entered, iterated or built."""
    bases = base_names(node)
    if bases & ENUM_BASES:
        return Protocol.ENUM
    if is_exception(node.name, bases):
        return Protocol.EXCEPTION
    if is_abstract(node):
        return Protocol.SUBCLASS
    methods = {s.name for s in node.body if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)}
    if "__aenter__" in methods:
        return Protocol.INSTANCE_ASYNC_WITH
    if "__enter__" in methods:
        return _with_protocol(node)
    if "__aiter__" in methods:
        return Protocol.INSTANCE_ASYNC_ITERATE
    if "__iter__" in methods:
        return Protocol.INSTANCE_ITERATE
    return Protocol.INSTANCE


def _with_protocol(owner: ast.ClassDef | None) -> Protocol:
    """``with Class(...) as obj:`` when the class's own ``__enter__`` returns a value (PEP 343:
    ``as`` binds what ``__enter__`` returns); else the instance is bound first and entered
    with ``with obj:``, since ``as`` would bind None."""
    enter = next(
        (
            s
            for s in (owner.body if owner is not None else [])
            if isinstance(s, ast.FunctionDef) and s.name == "__enter__"
        ),
        None,
    )
    if enter is None or returns_value(enter):
        return Protocol.INSTANCE_WITH
    return Protocol.INSTANCE_ENTER


FUNCTION_PARAMETERS = frozenset(
    {"func", "function", "fn", "f", "wrapped", "method", "meth", "decorated", "callback"}
)
"""Parameter names that by convention take the function a decorator wraps."""

_CALLABLE_RETURNS = frozenset({"Callable", "F", "_F", "FuncT", "_FuncT", "Decorator"})
"""Return annotations (their head, before any ``[``) that say a call returns a callable."""


def callable_kind(node: FunctionNode) -> str | None:
    """What a call of the function ``node`` returns when that is itself to be called:
    ``"decorator"`` when it wraps a function (its first parameter, past ``self``/``cls``,
    takes a function by name or ``Callable`` annotation, or the function it returns does,
    as in a decorator factory such as ``retry(stop=...)``), ``"factory"`` when it returns
    another callable (a nested function or lambda it defines, or a ``Callable`` return
    annotation); None otherwise."""
    inner = _returned_functions(node)
    returns = ast.unparse(node.returns).strip("'\"") if node.returns is not None else ""
    annotated = returns.split("[", 1)[0].rsplit(".", 1)[-1] in _CALLABLE_RETURNS
    if not inner and not annotated:
        return None
    if _takes_function(node) or any(_takes_function(f) for f in inner):
        return "decorator"
    if any(
        isinstance(d, ast.Call) and ast.unparse(d.func).endswith("wraps")
        for f in inner
        if not isinstance(f, ast.Lambda)
        for d in f.decorator_list
    ):
        return "decorator"
    return "factory"


def _returned_functions(node: FunctionNode) -> list[FunctionNode | ast.Lambda]:
    """The nested functions (and lambdas) ``node`` returns by name or inline."""
    own = astutil.own_nodes(node)
    nested = {n.name: n for n in own if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
    found: list[FunctionNode | ast.Lambda] = []
    for child in own:
        if isinstance(child, ast.Return) and child.value is not None:
            value = child.value
            if isinstance(value, ast.Name) and value.id in nested:
                found.append(nested[value.id])
            elif isinstance(value, ast.Lambda):
                found.append(value)
    return found


def _takes_function(node: FunctionNode | ast.Lambda) -> bool:
    """Whether the first parameter (past ``self``/``cls``) takes a function: by its name
    (:data:`FUNCTION_PARAMETERS`) or a ``Callable``/``type`` annotation."""
    arguments = [*node.args.posonlyargs, *node.args.args]
    if arguments and arguments[0].arg in {"self", "cls"}:
        arguments = arguments[1:]
    if not arguments:
        return False
    first = arguments[0]
    annotation = ast.unparse(first.annotation) if first.annotation is not None else ""
    return first.arg in FUNCTION_PARAMETERS or "Callable" in annotation


def usage_in_module(module_source: str, qualname: str) -> Usage:
    """The protocol of ``qualname`` in ``module_source`` ("" is the module itself)."""
    try:
        tree = astutil.parse_shared(module_source)
    except (SyntaxError, ValueError):
        return usage_of(None)
    if not qualname:
        return usage_of(tree)
    if type_checking_only(tree, qualname.split(".", maxsplit=1)[0]):
        return Usage(Protocol.TYPE_CHECKING_ONLY, INSTRUCTIONS[Protocol.TYPE_CHECKING_ONLY])
    node: ast.AST | None = astutil.find_definition(tree, qualname)
    parents: list[ast.AST] = []
    if node is not None:
        parts = qualname.split(".")
        for end in range(1, len(parts)):
            parent = astutil.find_definition(tree, ".".join(parts[:end]))
            if parent is not None:
                parents.append(parent)
    return usage_of(node, parents)


def usage_for_symbol(symbol: Symbol, module_source: str = "") -> Usage:
    """The protocol of ``symbol``: from its definition in ``module_source`` when it is there,
    else from what the symbol records (kind, async, generator, decorators)."""
    if module_source:
        try:
            tree = astutil.parse_shared(module_source)
        except (SyntaxError, ValueError):
            tree = None
        if tree is not None and (
            not symbol.qualname or astutil.find_definition(tree, symbol.qualname) is not None
        ):
            return usage_in_module(module_source, symbol.qualname)
    decorators = {d.removeprefix("@").split("(")[0].rsplit(".", 1)[-1] for d in symbol.decorators}
    kind = symbol.kind
    if kind is SymbolKind.MODULE:
        protocol = Protocol.MODULE
    elif kind is SymbolKind.VARIABLE:
        protocol = Protocol.VARIABLE
    elif kind is SymbolKind.CLASS:
        protocol = Protocol.INSTANCE
    elif kind is SymbolKind.PROPERTY:
        protocol = Protocol.PROPERTY
    elif decorators & CONTEXT_MANAGER_DECORATORS:
        protocol = Protocol.WITH
    elif decorators & ASYNC_CONTEXT_MANAGER_DECORATORS:
        protocol = Protocol.ASYNC_WITH
    elif symbol.is_generator:
        protocol = Protocol.ASYNC_ITERATE if symbol.is_async else Protocol.ITERATE
    elif kind in {SymbolKind.CLASSMETHOD, SymbolKind.STATICMETHOD}:
        protocol = Protocol.CLASS_CALL
    elif symbol.is_async:
        protocol = Protocol.AWAIT_NO_RESULT if symbol.returns == "None" else Protocol.AWAIT
    else:
        protocol = Protocol.CALL_NO_RESULT if symbol.returns == "None" else Protocol.CALL
    return Usage(protocol, INSTRUCTIONS[protocol])


INSTRUCTIONS: dict[Protocol, str] = {
    Protocol.CALL: "call it with arguments that match its signature and print the result.",
    Protocol.CALL_NO_RESULT: (
        "call it with arguments that match its signature; it returns nothing, so do not "
        "assign or print its result: show its effect instead."
    ),
    Protocol.RAISES: (
        "its code always ends by raising an exception (that is what it is called for): call "
        "it inside `try:` and catch that exception, imported from where the code gets it, with "
        "`except ExceptionName as error: print(error)`."
    ),
    Protocol.AWAIT: (
        "await it inside an `async def main()` run by `asyncio.run(main())`, and print the result."
    ),
    Protocol.AWAIT_NO_RESULT: (
        "await it inside an `async def main()` run by `asyncio.run(main())`; it returns "
        "nothing, so do not use its result."
    ),
    Protocol.ITERATE: "iterate what it returns with a `for` loop.",
    Protocol.ASYNC_ITERATE: (
        "iterate it with `async for` inside an `async def main()` run by `asyncio.run(main())`."
    ),
    Protocol.WITH: (
        "it is a context manager (`@contextmanager`): use it in a `with` statement "
        "(`with name(...) as value:`), never iterate it or call it on its own."
    ),
    Protocol.ASYNC_WITH: (
        "it is an async context manager (`@asynccontextmanager`): use it in `async with` "
        "inside an `async def main()` run by `asyncio.run(main())`, never `async for`."
    ),
    Protocol.INSTANCE_WITH: (
        "create an instance in a `with` statement (`with Class(...) as obj:`) and use it "
        "inside the block."
    ),
    Protocol.INSTANCE_ASYNC_WITH: (
        "create an instance in `async with` inside an `async def main()` run by "
        "`asyncio.run(main())` and use it inside the block."
    ),
    Protocol.INSTANCE_ITERATE: "create an instance and iterate it with a `for` loop.",
    Protocol.INSTANCE_ASYNC_ITERATE: (
        "create an instance and iterate it with `async for` (never call `__aiter__` yourself) "
        "inside an `async def main()` run by `asyncio.run(main())`."
    ),
    Protocol.INSTANCE_CALL: (
        "it runs when an instance is called: create an instance (`obj = Class(...)`), then "
        "call the instance itself, `result = obj(...)`, with arguments that match this "
        "signature, and print the result; never write `obj.__call__(...)`."
    ),
    Protocol.INSTANCE_AWAIT: (
        "it runs when an instance is called and awaited: create an instance "
        "(`obj = Class(...)`), then `result = await obj(...)` inside an `async def main()` run "
        "by `asyncio.run(main())`, and print the result; never write `obj.__call__(...)`."
    ),
    Protocol.INSTANCE_ENTER: (
        "its `__enter__` returns None, so `with Class(...) as obj:` would bind None: get the "
        "instance first (`obj = Class(...)`, or from the project call that makes it), then "
        "enter it with `with obj:` and use `obj` inside the block."
    ),
    Protocol.DECORATE: (
        "it is a decorator: apply it (`@name` or `@name(...)` with arguments its signature "
        "has) to a small function you define, then call that decorated function and print "
        "what it returns; never call the decorator on its own and print the function it gives."
    ),
    Protocol.CALL_RETURNED: (
        "it returns a callable: call it, then call what it returns with suitable arguments "
        "and print that result (printing the returned function shows nothing)."
    ),
    Protocol.INSTANCE: "create an instance of the class, then use it.",
    Protocol.SUBCLASS: (
        "it is abstract: define a subclass that implements its abstract methods (or use a "
        "concrete subclass from the project), create an instance of that, then use it."
    ),
    Protocol.EXCEPTION: "raise it in a `try` block and catch it with `except`.",
    Protocol.ENUM: "read a member as an attribute of the class and iterate the class.",
    Protocol.OPERATOR: (
        "use the operator or built-in that calls this special method (for example `len(obj)`, "
        "`obj[key]`, `a == b`) on an instance; never call the dunder method by name."
    ),
    Protocol.PROPERTY: "read the property from an instance as an attribute, without calling it.",
    Protocol.PROPERTY_SETTER: (
        "read the property from an instance as an attribute, and assign a new value to it "
        "(it has a setter); never call it."
    ),
    Protocol.VARIABLE: "import the variable and read (print) it; do not call it.",
    Protocol.CLASS_CALL: "call it on the class itself (`Class.name(...)`), not on an instance.",
    Protocol.COMMAND: (
        "it is a command-line command: run it with the library's test runner (for click, "
        "`CliRunner().invoke(command, [...])`) and print the output; never call it directly."
    ),
    Protocol.NESTED: (
        "it is a nested function, not importable: call the function that defines it, which runs it."
    ),
    Protocol.MODULE: "import the module and use its main functions or classes.",
    Protocol.TYPE_CHECKING_ONLY: (
        "it exists only for type checkers (defined under `if TYPE_CHECKING:`), so importing it "
        "at run time fails: start with `from __future__ import annotations`, import it inside "
        "`if TYPE_CHECKING:`, annotate a function's parameter with it, and call that function "
        "with an object of the shape it describes."
    ),
}


EXCEPTION_SUFFIXES = ("Error", "Exception", "Warning", "Exit", "Interrupt", "Abort")
"""How exception class names end: PEP 8's ``Error`` suffix, the builtin hierarchy's
``Exception``, ``Warning``, ``SystemExit`` and ``KeyboardInterrupt``, and ``Abort`` (Click's)."""


def is_exception(name: str, bases: set[str]) -> bool:
    """Whether the class ``name`` with the base class names ``bases`` (last dotted parts, as
    :func:`base_names` gives them) is an exception, judged by names alone: its own or a base's
    ends with one of :data:`EXCEPTION_SUFFIXES`."""
    return name.endswith(EXCEPTION_SUFFIXES) or any(b.endswith(EXCEPTION_SUFFIXES) for b in bases)
