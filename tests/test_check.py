"""``howto-ls check``: exit 1 naming every stale (with --missing, absent) guide; 0 when fresh."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from howto_ls import cli
from howto_ls.edits import read_docstring_guides
from howto_ls.testing import samples

HELPERS = """\
def public_helper(value: int) -> int:
    return value * 2


def _private_helper(value: int) -> int:
    return value + 1


class Box:
    def open(self) -> str:
        return "open"
"""


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Offline backend, and a cache and home inside the test's folder."""
    monkeypatch.setenv("HOWTO_BACKEND", "offline")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("HOWTO_TARGET", raising=False)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sample ``shop`` project, as the current folder."""
    root = tmp_path / "project"
    samples.write_project(root)
    (root / "pyproject.toml").write_text("", encoding="utf-8")
    monkeypatch.chdir(root)
    return root


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``howto-ls ARGS`` in this process: exit status, stdout, stderr."""
    status = cli.main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_check_passes_then_names_the_function_whose_body_changed(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "generate", "shop", "--no-progress")[0] == 0
    status, out, err = run(capsys, "check", "shop")
    guides = sum(len(read_docstring_guides(p.read_text("utf-8"))) for p in project.rglob("*.py"))
    assert guides >= 5
    assert (status, out, err) == (0, "", f"{guides} guides checked: all fresh\n")

    cart = project / "shop" / "cart.py"
    text = cart.read_text(encoding="utf-8")
    cart.write_text(text.replace("sum(prices)", "sum(prices) + 1"), encoding="utf-8")
    line = next(
        i for i, s in enumerate(cart.read_text("utf-8").splitlines(), 1) if "def total" in s
    )

    status, out, err = run(capsys, "check", "shop")

    assert status == 1
    # The module's guide stays fresh: the module offers the same functions, same signatures.
    assert out.splitlines() == [f"shop/cart.py:{line}: total: stale guide"]
    assert "1 stale" in err
    fix = "howto-ls generate --stale --write docstring shop"
    assert err.splitlines()[-1] == f"  {fix}"
    # Fixing it the way the message says makes the check pass again.
    assert run(capsys, *shlex.split(fix)[1:], "--no-progress")[0] == 0
    assert run(capsys, "check", "shop")[0] == 0


def test_a_changed_signature_makes_the_module_guide_stale_too(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "generate", "shop", "--no-progress")[0] == 0
    cart = project / "shop" / "cart.py"
    text = cart.read_text(encoding="utf-8")
    assert "def total(prices" in text
    cart.write_text(text.replace("def total(prices", "def total(*, prices"), encoding="utf-8")

    status, out, _ = run(capsys, "check", "shop")

    assert status == 1
    stale = [line.split(": ")[1] for line in out.splitlines()]
    assert stale == ["shop.cart", "total"]


def test_editing_only_a_docstring_or_comment_keeps_guides_fresh(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "generate", "shop", "--no-progress")[0] == 0
    rates = project / "shop" / "rates.py"
    text = rates.read_text(encoding="utf-8")
    rates.write_text(text.replace("def tax_rate", "# rates change yearly\ndef tax_rate"), "utf-8")
    assert run(capsys, "check", "shop")[0] == 0


def test_missing_lists_public_symbols_without_a_guide(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    helpers = project / "shop" / "helpers.py"
    helpers.write_text(HELPERS, encoding="utf-8")

    assert run(capsys, "check", "shop/helpers.py") == (0, "", "0 guides checked: all fresh\n")
    status, out, err = run(capsys, "check", "shop/helpers.py", "--missing")
    assert status == 1
    assert out.splitlines() == [
        "shop/helpers.py:1: shop.helpers: missing guide",
        "shop/helpers.py:1: public_helper: missing guide",
        "shop/helpers.py:9: Box: missing guide",
        "shop/helpers.py:10: Box.open: missing guide",
    ]
    assert "0 stale, 4 missing" in err
    status, out, _ = run(capsys, "check", "shop/helpers.py", "--missing", "--include-private")
    assert "shop/helpers.py:5: _private_helper: missing guide" in out.splitlines()

    assert run(capsys, "generate", "shop/helpers.py", "--no-progress")[0] == 0
    status, out, _ = run(capsys, "check", "shop/helpers.py", "--missing", "--include-private")
    lines = helpers.read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, 1) if text.startswith("def _private_helper"))
    assert (status, out) == (1, f"shop/helpers.py:{line}: _private_helper: missing guide\n")
    assert run(capsys, "check", "shop/helpers.py", "--missing")[0] == 0


def test_sidecar_guides_are_checked_too(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "generate", "shop", "--write", "sidecar", "--no-progress")[0] == 0
    status, _, err = run(capsys, "check", "shop", "--missing")
    assert status == 0
    assert err.endswith(" guides checked: all fresh; no public symbol is missing one\n")
    rates = project / "shop" / "rates.py"
    rates.write_text(samples.RATES_SOURCE.replace("0.07", "0.08"), encoding="utf-8")
    status, out, _ = run(capsys, "check", "shop")
    assert status == 1
    assert "shop/rates.py:1: tax_rate: stale guide" in out.splitlines()


