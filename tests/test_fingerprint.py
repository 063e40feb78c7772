"""Tests for code fingerprints."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

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


def test_module_fingerprint_counts_signatures_not_function_bodies() -> None:
    assert fp(BASE.replace("return body", "return body * 2"), "") == fp(BASE, "")
    assert fp(BASE.replace("* retries", "* (retries + 1)"), "") == fp(BASE, "")
    assert fp(BASE.replace("def send(self, body)", "def send(self, body, *, timeout=1)"), "") != (
        fp(BASE, "")
    )
    assert fp(BASE.replace("@decorator\n", ""), "") != fp(BASE, "")
    assert fp(BASE + "\n\ndef extra():\n    pass\n", "") != fp(BASE, "")
    assert fp(BASE.replace("LIMIT = 10", "LIMIT = 11"), "") != fp(BASE, "")


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


def test_docstring_only_bodies_read_as_pass() -> None:
    assert fp('def f():\n    """Doc."""\n', "f") == fp("def f():\n    pass\n", "f")
    assert fp('"""Only a docstring."""\n', "") == fp("", "")
    assert fp("def f():\n    x = 1\n    'about x'\n", "f") == fp("def f():\n    x = 1\n", "f")
    assert fp("def f():\n    g()\n    'kept'\n", "f") != fp("def f():\n    g()\n", "f")


# Every kind of syntax the fingerprint walks, in the oldest Python we support (3.10).
VARIED = '''\
"""Doc."""
from __future__ import annotations
import asyncio as aio
X: dict[str, int | None] = {"a": 1, "\\U0001fae8": 2, **{}}  # printable from Unicode 15 on


@functools.cache
async def run(a, /, b: int = 2, *args: str, c=None, **kw) -> list[bytes]:
    """Doc."""
    async with aio.timeout(1) as t, other():
        async for item in source():
            yield f"{item!r:>{b}} {a=}"
    while (n := len(args)) > 0 and not None:
        break
    else:
        pass
    try:
        x = [i async for i in gen() if i] + [*args][1:2:3]
    except (KeyError, ValueError) as error:
        raise RuntimeError(b"x") from error
    finally:
        del kw["k"]
    match a:
        case {"k": [1, *rest]} | Point(x=0) if rest:
            global Y
        case _:
            lambda q, *r: q if r else ...
    await aio.sleep(1e3 + 2j - 0x10)


class Point(Base, metaclass=Meta):
    x: int = 0
    """The x."""

    def __init__(self) -> None:
        nonlocal_ = {k: v for k, v in {}.items()}
        assert nonlocal_ is not None, "msg"
'''


def test_fingerprints_are_pinned() -> None:
    # Stored fingerprints sit in users' files: a change to the algorithm marks every guide stale.
    assert fingerprints_of(VARIED, ["", "run", "Point", "Point.__init__", "X"]) == {
        "": "620f41d7ba42",
        "run": "7ad300dc20cb",
        "Point": "3787c6376733",
        "Point.__init__": "5737820f533b",
        "X": "39ea00dbe5de",
    }


def _other_pythons() -> list[str]:
    """Interpreters of other Python versions this machine has (3.10 and later)."""
    candidates = {shutil.which(f"python3.{minor}") for minor in range(10, 16)}
    candidates.update(str(p) for p in Path(sys.base_prefix).parent.glob("3.*/bin/python3"))
    found: dict[tuple[int, int], str] = {}
    for candidate in sorted(c for c in candidates if c):
        probe = subprocess.run(
            [candidate, "-c", "import sys; print(*sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
            env={**os.environ, "PYENV_VERSION": ""},
        )
        numbers = probe.stdout.split()
        if probe.returncode == 0 and len(numbers) == 2:
            version = (int(numbers[0]), int(numbers[1]))
            if version >= (3, 10) and version != sys.version_info[:2]:
                found.setdefault(version, candidate)
    return [found[version] for version in sorted(found)]


def test_fingerprints_agree_across_python_versions() -> None:
    # A guide written under one Python must not read as stale under another (3.12 added
    # type_params to every def and class; 3.13 changed how ast.dump shows empty fields).
    others = _other_pythons()
    if not others:
        pytest.skip("no other Python version on this machine")
    script = (
        "import json, sys\n"
        "from howto_ls.fingerprint import fingerprints_of\n"
        "print(json.dumps(fingerprints_of(sys.stdin.read(), json.loads(sys.argv[1]))))\n"
    )
    names = ["", "run", "Point", "Point.__init__", "X"]
    root = Path(__file__).resolve().parent.parent
    for python in others:
        result = subprocess.run(
            [python, "-c", script, json.dumps(names)],
            input=VARIED,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            env={**os.environ, "PYTHONPATH": str(root), "PYENV_VERSION": ""},
        )
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout) == fingerprints_of(VARIED, names), python
