"""A position fuzz over real packages, through the language server over real JSON-RPC.

For positions in a package's files (every definition's name, and random spots: bodies,
decorators, blank lines, comments) it asks the server for code actions, runs *Generate how-to
doc* (docstring or sidecar) the way an editor does, applies the ``workspace/applyEdit`` it gets,
and checks the result against rules computed here, independently of howto-ls:

- the file still parses, and its tree (type comments included; docstrings and attribute
  docstrings ignored) is unchanged;
- the guide is in the definition meant: the innermost one holding the position, an
  ``@overload``'s implementation (the last signature when there is none), a property accessor's
  getter;
- every docstring text that was there is still there;
- running the same action again changes nothing.

Packages are downloaded from PyPI with ``pip download`` (pinned versions, wheels only) into a
cache folder. ``benchmarks/bench_fuzz.py`` runs it in full; the test suite runs a slice.
"""

from __future__ import annotations

import ast
import asyncio
import json
import os
import random
import shutil
import subprocess
import sys
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

__all__ = [
    "PACKAGES",
    "FuzzReport",
    "download",
    "fuzz_package",
]

PACKAGES: dict[str, str] = {
    "requests": "2.32.3",
    "click": "8.1.7",
    "httpx": "0.27.2",
    "rich": "13.9.4",
    "attrs": "24.2.0",
    "SQLAlchemy": "2.0.36",
    "pydantic": "2.9.2",
    "starlette": "0.41.3",
    "more-itertools": "10.5.0",
    "typing_extensions": "4.12.2",
    "Jinja2": "3.1.4",
    "Werkzeug": "3.1.3",
}
"""The pinned packages the full fuzz runs over (rich in overloads, properties, conditionals)."""

HEADING = "How to Use This Code Block"
REQUEST_TIMEOUT = 120.0
_DOCUMENTED = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_PROPERTIES = frozenset({"property", "cached_property", "abstractproperty"})

Definition = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef


# ------------------------------------------------------------------------------ downloading


