"""Control characters in what the command line prints are made visible (ECMA-48 sequences)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from howto_ls.terminal import printable

ESCAPES = "\x1b]52;c;cHduZWQ=\x07\x1b]0;TITLE\x07\x1b[8m\x9b2J\x7f"


def test_control_characters_are_written_as_escapes() -> None:
    assert printable("tab\tline\nreturn\r") == "tab\tline\nreturn\r"
    assert printable(ESCAPES) == ("\\x1b]52;c;cHduZWQ=\\x07\\x1b]0;TITLE\\x07\\x1b[8m\\x9b2J\\x7f")
    assert printable("ünïcode 名前 \u200b") == "ünïcode 名前 \u200b"


@pytest.mark.skipif(sys.platform == "win32", reason="ESC is not allowed in Windows file names")
def test_file_names_and_findings_reach_the_terminal_without_control_sequences(
    tmp_path: Path,
) -> None:
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    hostile = tmp_path / "x\x1b]0;TITLE\x07\x1b[8m.py"
    hostile.write_text("def broken(:\n", encoding="utf-8")  # a finding that names the file

    done = subprocess.run(
        [sys.executable, "-m", "howto_ls", "check", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    shown = done.stdout + done.stderr
    assert done.returncode == 1, shown
    assert "x\\x1b]0;TITLE\\x07\\x1b[8m.py:1: cannot check" in shown
    assert "\x1b" not in shown and "\x07" not in shown
