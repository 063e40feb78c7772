"""Functions a project decorator replaces are called the way the wrapper needs: a plain
wrapper around an ``async def`` is not awaited, and one that reads its ``*args`` by index gets
its arguments by position; each example is built offline and run."""

from __future__ import annotations

import ast
from pathlib import Path

from howto_ls.offline import parameter_uses
from howto_ls.offline.analysis import parse_module
from howto_ls.offline.wrappers import replacement
from tests.test_example import example_for, run_example

VARIANTS = '''\
"""Functions with a plain and an async variant, chosen by the settings they are given."""

import functools


class Settings:
    """Whether callers run in async mode."""

    def __init__(self, is_async: bool = False) -> None:
        self.is_async = is_async


def async_variant(normal_func):
    """Call ``normal_func`` unless the first argument's settings ask for async mode."""

    def decorator(async_func):
        def is_async(args) -> bool:
            return args[0].is_async

        @functools.wraps(async_func)
        def wrapper(*args, **kwargs):
            if is_async(args):
                return async_func(*args, **kwargs)
            return normal_func(*args, **kwargs)

        return wrapper

    return decorator


def logged(function):
    """Print each call: keyword arguments are fine."""

    @functools.wraps(function)
    async def wrapper(*args, **kwargs):
        print("calling", function.__name__)
        return await function(*args, **kwargs)

    return wrapper


def sync_first(settings: Settings, items: list[str]) -> str:
    """The first item."""
    return items[0]


@async_variant(sync_first)
async def first(settings: Settings, items: list[str]) -> str:
    """The first item, awaited in async mode."""
    return items[0]


@logged
async def last(settings: Settings, items: list[str]) -> str:
    """The last item."""
    return items[-1]
'''


def test_a_plain_wrapper_is_called_by_position_and_not_awaited(tmp_path: Path) -> None:
    _, example = example_for(tmp_path, "first", VARIANTS)
    assert "await" not in example and "asyncio" not in example
    call = next(
        n
        for n in ast.walk(ast.parse(example))
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "first"
    )
    assert len(call.args) == 2 and not call.keywords
    assert run_example(tmp_path, example).strip() == "example"


def test_an_async_wrapper_keeps_the_call_awaited(tmp_path: Path) -> None:
    _, example = example_for(tmp_path, "last", VARIANTS)
    assert "await last(" in example
    assert "calling last" in run_example(tmp_path, example)


def test_replacement_reads_the_wrapper_and_the_plain_function_given() -> None:
    tree = parse_module(VARIANTS)
    assert tree is not None
    functions = {n.name: n for n in tree.body if isinstance(n, ast.AsyncFunctionDef)}
    scope = parameter_uses.Scope(VARIANTS, "variants", "variants.py")
    found = replacement(functions["first"], scope)
    assert found is not None
    assert found.plain and found.positional
    assert found.delegate is not None and found.delegate.name == "sync_first"
    logged = replacement(functions["last"], scope)
    assert logged is not None and not logged.plain and not logged.positional
    assert logged.delegate is None
