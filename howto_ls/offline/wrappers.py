"""What a project decorator puts in place of the function it decorates.

A decorator returns a wrapper, and callers call the wrapper, not the definition they read. Two
of the wrapper's traits change how a call must look:

- a plain ``def wrapper(*args, **kwargs)`` around an ``async def`` makes calls plain: the
  wrapper decides what to return (Jinja's ``@async_variant(sync_do_first)`` returns the plain
  function's result unless the environment runs in async mode), so the call is not awaited
  and what it returns is what the plain function it was given returns;
- a wrapper that reads its ``*args`` by index (``args[0].environment``) needs those arguments
  by position: passed by keyword they are not in ``args`` at all.

Only decorators defined in the project are read (their code is at hand); a decorator is
followed from its name through the module's imports
(:func:`howto_ls.offline.parameter_uses.project_function`).
A decorator factory (``@async_variant(sync_do_first)``) is read one level deeper than a plain
decorator (``@wrap``): the factory returns the decorator, which returns the wrapper.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from howto_ls.astutil import own_nodes
from howto_ls.offline import parameter_uses
from howto_ls.offline.analysis import FunctionNode


@dataclass(frozen=True)
class Replacement:
    """The wrapper a project decorator returns: its definition, whether it reads its
    ``*args`` by index (``positional``), and the plain function a decorator factory was
    given (``delegate``: ``sync_do_first`` of ``@async_variant(sync_do_first)``), if any."""

    wrapper: FunctionNode
    positional: bool
    delegate: FunctionNode | None = None

    @property
    def plain(self) -> bool:
        """Whether calling the wrapper returns its result directly (a ``def``, not an
        ``async def``)."""
        return isinstance(self.wrapper, ast.FunctionDef)


def replacement(function: FunctionNode, scope: parameter_uses.Scope) -> Replacement | None:
    """The wrapper the outermost (first listed) project decorator of ``function`` returns,
    or None when no decorator is the project's or its wrapper cannot be found."""
    for decorator in function.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if not isinstance(target, ast.Name):
            continue
        factory = parameter_uses.project_function(target.id, scope)
        if factory is None:
            continue
        wrapper: FunctionNode | None = factory
        for _ in range(2 if isinstance(decorator, ast.Call) else 1):
            wrapper = _returned_function(wrapper) if wrapper is not None else None
        if wrapper is None:
            continue
        delegate = None
        if isinstance(decorator, ast.Call) and decorator.args:
            given = decorator.args[0]
            if isinstance(given, ast.Name):
                delegate = parameter_uses.project_function(given.id, scope)
        return Replacement(wrapper, _reads_by_index(factory, wrapper), delegate)
    return None


def _returned_function(function: FunctionNode) -> FunctionNode | None:
    """The function ``function`` defines in its body and returns (``return wrapper``)."""
    nested = {
        s.name: s for s in function.body if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    for node in own_nodes(function):
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Name):
            found = nested.get(node.value.id)
            if found is not None:
                return found
    return None


def _reads_by_index(factory: FunctionNode, wrapper: FunctionNode) -> bool:
    """Whether the decorator's code subscripts the wrapper's ``*args`` (by its name, in the
    wrapper or in a helper the decorator defines and hands it to)."""
    vararg = wrapper.args.vararg
    if vararg is None:
        return False
    return any(
        isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Name)
        and node.value.id == vararg.arg
        for node in ast.walk(factory)
    )
