"""The language server's own cost: start-up, memory, code actions, hovers, and generate overhead.

Starts ``python -m howto_ls serve`` over stdio (pygls client, real JSON-RPC) on a copy of a real
package, with the fake model server answering after ``--latency`` seconds. For each public
function or class of ``--file`` it runs ``workspace/executeCommand howto.generate`` and times the
moment the server's ``workspace/applyEdit`` arrives; the overhead is that time minus the fake's
latency for commands that asked the model (the cache starts empty, but symbols whose code is the
same as another's get the cached guide: those are a row of their own).

    python benchmarks/bench_overhead.py [--package h11] [--file _connection.py] [--latency 0.2]
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import functools
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Union

import yardstick
from bench_batch import answers_for, responder
from bench_offline import copy_package, table
from lsprotocol import types
from pygls import uris
from pygls.lsp.client import LanguageClient

from howto_ls.testing.fake_openai import FakeOpenAI

CAPABILITIES = types.ClientCapabilities(
    workspace=types.WorkspaceClientCapabilities(
        apply_edit=True,
        workspace_edit=types.WorkspaceEditClientCapabilities(document_changes=True),
    ),
    text_document=types.TextDocumentClientCapabilities(
        code_action=types.CodeActionClientCapabilities(
            code_action_literal_support=types.ClientCodeActionLiteralOptions(
                code_action_kind=types.ClientCodeActionKindOptions(
                    value_set=[types.CodeActionKind.RefactorRewrite, "quickfix"]
                )
            )
        ),
        hover=types.HoverClientCapabilities(content_format=[types.MarkupKind.Markdown]),
    ),
)


def targets(path: Path) -> list[tuple[str, int, int]]:
    """Public top-level functions and classes and their methods: (name, line, column) of names."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lines = path.read_text(encoding="utf-8").splitlines()
    found = []
    nodes: list[ast.stmt] = list(tree.body)
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            nodes.extend(node.body)
    for node in nodes:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            if node.name.startswith("_"):
                continue
            line = node.lineno - 1
            column = lines[line].index(node.name, node.col_offset)
            found.append((node.name, line, column))
    return found


