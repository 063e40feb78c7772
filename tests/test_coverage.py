"""``howto-ls coverage``: fresh, stale and missing guides per file and in total; --fail-under."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from howto_ls import cli
from howto_ls.commands.coverage import Counts

PACKAGE = """\
def scale(value: int) -> int:
    return value * 2


def shift(value: int) -> int:
    return value + 1


def _hidden() -> None:
    pass
"""

OTHER = """\
def answer() -> int:
    return 42
"""

COUNTS = {"type": "integer", "minimum": 0}
PATH_AND_REASON = {
    "type": "object",
    "required": ["path", "reason"],
    "additionalProperties": False,
    "properties": {"path": {"type": "string"}, "reason": {"type": "string"}},
}
PERCENT = {"type": "number", "minimum": 0, "maximum": 100}
SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["files", "total", "skipped", "symbols", "left_out"],
    "additionalProperties": False,
    "properties": {
        "files": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["path", "fresh", "stale", "missing", "percent"],
                "additionalProperties": False,
                "properties": {
                    "path": {"type": "string"},
                    "fresh": COUNTS,
                    "stale": COUNTS,
                    "missing": COUNTS,
                    "percent": PERCENT,
                },
            },
        },
        "total": {
            "type": "object",
            "required": ["fresh", "stale", "missing", "percent"],
            "additionalProperties": False,
            "properties": {"fresh": COUNTS, "stale": COUNTS, "missing": COUNTS, "percent": PERCENT},
        },
        "skipped": {"type": "array", "items": PATH_AND_REASON},
        "left_out": {"type": "array", "items": PATH_AND_REASON},
        "symbols": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["path", "line", "qualname", "status", "detail"],
                "additionalProperties": False,
                "properties": {
                    "path": {"type": "string"},
                    "line": {"type": "integer", "minimum": 1},
                    "qualname": {"type": "string"},
                    "status": {"enum": ["fresh", "stale", "missing"]},
                    "detail": {"enum": ["docstring", "sidecar", ""]},
                },
            },
        },
    },
}


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Offline backend, and a cache and home inside the test's folder."""
    monkeypatch.setenv("HOWTO_BACKEND", "offline")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("HOWTO_TARGET", raising=False)
    monkeypatch.delenv("HOWTO_EXCLUDE", raising=False)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``howto-ls ARGS`` in this process: exit status, stdout, stderr."""
    status = cli.main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture
def project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Path:
    """A project whose ``pkg/__init__.py`` has guides (``shift``'s stale since its body changed)
    and whose ``pkg/other.py`` has none; the current folder."""
    root = tmp_path / "project"
    (root / "pkg").mkdir(parents=True)
    (root / "pyproject.toml").write_text("", encoding="utf-8")
    (root / "pkg" / "__init__.py").write_text(PACKAGE, encoding="utf-8")
    (root / "pkg" / "other.py").write_text(OTHER, encoding="utf-8")
    monkeypatch.chdir(root)
    status, _, err = run(capsys, "generate", "--no-progress", "pkg/__init__.py")
    assert status == 0, err
    init = root / "pkg" / "__init__.py"
    text = init.read_text(encoding="utf-8")
    assert "return value + 1" in text
    init.write_text(text.replace("return value + 1", "return value + 3"), encoding="utf-8")
    return root


def test_counts_fresh_stale_and_missing_per_file_and_in_total(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, "coverage", "pkg", "--format", "json")
    assert status == 0, err
    report = json.loads(out)
    jsonschema.validate(report, SCHEMA)
    files = {entry["path"]: entry for entry in report["files"]}
    # the module and scale are fresh, shift stale; _hidden is private and not counted
    assert files["pkg/__init__.py"] == {
        "path": "pkg/__init__.py",
        "fresh": 2,
        "stale": 1,
        "missing": 0,
        "percent": 66.6,
    }
    assert files["pkg/other.py"] == {
        "path": "pkg/other.py",
        "fresh": 0,
        "stale": 0,
        "missing": 2,  # the module and answer
        "percent": 0.0,
    }
    assert report["total"] == {"fresh": 2, "stale": 1, "missing": 2, "percent": 40.0}
    assert report["skipped"] == []
    assert "40.0% of 5 public symbols have a fresh guide" in err


def test_the_table_has_a_row_per_file_and_the_total(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(capsys, "coverage", "pkg")
    assert status == 0
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines() if "." in line}
    assert rows["pkg/__init__.py"] == ["2", "1", "0", "66.6%"]
    assert rows["pkg/other.py"] == ["0", "0", "2", "0.0%"]
    assert rows["TOTAL"] == ["2", "1", "2", "40.0%"]


def test_fail_under_exits_1_only_below_the_threshold(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "coverage", "pkg", "--fail-under", "40")[0] == 0  # exactly 2 of 5
    status, _, err = run(capsys, "coverage", "pkg", "--fail-under", "40.1")
    assert status == 1
    assert "below --fail-under 40.1%" in err
    assert run(capsys, "coverage", "pkg/__init__.py", "--fail-under", "60")[0] == 0


def test_fail_under_refuses_a_value_outside_0_to_100(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["coverage", "pkg", "--fail-under", "150"])
    assert exited.value.code == 2
    assert "must be from 0 to 100" in capsys.readouterr().err


def test_private_symbols_count_when_asked(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(
        capsys, "coverage", "pkg/__init__.py", "--include-private", "--format", "json"
    )
    assert status == 0
    assert json.loads(out)["total"] == {"fresh": 2, "stale": 1, "missing": 1, "percent": 50.0}


def test_excluded_files_are_not_counted(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "coverage", "pkg", "--exclude", "other.py", "--format", "json")
    assert status == 0
    assert [entry["path"] for entry in json.loads(out)["files"]] == ["pkg/__init__.py"]


def test_a_file_that_does_not_parse_is_named_and_fails_the_run(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = project / "pkg" / "broken.py"
    broken.write_text("def oops(:\n", encoding="utf-8")
    status, out, err = run(capsys, "coverage", "pkg", "--format", "json")
    assert status == 1
    report = json.loads(out)
    jsonschema.validate(report, SCHEMA)
    assert [entry["path"] for entry in report["skipped"]] == ["pkg/broken.py"]
    assert "pkg/broken.py: not counted:" in err
    assert "Traceback" not in err
    assert broken.read_text(encoding="utf-8") == "def oops(:\n"


def test_the_installed_command_prints_only_json_on_stdout(project: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "howto_ls",
            "coverage",
            "pkg",
            "--format",
            "json",
            "--fail-under",
            "90",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
        check=False,
    )
    assert result.returncode == 1, result.stderr
    jsonschema.validate(json.loads(result.stdout), SCHEMA)
    assert "below --fail-under 90%" in result.stderr


def test_percent_rounds_down_and_nothing_to_count_is_full() -> None:
    assert Counts(fresh=2, missing=1).percent == 66.6
    assert Counts(fresh=999, missing=1).percent == 99.9  # never shown as 100 while one lacks
    assert Counts().percent == 100.0
    assert not Counts().below(100)
    assert Counts(fresh=1, stale=2).below(33.4)
    assert not Counts(fresh=1, stale=2).below(33.3)


def test_the_readme_badge_recipe_turns_the_json_into_a_shields_endpoint(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    start = readme.index("```python\n# badge.py") + len("```python\n")
    script = readme[start : readme.index("```", start)]
    _, out, _ = run(capsys, "coverage", "pkg", "--format", "json")
    (project / "howto-coverage.json").write_text(out, encoding="utf-8")
    subprocess.run([sys.executable, "-c", script], cwd=project, check=True, timeout=60)
    badge = json.loads((project / "howto-badge.json").read_text(encoding="utf-8"))
    assert badge == {
        "schemaVersion": 1,
        "label": "how-to guides",
        "message": "40%",
        "color": "red",
    }


def test_json_has_one_record_per_counted_symbol(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(capsys, "coverage", "pkg", "--format", "json")
    assert status == 0
    records = json.loads(out)["symbols"]
    lines = (project / "pkg" / "__init__.py").read_text(encoding="utf-8").splitlines()
    shift = next(i for i, text in enumerate(lines, 1) if "def shift" in text)
    assert {
        "path": "pkg/__init__.py",
        "line": shift,
        "qualname": "shift",
        "status": "stale",
        "detail": "docstring",
    } in records
    assert {
        "path": "pkg/other.py",
        "line": 1,
        "qualname": "answer",
        "status": "missing",
        "detail": "",
    } in records
    total = json.loads(out)["total"]
    assert len(records) == total["fresh"] + total["stale"] + total["missing"]
    assert all(r["qualname"] != "_hidden" for r in records)


def test_format_github_annotates_stale_and_missing_guides(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, "coverage", "pkg", "--format", "github", "--fail-under", "90")
    assert status == 1
    lines = out.splitlines()
    assert any(
        line.startswith("::warning file=pkg/__init__.py,line=") and "::shift: stale guide" in line
        for line in lines
    )
    assert "::notice file=pkg/other.py,line=1,title=howto-ls coverage::answer: no guide" in out
    assert lines[-1] == (  # % is escaped as GitHub reads it back
        "::error title=howto-ls coverage::40.0%25 of 5 public symbols have a fresh guide,"
        " below --fail-under 90%25"
    )
    assert "File" not in out  # no table
    assert "below --fail-under 90%" in err


def test_table_is_the_older_name_of_text(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, text, _ = run(capsys, "coverage", "pkg")
    _, table, _ = run(capsys, "coverage", "pkg", "--format", "table")
    assert table == text and text.startswith("File")


def test_private_and_test_modules_count_only_when_asked(project: Path) -> None:
    (project / "pkg" / "_impl.py").write_text(
        "def exposed() -> int:\n    return 1\n\n\ndef internal() -> int:\n    return 2\n",
        encoding="utf-8",
    )
    init = project / "pkg" / "__init__.py"
    init.write_text("from pkg._impl import exposed\n" + init.read_text("utf-8"), "utf-8")
    (project / "tests").mkdir()
    (project / "tests" / "test_pkg.py").write_text("def test_scale() -> None: ...\n", "utf-8")

    def counted(*flags: str) -> tuple[set[tuple[str, str]], str, list[object]]:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "howto_ls",
                "coverage",
                "pkg",
                "tests",
                "--format",
                "json",
                *flags,
            ],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
            check=False,
        )
        out, err = result.stdout, result.stderr
        report = json.loads(out)
        jsonschema.validate(report, SCHEMA)
        names = {(r["path"], r["qualname"]) for r in report["symbols"]}
        return names, err, report["left_out"]

    names, err, left_out = counted()
    assert ("pkg/_impl.py", "exposed") in names  # re-exported by pkg: public
    assert ("pkg/_impl.py", "internal") not in names
    assert not any(path == "tests/test_pkg.py" for path, _ in names)
    assert left_out == [
        {"path": "pkg/_impl.py", "reason": "private module"},
        {"path": "tests/test_pkg.py", "reason": "test module"},
    ]
    assert (
        "1 private module and 1 test module: symbols no public module re-exports not counted" in err
    )

    names, _, left_out = counted("--include-private", "--include-tests")
    assert {("pkg/_impl.py", "internal"), ("tests/test_pkg.py", "test_scale")} <= names
    assert left_out == []
