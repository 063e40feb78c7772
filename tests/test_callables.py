"""Decorators shown decorating a small function that is then called; returned callables called."""

from __future__ import annotations

from pathlib import Path

from tests.test_call_literals import _example, package_of
from tests.test_example import run_example

WRAPPING = '''\
"""Function wrappers."""

import functools


def logged(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return ["called", func(*args, **kwargs)]

    return wrapper


def repeat(times: int):
    def decorate(func):
        def wrapper(*args, **kwargs):
            return [func(*args, **kwargs) for _ in range(times)]

        return wrapper

    return decorate


def multiplier(factor: int):
    def multiply(value: int) -> int:
        return value * (factor + 1)

    return multiply


def optional(converter):
    def optional_converter(val):
        return None if val is None else converter(val)

    return optional_converter


def variant(normal_func):
    def decorator(async_func):
        def wrapper(*args):
            return normal_func(*args), async_func

        return wrapper

    return decorator


def plain(value: int) -> int:
    return value + 1


def _memoizing(func, store):
    def wrapper(*args):
        if args not in store:
            store[args] = func(*args)
        return store[args]

    return wrapper


def memoized(store: dict):
    def decorator(func):
        return _memoizing(func, store)

    return decorator
'''


def _path(tmp_path: Path) -> Path:
    return package_of(tmp_path, "wrapping", {"tools.py": WRAPPING}) / "tools.py"


def test_a_decorator_decorates_a_function_that_is_then_called(tmp_path: Path) -> None:
    example = _example(tmp_path, _path(tmp_path), "logged")
    assert "@logged\ndef greet(" in example
    assert example.endswith("print(greet())\n")
    assert run_example(tmp_path, example) == "['called', 'Hello, world!']\n"


def test_a_decorator_factory_is_called_with_its_arguments(tmp_path: Path) -> None:
    example = _example(tmp_path, _path(tmp_path), "repeat")
    assert "@repeat(times=" in example
    output = run_example(tmp_path, example)
    assert output.startswith("[") and "Hello, world!" in output


def test_a_returned_closure_is_called(tmp_path: Path) -> None:
    example = _example(tmp_path, _path(tmp_path), "multiplier")
    assert "result = multiplier(factor=" in example
    assert example.endswith("print(result(value=1))\n")
    assert run_example(tmp_path, example).strip().isdigit()  # a number, not a function


def test_a_plain_function_is_called_once(tmp_path: Path) -> None:
    example = _example(tmp_path, _path(tmp_path), "plain")
    assert "@" not in example and "result(" not in example
    assert run_example(tmp_path, example) == "2\n"


def test_a_wrapper_taking_arguments_is_called_with_them(tmp_path: Path) -> None:
    example = _example(tmp_path, _path(tmp_path), "optional")
    assert "@optional\ndef greet(" in example
    assert run_example(tmp_path, example) == "Hello, example!\n"


def test_a_returned_decorator_is_not_taken_for_a_wrapper(tmp_path: Path) -> None:
    example = _example(tmp_path, _path(tmp_path), "variant")
    assert "def greet(" not in example and "result(" not in example


def test_a_factory_whose_wrapper_a_call_makes_decorates_a_function(tmp_path: Path) -> None:
    example = _example(tmp_path, _path(tmp_path), "memoized")
    assert "@memoized(store=" in example and "def greet(" in example
    assert example.endswith("print(greet())\n")
    assert run_example(tmp_path, example) == "Hello, world!\n"