def test_the_printed_commands_fix_a_sidecar_project_without_touching_its_sources(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "generate", "shop", "--write", "sidecar", "--no-progress")[0] == 0
    rates = project / "shop" / "rates.py"
    rates.write_text(samples.RATES_SOURCE.replace("0.07", "0.08"), encoding="utf-8")
    (project / "shop" / "helpers.py").write_text(HELPERS, encoding="utf-8")
    sources = {path: path.read_bytes() for path in project.rglob("*.py")}

    status, _, err = run(capsys, "check", "shop", "--missing")

    assert status == 1
    commands = [line.strip() for line in err.splitlines() if line.startswith("  howto-ls ")]
    assert commands == ["howto-ls generate --stale --only-missing --write sidecar shop"]
    for command in commands:
        assert run(capsys, *shlex.split(command)[1:], "--no-progress")[0] == 0
    assert {path: path.read_bytes() for path in project.rglob("*.py")} == sources
    assert run(capsys, "check", "shop", "--missing")[0] == 0


def test_bad_paths_are_usage_errors(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "check", "nowhere")
    assert status == 2 and "nowhere: no such file or folder" in err


def test_an_unreadable_file_is_one_line_shaped_like_the_others(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "latin.py").write_bytes("NAME = 'caf\u00e9'\n".encode("latin-1"))
    status, out, _ = run(capsys, "check", "latin.py")
    assert status == 1
    line = next(line for line in out.splitlines() if line.startswith("latin.py:"))
    assert line.startswith("latin.py:1: cannot check: ") and "(file)" not in line


def test_check_as_a_ci_step_in_a_real_process(project: Path) -> None:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(project.parent / "home"),
        "HOWTO_BACKEND": "offline",
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),  # this checkout's howto_ls
    }

    def howto(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "howto_ls", *args],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    assert howto("check", "shop", "--missing").returncode == 1
    assert howto("generate", "shop", "--no-progress").returncode == 0
    assert howto("check", "shop", "--missing").returncode == 0


def test_a_deeply_nested_sibling_is_one_line_not_a_traceback(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "generated.py").write_text(
        "x = " + "+".join(["1"] * 100_000) + "\n", encoding="utf-8"
    )
    (project / "nested.py").write_text("y = " + "-" * 2_000 + "1\n", encoding="utf-8")

    status, out, err = run(capsys, "check", ".")

    assert status == 1
    assert "Traceback" not in out + err
    lines = [line for line in out.splitlines() if "too deeply nested" in line]
    assert len(lines) == 2, out
    assert lines[0].startswith("generated.py:1: cannot check: too deeply nested")
    assert lines[1].startswith("nested.py:1: cannot check: too deeply nested")
    assert "2 files not parsed" in out + err


def test_a_file_over_the_size_limit_is_skipped_with_a_note_not_a_failure(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOWTO_MAX_FILE_SIZE", "2000")
    (project / "generated.py").write_text("x = 1\n" * 1_000, encoding="utf-8")

    status, out, err = run(capsys, "check", "generated.py")

    assert status == 0, out + err
    assert out == ""
    assert "generated.py is 6,000 bytes, over the 2,000 bytes limit: skipped" in err


COUNT = {"type": "integer", "minimum": 0}
RECORD = {
    "type": "object",
    "required": ["path", "line", "qualname", "status", "detail"],
    "additionalProperties": False,
    "properties": {
        "path": {"type": "string"},
        "line": {"type": "integer", "minimum": 1},
        "qualname": {"type": "string"},
        "status": {"enum": ["stale", "missing", "error"]},
        "detail": {"type": "string"},
    },
}
EXAMPLE_RECORD = {
    **RECORD,
    "required": [*RECORD["required"], "elapsed"],
    "properties": {
        **RECORD["properties"],
        "status": {
            "enum": [
                "ok",
                "not-demonstrating",
                "fails",
                "timeout",
                "hit-limit",
                "needs-network",
                "needs-terminal",
                "needs-dependency",
                "other-platform",
            ]
        },
        "elapsed": {"type": "number", "minimum": 0},
    },
}
EXAMPLES_SUMMARY = {
    "type": "object",
    "additionalProperties": False,
    "required": [
        "ran",
        "ok",
        "failing",
        "needs_network",
        "needs_terminal",
        "needs_dependency",
        "other_platform",
        "demonstrating",
        "not_demonstrating",
    ],
    "properties": {
        key: COUNT
        for key in (
            "ran",
            "ok",
            "failing",
            "needs_network",
            "needs_terminal",
            "needs_dependency",
            "other_platform",
            "demonstrating",
            "not_demonstrating",
        )
    },
}
FINDINGS_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["findings", "checked", "summary"],
    "additionalProperties": False,
    "properties": {
        "findings": {"type": "array", "items": RECORD},
        "examples": {"type": "array", "items": EXAMPLE_RECORD},
        "summary": {
            "type": "object",
            "required": ["stale", "missing", "errors", "guides"],
            "additionalProperties": False,
            "properties": {
                "stale": COUNT,
                "missing": COUNT,
                "errors": COUNT,
                "guides": COUNT,
                "examples": EXAMPLES_SUMMARY,
            },
        },
        "checked": {
            "type": "object",
            "required": ["docstring", "sidecar"],
            "additionalProperties": False,
            "properties": {
                "docstring": {"type": "integer", "minimum": 0},
                "sidecar": {"type": "integer", "minimum": 0},
            },
        },
    },
}


