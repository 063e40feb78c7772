"""The project's line lengths and docstring convention, read from ruff, Black, flake8,
pycodestyle and pydocstyle configuration files."""

from __future__ import annotations

from pathlib import Path

import pytest

from howto_ls.style import DEFAULT_LINE_LENGTH, DocStyle, doc_style, line_length


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


@pytest.mark.parametrize(
    ("name", "text", "max_doc_length", "convention"),
    [
        (
            "pyproject.toml",
            "[tool.ruff.lint.pycodestyle]\nmax-doc-length = 72\n"
            "[tool.ruff.lint.pydocstyle]\nconvention = 'numpy'\n",
            72,
            "numpy",
        ),
        (
            "pyproject.toml",  # ruff's older tables, without ``lint``
            "[tool.ruff.pycodestyle]\nmax-doc-length = 80\n[tool.ruff.pydocstyle]\n"
            "convention = 'google'\n",
            80,
            "google",
        ),
        ("pyproject.toml", "[tool.pydocstyle]\nconvention = 'pep257'\n", None, "pep257"),
        (
            "ruff.toml",
            "[lint.pycodestyle]\nmax-doc-length = 60\n[lint.pydocstyle]\nconvention = 'pep257'\n",
            60,
            "pep257",
        ),
        (
            "setup.cfg",
            "[flake8]\nmax-doc-length = 72\n[pydocstyle]\nconvention = numpy\n",
            72,
            "numpy",
        ),
        ("tox.ini", "[pycodestyle]\nmax_doc_length = 79\n", 79, None),
        (".flake8", "[flake8]\nmax-doc-length=70\n", 70, None),
        (".pydocstyle", "[pydocstyle]\nconvention = google\n", None, "google"),
        ("pyproject.toml", "[tool.ruff.lint.pydocstyle]\nconvention = 'sphinx'\n", None, None),
        ("setup.cfg", "[flake8]\nmax-doc-length = none\n", None, None),
    ],
)
def test_doc_length_and_convention_from_each_tool(
    tmp_path: Path, name: str, text: str, max_doc_length: int | None, convention: str | None
) -> None:
    write(tmp_path / name, text)
    found = doc_style(write(tmp_path / "mod.py", ""))
    assert (found.max_doc_length, found.convention) == (max_doc_length, convention)


def test_each_setting_comes_from_the_nearest_folder_that_sets_it(tmp_path: Path) -> None:
    write(
        tmp_path / "setup.cfg", "[pydocstyle]\nconvention = numpy\n[flake8]\nmax-doc-length = 72\n"
    )
    write(tmp_path / "sub" / "pyproject.toml", "[tool.ruff]\nline-length = 100\n")
    found = doc_style(write(tmp_path / "sub" / "mod.py", ""))
    assert found == DocStyle(line_length=100, max_doc_length=72, convention="numpy")
    assert found.doc_line_length == 72 and found.imperative
    assert found.blank_line_after_class_docstring


def test_what_each_convention_asks_of_a_docstring() -> None:
    assert DocStyle().doc_line_length == 88 and DocStyle(max_doc_length=120).doc_line_length == 88
    assert DocStyle().imperative and DocStyle(convention="pep257").imperative
    google = DocStyle(convention="google")
    assert not google.imperative and not google.blank_line_after_class_docstring
