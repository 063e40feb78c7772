"""Usage examples taken from the project's own tests and doctests: the call, the setup lines it
needs, the assertion after it printed; tests with fixtures and guides never used."""

from __future__ import annotations

from pathlib import Path

from tests.test_call_literals import _example, package_of
from tests.test_example import run_example
from tests.test_guide import module_with_guide

CART = '''\
"""Carts."""


class Cart:
    def __init__(self, owner):
        self.owner = owner
        self.items = {}

    def add(self, name, price):
        self.items[name] = price

    def total(self):
        if not self.items:
            raise ValueError("empty cart")
        return sum(self.items.values())


def price_with_tax(price, rate):
    return round(price * (1 + rate), 2)


def slugify(text):
    """Make a slug.

    >>> title = "Hello World"
    >>> slugify(title)
    'hello-world'
    """
    return text.lower().replace(" ", "-")
'''

TESTS = """\
import pytest

from shop import Cart, price_with_tax


def test_total_sums_items():
    cart = Cart("ann")
    cart.add("tea", 3)
    cart.add("cake", 4)
    unrelated = 5
    assert cart.total() == 7


def test_tax_with_a_fixture(tmp_path):
    assert price_with_tax(10, 0.2) == 12.0


def test_tax():
    result = price_with_tax(100, 0.5)
    assert result == 150.0
"""


def _shop(tmp_path: Path, tests: str = TESTS, extra: dict[str, str] | None = None) -> Path:
    init = "from shop.cart import Cart, price_with_tax\n\n__all__ = ['Cart', 'price_with_tax']\n"
    package = package_of(tmp_path, "shop", {"__init__.py": init, "cart.py": CART, **(extra or {})})
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_cart.py").write_text(tests, encoding="utf-8")
    return package / "cart.py"


def test_a_method_gets_the_set_up_its_test_gives_the_object(tmp_path: Path) -> None:
    example = _example(tmp_path, _shop(tmp_path), "Cart.total")
    assert example == (
        "from shop import Cart\n\n"
        'cart = Cart("ann")\ncart.add("tea", 3)\ncart.add("cake", 4)\n'
        "print(cart.total())  # 7\n"
    )  # ``unrelated`` is not needed by the call
    assert run_example(tmp_path, example) == "7\n"


def test_a_class_is_shown_through_what_its_test_checks(tmp_path: Path) -> None:
    example = _example(tmp_path, _shop(tmp_path), "Cart")
    assert example.endswith("print(cart.total())  # 7\n")
    assert run_example(tmp_path, example) == "7\n"


def test_a_function_takes_its_tests_call_and_prints_the_assertion(tmp_path: Path) -> None:
    example = _example(tmp_path, _shop(tmp_path), "price_with_tax")
    assert example == (
        "from shop import price_with_tax\n\n"
        "result = price_with_tax(100, 0.5)\nprint(result)  # 150.0\n"
    )  # the test taking ``tmp_path`` (a fixture) comes first in the file but is left out
    assert run_example(tmp_path, example) == "150.0\n"


def test_a_test_with_fixtures_gives_no_mined_example(tmp_path: Path) -> None:
    only_fixtures = TESTS.partition("def test_tax():")[0]
    example = _example(tmp_path, _shop(tmp_path, only_fixtures), "price_with_tax")
    assert "price_with_tax(10, 0.2)" not in example and "# 12.0" not in example
    assert "tmp_path" not in example  # the synthesized example stays


def test_a_doctest_elsewhere_gives_its_lines_and_expected_output(tmp_path: Path) -> None:
    notes = '''\
"""Notes.

>>> from shop.cart import slugify
>>> name = "Big Sale"
>>> slugify(name)
'big-sale'
"""
'''
    path = _shop(tmp_path, extra={"notes.py": notes})
    (path.parent / "cart.py").write_text(CART.replace("    >>>", "    >>"), encoding="utf-8")
    example = _example(tmp_path, path, "slugify")
    assert example == (
        "from shop.cart import slugify\n\nname = \"Big Sale\"\nprint(slugify(name))  # 'big-sale'\n"
    )
    assert run_example(tmp_path, example) == "big-sale\n"


def test_a_test_importing_a_third_party_helper_is_not_used(tmp_path: Path) -> None:
    tests = "from shop import price_with_tax\nfrom helpers import rate\n\n\n"
    tests += "def test_tax():\n    assert price_with_tax(100, rate()) == 150.0\n"
    example = _example(tmp_path, _shop(tmp_path, tests), "price_with_tax")
    assert "rate()" not in example


def test_a_guides_example_is_never_the_projects_use(tmp_path: Path) -> None:
    guided = module_with_guide(
        "", ">>> from shop.cart import slugify\n>>> slugify('From A Guide')\n'from-a-guide'"
    )
    path = _shop(tmp_path, extra={"guided.py": guided})
    (path.parent / "cart.py").write_text(CART.replace("    >>>", "    >>"), encoding="utf-8")
    example = _example(tmp_path, path, "slugify")
    assert "From A Guide" not in example


def test_a_decorator_is_shown_on_the_function_its_doctest_decorates(tmp_path: Path) -> None:
    hooks = '''\
"""Hooks."""


def counted(func):
    """Count the calls.

    >>> @counted
    ... def ping():
    ...     yield "pong"
    >>> calls = ping()
    >>> calls.count
    1
    """

    def wrapper(*args):
        wrapper.count += 1
        return func(*args)

    wrapper.count = 0
    return wrapper
'''
    path = package_of(tmp_path, "hooks", {"core.py": hooks}) / "core.py"
    example = _example(tmp_path, path, "counted")
    assert example == (
        "from hooks.core import counted\n\n\n"
        '@counted\ndef ping():\n    yield "pong"\n\n\ncalls = ping()\nprint(calls)\n'
    )  # the ``yield`` inside the function it defines is no top-level yield
    assert run_example(tmp_path, example).startswith("<generator object")
