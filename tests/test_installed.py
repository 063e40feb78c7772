"""Objects of libraries installed for the project are built from their source, read in the
project interpreter's site-packages; the example runs with that interpreter."""

from __future__ import annotations

import sysconfig
import venv
from pathlib import Path

import pytest

from howto_ls import examples_run, sandbox
from howto_ls.offline import installed
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
    installed.site_packages_of.cache_clear()
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


CLI_LIBRARY = '''\
"""Command-line parameters whose declarations are options: they start with a dash."""

from tinymarkup.split import split_opt


class Parameter:
    def __init__(self, param_decls=None) -> None:
        self.name = self._parse_decls(param_decls or ())

    def _parse_decls(self, decls):
        return decls[0]


class Option(Parameter):
    def __init__(self, param_decls=None, **attrs) -> None:
        super().__init__(param_decls, **attrs)

    def _parse_decls(self, decls):
        name = None
        for decl in decls:
            prefix, name = split_opt(decl)
            if not prefix:
                raise TypeError(f"not an option: {decl}")
        if name is None:
            raise TypeError("No options defined")
        return name
'''

SPLIT = '''\
"""Splits an option into its prefix and its name (in another module of the library)."""

_opt_prefixes = {"-", "--"}


def split_opt(opt):
    first = opt[:1]
    if first.isalnum():
        return "", opt
    if opt[1:2] == first:
        return opt[:2], opt[2:]
    return first, opt[1:]


def is_option(arg):
    return arg[:1] in _opt_prefixes
'''

CLI_USER = '''\
"""Describes options of the installed command-line library."""

from tinymarkup.cli import Option


def describe(option: Option) -> str:
    """The option's name."""
    return option.name
'''


def test_an_installed_classs_own_code_decides_what_its_constructor_needs(
    environment: Path, tmp_path: Path
) -> None:
    purelib = next(environment.glob("lib/python*/site-packages"))
    (purelib / "tinymarkup" / "cli.py").write_text(CLI_LIBRARY, encoding="utf-8")
    (purelib / "tinymarkup" / "split.py").write_text(SPLIT, encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    _, example = example_for(project, "describe", CLI_USER)
    assert 'Option(param_decls=["--name"])' in example
    run = examples_run.run_example(
        example, python=str(environment / "bin" / "python"), paths=[project]
    )
    assert run.ok, run.detail


@pytest.mark.parametrize("isolation", ["bwrap", "none"])
def test_the_projects_interpreter_is_asked_inside_the_sandbox(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolation: str
) -> None:
    """A cloned project's ``.venv/bin/python`` is the project's code: asking it where its
    libraries live must not give it the environment's keys, nor (under bubblewrap) any write."""
    try:
        sandbox.mechanism(isolation)
    except sandbox.SandboxError as exc:
        pytest.skip(str(exc))
    monkeypatch.setenv("HOWTO_SANDBOX", isolation)
    monkeypatch.setenv("HOWTO_API_KEY", "sk-howto-decoy-installed")
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    project = tmp_path / "project"
    marks = tmp_path / "marks"
    marks.mkdir()
    venv_folder = project / ".venv"
    (venv_folder / "bin").mkdir(parents=True)
    (venv_folder / "pyvenv.cfg").write_text("home = /usr/bin\n", encoding="utf-8")
    python = venv_folder / "bin" / "python"
    python.write_text(
        "#!/bin/sh\n"
        f'echo "key=$HOWTO_API_KEY" >> {marks / "ran"}\n'
        f'echo "key=$HOWTO_API_KEY" >> {project / "ran"}\n'
        'echo \'["/", "/etc", "' + str(tmp_path) + "\"]'\n",
        encoding="utf-8",
    )
    python.chmod(0o755)
    installed.site_packages_of.cache_clear()
    assert installed.library_folders(project) == ()  # no site-packages among its claims
    if isolation == "bwrap":
        assert not (marks / "ran").exists() and not (project / "ran").exists()
    else:
        assert (marks / "ran").read_text(encoding="utf-8") == "key=\n"
