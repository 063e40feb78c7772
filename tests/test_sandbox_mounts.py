"""``howto_ls.sandbox_mounts``: which places bubblewrap hides, in which order paths come back.

Real folders, files and symbolic links on disk; the interpreters are asked in real subprocesses.
Whether bubblewrap then hides and shows them is tested in ``tests/test_sandbox.py``.
"""

from __future__ import annotations

import os
import site
import subprocess
import sys
from pathlib import Path

import pytest

from howto_ls import sandbox, sandbox_mounts


def test_the_home_and_the_temporary_folders_are_hidden_but_never_the_system(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (tmp_path / "link-home").symlink_to(home)
    monkeypatch.setenv("HOME", str(tmp_path / "link-home"))
    places = sandbox_mounts.hidden_places()
    assert home in places  # by its real path
    assert Path("/tmp") in places
    assert Path(os.path.realpath("/run")) in places  # the host's services' sockets
    assert all(p == Path(os.path.realpath(p)) for p in places)
    for home_of_a_service in ["/", "/usr/sbin", "/var", "/etc", "/no/such/folder"]:
        monkeypatch.setenv("HOME", home_of_a_service)
        places = sandbox_mounts.hidden_places()
        assert Path(home_of_a_service) not in places, home_of_a_service
        assert not any(Path("/usr").is_relative_to(p) for p in places)


def test_mounts_come_ancestors_first_and_the_deepest_rule_wins(tmp_path: Path) -> None:
    home = tmp_path / "home"
    project = home / "code" / "proj"
    secret = project / ".secrets"
    interpreter = home / ".pyenv" / "versions" / "3.x"
    for folder in (secret, interpreter / "bin", tmp_path / "outside"):
        folder.mkdir(parents=True)
    (interpreter / "bin" / "python3.x").write_text("", encoding="utf-8")
    # a venv's python -> an alias in the home -> the real interpreter, all hidden
    venv = project / ".venv"
    (venv / "bin").mkdir(parents=True)
    (home / "alias").symlink_to(interpreter / "bin")
    (home / "python").symlink_to("alias/python3.x")
    (home / "current").symlink_to(project)
    mounts = sandbox_mounts.bwrap_mounts(
        [home, secret],
        [
            home / "current",  # shown at its real path, the link made again
            venv,  # inside the project: already shown with it
            home / "python",
            tmp_path / "outside",  # never hidden: no argument
            home / "missing",  # does not exist: --ro-bind-try leaves it out
        ],
    )
    real = str(interpreter / "bin" / "python3.x")
    assert mounts == [  # sorted by path: ".pyenv" before "alias"
        *("--tmpfs", str(home)),
        *("--ro-bind-try", real, real),
        *("--symlink", str(interpreter / "bin"), str(home / "alias")),
        *("--ro-bind-try", str(project), str(project)),
        *("--tmpfs", str(secret)),  # a hidden place inside a shown folder stays hidden
        *("--symlink", str(project), str(home / "current")),
        *("--ro-bind-try", str(home / "missing"), str(home / "missing")),
        *("--symlink", "alias/python3.x", str(home / "python")),
    ]


def test_a_path_that_is_also_a_hidden_place_is_shown(tmp_path: Path) -> None:
    assert sandbox_mounts.bwrap_mounts([tmp_path], [tmp_path]) == []
    assert sandbox_mounts.bwrap_mounts([tmp_path], []) == ["--tmpfs", str(tmp_path)]


def _bwrap() -> None:
    try:
        sandbox.mechanism("bwrap")
    except sandbox.SandboxError as exc:
        pytest.skip(str(exc))


def test_an_interpreter_says_what_it_reads_once(tmp_path: Path) -> None:
    _bwrap()
    said = sandbox_mounts.interpreter_paths(sys.executable)
    assert Path(sys.prefix) in said and Path(sys.base_prefix) in said
    assert Path(sys.executable) in said  # its links made again, its real path shown
    real = os.path.realpath(sys.executable)
    assert real in sandbox_mounts.bwrap_mounts([Path(real).parent], [Path(sys.executable)])
    assert any(Path(p) in said for p in site.getsitepackages())
    asked = sandbox_mounts._ask.cache_info().misses
    assert sandbox_mounts.interpreter_paths(sys.executable) == said
    assert sandbox_mounts._ask.cache_info().misses == asked  # asked once
    # a program that is not Python says nothing: itself is what is known
    not_python = tmp_path / "not-python"
    not_python.write_text("#!/bin/sh\necho 'not json'\n", encoding="utf-8")
    not_python.chmod(0o755)
    assert sandbox_mounts.interpreter_paths(str(not_python)) == (not_python,)
    missing = tmp_path / "missing" / "python"
    assert sandbox_mounts.interpreter_paths(str(missing)) == (missing,)


def test_what_an_interpreter_says_is_kept_only_where_it_checks_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A project's virtualenv is the project's code: a ``.pth`` naming the home folder or
    another folder must not make bubblewrap show it again."""
    _bwrap()
    home = tmp_path / "decoy-home"
    project = home / "code" / "proj"
    (project / "src").mkdir(parents=True)
    elsewhere = home / "elsewhere"
    elsewhere.mkdir()
    venv = project / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    names = [home, home / "code", elsewhere, project / "src", Path("/")]
    (Path(purelib) / "zz_paths.pth").write_text("".join(f"{p}\n" for p in names), "utf-8")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("PYTHONPATH", raising=False)
    said = sandbox_mounts.interpreter_paths(str(python), [project / "src", project])
    assert venv in said and Path(purelib) in said and Path(sys.base_prefix) in said
    assert project / "src" in said  # inside the project's import roots
    for shown_again in (home, home / "code", elsewhere, Path("/")):
        assert shown_again not in said, shown_again
    mounts = sandbox_mounts.bwrap_mounts(sandbox_mounts.hidden_places(), said)
    shown = [Path(mounts[i + 1]) for i, arg in enumerate(mounts) if arg == "--ro-bind-try"]
    assert shown and not any(
        home.is_relative_to(p) or p.is_relative_to(elsewhere) for p in shown
    ), shown


def test_a_prefix_is_kept_only_when_it_is_a_python_prefix_on_disk(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    venv.mkdir()
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n", encoding="utf-8")
    installed = tmp_path / "installed"
    (installed / "lib" / "python3.12").mkdir(parents=True)
    plain = tmp_path / "plain"
    (plain / "lib" / "other").mkdir(parents=True)
    assert sandbox_mounts._is_prefix(venv) and sandbox_mounts._is_prefix(installed)
    assert not sandbox_mounts._is_prefix(plain) and not sandbox_mounts._is_prefix(tmp_path)


def test_own_paths_are_the_running_interpreters_prefixes_and_executable() -> None:
    own = sandbox_mounts.own_paths()
    assert Path(sys.base_prefix) in own and Path(sys.executable) in own
    assert Path(os.path.realpath(sys.executable)) in own