def percentile(values: list[float], share: float) -> float:
    """The ``share`` quantile (0..1) of ``values``, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def resident_mib(pid: int) -> float:
    """The resident memory of process ``pid`` in MiB (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _accept_actions(client: LanguageClient) -> None:
    """Decode ``Command | CodeAction`` by shape, as editors do."""
    converter = client.protocol._converter

    def structure(obj: Any, _: Any) -> types.Command | types.CodeAction:
        if isinstance(obj, dict) and ("kind" in obj or isinstance(obj.get("command"), dict)):
            return converter.structure(obj, types.CodeAction)
        return converter.structure(obj, types.Command)

    converter.register_structure_hook(Union[types.Command, types.CodeAction], structure)  # noqa: UP007


async def timed(call: Callable[[], Awaitable[Any]]) -> float:
    """Seconds ``call`` takes."""
    started = time.perf_counter()
    await call()
    return time.perf_counter() - started


async def run(root: Path, file: Path, fake: FakeOpenAI, latency: float) -> list[list[str]]:
    """Drive one server; the table rows."""
    client = LanguageClient("howto-bench", "1")
    _accept_actions(client)
    applied: list[float] = []
    messages: list[str] = []

    @client.feature(types.WORKSPACE_APPLY_EDIT)  # type: ignore[untyped-decorator]
    def apply_edit(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        applied.append(time.perf_counter())
        return types.ApplyWorkspaceEditResult(applied=True)

    @client.feature(types.WINDOW_SHOW_MESSAGE)  # type: ignore[untyped-decorator]
    def show_message(params: types.ShowMessageParams) -> None:
        messages.append(params.message)

    @client.feature(types.WINDOW_LOG_MESSAGE)  # type: ignore[untyped-decorator]
    def log_message(params: types.LogMessageParams) -> None:
        """Server logs are not part of the measurement."""

    state = root.parent / "state"
    env = {
        **os.environ,
        "HOWTO_BACKEND": "openai",
        "HOWTO_BASE_URL": fake.url,
        "HOWTO_MODEL": "fake",
        "HOME": str(state),
        "XDG_CACHE_HOME": str(state / "cache"),
    }
    for key in ("HOWTO_API_KEY", "OPENAI_API_KEY"):
        env.pop(key, None)
    root_uri = uris.from_fs_path(str(root))
    assert root_uri is not None
    started = time.perf_counter()
    await client.start_io(sys.executable, "-m", "howto_ls", "serve", env=env, cwd=str(root))
    await client.initialize_async(
        types.InitializeParams(capabilities=CAPABILITIES, root_uri=root_uri)
    )
    client.initialized(types.InitializedParams())
    startup = time.perf_counter() - started
    server = client._server
    assert server is not None
    pid = server.pid
    rss_start = resident_mib(pid)

    uri = uris.from_fs_path(str(file))
    assert uri is not None
    text = file.read_text(encoding="utf-8")
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", 1, text))
    )
    document = types.TextDocumentIdentifier(uri)
    points = targets(file)

    def position(line: int, column: int) -> types.Position:
        return types.Position(line=line, character=column)

    async def hover(line: int, column: int) -> Any:
        params = types.HoverParams(document, position(line, column))
        return await client.text_document_hover_async(params)

    async def actions(line: int, column: int) -> Any:
        where = types.Range(position(line, column), position(line, column))
        params = types.CodeActionParams(document, where, types.CodeActionContext(diagnostics=[]))
        return await client.text_document_code_action_async(params)

    await actions(*points[0][1:])  # first requests pay for imports
    await hover(*points[0][1:])
    action_times = [await timed(functools.partial(actions, line, col)) for _, line, col in points]
    hover_times = [await timed(functools.partial(hover, line, col)) for _, line, col in points]

    overheads: list[float] = []  # commands that asked the model: minus its latency
    from_cache: list[float] = []  # commands answered from the guide cache: no model call
    totals: list[float] = []
    for _, line, column in points:
        arguments = [{"uri": uri, "line": line, "character": column}]
        before, asked = len(applied), len(fake.chat_requests)
        sent = time.perf_counter()
        await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="howto.generate", arguments=arguments)
        )
        totals.append(time.perf_counter() - sent)
        if len(applied) > before and len(fake.chat_requests) > asked:
            overheads.append(applied[-1] - sent - latency)
        elif len(applied) > before:
            from_cache.append(applied[-1] - sent)
    rss_end = resident_mib(pid)
    for message in messages:
        print(f"server said: {message}", file=sys.stderr)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()  # type: ignore[no-untyped-call]

    def ms(value: float) -> str:
        return f"{value * 1000:.1f}"

    def row(what: str, values: list[float]) -> list[str]:
        return [what, str(len(values)), ms(statistics.median(values)), ms(percentile(values, 0.95))]

    return [
        row("start-up (spawn to initialized)", [startup]),
        row("textDocument/codeAction", action_times),
        row("textDocument/hover", hover_times),
        row("howto.generate: request to applyEdit, minus the model's latency", overheads),
        row("howto.generate: request to applyEdit, guide from the cache", from_cache),
        row("howto.generate: whole request (with latency)", totals),
        ["resident memory after start-up, MiB", "1", f"{rss_start:.0f}", ""],
        ["resident memory after the run, MiB", "1", f"{rss_end:.0f}", ""],
    ]


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", default="h11", help="installed package to copy")
    parser.add_argument("--file", default="_connection.py", help="file in it to work on")
    parser.add_argument("--latency", type=float, default=0.2, help="seconds per model answer")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        package = copy_package(args.package, Path(temp))
        answers = answers_for(package)
        with FakeOpenAI(responder(answers, args.latency)) as fake:
            rows = asyncio.run(run(package.parent, package / args.file, fake, args.latency))
    print(f"{args.package}/{args.file}, model latency {args.latency * 1000:.0f} ms")
    print(table(["what", "n", "p50 ms", "p95 ms"], rows))
    print(yardstick.line())


if __name__ == "__main__":
    main()