def download(name: str, version: str, cache: Path) -> Path:
    """The ``.py`` files of ``name==version`` unpacked under ``cache`` (downloaded once)."""
    folder = cache / f"{name}-{version}"
    done = folder / ".unpacked"
    if done.exists():
        return folder / "src"
    folder.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
    result = subprocess.run(
        [*command, f"{name}=={version}", "-d", str(folder)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    wheels = sorted(folder.glob("*.whl"))
    if result.returncode != 0 or not wheels:
        raise RuntimeError(f"could not download {name}=={version}: {result.stderr[-300:]}")
    source = folder / "src"
    with zipfile.ZipFile(wheels[0]) as archive:
        members = [n for n in archive.namelist() if n.endswith(".py") and ".dist-info/" not in n]
        archive.extractall(source, members)
    (source / "pyproject.toml").write_text(f"[project]\nname = '{name}'\n", encoding="utf-8")
    done.write_text("", encoding="utf-8")
    return source


# ------------------------------------------------------------------------------ the rules


def definitions(tree: ast.Module) -> list[Definition]:
    """Every def and class of ``tree`` in file order (docstring edits never reorder them)."""
    found = [node for node in ast.walk(tree) if isinstance(node, _DEFINITIONS)]
    return sorted(found, key=lambda node: (node.lineno, node.col_offset))


def guided(source: str) -> list[int]:
    """Indexes (in ``definitions``) of the definitions whose docstring holds a guide."""
    return [
        index
        for index, node in enumerate(definitions(ast.parse(source)))
        if HEADING in (ast.get_docstring(node, clean=False) or "")
    ]


def _decorator_names(node: Definition) -> list[tuple[str, str | None]]:
    """``(last name, base name)`` of each decorator: ``@x.setter`` -> ``("setter", "x")``."""
    names: list[tuple[str, str | None]] = []
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Name):
            names.append((target.id, None))
        elif isinstance(target, ast.Attribute):
            base = target.value.id if isinstance(target.value, ast.Name) else None
            names.append((target.attr, base))
    return names


def _is_overload(node: Definition) -> bool:
    return any(last == "overload" for last, _ in _decorator_names(node))


def _accessor_of(node: Definition) -> bool:
    return any(
        last in {"setter", "getter", "deleter"} and base == node.name
        for last, base in _decorator_names(node)
    )


def _is_property(node: Definition) -> bool:
    return any(last in _PROPERTIES for last, _ in _decorator_names(node))


def _scopes(tree: ast.Module) -> dict[int, list[Definition]]:
    """For each definition (by id), the definitions of its scope in execution order."""
    scopes: dict[int, list[Definition]] = {}

    def flat(body: list[ast.stmt]) -> Iterator[ast.stmt]:
        for node in body:
            yield node
            if isinstance(node, ast.If | ast.For | ast.AsyncFor | ast.While):
                yield from flat(node.body)
                yield from flat(node.orelse)
            elif isinstance(node, ast.With | ast.AsyncWith):
                yield from flat(node.body)
            elif isinstance(node, ast.Try):
                yield from flat(node.body)
                for handler in node.handlers:
                    yield from flat(handler.body)
                yield from flat(node.orelse)
                yield from flat(node.finalbody)

    def visit(body: list[ast.stmt]) -> None:
        scope = [node for node in flat(body) if isinstance(node, _DEFINITIONS)]
        for node in scope:
            scopes[id(node)] = scope
            visit(node.body)

    visit(tree.body)
    return scopes


def meant(tree: ast.Module, node: Definition) -> Definition:
    """The definition whose docstring a guide asked for at ``node`` belongs in (the rules)."""
    scope = _scopes(tree).get(id(node), [node])
    index = next(i for i, other in enumerate(scope) if other is node)
    same = [other for other in scope if other.name == node.name]
    if _is_overload(node):
        later = scope[index + 1 :]
        for other in later:
            if other.name == node.name and not _is_overload(other):
                return other
        stubs = [node]
        for other in later:
            if other.name != node.name:
                continue
            if not _is_overload(other):
                break
            stubs.append(other)
        return stubs[-1]
    if _accessor_of(node):
        earlier = [o for o in scope[:index] if o.name == node.name and not _accessor_of(o)]
        if earlier and _is_property(earlier[-1]):
            return earlier[-1]
    del same
    return node


def _span_end(lines: list[str], node: ast.AST) -> tuple[int, int]:
    """Where a node ends (0-based line, code-point column), over a trailing comment."""
    line = (getattr(node, "end_lineno", None) or 1) - 1
    text = lines[line]
    column = len(text.encode()[: getattr(node, "end_col_offset", 0) or 0].decode(errors="ignore"))
    if text[column:].lstrip().startswith("#"):
        column = len(text.rstrip())
    return line, column


def _span_start(lines: list[str], node: Definition) -> tuple[int, int]:
    first = node.decorator_list[0] if node.decorator_list else node
    line = first.lineno - 1
    column = len(lines[line].encode()[: first.col_offset].decode(errors="ignore"))
    if node.decorator_list:
        column = max(lines[line].rfind("@", 0, column), 0)
    return line, column


def innermost(tree: ast.Module, source: str, position: tuple[int, int]) -> Definition | None:
    """The innermost definition whose text (decorators to last statement) holds ``position``."""
    lines = source.split("\n")
    found: Definition | None = None
    for node in definitions(tree):
        if _span_start(lines, node) <= position <= _span_end(lines, node):
            found = node  # in file order an inner definition comes after its outer one
    return found


def code_of(source: str) -> str | None:
    """The code of ``source`` with docs left out, type comments kept; None if it does not parse.

    Docstrings (first string statement of a module, class or function) and attribute docstrings
    (a string statement right after an assignment) are dropped; ``# type: ignore`` comments
    count by their tags.
    """
    try:
        tree = ast.parse(source, type_comments=True)
    except SyntaxError:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            return None
    for node in ast.walk(tree):
        for name in ("body", "orelse", "finalbody"):
            body = getattr(node, name, None)
            if not isinstance(body, list) or not body or not isinstance(body[0], ast.stmt):
                continue
            kept = []
            for index, statement in enumerate(body):
                is_string = (
                    isinstance(statement, ast.Expr)
                    and isinstance(statement.value, ast.Constant)
                    and isinstance(statement.value.value, str)
                )
                documents = (index == 0 and name == "body" and isinstance(node, _DOCUMENTED)) or (
                    index > 0 and type(body[index - 1]).__name__ in _ASSIGNMENT_NAMES
                )
                if not (is_string and documents):
                    kept.append(statement)
            setattr(node, name, kept or [ast.Pass()])
    ignores = sorted(str(ignore.tag) for ignore in tree.type_ignores)
    tree.type_ignores = []
    return ast.dump(tree) + repr(ignores)


_ASSIGNMENT_NAMES = frozenset({"Assign", "AnnAssign", "TypeAlias"})


def docstrings(source: str) -> list[str]:
    """The docstring text (stripped) of the module and each definition, in order."""
    tree = ast.parse(source)
    nodes: list[ast.AST] = [tree, *definitions(tree)]
    return [
        (ast.get_docstring(node, clean=False) or "").strip()  # type: ignore[arg-type]
        for node in nodes
    ]


# ------------------------------------------------------------------------------ JSON-RPC


class Client:
    """A JSON-RPC client over the server's stdio that applies ``workspace/applyEdit`` like an
    editor: to open buffers (then ``didChange``) or to files on disk, creating files it is told
    to create."""

    def __init__(self, process: asyncio.subprocess.Process, root: Path) -> None:
        self.process = process
        self.root = root
        self.next_id = 0
        self.pending: dict[int, asyncio.Future[Any]] = {}
        self.buffers: dict[str, tuple[str, int]] = {}
        self.edits = 0
        self.reader = asyncio.ensure_future(self._read())

    @classmethod
    async def start(cls, root: Path) -> Client:
        env = {**os.environ, "HOWTO_BACKEND": "offline", "HOME": str(root.parent)}
        env["XDG_CACHE_HOME"] = str(root.parent / ".cache")
        # The package under test must not shadow the server's own imports (attrs, httpx...):
        # no current folder on sys.path (PYTHONSAFEPATH, 3.11+), and not started inside it.
        env["PYTHONSAFEPATH"] = "1"
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "howto_ls.server",
            cwd=root.parent,
            env=env,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            limit=2**24,
        )
        client = cls(process, root)
        capabilities = {
            "workspace": {
                "applyEdit": True,
                "workspaceEdit": {"documentChanges": True, "resourceOperations": ["create"]},
            },
            "textDocument": {
                "codeAction": {
                    "codeActionLiteralSupport": {
                        "codeActionKind": {"valueSet": ["refactor", "quickfix"]}
                    }
                }
            },
        }
        await client.request(
            "initialize",
            {"processId": None, "rootUri": root.as_uri(), "capabilities": capabilities},
        )
        client.notify("initialized", {})
        return client

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
            header = await stream.readuntil(b"\r\n\r\n")
            length = next(
                int(line.split(b":")[1])
                for line in header.split(b"\r\n")
                if line.lower().startswith(b"content-length")
            )
            message = json.loads(await stream.readexactly(length))
            if "method" in message and "id" in message:
                self._answer(message)
            elif "id" in message and message["id"] in self.pending:
                future = self.pending.pop(message["id"])
                if "error" in message:
                    future.set_exception(RuntimeError(message["error"].get("message")))
                else:
                    future.set_result(message.get("result"))

    def _answer(self, message: dict[str, Any]) -> None:
        method, params = message["method"], message.get("params") or {}
        result: Any = None
        if method == "workspace/applyEdit":
            self.edits += 1
            self._apply(params["edit"])
            result = {"applied": True}
        elif method == "workspace/configuration":
            result = [None for _ in params.get("items", [])]
        self._send({"id": message["id"], "result": result})

    def open(self, path: Path, text: str) -> str:
        uri = path.as_uri()
        if uri in self.buffers:
            self.change(uri, text)
            return uri
        self.buffers[uri] = (text, 1)
        document = {"uri": uri, "languageId": "python", "version": 1, "text": text}
        self.notify("textDocument/didOpen", {"textDocument": document})
        return uri

    def change(self, uri: str, text: str) -> None:
        version = self.buffers[uri][1] + 1
        self.buffers[uri] = (text, version)
        self.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]},
        )

    def _apply(self, edit: dict[str, Any]) -> None:
        for operation in edit.get("documentChanges") or []:
            if operation.get("kind") == "create":
                path = _path(operation["uri"])
                path.parent.mkdir(parents=True, exist_ok=True)
                if not path.exists():
                    path.write_text("", encoding="utf-8")
            elif "textDocument" in operation:
                self._edit(operation["textDocument"]["uri"], operation["edits"])
        for uri, edits in (edit.get("changes") or {}).items():
            self._edit(uri, edits)

    def _edit(self, uri: str, edits: list[dict[str, Any]]) -> None:
        if uri in self.buffers:
            self.change(uri, apply_lsp_edits(self.buffers[uri][0], edits))
        else:
            path = _path(uri)
            text = path.read_text(encoding="utf-8") if path.exists() else ""
            path.write_text(apply_lsp_edits(text, edits), encoding="utf-8", newline="")

    async def close(self) -> None:
        """Shut the server down (killed if it does not exit) and release its pipes."""
        try:
            await asyncio.wait_for(self.request("shutdown", None), 10)
            self.notify("exit", None)
            await asyncio.wait_for(self.process.wait(), 10)
        except (TimeoutError, RuntimeError, ConnectionError):
            self.process.kill()
            await self.process.wait()
        self.reader.cancel()
        await asyncio.gather(self.reader, return_exceptions=True)
        if self.process.stdin is not None:
            self.process.stdin.close()
        transport = getattr(self.process, "_transport", None)
        if transport is not None:
            transport.close()