def test_format_json_prints_one_record_per_finding(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "generate", "shop/cart.py", "--no-progress")[0] == 0
    cart = project / "shop" / "cart.py"
    text = cart.read_text(encoding="utf-8")
    cart.write_text(text.replace("sum(prices)", "sum(prices) + 1"), encoding="utf-8")
    line = next(i for i, s in enumerate(text.splitlines(), 1) if "def total" in s)
    (project / "shop" / "broken.py").write_text("def oops(:\n", encoding="utf-8")

    status, out, _ = run(capsys, "check", "shop", "--missing", "--format", "json")

    assert status == 1
    document = json.loads(out)
    jsonschema.validate(document, FINDINGS_SCHEMA)
    records = document["findings"]
    assert {
        "path": "shop/cart.py",
        "line": line,
        "qualname": "total",
        "status": "stale",
        "detail": "docstring",
    } in records
    assert [r["status"] for r in records if r["path"] == "shop/broken.py"] == ["error"]
    assert "does not parse" in next(r["detail"] for r in records if r["status"] == "error")
    missing = [r for r in records if r["status"] == "missing"]
    assert missing and all(r["path"] != "shop/cart.py" for r in missing)
    assert document["checked"]["docstring"] >= 2
    assert document["checked"]["sidecar"] == 0
    assert document["summary"] == {
        "stale": 1,
        "missing": len(missing),
        "errors": 1,
        "guides": document["checked"]["docstring"],
    }
    assert "examples" not in document


def test_format_github_prints_one_annotation_per_finding(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "generate", "shop/cart.py", "--no-progress")[0] == 0
    cart = project / "shop" / "cart.py"
    text = cart.read_text(encoding="utf-8")
    cart.write_text(text.replace("sum(prices)", "sum(prices) + 1"), encoding="utf-8")
    line = next(i for i, s in enumerate(text.splitlines(), 1) if "def total" in s)
    odd = project / "shop" / "odd,name.py"
    odd.write_text("def oops(:\n", encoding="utf-8")

    status, out, err = run(capsys, "check", "shop", "--format", "github")

    assert status == 1
    lines = out.splitlines()
    assert len(lines) == 2, out
    assert lines[0].startswith("::error file=shop/cart.py,line=")  # files in path order
    assert lines[0] == (
        f"::error file=shop/cart.py,line={line},title=howto-ls%3A stale guide::total: the code"
        " changed since its guide (docstring) was written; howto-ls generate --stale --write"
        " docstring regenerates it"
    )
    assert lines[1].startswith("::error file=shop/odd%2Cname.py,line=1,title=howto-ls%3A file")
    assert "does not parse" in lines[1]
    assert "howto-ls check: 1 stale, 1 file not parsed; to update them run:" in err


def test_missing_leaves_out_private_and_test_modules_unless_asked(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shop = project / "shop"
    (shop / "_compat.py").write_text("def shim() -> int:\n    return 1\n", encoding="utf-8")
    (shop / "tests").mkdir()
    (shop / "tests" / "test_cart.py").write_text("def test_total() -> None: ...\n", "utf-8")

    def missing(*flags: str) -> tuple[set[str], str]:
        _, out, err = run(capsys, "check", "shop", "--missing", "--format", "json", *flags)
        document = json.loads(out)
        jsonschema.validate(document, FINDINGS_SCHEMA)
        return {r["path"] for r in document["findings"] if r["status"] == "missing"}, err

    found, err = missing()
    assert "shop/_compat.py" not in found and "shop/tests/test_cart.py" not in found
    assert "shop/cart.py" in found
    assert (
        "howto-ls check: 1 private module and 1 test module: symbols no public module re-exports"
        " not searched for missing guides (--include-private, --include-tests take them in)"
    ) in err
    assert "shop/_compat.py" in missing("--include-private")[0]
    assert "shop/tests/test_cart.py" not in missing("--include-private")[0]
    assert "shop/tests/test_cart.py" in missing("--include-tests")[0]
