"""Latency of howto-ls over real JSON-RPC: start-up, code actions, code lenses, hover; p50/p95.

Inputs are large real files: installed packages' sources, copied into a temporary project so
nothing installed is touched. Hover is measured on symbols that have a guide (written offline
into the copies first), the case the 30 ms target is about. Code lenses are measured after an
edit each (a new document version), so every request reads the file's guides again. Run::

    python benchmarks/bench_server.py [--requests 200] [--files typing argparse httpx._client]
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import importlib.util
import json
import os
import random
import shlex
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yardstick

from howto_ls.config import Settings
from howto_ls.engine import Engine
from howto_ls.model import Position

DEFAULT_MODULES = ("typing", "argparse", "httpx._client", "jedi.api", "lsprotocol.types")
SERVER = [sys.executable, "-m", "howto_ls.server"]
REQUEST_TIMEOUT = 60.0
"""Seconds one request may take; a server that exceeds it is not measured further."""


class Client:
    """A bare JSON-RPC client over the server's stdio; answers server requests with null."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.next_id = 0
        self.pending: dict[int, asyncio.Future[Any]] = {}
        self.reader = asyncio.ensure_future(self._read())

    @classmethod
    async def start(cls, cwd: Path, command: list[str] | None = None) -> Client:
        env = {**os.environ, "HOWTO_BACKEND": "offline"}
        process = await asyncio.create_subprocess_exec(
            *(command or SERVER),
            cwd=cwd,
            env=env,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
        return cls(process)

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))

    def notify(self, method: str, params: Any) -> None:
        self._send({"method": method, "params": params})

    async def request(self, method: str, params: Any) -> Any:
        self.next_id += 1
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.pending[self.next_id] = future
        self._send({"id": self.next_id, "method": method, "params": params})
        return await asyncio.wait_for(future, REQUEST_TIMEOUT)

    async def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = 0
            while (line := await stream.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            if not line:
                return
            message = json.loads(await stream.readexactly(length))
            if "method" in message and "id" in message:
                self._send({"id": message["id"], "result": None})
            elif "id" in message and message["id"] in self.pending:
                self.pending.pop(message["id"]).set_result(message.get("result"))

    async def kill(self) -> None:
        self.process.kill()
        await self.process.wait()
        self.reader.cancel()

    async def close(self) -> None:
        await self.request("shutdown", None)
        self.notify("exit", None)
        await asyncio.wait_for(self.process.wait(), 20)
        self.reader.cancel()


def module_file(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
        return None
    return Path(spec.origin)


def prepare(root: Path, names: list[str], guides: int) -> list[tuple[str, Path, list[Position]]]:
    """Copy the modules into ``root``; write offline guides for ``guides`` functions in each."""
    engine = Engine(Settings(backend="offline"), root)
    prepared = []
    for name in names:
        source_file = module_file(name)
        if source_file is None:
            print(f"skipping {name}: no Python source", file=sys.stderr)
            continue
        target = root / f"{name.replace('.', '_')}.py"
        shutil.copyfile(source_file, target)
        text = target.read_text(encoding="utf-8")
        names_done: list[str] = []
        for node in ast.walk(ast.parse(text)):
            if len(names_done) >= guides:
                break
            if isinstance(node, ast.FunctionDef | ast.ClassDef) and node.col_offset == 0:
                try:
                    symbol = engine.symbol_named(target, text, node.name)
                    guide = asyncio.run(engine.write_guide(symbol, text))
                    text = engine.plan_write(symbol, text, guide, "docstring").new_text
                except Exception as exc:  # an unsupported symbol just is not measured
                    print(f"  no guide for {name}.{node.name}: {exc}", file=sys.stderr)
                    continue
                names_done.append(node.name)
        target.write_text(text, encoding="utf-8")
        tree = ast.parse(text)
        hovers = [
            Position(
                n.lineno - 1,
                n.col_offset + len("class " if isinstance(n, ast.ClassDef) else "def "),
            )
            for n in tree.body
            if isinstance(n, ast.FunctionDef | ast.ClassDef) and n.name in names_done
        ]
        prepared.append((name, target, hovers))
    return prepared


def positions_in(text: str, count: int, rng: random.Random) -> list[dict[str, int]]:
    """``count`` cursor positions on identifiers spread over the file."""
    lines = text.splitlines()
    candidates = [
        (number, column)
        for number, line in enumerate(lines)
        for column in [len(line) - len(line.lstrip())]
        if line.strip() and line.lstrip()[0].isalpha()
    ]
    return [
        {"line": n, "character": c + 1}
        for n, c in rng.sample(candidates, min(count, len(candidates)))
    ]


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


async def measure(
    root: Path,
    prepared: list[tuple[str, Path, list[Position]]],
    requests: int,
    command: list[str] | None = None,
) -> list[list[str]]:
    rng = random.Random(7)
    client = await initialized(root, command)
    rows = []
    for name, path, hovers in prepared:
        text = path.read_text(encoding="utf-8")
        try:
            rows.append(await measure_file(client, name, path, text, hovers, requests, rng))
        except asyncio.TimeoutError:
            # Still busy with that request, the server would answer nothing else: start anew.
            lines = str(len(text.splitlines()))
            rows.append([name, lines, f"> {REQUEST_TIMEOUT:.0f} s", *["-"] * 7])
            await client.kill()
            client = await initialized(root, command)
    await client.close()
    return rows


async def initialized(root: Path, command: list[str] | None) -> Client:
    """A started server that answered ``initialize`` and was told ``initialized``."""
    client = await Client.start(root, command)
    await client.request(
        "initialize", {"processId": None, "rootUri": root.as_uri(), "capabilities": {}}
    )
    client.notify("initialized", {})
    return client


async def measure_file(
    client: Client,
    name: str,
    path: Path,
    text: str,
    hovers: list[Position],
    requests: int,
    rng: random.Random,
) -> list[str]:
    """One table row: code actions at spread positions, code lenses after edits, then hovers on
    the guided symbols."""
    uri = path.as_uri()
    client.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}},
    )
    actions = []
    for position in positions_in(text, requests, rng):
        start = time.perf_counter()
        await client.request(
            "textDocument/codeAction",
            {
                "textDocument": {"uri": uri},
                "range": {"start": position, "end": position},
                "context": {"diagnostics": []},
            },
        )
        actions.append((time.perf_counter() - start) * 1000)
    lens_times = []
    lenses = 0
    for version in range(2, 2 + requests):
        edited = f"{text}\n# edit {version}\n"
        client.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"text": edited}],
            },
        )
        start = time.perf_counter()
        listed = await client.request("textDocument/codeLens", {"textDocument": {"uri": uri}})
        lens_times.append((time.perf_counter() - start) * 1000)
        lenses = len(listed or [])
    hover_times = []
    found = 0
    for index in range(requests if hovers else 0):
        target = hovers[index % len(hovers)]
        start = time.perf_counter()
        result = await client.request(
            "textDocument/hover",
            {
                "textDocument": {"uri": uri},
                "position": {"line": target.line, "character": target.column + 1},
            },
        )
        hover_times.append((time.perf_counter() - start) * 1000)
        found += result is not None
    a50, a95 = percentiles(actions)
    l50, l95 = percentiles(lens_times)
    h = percentiles(hover_times) if hover_times else (float("nan"), float("nan"))
    return [
        name,
        str(len(text.splitlines())),
        f"{a50:.1f}",
        f"{a95:.1f}",
        f"{l50:.1f}",
        f"{l95:.1f}",
        str(lenses),
        f"{h[0]:.1f}",
        f"{h[1]:.1f}",
        f"{found}/{len(hover_times)}",
    ]