def _path(uri: str) -> Path:
    return Path(unquote(urlparse(uri).path))


def apply_lsp_edits(text: str, edits: list[dict[str, Any]]) -> str:
    """``text`` with LSP text edits applied (UTF-16 columns, as the server sends by default)."""
    starts = [0]
    for index, char in enumerate(text):
        if char == "\n":
            starts.append(index + 1)

    def offset(position: dict[str, int]) -> int:
        line = position["line"]
        if line >= len(starts):
            return len(text)
        start = starts[line]
        end = starts[line + 1] - 1 if line + 1 < len(starts) else len(text)
        units = 0
        index = start
        while index < end and units < position["character"]:
            units += 2 if ord(text[index]) > 0xFFFF else 1
            index += 1
        return index

    ranges = sorted(
        ((offset(e["range"]["start"]), offset(e["range"]["end"]), e["newText"]) for e in edits),
        reverse=True,
    )
    for start, end, new in ranges:
        text = text[:start] + new + text[end:]
    return text


def _utf16(line: str, column: int) -> int:
    return len(line[:column].encode("utf-16-le")) // 2


# ------------------------------------------------------------------------------ the run


@dataclass
class FuzzReport:
    """Counts of one package's run: positions tried, actions run, failures by kind."""

    package: str
    positions: int = 0
    runs: int = 0
    docstring_runs: int = 0
    sidecar_runs: int = 0
    placement_checked: int = 0
    refused: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)

    def fail(self, kind: str, where: str) -> None:
        """Count a failure of ``kind`` and keep the first example of it."""
        self.failures[kind] += 1
        self.examples.setdefault(kind, where)


