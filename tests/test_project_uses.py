"""The project's own uses kept by the index: test functions as statements (fixtures left out,
parametrized values bound, unittest assertions as ``assert``), docstring examples with their
expected output, all kept between runs."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from howto_ls.offline import index, index_store
from howto_ls.offline.project_uses import UseRecord, doctest_examples, is_test_file

TESTS = """\
import pytest
import unittest

from shop import Cart


def helper():
    return Cart("x")


def test_total():
    cart = Cart("ann")
    cart.add("tea", 3)
    assert cart.total() == 3


def test_with_fixture(tmp_path):
    assert Cart(str(tmp_path))


@pytest.mark.parametrize("owner, price", [("bo", 2), ("al", 5)])
def test_parametrized(owner, price):
    cart = Cart(owner)


@pytest.mark.usefixtures("db")
def test_marked():
    Cart("x")


class TestCart(unittest.TestCase):
    def test_empty(self):
        cart = Cart("cy")
        self.assertEqual(cart.items, {})
        self.thing = cart
"""


def _record(path: Path, module: str, code: str) -> index.ModuleRecord:
    """The index record of ``code`` with what its parse tells (uses among it)."""
    record = index.read_module(path, module, code, (1, len(code)))
    return dataclasses.replace(record, parsed=index.parse_facts(path, module, code))


def _uses(record: index.ModuleRecord) -> tuple[UseRecord, ...]:
    assert record.parsed is not None
    return record.parsed.uses


def test_tests_without_fixtures_are_kept_as_statements() -> None:
    record = _record(Path("/p/tests/test_cart.py"), "tests.test_cart", TESTS)
    uses = {use.origin: use for use in _uses(record)}
    assert set(uses) == {"test_total", "test_parametrized", "TestCart.test_empty"}
    total = uses["test_total"]
    assert [s.text for s in total.statements] == [
        'cart = Cart("ann")',
        'cart.add("tea", 3)',
        "assert cart.total() == 3",
    ]
    assert total.statements[0].bound == ("cart",)
    assert total.statements[1].used == ("cart",)
    assert not total.in_doctest


def test_parametrized_values_come_first_and_unittest_assertions_become_assert() -> None:
    record = _record(Path("/p/tests/test_cart.py"), "tests.test_cart", TESTS)
    uses = {use.origin: use for use in _uses(record)}
    texts = [s.text for s in uses["test_parametrized"].statements]
    assert texts == ["owner = 'bo'", "price = 2", "cart = Cart(owner)"]
    empty = [s.text for s in uses["TestCart.test_empty"].statements]
    assert empty == ['cart = Cart("cy")', "assert cart.items == {}", ""]  # ``self.x`` unusable


def test_only_test_files_give_test_uses() -> None:
    record = _record(Path("/p/shop/cart.py"), "shop.cart", TESTS)
    assert _uses(record) == ()
    assert is_test_file(Path("/p/tests/helpers.py"), "tests.helpers")
    assert is_test_file(Path("/p/cart_test.py"), "cart_test")
    assert not is_test_file(Path("/p/tests/conftest.py"), "tests.conftest")


def test_doctests_keep_their_lines_and_expected_output() -> None:
    code = '''\
def slug(text):
    """A slug.

    >>> title = "Hello World"
    >>> slug(title)
    'hello-world'
    >>> slug(None)
    Traceback (most recent call last):
    AttributeError: ...
    """
'''
    record = _record(Path("/p/shop/text.py"), "shop.text", code)
    (use,) = _uses(record)
    assert use.in_doctest and use.origin == "slug"
    assert [(s.text, s.expected) for s in use.statements] == [
        ('title = "Hello World"', ""),
        ("slug(title)", "'hello-world'"),
        ("", ""),  # the example of a failure is not reused
    ]
    assert doctest_examples(">>> for x in y:\n...     print(x)\n1") == [
        ("for x in y:\n    print(x)", "1")
    ]


def test_uses_survive_the_store_and_a_damaged_row_is_refused() -> None:
    record = _record(Path("/p/tests/test_cart.py"), "tests.test_cart", TESTS)
    data = json.loads(json.dumps(index_store.encode(record)))
    assert index_store.decode(data, record.path, record.fingerprint) == record
    data["parsed"]["uses"][0][2] = "yes"
    with pytest.raises(TypeError):
        index_store.decode(data, record.path, record.fingerprint)
