"""Checks of a model's Usage Example against the symbol it documents, before anything is written.

Two kinds of problem, each one sentence for the repair round:

- the example uses the symbol against its usage protocol (:mod:`howto_ls.usage`): a context
  manager iterated or called on its own, a property or special method called by name, the result
  of a function that returns nothing assigned;
- a call to the symbol does not bind to its signature (an unknown keyword, a missing required
  argument, too many positional arguments), judged as ``inspect.Signature.bind`` judges it.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Sequence

from howto_ls.astutil import parse
from howto_ls.model import Parameter, Symbol, SymbolKind
from howto_ls.project import runtime_statements
from howto_ls.usage import Protocol, Usage

_EXAMPLE = "Usage Example"
_KINDS = {
    "positional_only": inspect.Parameter.POSITIONAL_ONLY,
    "positional_or_keyword": inspect.Parameter.POSITIONAL_OR_KEYWORD,
    "var_positional": inspect.Parameter.VAR_POSITIONAL,
    "keyword_only": inspect.Parameter.KEYWORD_ONLY,
    "var_keyword": inspect.Parameter.VAR_KEYWORD,
}
_CALLED = frozenset(
    {SymbolKind.FUNCTION, SymbolKind.METHOD, SymbolKind.CLASSMETHOD, SymbolKind.STATICMETHOD}
)


def example_problems(example: str, symbol: Symbol, usage: Usage) -> list[str]:
    """Problems of ``example`` (Python source) as a use of ``symbol``; [] when it is fine or
    does not parse (the parse error is reported elsewhere)."""
    try:
        tree = parse(example)
    except (SyntaxError, ValueError):
        return []
    calls = _calls_of(tree, symbol)
    problems = _protocol_problems(tree, symbol, usage, calls)
    if symbol.kind in _CALLED and usage.protocol is not Protocol.COMMAND:
        problems += _binding_problems(symbol, calls)
    return problems


def _calls_of(tree: ast.Module, symbol: Symbol) -> list[ast.Call]:
    """Calls in the example whose function is the symbol's name (``name(...)``,
    ``obj.name(...)``)."""
    name = symbol.name
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if (isinstance(func, ast.Name) and func.id == name) or (
                isinstance(func, ast.Attribute) and func.attr == name
            ):
                found.append(node)
    return found


def _protocol_problems(
    tree: ast.Module, symbol: Symbol, usage: Usage, calls: Sequence[ast.Call]
) -> list[str]:
    protocol = usage.protocol
    name = symbol.name
    top = symbol.qualname.split(".")[0]
    if protocol is Protocol.TYPE_CHECKING_ONLY and any(
        isinstance(node, ast.ImportFrom) and any((a.asname or a.name) == top for a in node.names)
        for node in runtime_statements(tree.body)
    ):
        return [
            f"{_EXAMPLE} imports `{top}` at run time, but it exists only for type checkers: "
            "import it inside `if TYPE_CHECKING:` (with `from __future__ import annotations`) "
            "and use it in annotations"
        ]
    if protocol in {Protocol.WITH, Protocol.ASYNC_WITH} and calls:
        managed = {
            id(item.context_expr)
            for node in ast.walk(tree)
            if isinstance(node, ast.With | ast.AsyncWith)
            for item in node.items
        }
        if not any(id(call) in managed for call in calls):
            keyword = "async with" if protocol is Protocol.ASYNC_WITH else "with"
            return [
                f"{_EXAMPLE} must use `{name}(...)` in a `{keyword}` statement "
                f"(`{keyword} {name}(...) as value:`): it is a context manager, not an iterator "
                "or a plain function"
            ]
    if protocol is Protocol.RAISES and calls:
        guarded = {
            id(inner)
            for node in ast.walk(tree)
            if isinstance(node, ast.Try) and node.handlers
            for statement in node.body
            for inner in ast.walk(statement)
        }
        if not any(id(call) in guarded for call in calls):
            return [
                f"{_EXAMPLE} calls `{name}` outside `try`, but its code always ends by raising: "
                "call it inside `try:` and catch the exception it raises with `except`"
            ]
    if protocol in {Protocol.PROPERTY, Protocol.PROPERTY_SETTER} and calls:
        return [f"{_EXAMPLE} calls the property `{name}`; read it as an attribute instead"]
    dunder = {
        Protocol.OPERATOR,
        Protocol.INSTANCE_ITERATE,
        Protocol.INSTANCE_ASYNC_ITERATE,
        Protocol.INSTANCE_CALL,
        Protocol.INSTANCE_AWAIT,
    }
    if protocol in dunder and name.startswith("__") and calls:
        return [
            f"{_EXAMPLE} calls `{name}` by name; use the syntax that calls it "
            "(iteration, an operator, a built-in such as `len`) on an instance"
        ]
    if protocol is Protocol.DECORATE and not name.startswith("__") and not _decorates(tree, name):
        return [
            f"{_EXAMPLE} never applies the decorator `{name}`: put `@{name}` (or "
            f"`@{name}(...)`) above a small function, then call that function and print its "
            "result"
        ]
    if protocol in {Protocol.CALL_NO_RESULT, Protocol.AWAIT_NO_RESULT}:
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign):
                value = node.value.value if isinstance(node.value, ast.Await) else node.value
                if any(value is call for call in calls):
                    return [
                        f"{_EXAMPLE} assigns the result of `{name}`, which returns nothing; "
                        "call it as a statement and show its effect"
                    ]
    return []


def _decorates(tree: ast.Module, name: str) -> bool:
    """Whether the example applies ``name`` to a function: as ``@name``/``@name(...)``
    (also ``@module.name``), or by calling what it returns (``name(...)(function)``)."""

    def named(node: ast.expr) -> bool:
        target = node.func if isinstance(node, ast.Call) else node
        return (isinstance(target, ast.Name) and target.id == name) or (
            isinstance(target, ast.Attribute) and target.attr == name
        )

    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and any(
            named(d) for d in node.decorator_list
        ):
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Call) and named(node.func):
            return True
        if isinstance(node, ast.Call) and named(node) and node.args:
            first = node.args[0]
            if isinstance(first, ast.Name | ast.Lambda | ast.Attribute):
                return True  # ``name(function)``: applied by hand
    return False


def _binding_problems(symbol: Symbol, calls: Sequence[ast.Call]) -> list[str]:
    if not symbol.parameters and "()" not in symbol.signature.replace(" ", ""):
        return []  # parameters not recorded: nothing to judge by
    signature = _signature(symbol.parameters, symbol.kind)
    if signature is None:
        return []
    problems = []
    for call in calls:
        if any(isinstance(a, ast.Starred) for a in call.args) or any(
            k.arg is None for k in call.keywords
        ):
            continue  # *args / **kwargs at the call: cannot tell
        args = [object()] * len(call.args)
        kwargs = {k.arg: object() for k in call.keywords if k.arg is not None}
        try:
            signature.bind(*args, **kwargs)
        except TypeError as exc:
            shown = ast.unparse(call)
            shown = shown if len(shown) <= 80 else f"{shown[:77]}..."
            problems.append(
                f"{_EXAMPLE} calls `{shown}`, which does not match the signature "
                f"`{symbol.name}{_text(signature)}`: {exc}"
            )
    return list(dict.fromkeys(problems))


def _signature(parameters: Sequence[Parameter], kind: SymbolKind) -> inspect.Signature | None:
    """The signature callers see (``self``/``cls`` of methods dropped); None if it cannot be
    built (unusual parameter lists are not judged)."""
    params = list(parameters)
    if kind in {SymbolKind.METHOD, SymbolKind.CLASSMETHOD} and params:
        params = params[1:]
    try:
        return inspect.Signature(
            [
                inspect.Parameter(
                    p.name,
                    _KINDS.get(p.kind, inspect.Parameter.POSITIONAL_OR_KEYWORD),
                    default=inspect.Parameter.empty if p.default is None else None,
                )
                for p in params
            ]
        )
    except (ValueError, TypeError):
        return None


def _text(signature: inspect.Signature) -> str:
    return str(signature).replace("=None", "=...")