def positions_in(source: str, rng: random.Random, random_per_file: int) -> list[tuple[int, int]]:
    """Every definition's name and ``random_per_file`` random spots (0-based line, column)."""
    tree = ast.parse(source)
    lines = source.split("\n")
    found: list[tuple[int, int]] = []
    for node in definitions(tree):
        line = lines[node.lineno - 1]
        keyword = "class " if isinstance(node, ast.ClassDef) else "def "
        column = line.find(node.name, line.find(keyword))
        found.append((node.lineno - 1, max(column, 0)))
    for _ in range(random_per_file):
        number = rng.randrange(len(lines))
        found.append((number, rng.randint(0, len(lines[number]))))
    return found


def _files(source_root: Path) -> list[Path]:
    return sorted(
        path
        for path in source_root.rglob("*.py")
        if "/tests/" not in path.as_posix() and "/testing/" not in path.as_posix()
    )


async def fuzz_package(
    package: str,
    source_root: Path,
    work: Path,
    *,
    seed: int = 0,
    max_files: int | None = None,
    max_positions: int | None = None,
    random_per_file: int = 10,
    sidecar_every: int = 5,
    deadline: float | None = None,
) -> FuzzReport:
    """Run the fuzz over a copy of ``source_root`` in ``work``; stop at ``deadline`` (loop time)."""
    report = FuzzReport(package)
    root = work / package
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(source_root, root)
    rng = random.Random(seed)
    files = _files(root)
    rng.shuffle(files)
    if max_files is not None:
        files = files[:max_files]
    client = await Client.start(root)
    loop = asyncio.get_running_loop()
    try:
        for path in files:
            try:
                original = path.read_text(encoding="utf-8")
                ast.parse(original)
            except (UnicodeDecodeError, SyntaxError, ValueError):
                continue
            points = positions_in(original, rng, random_per_file)
            rng.shuffle(points)
            for position in points:
                if max_positions is not None and report.positions >= max_positions:
                    return report
                if deadline is not None and loop.time() > deadline:
                    return report
                report.positions += 1
                await _one(client, report, root, path, original, position, rng, sidecar_every)
    finally:
        await client.close()
    return report


