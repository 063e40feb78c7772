"""Tests for code fingerprints."""

from __future__ import annotations

import ast

import pytest

from howto_ls.astutil import find_definition
from howto_ls.errors import SourceError, SymbolNotFoundError
from howto_ls.fingerprint import fingerprint_node, fingerprint_of, fingerprints_of

BASE = '''\
"""Module doc."""
import os

LIMIT = 10
"""How many."""


@decorator
def fetch(url: str, retries: int = 3) -> bytes:
    """Fetch a URL."""
    # a comment
    return os.fsencode(url) * retries


class Client:
    """A client."""

    def send(self, body):
        """Send it."""
        return body
'''


def fp(source: str, qualname: str) -> str:
    return fingerprint_of(source, qualname)


def test_fingerprint_is_twelve_hex_digits() -> None:
    value = fp(BASE, "fetch")
    assert len(value) == 12
    assert int(value, 16) >= 0


@pytest.mark.parametrize(
    "edited",
    [
        BASE.replace("    # a comment\n", ""),
        BASE.replace('"""Fetch a URL."""', '"""Fetch a URL, better."""'),
        BASE.replace('    """Fetch a URL."""\n', ""),
        BASE.replace("(url: str, retries: int = 3)", "(\n    url: str,\n    retries: int = 3,\n)"),
        BASE.replace("return os.fsencode(url) * retries", "return (os.fsencode(url)\n  * retries)"),
    ],
)
def test_comments_formatting_and_docstrings_do_not_change_it(edited: str) -> None:
    assert fp(edited, "fetch") == fp(BASE, "fetch")


@pytest.mark.parametrize(
    "edited",
    [
        BASE.replace("retries: int = 3", "retries: int = 4"),
        BASE.replace("return os.fsencode(url)", "return os.fsdecode(url)"),
        BASE.replace("@decorator\n", "@other\n"),
        BASE.replace("retries: int = 3)", "retries: int = 3, *, timeout=None)"),
        BASE.replace("-> bytes", "-> str"),
        BASE.replace("def fetch", "async def fetch"),
    ],
)
def test_code_changes_change_it(edited: str) -> None:
    assert fp(edited, "fetch") != fp(BASE, "fetch")


def test_method_and_class_fingerprints() -> None:
    changed = BASE.replace("return body", "return body * 2")
    assert fp(changed, "Client.send") != fp(BASE, "Client.send")
    assert fp(changed, "Client") != fp(BASE, "Client")
    assert fp(changed, "fetch") == fp(BASE, "fetch")


def test_module_fingerprint_ignores_docs_but_not_code() -> None:
    assert fp(BASE.replace('"""Module doc."""', '"""Other."""'), "") == fp(BASE, "")
    assert fp(BASE.replace('"""How many."""\n', ""), "") == fp(BASE, "")
    assert fp(BASE.replace("import os", "import sys, os"), "") != fp(BASE, "")


def test_variable_fingerprint_is_its_assignment() -> None:
    assert fp(BASE.replace('"""How many."""', '"""Upper bound."""'), "LIMIT") == fp(BASE, "LIMIT")
    assert fp(BASE.replace("LIMIT = 10", "LIMIT = 11"), "LIMIT") != fp(BASE, "LIMIT")
    assert fp(BASE.replace("return body", "return 0"), "LIMIT") == fp(BASE, "LIMIT")


def test_class_attribute_and_annotated_variable() -> None:
    source = "class A:\n    size: int = 3\n    other = 1\n"
    assert fp(source.replace("= 3", "= 4"), "A.other") == fp(source, "A.other")
    assert fp(source, "A.size") != fp(source.replace("= 3", "= 4"), "A.size")


def test_unknown_name_and_syntax_error() -> None:
    with pytest.raises(SymbolNotFoundError, match="'missing'"):
        fp(BASE, "missing")
    with pytest.raises(SourceError, match=r"line 2: "):
        fp("x = 1\ndef f(:\n", "f")


def test_batch_and_node_fingerprints_agree_with_single_ones() -> None:
    names = ["", "fetch", "Client", "Client.send", "LIMIT"]
    batch = fingerprints_of(BASE, names)
    assert batch == {name: fp(BASE, name) for name in names}
    assert len(set(batch.values())) == len(names)
    node = find_definition(ast.parse(BASE), "Client")
    assert node is not None
    assert fingerprint_node(node) == batch["Client"]
    assert ast.get_docstring(node) == "A client."  # fingerprint_node leaves the tree alone