async def startup(root: Path, runs: int, command: list[str] | None = None) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        client = await Client.start(root, command)
        await client.request(
            "initialize", {"processId": None, "rootUri": root.as_uri(), "capabilities": {}}
        )
        times.append((time.perf_counter() - start) * 1000)
        await client.close()
    return times


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in [header, *rows]
    ]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--files", nargs="*", default=list(DEFAULT_MODULES), help="modules to measure"
    )
    parser.add_argument("--requests", type=int, default=200, help="requests per file and kind")
    parser.add_argument("--guides", type=int, default=5, help="guides written per file for hover")
    parser.add_argument("--startups", type=int, default=5, help="server start-ups to time")
    parser.add_argument(
        "--compare",
        metavar="COMMAND",
        help='another server to measure on the same files, e.g. "jedi-language-server"',
    )
    args = parser.parse_args()
    servers: list[tuple[str, list[str] | None]] = [("howto-ls", None)]
    if args.compare:
        servers.append((args.compare, shlex.split(args.compare)))
    header = [
        "file",
        "lines",
        "action p50 ms",
        "action p95 ms",
        "lens p50 ms",
        "lens p95 ms",
        "lenses",
        "hover p50 ms",
        "hover p95 ms",
        "hovers answered",
    ]
    with tempfile.TemporaryDirectory(prefix="howto-bench-") as temp:
        root = Path(temp)
        prepared = prepare(root, args.files, args.guides)
        print(yardstick.line())
        for label, command in servers:
            rows = asyncio.run(measure(root, prepared, args.requests, command))
            starts = asyncio.run(startup(root, args.startups, command))
            s50, s95 = percentiles(starts)
            print(f"\n{label}\n")
            print(table(header, rows))
            print(
                f"\nstart-up to initialize response: p50 {s50:.0f} ms, p95 {s95:.0f} ms"
                f" ({len(starts)} runs)"
            )


if __name__ == "__main__":
    main()
