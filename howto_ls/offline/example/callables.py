"""Functions whose result is a function: decorators shown decorating one, the callables other
functions return called.

A decorator called on nothing prints a function object; used as users use it, on a small
function that is then called, it shows what it adds. A function that returns a closure (or is
annotated to return a ``Callable``) shows its use when the closure runs.
"""

from __future__ import annotations

import ast
import re

from howto_ls.astutil import own_nodes
from howto_ls.model import Parameter
from howto_ls.offline.analysis import FunctionNode, code, is_receiver, parameters_of
from howto_ls.offline.example.part import Part
from howto_ls.offline.example.reading import call_parameters

_CALLABLE = re.compile(r"^(typing\.|collections\.abc\.)?Callable\[\[(?P<args>[^\]]*)\]")


def returned_functions(node: FunctionNode) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    """The functions defined in ``node``'s own body that it returns by name."""
    inner = {s.name: s for s in node.body if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)}
    found = []
    for n in own_nodes(node):
        if isinstance(n, ast.Return) and isinstance(n.value, ast.Name) and n.value.id in inner:
            found.append(inner[n.value.id])
    return list(dict.fromkeys(found))


def _first_parameter(node: FunctionNode) -> str | None:
    params = [p for p in parameters_of(node) if not is_receiver(p)]
    if not params or params[0].kind in {"var_positional", "var_keyword", "keyword_only"}:
        return None
    return params[0].name


def _calls_name(node: FunctionNode, name: str) -> bool:
    """Whether ``node``'s body calls ``name`` or wraps it (``@functools.wraps(name)``)."""
    for n in ast.walk(node):
        if not isinstance(n, ast.Call):
            continue
        if isinstance(n.func, ast.Name) and n.func.id == name:
            return True
        wrapping = code(n.func, 80).rsplit(".", 1)[-1] in {"wraps", "update_wrapper"}
        if wrapping and any(isinstance(a, ast.Name) and a.id == name for a in n.args):
            return True
    return False


def wraps_argument(node: FunctionNode) -> FunctionNode | None:
    """The wrapper a plain decorator ``node`` returns: an inner function that calls (or
    wraps) ``node``'s first parameter, so calling the decorated function runs the original.
    None when ``node`` is no such decorator."""
    first = _first_parameter(node)
    if first is None:
        return None
    for inner in returned_functions(node):
        takes = [p for p in call_parameters(inner) if p.default is None]
        if any(_takes_function(p) for p in takes):
            continue  # it takes the function itself: a decorator, not the wrapper
        if inner.name != first and _calls_name(inner, first):
            return inner
    return None


def builds_on_argument(node: FunctionNode) -> bool:
    """Whether ``node`` takes a function first and returns what a call makes of it
    (``def decorator(func): return _wrapper(func, cache)``, ``return r.wraps(f)``): a
    decorator whose wrapper is made elsewhere."""
    params = [p for p in parameters_of(node) if not is_receiver(p)]
    if not params or params[0].kind in {"var_positional", "var_keyword", "keyword_only"}:
        return False
    if not _takes_function(params[0]):
        return False
    first = params[0].name
    for n in own_nodes(node):
        if isinstance(n, ast.Return) and isinstance(n.value, ast.Call):
            passed = [*n.value.args, *(k.value for k in n.value.keywords)]
            if any(isinstance(a, ast.Name) and a.id == first for a in passed):
                return True
    return False


_FUNCTION_NAMES = frozenset(
    {"f", "fn", "func", "function", "callback", "wrapped", "method", "decorated"}
)


def _takes_function(param: Parameter) -> bool:
    """Whether ``param`` receives a function, by its name or its annotation (``Callable``,
    or a type variable bound to one, ``F``/``FC`` by convention)."""
    annotation = param.annotation or ""
    return (
        param.name in _FUNCTION_NAMES
        or param.name.endswith(("_func", "_function", "_callback"))
        or "Callable" in annotation
        or re.fullmatch(r"[A-Z]{1,3}", annotation.strip("'\"")) is not None
    )


class Callables(Part):
    """Writes a decorator decorating a small function, and calls a returned callable."""

    def decorator(self, node: FunctionNode) -> bool:
        """For a decorator (one returning a wrapper of the function it takes) or a decorator
        factory (one returning such a decorator): decorate ``greet`` with it and call it.
        False, writing nothing, for any other function."""
        name = self.draft.symbol.qualname
        wrapper = wraps_argument(node)
        line = f"@{name}"
        takes_function = any(_takes_function(p) for p in call_parameters(node) if p.default is None)
        made_elsewhere = False  # the wrapper is made by a call: called as ``greet`` is
        if wrapper is None and not takes_function:  # a factory takes options, not a function
            for inner in returned_functions(node):
                wrapper = wraps_argument(inner)
                made_elsewhere = wrapper is None and builds_on_argument(inner)
                if wrapper is not None or made_elsewhere:
                    arguments = self.arguments.for_call(
                        call_parameters(node), receiver=False, callee=node.name, function=node
                    )
                    line = f"@{name}({arguments})"
                    break
        if made_elsewhere:
            self.draft.setup += [
                "",
                line,
                'def greet(name: str = "world") -> str:',
                '    return f"Hello, {name}!"',
                "",
            ]
            self.draft.body.append("print(greet())")
            return True
        if wrapper is None:
            return False
        is_async = isinstance(wrapper, ast.AsyncFunctionDef)
        definition = "async def" if is_async else "def"
        self.draft.setup += [
            "",
            line,
            f'{definition} greet(name: str = "world") -> str:',
            '    return f"Hello, {name}!"',
            "",
        ]
        # the decorated function is called the way its wrapper is
        arguments = self.arguments.for_call(call_parameters(wrapper), receiver=False)
        if is_async:
            self.draft.needs_async = True
            self.draft.body.append(f"print(await greet({arguments}))")
        else:
            self.draft.body.append(f"print(greet({arguments}))")
        return True

    def call_result(self, node: FunctionNode) -> None:
        """When the example printed what ``node`` returns (``result``) and that is a callable
        (a closure it returns, or a ``Callable[[...], ...]`` annotation), call it too."""
        body = self.draft.body
        if not (len(body) >= 2 and body[-1] == "print(result)" and body[-2].startswith("result")):
            return
        params: list[Parameter] | None = None
        returned = returned_functions(node)
        if returned and wraps_argument(node) is None:
            inner = returned[0]
            params = call_parameters(inner)
            if isinstance(inner, ast.AsyncFunctionDef) or (params and _takes_function(params[0])):
                return  # a decorator it returns: a made-up function is no use of it
        elif node.returns is not None:
            match = _CALLABLE.match(code(node.returns, 300))
            if match is not None:
                types = [t.strip() for t in match.group("args").split(",") if t.strip()]
                params = [
                    Parameter(f"value{i}" if i else "value", t, kind="positional_only")
                    for i, t in enumerate(types)
                ]
        if params is None or any(p.kind == "var_keyword" for p in params):
            return
        arguments = self.arguments.for_call(params, receiver=False)
        self.draft.body[-1] = f"print(result({arguments}))"  # what it returns, at work
