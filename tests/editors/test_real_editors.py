"""Real editors as clients, headless: Neovim and Emacs + eglot run "Generate how-to doc"."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.editors.harness import HERE, Project, check_written, need, need_eglot, own_server_env

pytestmark = pytest.mark.editor


def test_neovim_generates_a_guide(tmp_path: Path) -> None:
    nvim = need("nvim")
    project = Project.make(tmp_path)
    argv = [nvim, "--headless", "-u", "NONE", "-i", "NONE", "-n"]
    argv += ["-c", f"luafile {HERE / 'drive.lua'}"]
    project.run(argv, own_server_env(project))
    check_written(project.file)


def test_emacs_eglot_generates_a_guide(tmp_path: Path) -> None:
    emacs = need("emacs")
    need_eglot()
    project = Project.make(tmp_path)
    argv = [emacs, "--batch", "-Q", "-l", str(HERE / "drive.el")]
    project.run(argv, own_server_env(project))
    check_written(project.file)
