"""The project's line length, read from ruff, Black and flake8 configuration files."""

from __future__ import annotations

from pathlib import Path

import pytest

from howto_ls.style import DEFAULT_LINE_LENGTH, line_length


def write(path: Path, text: str) -> Path:
    """Create ``path`` with its folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_no_configuration_means_88(tmp_path: Path) -> None:
    source = write(tmp_path / "pkg" / "mod.py", "")
    write(tmp_path / "pyproject.toml", "[project]\nname = 'x'\n")
    assert line_length(source) == DEFAULT_LINE_LENGTH == 88


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("pyproject.toml", "[tool.ruff]\nline-length = 120\n", 120),
        ("pyproject.toml", "[tool.black]\nline-length = 99\n", 99),
        ("pyproject.toml", "[tool.ruff]\n[tool.black]\nline-length = 99\n", 99),
        ("pyproject.toml", "[tool.ruff]\nline-length = 80\n[tool.black]\nline-length = 99\n", 80),
        ("ruff.toml", "line-length = 110\n", 110),
        (".ruff.toml", "line-length = 111\n", 111),
        ("setup.cfg", "[flake8]\nmax-line-length = 79\n", 79),
        ("tox.ini", "[flake8]\nmax_line_length = 100\n", 100),
        (".flake8", "[flake8]\nmax-line-length=90\n", 90),
        ("setup.cfg", "[metadata]\nname = x\n", 88),
        ("pyproject.toml", "[tool.ruff\nbroken", 88),
        ("setup.cfg", "no section header", 88),
        ("pyproject.toml", "[tool.ruff]\nline-length = 'long'\n", 88),
    ],
)
def test_each_tool_sets_it(tmp_path: Path, name: str, text: str, expected: int) -> None:
    write(tmp_path / name, text)
    assert line_length(write(tmp_path / "mod.py", "")) == expected


def test_the_nearest_folder_that_sets_it_wins_and_changes_are_seen(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.black]\nline-length = 100\n")
    inner = write(tmp_path / "sub" / "pyproject.toml", "[project]\nname = 'sub'\n")
    source = write(tmp_path / "sub" / "pkg" / "mod.py", "")
    assert line_length(source) == 100  # sub's pyproject sets nothing: look further up
    inner.write_text("[tool.ruff]\nline-length = 72\n", encoding="utf-8")
    assert line_length(source) == 72
    write(tmp_path / "sub" / "ruff.toml", "line-length = 81\n")
    assert line_length(source) == 81  # ruff.toml before pyproject.toml, as ruff reads them
