"""Control characters in what the command line prints are made visible (ECMA-48 sequences)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from howto_ls.terminal import printable, visible

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


def test_visible_keeps_a_name_on_one_line() -> None:
    assert visible("a\nb\rc\td") == "a\\nb\\rc\\td"
    assert visible("x\u2028y\u2029z\x85\x1b") == "x\\u2028y\\u2029z\\x85\\x1b"
    assert visible("ünïcode 名前 %0A ::") == "ünïcode 名前 %0A ::"


@pytest.mark.skipif(sys.platform == "win32", reason="a line feed is not allowed in file names")
@pytest.mark.parametrize(
    "command",  # such modules are private (no import names them): asked for, they are shown
    [["check", "src", "--missing", "--include-private"], ["coverage", "src", "--include-private"]],
)
def test_a_file_name_cannot_start_a_workflow_command_line(
    tmp_path: Path, command: list[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    package = tmp_path / "src" / "pk"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    for name in ("nl\n::error::INJECTED.py", "cr\r::warning::X.py", "ls\u2028::notice::Y.py"):
        (package / name).write_text("def h(x):\n    return x\n", encoding="utf-8")

    done = subprocess.run(
        [sys.executable, "-m", "howto_ls", *command],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "HOWTO_BACKEND": "offline", "HOME": str(tmp_path / "home")},
    )

    shown = done.stdout + done.stderr
    assert "src/pk/nl\\n::error::INJECTED.py" in shown
    assert "src/pk/ls\\u2028::notice::Y.py" in shown
    lines = [line for text in (done.stdout, done.stderr) for line in text.splitlines()]
    assert not any(line.lstrip().startswith("::") for line in lines), shown
    assert "\r" not in shown and "\u2028" not in shown
