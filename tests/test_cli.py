"""``howto-ls doc`` end to end: a real subprocess on real files, its output and exit codes."""

from __future__ import annotations

import ast
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from howto_ls import astutil
from howto_ls.cli import Target, parse_target
from howto_ls.errors import UsageError

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def howto(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``python -m howto_ls ARGS`` offline and return what it printed."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(cwd), "HOWTO_BACKEND": "offline"}
    env["PYTHONPATH"] = os.environ.get("PYTHONPATH", "")  # the checkout under test, if set
    return subprocess.run(
        [sys.executable, "-m", "howto_ls", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the example project in a temporary folder."""
    root = tmp_path / "project"
    shutil.copytree(EXAMPLES, root)
    return root


def test_parse_target_forms() -> None:
    assert parse_target("a/b.py:12") == Target(Path("a/b.py"), line=12)
    assert parse_target("a/b.py:12:5") == Target(Path("a/b.py"), line=12, column=5)
    assert parse_target("a/b.py::Client.send") == Target(Path("a/b.py"), qualname="Client.send")
    assert parse_target("C:/x/b.py:3") == Target(Path("C:/x/b.py"), line=3)
    assert parse_target("a/b.py") == Target(Path("a/b.py"), qualname="")
    for bad in ("a/b", "a/b.py:0", "a/b.py:3:0", "::X", ":4"):
        with pytest.raises(UsageError):
            parse_target(bad)


def test_doc_with_only_a_path_documents_the_module(project: Path) -> None:
    result = howto("doc", "inventory/stock.py", "--json", cwd=project)
    assert result.returncode == 0, result.stderr
    described = json.loads(result.stdout)
    assert (described["symbol"], described["kind"]) == ("inventory.stock", "module")
    assert "import inventory.stock" in described["markdown"] or (
        "from inventory import stock" in described["markdown"]
    )
    written = howto("doc", "inventory/stock.py", "--write", "docstring", cwd=project)
    assert written.returncode == 0, written.stderr
    text = (project / "inventory" / "stock.py").read_text(encoding="utf-8")
    # The person's line is kept; the literal is raw when the guide holds a backslash (D301).
    prefix = "r" if "\\" in described["markdown"] else ""
    assert text.startswith(
        f'{prefix}"""Stock records and the rules for reordering them.\n\nHow to Use'
    )


def test_doc_prints_the_guide_for_a_qualified_name(project: Path) -> None:
    result = howto("doc", "inventory/stock.py::restock", cwd=project)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("How to Use This Code Block\n" + "=" * 89 + "\n")
    for heading in ("Description", "Execution Steps", "Usage Example"):
        assert f"\n{heading}\n{'-' * 25}\n" in out
    assert "from inventory import StockItem, restock" in out
    assert "needs_reorder" in out


def test_doc_by_line_and_column_finds_the_enclosing_symbol(project: Path) -> None:
    source = (project / "inventory/stock.py").read_text()
    line = source.splitlines().index("def parse_csv(path: Path) -> Iterator[StockItem]:") + 1
    result = howto("doc", f"inventory/stock.py:{line + 3}", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "`parse_csv`" in result.stdout
    assert "for item in parse_csv(" in result.stdout or "parse_csv(" in result.stdout


def test_doc_json_describes_the_symbol(project: Path) -> None:
    result = howto("doc", "inventory/client.py::InventoryClient.get_item", "--json", cwd=project)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["symbol"] == "InventoryClient.get_item"
    assert payload["kind"] == "method"
    assert payload["import_path"] == "inventory"
    assert payload["markdown"].startswith("How to Use This Code Block")
    assert payload["written_to"] is None


def test_write_docstring_keeps_the_code_and_is_idempotent(project: Path) -> None:
    path = project / "inventory/client.py"
    before = path.read_bytes()
    result = howto("doc", "inventory/client.py::fetch_stock", "--write", "docstring", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "wrote guide for fetch_stock" in result.stdout
    after = path.read_bytes()
    assert after != before
    assert astutil.same_code(before.decode(), after.decode())
    tree = ast.parse(after)
    function = astutil.find_definition(tree, "fetch_stock")
    assert function is not None
    docstring = ast.get_docstring(function, clean=True) or ""
    assert docstring.startswith("Fetch several items concurrently in worker threads.")
    assert "How to Use This Code Block" in docstring
    assert "asyncio.run(" in docstring
    again = howto("doc", "inventory/client.py::fetch_stock", "--write", "docstring", cwd=project)
    assert again.returncode == 0, again.stderr
    assert "unchanged" in again.stdout
    assert path.read_bytes() == after


def test_write_sidecar_mirrors_the_source_tree(project: Path) -> None:
    source_before = (project / "inventory/stock.py").read_bytes()
    result = howto("doc", "inventory/stock.py::StockItem", "--write", "sidecar", cwd=project)
    assert result.returncode == 0, result.stderr
    sidecar = project / "docs/howto/inventory/stock.md"
    text = sidecar.read_text()
    assert "<!-- howto-ls: begin StockItem fingerprint=" in text
    assert text.startswith("# How-to guides for `inventory.stock`\n")
    assert "\n## `StockItem`\n\n### Description\n" in text
    assert (project / "inventory/stock.py").read_bytes() == source_before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("doc", "missing.py:1"), "no such file"),
        (("doc", "inventory"), "not path.py, path.py:LINE"),
        (("doc", "inventory:3"), "is a folder"),
        (("doc", "pyproject.toml:1"), "not a Python file"),
        (("doc", "inventory/stock.py::nope"), "'nope'"),
        (("doc", "inventory/stock.py:9999"), "past the end"),
    ],
)
def test_user_mistakes_exit_2_with_one_clear_line(
    project: Path, args: tuple[str, ...], message: str
) -> None:
    result = howto(*args, cwd=project)
    assert result.returncode == 2
    assert result.stdout == ""
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_undecodable_file_exits_1_without_traceback(project: Path) -> None:
    (project / "latin.py").write_bytes(b"name = '\xe9t\xe9'\n")
    result = howto("doc", "latin.py:1", cwd=project)
    assert result.returncode == 1
    assert "UTF-8" in result.stderr or "decode" in result.stderr
    assert "Traceback" not in result.stderr


def test_refuses_to_write_a_file_that_does_not_parse(project: Path) -> None:
    path = project / "broken.py"
    text = "def ok(a):\n    return a\n\n\ndef broken(:\n    pass\n"
    path.write_text(text)
    result = howto("doc", "broken.py::ok", "--write", "docstring", cwd=project)
    assert result.returncode == 1
    assert "syntax error" in result.stderr
    assert "Traceback" not in result.stderr
    assert path.read_text() == text


def test_library_symbol_is_printed_but_never_written(project: Path) -> None:
    (project / "use_httpx.py").write_text("import httpx\n\nclient = httpx.AsyncClient()\n")
    printed = howto("doc", "use_httpx.py:3:16", cwd=project)
    assert printed.returncode == 0, printed.stderr
    assert "from httpx import AsyncClient" in printed.stdout
    written = howto("doc", "use_httpx.py:3:16", "--write", "docstring", cwd=project)
    assert written.returncode == 1
    assert "outside the project" in written.stderr
    assert "Traceback" not in written.stderr


def test_no_subcommand_help_exits_2_and_version_prints(project: Path) -> None:
    version = howto("--version", cwd=project)
    assert version.returncode == 0
    assert version.stdout.startswith("howto-ls ")


def test_a_deeply_nested_file_is_one_line_and_its_sibling_still_gets_a_guide(
    project: Path,
) -> None:
    deep = project / "generated.py"
    text = "def total() -> int:\n    return " + "+".join(["1"] * 100_000) + "\n"
    deep.write_text(text, encoding="utf-8")
    (project / "user.py").write_text(
        "from generated import total\n\n\ndef twice() -> int:\n    return 2 * total()\n",
        encoding="utf-8",
    )

    refused = howto("doc", "generated.py::total", "--write", "docstring", cwd=project)
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == [
        "howto-ls: error: cannot read generated.py: too deeply nested for Python's parser at"
        " line 2; split it into smaller expressions or functions"
    ]
    assert deep.read_text(encoding="utf-8") == text

    sibling = howto("doc", "user.py::twice", cwd=project)
    assert sibling.returncode == 0, sibling.stderr
    assert "twice()" in sibling.stdout
    assert "Traceback" not in sibling.stderr


def test_doc_write_never_goes_through_a_symlink_out_of_the_project(
    project: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"  # not below the project
    elsewhere.mkdir()
    outside = elsewhere / "theirs.py"
    outside.write_bytes(b"def theirs(a: int) -> int:\n    return a + 1\n")
    (project / "theirs.py").symlink_to(outside)

    for target in ("docstring", "sidecar"):
        result = howto("doc", "theirs.py::theirs", "--write", target, cwd=project)
        assert result.returncode == 1
        assert result.stderr.splitlines() == [
            f"howto-ls: error: theirs.py is a symlink to {outside.resolve()}, outside the project"
            f" {project.resolve()}: not written; edit that file in its own project"
        ]
    assert outside.read_bytes() == b"def theirs(a: int) -> int:\n    return a + 1\n"
    assert sorted(p.name for p in elsewhere.iterdir()) == ["theirs.py"]  # no sidecar there
    printed = howto("doc", "theirs.py::theirs", cwd=project)  # reading it is harmless
    assert printed.returncode == 0, printed.stderr


def test_doc_write_leaves_a_read_only_file_as_it_is(project: Path) -> None:
    path = project / "frozen.py"
    before = b"def frozen(a: int) -> int:\n    return a\n"
    path.write_bytes(before)
    path.chmod(0o444)

    result = howto("doc", "frozen.py::frozen", "--write", "docstring", cwd=project)

    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "howto-ls: error: frozen.py is read-only: not written; make it writable (chmod u+w)"
        " and run again"
    ]
    assert path.read_bytes() == before
    assert stat.S_IMODE(path.stat().st_mode) == 0o444


def test_a_module_over_the_size_limit_is_skipped_as_target_and_as_context(
    project: Path,
) -> None:
    lines = [
        f"def helper_{n}(value: int) -> int:\n    return value + {n}\n\n\n" for n in range(60_000)
    ]
    (project / "generated.py").write_text("".join(lines), encoding="utf-8")  # about 3.8 MB
    (project / "small.py").write_text(
        "from generated import helper_1\n\n\ndef small(a: int) -> int:\n"
        "    return helper_1(a) * 2\n",
        encoding="utf-8",
    )

    skipped = howto("doc", "generated.py::helper_1", cwd=project)
    assert skipped.returncode == 1
    assert skipped.stderr.splitlines() == [
        "howto-ls: error: generated.py is 3.8 MB, over the 2.0 MB limit: skipped; raise"
        " maxFileSize (HOWTO_MAX_FILE_SIZE, in bytes) to read it"
    ]
    documented = howto("doc", "small.py::small", "--write", "docstring", cwd=project)
    assert documented.returncode == 0, documented.stderr
    assert "How to Use This Code Block" in (project / "small.py").read_text(encoding="utf-8")


def test_doc_targets_and_examples_use_names_as_python_compares_them(tmp_path: Path) -> None:
    """``::𝔣𝔬𝔬`` is ``foo``; a call written ``f.ｒｕｎ(2)`` counts as a call of ``run``."""
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("", encoding="utf-8")
    full = tmp_path / "pkg" / "full.py"
    full.write_text(
        "class Full:\n    def run(self, n: int = 1) -> int:\n        return n * 2\n\n\n"
        "def foo(x: int) -> int:\n    return x + 1\n",
        encoding="utf-8",
    )
    (tmp_path / "pkg" / "use.py").write_text(
        "from pkg.full import Full\n\n\ndef main() -> int:\n    f = Full()\n"
        "    return f.ｒｕｎ(2)\n",
        encoding="utf-8",
    )
    found = howto("doc", "pkg/full.py::𝔣𝔬𝔬", cwd=tmp_path)
    assert found.returncode == 0, found.stderr
    assert "from pkg.full import foo" in found.stdout
    first = howto("doc", "pkg/full.py::Full.ｒｕｎ", "--write", "docstring", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    written = full.read_text(encoding="utf-8")
    assert "full.run(n=2)" in written  # the literal of the call, however it is spelled
    again = howto("doc", "pkg/full.py::Full.run", "--write", "docstring", cwd=tmp_path)
    assert "unchanged" in again.stdout
    assert full.read_text(encoding="utf-8") == written


@pytest.mark.parametrize(
    ("arguments", "records"),
    [
        (["coverage", "absent"], "files"),
        (["check", "absent.py"], "findings"),
        (["generate", "absent"], "records"),
        (["check", "/etc/passwd"], "findings"),
    ],
)
def test_format_json_prints_one_document_with_the_error(
    tmp_path: Path, arguments: list[str], records: str
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "howto_ls", *arguments, "--format", "json"],
        cwd=tmp_path,
        env={**os.environ, "HOWTO_BACKEND": "offline", "HOME": str(tmp_path / "home")},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    document = json.loads(done.stdout)
    assert document[records] == []
    assert document["error"] in done.stderr  # the same line as on stderr
