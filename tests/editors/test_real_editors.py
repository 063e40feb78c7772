"""Real editors as clients, headless: Neovim and Emacs + eglot run "Generate how-to doc".

Each runs twice: in a plain folder and in one whose name has a space and non-ASCII letters, which
both editors percent-encode in every URI they send.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.editors.harness import (
    ENCODED_FOLDER,
    HERE,
    Project,
    check_hover,
    check_written,
    need,
    need_eglot,
    own_server_env,
)

pytestmark = pytest.mark.editor

FOLDERS = pytest.mark.parametrize("name", ["proj", ENCODED_FOLDER], ids=["plain", "encoded"])


@FOLDERS
def test_neovim_generates_a_guide(tmp_path: Path, name: str) -> None:
    nvim = need("nvim")
    project = Project.make(tmp_path, name=name)
    shown = tmp_path / "hover.txt"
    argv = [nvim, "--headless", "-u", "NONE", "-i", "NONE", "-n"]
    argv += ["-c", f"luafile {HERE / 'drive.lua'}"]
    env = own_server_env(project)
    env["HOWTO_HOVER_OUT"] = str(shown)
    project.run(argv, env)
    check_written(project.file)
    check_hover(shown)


@FOLDERS
def test_emacs_eglot_generates_a_guide(tmp_path: Path, name: str) -> None:
    emacs = need("emacs")
    need_eglot()
    project = Project.make(tmp_path, name=name)
    shown = tmp_path / "hover.txt"
    argv = [emacs, "--batch", "-Q", "-l", str(HERE / "drive.el")]
    env = own_server_env(project)
    env["HOWTO_HOVER_OUT"] = str(shown)
    project.run(argv, env)
    check_written(project.file)
    check_hover(shown)
