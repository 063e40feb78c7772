"""Objects of libraries installed for the project are built from their source, read in the
project interpreter's site-packages; the example runs with that interpreter."""

from __future__ import annotations

import sysconfig
import venv
from pathlib import Path

import pytest

from howto_ls import examples_run, installed
from tests.test_example import example_for

LIBRARY = '''\
"""A token of a markup parser."""


class Token:
    """One token."""

    def __init__(self, type: str, tag: str, nesting: int) -> None:
        self.type = type
        self.tag = tag
        self.nesting = nesting
'''

RENDERER = '''\
"""Renders tokens of the installed parser."""

from __future__ import annotations

from tinymarkup.token import Token


def describe(token: Token) -> str:
    """The token's type and HTML tag, as ``type <tag>``."""
    return f"{token.type} <{token.tag}>"
'''


@pytest.fixture
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A virtualenv with ``tinymarkup`` installed, active as in a shell that activated it."""
    folder = tmp_path / "env"
    venv.create(folder, with_pip=False)
    purelib = sysconfig.get_path("purelib", vars={"base": str(folder), "platbase": str(folder)})
    package = Path(purelib) / "tinymarkup"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "token.py").write_text(LIBRARY, encoding="utf-8")
    monkeypatch.setenv("VIRTUAL_ENV", str(folder))
    installed._folders_of.cache_clear()
    return folder


def test_library_folders_are_the_active_environments(environment: Path, tmp_path: Path) -> None:
    folders = installed.library_folders(tmp_path)
    assert folders and all(environment in f.parents for f in folders)
    found = installed.installed_module_file("tinymarkup.token", tmp_path)
    assert found is not None and found[0].name == "token.py"
    assert installed.installed_module_file("not_installed_anywhere", tmp_path) is None


def test_an_installed_librarys_class_is_built(environment: Path, tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    _, example = example_for(project, "describe", RENDERER)
    assert "from tinymarkup.token import Token" in example
    assert "token = Token(" in example and "..." not in example
    run = examples_run.run_example(
        example, python=str(environment / "bin" / "python"), paths=[project]
    )
    assert run.ok, run.detail
