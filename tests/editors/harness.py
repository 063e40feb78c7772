"""Run a real editor (Neovim, Emacs) headless on a fresh project and report what it wrote."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from howto_ls.astutil import same_code
from howto_ls.guide import HEADING, SECTIONS

HERE = Path(__file__).parent
SOURCE = '''"""Prices."""


def total(prices: list[float], tax: float = 0.2) -> float:
    """Sum the prices and add tax."""
    subtotal = sum(prices)
    return round(subtotal * (1 + tax), 2)
'''
TOTAL_LINE, TOTAL_COL = 3, 5  # 0-based position of ``total`` in SOURCE
ACTION = "Generate how-to doc"
# A model server address where nothing listens: with it in the environment, backend "auto" fails,
# so an edit proves the editor's settings (backend "offline") reached the server.
DEAD_MODEL_URL = "http://127.0.0.1:9/v1"
# A workspace folder name every client percent-encodes in its URIs: a space and non-ASCII letters.
ENCODED_FOLDER = "my proj ünï 名前"


def server_command() -> list[str]:
    """The installed ``howto-ls`` (stdio), else the module from this checkout."""
    installed = shutil.which("howto-ls")
    return [installed] if installed else [sys.executable, "-m", "howto_ls"]


def need(program: str) -> str:
    """The path of ``program``; skip without it unless CI requires the editors."""
    found = shutil.which(program)
    if found is None:
        if os.environ.get("HOWTO_REQUIRE_EDITORS"):
            pytest.fail(f"{program} is not installed; apt-get install neovim emacs-nox elpa-eglot")
        pytest.skip(f"{program} is not installed")
    return found


def need_eglot() -> None:
    """Skip (or fail in CI) without Debian's ``elpa-eglot``."""
    if not list(Path("/usr/share/emacs/site-lisp/elpa").glob("eglot-*")):
        need("eglot (elpa-eglot)")


@dataclass(frozen=True)
class Project:
    """A fresh project: ``root`` holds ``file`` (SOURCE); ``home`` is the editor's home folder."""

    root: Path
    file: Path
    home: Path
    bin: Path

    @classmethod
    def make(
        cls,
        tmp_path: Path,
        folder: str = "",
        markers: tuple[str, ...] = (),
        name: str = "proj",
    ) -> Project:
        """A project named ``name`` with ``markers`` at its root, the file in ``folder``."""
        root = tmp_path / name
        (root / folder).mkdir(parents=True)
        for marker in markers:
            if marker == ".git":
                (root / marker).mkdir()
            else:
                (root / marker).write_text('[project]\nname = "prices"\n', encoding="utf-8")
        target = root / folder / "prices.py"
        target.write_text(SOURCE, encoding="utf-8")
        home = tmp_path / "home"
        home.mkdir()
        # ``howto-ls`` on PATH, as the README's configurations expect: this checkout's server.
        bin_dir = tmp_path / "bin"
        bin_dir.mkdir()
        wrapper = bin_dir / "howto-ls"
        wrapper.write_text(
            f'#!/bin/sh\nexec {" ".join(map(str, server_command()))} "$@"\n', encoding="utf-8"
        )
        wrapper.chmod(0o755)
        return cls(root, target, home, bin_dir)

    def env(self, **extra: str) -> dict[str, str]:
        """The editor's environment: state under ``home``, no API key, ``howto-ls`` on PATH."""
        dropped = ("HOWTO_API_KEY", "OPENAI_API_KEY", "HOWTO_BASE_URL", "HOWTO_BACKEND")
        env = {k: v for k, v in os.environ.items() if k not in dropped}
        home = self.home
        env.update(
            HOME=str(home),
            XDG_CONFIG_HOME=str(home / ".config"),
            XDG_DATA_HOME=str(home / ".local/share"),
            XDG_STATE_HOME=str(home / ".local/state"),
            XDG_CACHE_HOME=str(home / ".cache"),
            PATH=f"{self.bin}{os.pathsep}{env.get('PATH', '')}",
            HOWTO_ROOT=str(self.root),
            HOWTO_FILE=str(self.file),
            HOWTO_LINE=str(TOTAL_LINE),
            HOWTO_COL=str(TOTAL_COL),
            HOWTO_ACTION=ACTION,
        )
        env.update(extra)
        return env

    def run(self, argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        """Run the editor in the project, no standard input; fail the test on a non-zero exit."""
        done = subprocess.run(
            argv,
            check=False,
            env=env,
            cwd=self.root,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, f"{argv[0]} failed:\n{done.stdout}\n{done.stderr}"
        return done


def own_server_env(project: Project) -> dict[str, str]:
    """Environment for a driver that starts the server itself (offline backend)."""
    return project.env(HOWTO_BACKEND="offline", HOWTO_CMD=json.dumps(server_command()))


def check_written(path: Path) -> None:
    """Assert the guide landed in ``total``'s docstring and nothing else in the code changed."""
    text = path.read_text(encoding="utf-8")
    total = next(
        node
        for node in ast.parse(text).body
        if isinstance(node, ast.FunctionDef) and node.name == "total"
    )
    docstring = ast.get_docstring(total) or ""
    assert HEADING in docstring, text
    assert all(section in docstring for section in SECTIONS), docstring
    assert "Sum the prices and add tax." in docstring  # the human docstring text stays
    assert same_code(SOURCE, text)  # only the docstring changed


def check_hover(shown: Path) -> None:
    """Assert the hover text an editor showed (written to ``shown``) is ``total``'s guide."""
    text = shown.read_text(encoding="utf-8")
    assert HEADING in text, text
    assert "Execution Steps" in text, text
