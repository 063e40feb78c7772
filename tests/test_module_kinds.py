"""Private modules and test modules, and the symbols a public module re-exports from them."""

from __future__ import annotations

from pathlib import Path

import pytest

from howto_ls.module_kinds import (
    PRIVATE,
    TEST,
    exported,
    hidden_kind,
    module_kind,
    public_dotted_name,
)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A project: ``pkg`` re-exports ``Client`` from ``pkg/_client.py``."""
    root = tmp_path / "project"
    for name, text in {
        "pyproject.toml": "",
        "pkg/__init__.py": "from pkg._client import Client\n",
        "pkg/__main__.py": "",
        "pkg/_client.py": "class Client:\n    def send(self): ...\n\ndef helper(): ...\n",
        "pkg/_impl/__init__.py": "",
        "pkg/_impl/io.py": "",
        "pkg/io.py": "",
        "pkg/testing.py": "",
        "pkg/tests/__init__.py": "",
        "pkg/tests/helpers.py": "",
        "tests/conftest.py": "",
        "tests/data.py": "",
        "test_top.py": "",
        "pkg/io_test.py": "",
        "pkg/my-mod.py": "def f(): ...\n",
        "pkg/a,b:c.py": "def g(): ...\n",
        "pkg/for.py": "",
    }.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("pkg/__init__.py", None),  # the package itself
        ("pkg/io.py", None),
        ("pkg/testing.py", None),  # test helpers for users: public
        ("pkg/_client.py", PRIVATE),
        ("pkg/_impl/io.py", PRIVATE),  # inside a private package
        ("pkg/_impl/__init__.py", PRIVATE),
        ("pkg/__main__.py", PRIVATE),  # the script of python -m pkg
        ("pkg/tests/helpers.py", TEST),
        ("tests/conftest.py", TEST),
        ("tests/data.py", TEST),
        ("test_top.py", TEST),
        ("pkg/io_test.py", TEST),
        ("pkg/my-mod.py", PRIVATE),  # no import statement can name it
        ("pkg/a,b:c.py", PRIVATE),
        ("pkg/for.py", PRIVATE),
    ],
)
def test_module_kind(root: Path, name: str, kind: str | None) -> None:
    assert module_kind(root / name, root) == kind


def test_a_kind_asked_for_is_not_hidden(root: Path) -> None:
    private, tests = root / "pkg" / "_client.py", root / "tests" / "data.py"
    assert hidden_kind(private, root) == PRIVATE
    assert hidden_kind(private, root, include_private=True) is None
    assert hidden_kind(tests, root, include_private=True) == TEST
    assert hidden_kind(tests, root, include_tests=True) is None


def test_what_a_public_module_imports_is_public(root: Path) -> None:
    client = root / "pkg" / "_client.py"
    assert exported(client, root, "Client")
    assert exported(client, root, "Client.send")
    assert not exported(client, root, "helper")
    assert not exported(client, root, "")  # the private module itself


def test_a_module_without_an_import_name_exports_nothing(root: Path) -> None:
    assert not exported(root / "pkg" / "my-mod.py", root, "f")
    assert not exported(root / "pkg" / "a,b:c.py", root, "g")
    assert public_dotted_name("pkg.io")
    assert not public_dotted_name("pkg.for")  # a keyword: import pkg.for does not parse
