"""Real editors as clients, headless: Neovim and Emacs + eglot run "Generate how-to doc"."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from howto_ls.astutil import same_code
from howto_ls.guide import HEADING

pytestmark = pytest.mark.editor

HERE = Path(__file__).parent
SOURCE = '''"""Prices."""


def total(prices: list[float], tax: float = 0.2) -> float:
    """Sum the prices and add tax."""
    subtotal = sum(prices)
    return round(subtotal * (1 + tax), 2)
'''


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


def drive(tmp_path: Path, argv: list[str], action: str) -> Path:
    """Run an editor on a fresh project with the driver; return the edited file."""
    root = tmp_path / "proj"
    root.mkdir()
    target = root / "prices.py"
    target.write_text(SOURCE, encoding="utf-8")
    home = tmp_path / "home"
    home.mkdir()
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("HOWTO_API_KEY", "OPENAI_API_KEY")},
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "XDG_STATE_HOME": str(home / ".local/state"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "HOWTO_BACKEND": "offline",
        "HOWTO_CMD": json.dumps(server_command()),
        "HOWTO_ROOT": str(root),
        "HOWTO_FILE": str(target),
        "HOWTO_LINE": "3",
        "HOWTO_COL": "5",
        "HOWTO_ACTION": action,
    }
    done = subprocess.run(
        argv, check=False, env=env, cwd=root, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, f"{argv[0]} failed:\n{done.stdout}\n{done.stderr}"
    return target


def check_written(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert HEADING in text
    assert "Sum the prices and add tax." in text  # the human docstring text stays
    assert same_code(SOURCE, text)  # only the docstring changed
    assert text.index(HEADING) > text.index("def total")


def test_neovim_generates_a_guide(tmp_path: Path) -> None:
    nvim = need("nvim")
    argv = [nvim, "--headless", "-u", "NONE", "-i", "NONE", "-n"]
    argv += ["-c", f"luafile {HERE / 'drive.lua'}"]
    check_written(drive(tmp_path, argv, "Generate how-to doc"))


def test_emacs_eglot_generates_a_guide(tmp_path: Path) -> None:
    emacs = need("emacs")
    if not list(Path("/usr/share/emacs/site-lisp/elpa").glob("eglot-*")):
        need("eglot (elpa-eglot)")
    argv = [emacs, "--batch", "-Q", "-l", str(HERE / "drive.el")]
    check_written(drive(tmp_path, argv, "Generate how-to doc"))