async def _one(
    client: Client,
    report: FuzzReport,
    root: Path,
    path: Path,
    original: str,
    position: tuple[int, int],
    rng: random.Random,
    sidecar_every: int,
) -> None:
    """Run one position: list actions, run the chosen one, check, run again, restore."""
    where = f"{path.relative_to(root)}:{position[0] + 1}:{position[1] + 1}"
    uri = client.open(path, original)
    lines = original.split("\n")
    lsp_position = {"line": position[0], "character": _utf16(lines[position[0]], position[1])}
    try:
        actions = await client.request(
            "textDocument/codeAction",
            {
                "textDocument": {"uri": uri},
                "range": {"start": lsp_position, "end": lsp_position},
                "context": {"diagnostics": []},
            },
        )
    except Exception as exc:
        report.fail("crash", f"{where}: codeAction: {exc}")
        return
    target = "sidecar" if rng.randrange(sidecar_every) == 0 else "docstring"
    chosen = [
        action
        for action in actions or []
        if action.get("command")
        and (args := action["command"].get("arguments") or [{}])
        and "qualname" in args[0]
        and args[0].get("target") == target
    ]
    if not chosen:
        return
    command = chosen[0]["command"]
    result = await _execute(client, report, command, where)
    if result is None:
        return
    report.runs += 1
    if result.get("error"):
        report.refused += 1
        report.examples.setdefault("refused", f"{where}: {result['error']}")
        client.change(uri, original)
        return
    if target == "sidecar":
        report.sidecar_runs += 1
        _check_sidecar(client, report, root, uri, original, position, where)
    else:
        report.docstring_runs += 1
        _check_docstring(client, report, uri, original, position, where)
    again = await _execute(client, report, command, where)
    if again is not None and again.get("applied"):
        report.fail("not idempotent", where)
    client.change(uri, original)
    for sidecar in _sidecars(root):
        sidecar.unlink()


async def _execute(
    client: Client, report: FuzzReport, command: dict[str, Any], where: str
) -> dict[str, Any] | None:
    try:
        result = await client.request(
            "workspace/executeCommand",
            {"command": command["command"], "arguments": command.get("arguments")},
        )
    except Exception as exc:
        report.fail("crash", f"{where}: {type(exc).__name__}: {exc}")
        return None
    if not isinstance(result, dict):
        report.fail("crash", f"{where}: result {result!r}")
        return None
    if "internal error" in str(result.get("error", "")):
        report.fail("crash", f"{where}: {result['error']}")
        return None
    return result


def _sidecars(root: Path) -> set[Path]:
    folder = root / "docs" / "howto"
    return set(folder.rglob("*.md")) if folder.exists() else set()


def _check_docstring(
    client: Client,
    report: FuzzReport,
    uri: str,
    original: str,
    position: tuple[int, int],
    where: str,
) -> None:
    new = client.buffers[uri][0]
    new_code = code_of(new)
    if new_code is None:
        report.fail("does not parse", where)
        return
    if new_code != code_of(original):
        report.fail("code changed", where)
        return
    old_docs, new_docs = docstrings(original), docstrings(new)
    if len(old_docs) != len(new_docs) or any(
        old not in doc for old, doc in zip(old_docs, new_docs, strict=True)
    ):
        report.fail("text lost", where)
    tree = ast.parse(original)
    node = innermost(tree, original, position)
    if node is None:
        return
    report.placement_checked += 1
    expected = definitions(tree).index(meant(tree, node))
    if guided(new) != [expected]:
        report.fail("wrong definition", where)


def _check_sidecar(
    client: Client,
    report: FuzzReport,
    root: Path,
    uri: str,
    original: str,
    position: tuple[int, int],
    where: str,
) -> None:
    from howto_ls.sidecar import read_blocks  # reads the markers the sidecar format defines

    if client.buffers[uri][0] != original:
        report.fail("code changed", where)
        return
    blocks: dict[str, Any] = {}
    for sidecar in _sidecars(root):
        blocks.update(read_blocks(sidecar.read_text(encoding="utf-8")))
    tree = ast.parse(original)
    node = innermost(tree, original, position)
    if node is None:
        return
    report.placement_checked += 1
    names = [".".join(part.split("#", 1)[0] for part in key.split(".")) for key in blocks]
    if names != [qualnames(tree)[id(meant(tree, node))]]:
        report.fail("wrong definition", where)


def qualnames(tree: ast.Module) -> dict[int, str]:
    """The dotted name of every definition (by id), nested ones under their parents."""
    found: dict[int, str] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, _DEFINITIONS):
                found[id(child)] = f"{prefix}{child.name}"
                visit(child, f"{prefix}{child.name}.")
            elif not isinstance(child, ast.Lambda):
                visit(child, prefix)

    visit(tree, "")
    return found
