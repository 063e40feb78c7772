"""``howto-ls mcp``: the real server in a subprocess, driven by the MCP SDK's own stdio client."""

from __future__ import annotations

import ast
import itertools
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.types import CallToolResult, TextContent

from howto_ls import cli
from howto_ls.astutil import same_code
from howto_ls.config import Settings
from howto_ls.engine import Engine
from howto_ls.guide import render
from howto_ls.testing import fake_openai as fakes
from howto_ls.testing.fake_openai import FakeOpenAI

CHECKOUT = Path(__file__).resolve().parents[1]
SESSION_SECONDS = 90  # a whole session: start, calls, shutdown (two busy shared cores)
CALL_SECONDS = 60
KEY = "sk-test-DO-NOT-LEAK-0123456789abcdef"

SHAPES = '''\
"""Plane shapes."""


def area(width: float, height: float) -> float:
    """Return the size of a rectangle's surface."""
    return width * height


def perimeter(width: float, height: float) -> float:
    return 2 * (width + height)


def scale(factor: float, value: float) -> float:
    return factor * value
'''


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``pkg/shapes.py`` with a fresh guide (``area``, and the module), a stale one
    (``perimeter``: its body changed since) and none (``scale``)."""
    monkeypatch.setenv("HOWTO_BACKEND", "offline")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    for name in ("HOWTO_TARGET", "HOWTO_EXCLUDE", "HOWTO_SIDECAR_PATH"):
        monkeypatch.delenv(name, raising=False)
    root = tmp_path / "project"
    (root / "pkg").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[project]\nname = 'pkg'\n", encoding="utf-8")
    (root / "pkg" / "__init__.py").write_text("", encoding="utf-8")
    shapes = root / "pkg" / "shapes.py"
    shapes.write_text(SHAPES, encoding="utf-8")
    for target in ("pkg/shapes.py", "pkg/shapes.py::area", "pkg/shapes.py::perimeter"):
        assert cli.main(["doc", str(root / target), "--write", "docstring"]) == 0
    text = shapes.read_text(encoding="utf-8")
    shapes.write_text(text.replace("2 * (width + height)", "(width + height) * 2"), "utf-8")
    return root


@asynccontextmanager
async def session(
    root: Path,
    errlog: Path,
    args: list[str] | None = None,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> AsyncIterator[ClientSession]:
    """A client session with ``howto-ls mcp --root ROOT`` (or ``howto-ls ARGS``) run from this
    checkout in ``cwd`` (default the root's parent), offline unless ``env`` says otherwise, its
    stderr written to ``errlog``."""
    env = {
        "PYTHONPATH": str(CHECKOUT),
        "HOWTO_BACKEND": "offline",
        "HOME": os.environ["HOME"],
        "XDG_CACHE_HOME": os.environ["XDG_CACHE_HOME"],
        **(env or {}),
    }
    server = StdioServerParameters(
        command=sys.executable,
        args=["-m", "howto_ls", *(args or ["mcp", "--root", str(root)])],
        env=env,
        cwd=str(cwd or root.parent),
    )
    with anyio.fail_after(SESSION_SECONDS), errlog.open("a", encoding="utf-8") as log:
        async with (
            stdio_client(server, errlog=log) as (read, write),
            ClientSession(read, write, read_timeout_seconds=CALL_SECONDS) as client,
        ):
            await client.initialize()
            yield client


async def call(client: ClientSession, tool: str, **arguments: Any) -> CallToolResult:
    """Call ``tool``; the result, error or not."""
    result = await client.call_tool(tool, arguments)
    assert isinstance(result, CallToolResult)
    return result


def text_of(result: CallToolResult) -> str:
    """The text of a result's one text block."""
    assert len(result.content) == 1
    block = result.content[0]
    assert isinstance(block, TextContent)
    return block.text


def sections(markdown: str) -> list[str]:
    """The guide's title and section headings, in order (setext headings)."""
    lines = markdown.splitlines()
    return [
        line
        for line, under in itertools.pairwise(lines)
        if under and set(under) <= {"=", "-"} and line.strip()
    ]


def line_of(path: Path, function: str) -> int:
    """The 1-based line of ``def function`` in ``path``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if line.startswith(f"def {function}("))


GUIDE_HEADINGS = ["How to Use This Code Block", "Description", "Execution Steps", "Usage Example"]


async def test_lists_three_tools_with_schemas(project: Path, tmp_path: Path) -> None:
    async with session(project, tmp_path / "stderr.log") as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    assert set(tools) == {"get_guide", "list_symbols", "search_guides"}
    get_guide = tools["get_guide"].input_schema
    assert get_guide["required"] == ["target"]
    assert "path.py::Qual.name" in get_guide["properties"]["target"]["description"].replace(
        "path/to/file.py", "path.py"
    )
    assert "docstring" in str(get_guide["properties"]["write"])
    assert tools["search_guides"].input_schema["required"] == ["query"]
    assert tools["list_symbols"].annotations is not None
    assert tools["list_symbols"].annotations.read_only_hint is True
    assert "NOT saved" in (tools["get_guide"].description or "")
    for tool in tools.values():
        assert tool.output_schema is not None
    assert "markdown" in tools["get_guide"].output_schema["properties"]


def readme_server_entry() -> dict[str, Any]:
    """The ``howto-ls`` entry of the ``mcpServers`` block in the README's MCP section."""
    readme = (CHECKOUT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Coding agents (MCP)\n", 1)[1].split("\n## ", 1)[0]
    block = section.split("```json\n", 1)[1].split("```", 1)[0]
    entry: dict[str, Any] = json.loads(block)["mcpServers"]["howto-ls"]
    return entry


async def test_the_readme_entry_starts_the_server(project: Path, tmp_path: Path) -> None:
    entry = readme_server_entry()
    assert entry["command"] == "howto-ls"
    args = [str(project) if arg == "/path/to/your/project" else arg for arg in entry["args"]]
    assert args[:1] == ["mcp"]
    assert str(project) in args
    # the console script of this checkout is ``python -m howto_ls``
    async with session(project, tmp_path / "stderr.log", args=args) as client:
        result = await call(client, "list_symbols", path="pkg/shapes.py")
    assert not result.is_error, text_of(result)


async def test_get_guide_reads_and_writes_offline_without_touching_the_file(
    project: Path, tmp_path: Path
) -> None:
    shapes = project / "pkg" / "shapes.py"
    before = shapes.read_bytes()
    async with session(project, tmp_path / "stderr.log") as client:
        fresh = await call(client, "get_guide", target="pkg/shapes.py::area")
        missing = await call(client, "get_guide", target="pkg/shapes.py::scale")
        stale = await call(client, "get_guide", target="pkg/shapes.py::perimeter")
        by_line = await call(
            client, "get_guide", target=f"pkg/shapes.py:{line_of(shapes, 'scale')}"
        )
    for result in (fresh, missing, stale, by_line):
        assert not result.is_error, text_of(result)
        assert sections(result.structured_content["markdown"]) == GUIDE_HEADINGS
        assert "How to Use This Code Block" in text_of(result)

    assert fresh.structured_content["status"] == "fresh"
    assert fresh.structured_content["source"] == "docstring"
    area_line = line_of(shapes, "area")
    assert text_of(fresh).startswith(f"pkg/shapes.py::area (line {area_line}): fresh")
    assert "`area`" in fresh.structured_content["markdown"]

    assert missing.structured_content["status"] == "written"
    assert missing.structured_content["previous"] == "missing"
    assert missing.structured_content["saved_to"] is None
    assert "written offline, not saved" in text_of(missing)
    assert "from pkg.shapes import scale" in text_of(missing)

    assert stale.structured_content["previous"] == "stale"
    assert "written offline, not saved" in stale.structured_content["note"]
    assert "stale" in stale.structured_content["note"]

    assert by_line.structured_content["symbol"] == "scale"
    assert shapes.read_bytes() == before
    assert not (project / "docs").exists()  # no sidecar either


async def test_a_configured_model_writes_the_guide_and_its_key_stays_secret(
    project: Path, tmp_path: Path
) -> None:
    shapes = project / "pkg" / "shapes.py"
    before = shapes.read_bytes()
    engine = Engine(Settings(backend="offline"), project)
    source = shapes.read_text(encoding="utf-8")
    answer = render(engine.offline_guide(engine.symbol_named(shapes, source, "scale"), source))
    errlog = tmp_path / "stderr.log"
    with FakeOpenAI(replies=[answer, fakes.unauthorized()]) as fake:
        model = {
            "HOWTO_BACKEND": "auto",
            "HOWTO_BASE_URL": fake.url,
            "HOWTO_MODEL": "fake-model",
            "HOWTO_API_KEY": KEY,
            "HOWTO_CACHE": "off",
        }
        async with session(project, errlog, env=model) as client:
            written = await call(client, "get_guide", target="pkg/shapes.py::scale")
            refused = await call(client, "get_guide", target="pkg/shapes.py::perimeter")
        assert fake.chat_requests[0].headers["authorization"] == f"Bearer {KEY}"
    assert not written.is_error, text_of(written)
    host = fake.url.split("//", 1)[1].split("/", 1)[0]
    assert f"written by fake-model at {host}, not saved" in text_of(written)
    assert sections(written.structured_content["markdown"]) == GUIDE_HEADINGS
    assert refused.is_error
    assert "API key" in text_of(refused)
    assert "\n" not in text_of(refused)
    for shown in (text_of(written), text_of(refused), errlog.read_text(encoding="utf-8")):
        assert KEY not in shown
    assert shapes.read_bytes() == before


async def test_list_symbols_tells_each_guide_state(project: Path, tmp_path: Path) -> None:
    async with session(project, tmp_path / "stderr.log") as client:
        result = await call(client, "list_symbols", path="pkg/shapes.py")
    assert not result.is_error, text_of(result)
    listed = result.structured_content
    states = {entry["symbol"]: entry["state"] for entry in listed["symbols"]}
    assert states == {
        "pkg.shapes": "fresh",
        "area": "fresh",
        "perimeter": "stale",
        "scale": "missing",
    }
    by_name = {entry["symbol"]: entry for entry in listed["symbols"]}
    assert by_name["scale"]["target"] == "pkg/shapes.py::scale"
    assert by_name["scale"]["line"] == line_of(project / "pkg" / "shapes.py", "scale")
    assert by_name["scale"]["where"] is None
    assert by_name["area"]["where"] == "docstring"
    assert listed["path"] == "pkg/shapes.py"
    assert listed["note"] is None


async def test_search_finds_a_guide_by_task_words(project: Path, tmp_path: Path) -> None:
    async with session(project, tmp_path / "stderr.log") as client:
        found = await call(client, "search_guides", query="rectangle surface size")
        nothing = await call(client, "search_guides", query="decompress archives")
        bounded = await call(client, "search_guides", query="width", limit=1)
        too_many = await call(client, "search_guides", query="width", limit=500)
    assert not found.is_error, text_of(found)
    results = found.structured_content["results"]
    assert results[0]["target"] == "pkg/shapes.py::area"
    assert results[0]["state"] == "fresh"
    assert results[0]["matched"] == ["rectangle", "surface", "size"]
    assert "rectangle" in results[0]["excerpt"]
    assert found.structured_content["files_searched"] == 2
    assert nothing.structured_content["results"] == []
    assert len(bounded.structured_content["results"]) == 1
    assert too_many.is_error
    assert text_of(too_many).endswith("search_guides: limit must be from 1 to 50, not 500")


async def test_bad_input_is_a_one_line_tool_error(project: Path, tmp_path: Path) -> None:
    errlog = tmp_path / "stderr.log"
    outside = tmp_path / "outside.py"
    outside.write_text("def leak() -> None:\n    pass\n", encoding="utf-8")
    async with session(project, errlog) as client:
        unknown = await call(client, "get_guide", target="pkg/shapes.py::nope")
        no_file = await call(client, "list_symbols", path="pkg/missing.py")
        escaping = await call(client, "get_guide", target="../outside.py::leak")
        absolute = await call(client, "list_symbols", path=str(outside))
        garbled = await call(client, "get_guide", target="pkg/shapes.py:x:y")
        # the server keeps serving after errors
        still = await call(client, "get_guide", target="pkg/shapes.py::area")
    for result in (unknown, no_file, escaping, absolute, garbled):
        assert result.is_error
        message = text_of(result)
        assert "\n" not in message
        assert "Traceback" not in message
    assert "nope" in text_of(unknown)
    assert "no such file" in text_of(no_file)
    assert "outside the workspace root" in text_of(escaping)
    assert "outside the workspace root" in text_of(absolute)
    assert "path.py::Qual.name" in text_of(garbled)
    assert not still.is_error
    assert "Traceback" not in errlog.read_text(encoding="utf-8")


async def test_odd_and_huge_inputs_are_one_short_line_and_block_nothing(
    project: Path, tmp_path: Path
) -> None:
    errlog = tmp_path / "stderr.log"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "outlib.py").write_text('def leakfn() -> None:\n    """Outside leak."""\n', "utf-8")
    (project / "outlink.py").symlink_to(outside / "outlib.py")
    huge_name = "pkg/shapes.py::" + "a." * 60_000 + "b"
    async with session(project, errlog) as client:
        with anyio.fail_after(30):  # unbounded, this name took many seconds
            huge = await call(client, "get_guide", target=huge_name)
        long_query = await call(client, "search_guides", query="area " * 1_000)
        nul = await call(client, "get_guide", target="pkg/shapes.py\x00::area")
        too_long = await call(client, "list_symbols", path="p" * 4_000 + ".py")
        leaked = await call(client, "search_guides", query="leakfn outside leak")
    assert text_of(huge).endswith(
        "target is 120,016 characters long; the limit is 4,096: give a shorter one"
    )
    assert "query is 5,000 characters long; the limit is 1,000" in text_of(long_query)
    assert "not a usable path: 'pkg/shapes.py\\x00' holds a NUL character" in text_of(nul)
    assert "not a usable path: 'pppp" in text_of(too_long)
    assert "File name too long" in text_of(too_long)
    for result in (huge, long_query, nul, too_long):
        assert result.is_error and len(text_of(result)) < 300, text_of(result)
    assert leaked.structured_content["results"] == []  # outlink.py leads out of the root
    assert "Traceback" not in errlog.read_text(encoding="utf-8")


async def test_write_docstring_saves_the_guide_and_keeps_the_code(
    project: Path, tmp_path: Path
) -> None:
    shapes = project / "pkg" / "shapes.py"
    before = shapes.read_text(encoding="utf-8")
    async with session(project, tmp_path / "stderr.log") as client:
        written = await call(client, "get_guide", target="pkg/shapes.py::scale", write="docstring")
        again = await call(client, "get_guide", target="pkg/shapes.py::scale", write="docstring")
    assert not written.is_error, text_of(written)
    assert written.structured_content["saved_to"] == "pkg/shapes.py"
    assert "saved in pkg/shapes.py (docstring)" in text_of(written)
    after = shapes.read_text(encoding="utf-8")
    assert after != before
    ast.parse(after)
    assert same_code(before, after)
    tree = ast.parse(after)
    scale = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "scale")
    assert "How to Use This Code Block" in (ast.get_docstring(scale) or "")
    assert again.structured_content["status"] == "fresh"
    assert "nothing written" in text_of(again)
    assert shapes.read_text(encoding="utf-8") == after


async def test_without_root_serves_the_working_folder(project: Path, tmp_path: Path) -> None:
    async with session(project, tmp_path / "stderr.log", args=["mcp"], cwd=project) as client:
        inside = await call(client, "list_symbols", path="pkg/shapes.py")
        outside = await call(client, "list_symbols", path="../outside.py")
    assert not inside.is_error, text_of(inside)
    assert outside.is_error
    assert f"outside the workspace root {project.resolve()}" in text_of(outside)


def test_without_the_sdk_says_how_to_install_it(tmp_path: Path) -> None:
    code = (
        "import sys; sys.modules['mcp'] = None\n"
        "from howto_ls.cli import main\n"
        "sys.exit(main(['mcp', '--root', sys.argv[1]]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        env={**os.environ, "PYTHONPATH": str(CHECKOUT)},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert 'from a clone, python3 -m pip install ".[mcp]"' in done.stderr
    assert "howto-ls[mcp]" not in done.stderr  # no package index name: it is not published
    assert "Traceback" not in done.stderr


def test_a_root_that_is_not_a_folder_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["mcp", "--root", str(tmp_path / "absent")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("howto-ls: error: --root ")
    assert "no such folder" in err
