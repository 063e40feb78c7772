"""Files this Python cannot parse: check, doc and the server say so and what to do."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from lsprotocol import types

from howto_ls.syntax import parse_problem, running_python
from tests.lsp_client import code_actions, running_server

ALIAS = "type Pair = tuple[int, int]\n\n\ndef first(pair: Pair) -> int:\n    return pair[0]\n"
BROKEN = "def ok():\n    return 1\n\n\ndef broken(:\n    return 2\n"
NEWER = sys.version_info < (3, 12)


def howto(*args: str, cwd: Path, python: str = sys.executable) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(cwd), "HOWTO_BACKEND": "offline"}
    env["PYTHONPATH"] = os.environ.get("PYTHONPATH", "")
    return subprocess.run(
        [python, "-m", "howto_ls", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    (tmp_path / "broken.py").write_text(BROKEN)
    (tmp_path / "alias.py").write_text(ALIAS)
    (tmp_path / "fine.py").write_text("def fine():\n    return 1\n")
    return tmp_path


def test_a_syntax_error_is_located_and_not_blamed_on_python() -> None:
    problem = parse_problem(BROKEN)
    assert problem is not None and problem.line == 5 and problem.needs is None
    assert problem.describe().startswith(f"does not parse under Python {running_python()} (line 5:")
    assert parse_problem("x = 1\n") is None


@pytest.mark.skipif(not NEWER, reason="type aliases parse on Python 3.12 and newer")
def test_newer_syntax_says_which_python_it_needs() -> None:
    problem = parse_problem(ALIAS)
    assert problem is not None and problem.needs is not None and "Python 3.12" in problem.needs
    assert "run howto-ls on the project's Python" in problem.describe()


def test_check_lists_files_it_cannot_parse_and_fails(project: Path) -> None:
    result = howto("check", ".", cwd=project)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    expected = f"broken.py:5: cannot check: does not parse under Python {running_python()} (line 5:"
    assert any(line.startswith(expected) for line in lines), result.stdout
    if NEWER:
        assert any(
            line.startswith("alias.py:1: cannot check:") and "Python 3.12" in line for line in lines
        ), result.stdout
    assert not any(line.startswith("fine.py") for line in lines)
    assert "not parsed" in result.stderr


def test_doc_says_the_file_does_not_parse(project: Path) -> None:
    result = howto("doc", "broken.py:1", cwd=project)
    assert result.returncode != 0
    assert "the file does not parse (line 5:" in result.stderr
    assert "no function" not in result.stderr
    result = howto("doc", "broken.py::broken", cwd=project)
    assert "the file does not parse (line 5:" in result.stderr
    if NEWER:
        result = howto("doc", "alias.py:4", cwd=project)
        assert "does not parse (line 1:" in result.stderr
        assert "run howto-ls on the project's Python" in result.stderr


def test_a_column_past_the_end_of_a_line_says_so(project: Path) -> None:
    result = howto("doc", "fine.py:1:80", cwd=project)
    assert "past the end of line 1" in result.stderr, result.stderr
    result = howto("doc", "fine.py:9", cwd=project)
    assert "past the end of the file" in result.stderr, result.stderr


@pytest.mark.asyncio
async def test_the_server_says_the_file_does_not_parse(project: Path) -> None:
    async with running_server(project) as editor:
        uri = editor.open("broken.py")
        result = await editor.client.workspace_execute_command_async(
            types.ExecuteCommandParams(
                command="howto.generate", arguments=[{"uri": uri, "line": 0, "character": 5}]
            )
        )
        assert result["applied"] is False
        assert "the file does not parse (line 5:" in result["error"]
        assert any("does not parse" in m.message for m in editor.client.messages)


ALIAS_SCRIPT = textwrap.dedent(
    """
    from pathlib import Path
    from howto_ls import edits, symbols
    from howto_ls.astutil import same_code
    from howto_ls.fingerprint import fingerprint_of
    source = "type Pair[T] = tuple[T, T]\\n\\n\\n"
    source += "def first(p: Pair[int]) -> int:\\n    return p[0]\\n"
    root = Path(".").resolve()
    listed = [s.identity for s in symbols.list_symbols(source, root / "pairs.py", root)]
    assert listed == ["", "Pair", "first"], listed
    here = symbols.enclosing_symbol(source, root / "pairs.py", symbols.Position(0, 6), root)
    assert here is not None and here.qualname == "Pair" and here.kind.value == "variable"
    guide = "How to Use This Code Block\\n" + "=" * 89 + "\\n\\nA pair."
    edit = edits.docstring_edit(source, "Pair", guide, fingerprint_of(source, "Pair"))
    new = edits.apply_edits(source, [edit])
    assert same_code(source, new) and list(edits.read_docstring_guides(new)) == ["Pair"]
    print("ok")
    """
)


def _python_312_or_newer() -> str | None:
    if sys.version_info >= (3, 12):
        return sys.executable
    candidates = [shutil.which(name) for name in ("python3.13", "python3.12")]
    candidates += sorted(str(p) for p in Path.home().glob(".pyenv/versions/3.1[2-9]*/bin/python3"))
    for found in candidates:
        if found is None:
            continue
        probe = subprocess.run(
            [found, "-c", "import sys; assert sys.version_info >= (3, 12)"],
            capture_output=True,
            check=False,
        )
        if probe.returncode == 0:
            return found
    return None


def test_type_aliases_are_documentable_on_python_312(tmp_path: Path) -> None:
    python = _python_312_or_newer()
    if python is None:
        pytest.skip("no Python 3.12 or newer here")
    root = str(Path(__file__).resolve().parents[1])
    result = subprocess.run(
        [python, "-c", ALIAS_SCRIPT],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": root, "PYENV_VERSION": ""},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.stdout.strip() == "ok", result.stderr


@pytest.mark.asyncio
async def test_the_server_says_a_deeply_nested_file_is_too_deep_and_keeps_running(
    project: Path,
) -> None:
    deep = "def total() -> int:\n    return " + "+".join(["1"] * 100_000) + "\n"
    (project / "generated.py").write_text(deep)
    async with running_server(project) as editor:
        uri = editor.open("generated.py")
        hovered = await editor.client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                position=types.Position(line=0, character=5),
            )
        )
        assert hovered is None or "Traceback" not in str(hovered.contents)
        await code_actions(editor, uri, 0, 5)
        result = await editor.client.workspace_execute_command_async(
            types.ExecuteCommandParams(
                command="howto.generate", arguments=[{"uri": uri, "line": 0, "character": 5}]
            )
        )
        assert result["applied"] is False
        assert result["error"].startswith("cannot read generated.py: too deeply nested")
        assert editor.text(uri) == deep
        fine = editor.open("fine.py")
        applied = await editor.client.workspace_execute_command_async(
            types.ExecuteCommandParams(
                command="howto.generate", arguments=[{"uri": fine, "line": 0, "character": 5}]
            )
        )
        assert applied["applied"] is True  # the server is still serving
    assert not any("Traceback" in line or "RecursionError" in line for line in editor.stderr)
    assert (project / "generated.py").read_text() == deep
