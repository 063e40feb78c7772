"""``howto-ls serve --tcp``: loopback, a token at ``initialize``, LSP framing only; real sockets."""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from howto_ls.errors import UsageError
from howto_ls.lsp.tcp import Address, ProtocolViolation, parse_address, read_message, token_from
from howto_ls.testing import FakeOpenAI
from howto_ls.testing.samples import GOOD_GUIDE, write_project

TOKEN = "tcp-token-0123456789abcdef"
LISTENING = re.compile(
    r"listening on 127\.0\.0\.1:(\d+)(?:; token for initializationOptions\.token: (\S+))?"
)


# --- addresses and framing ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "address", "loopback"),
    [
        ("2087", Address("127.0.0.1", 2087), True),
        ("127.0.0.1:2087", Address("127.0.0.1", 2087), True),
        ("localhost:2087", Address("localhost", 2087), True),
        ("[::1]:2087", Address("::1", 2087), True),
        ("0.0.0.0:2087", Address("0.0.0.0", 2087), False),
        ("192.168.1.5:2087", Address("192.168.1.5", 2087), False),
    ],
)
def test_parse_address(text: str, address: Address, loopback: bool) -> None:
    assert parse_address(text) == address
    assert address.is_loopback is loopback


@pytest.mark.parametrize("text", ["", "host:", "host:http", "127.0.0.1:70000"])
def test_a_bad_address_is_a_usage_error(text: str) -> None:
    with pytest.raises(UsageError, match="--tcp wants PORT or HOST:PORT"):
        parse_address(text)


def _reader(data: bytes) -> asyncio.StreamReader:
    reader = asyncio.StreamReader()
    reader.feed_data(data)
    reader.feed_eof()
    return reader


async def test_read_message_takes_lsp_headers_only() -> None:
    body = b'{"jsonrpc": "2.0"}'
    framed = (
        b"Content-Length: %d\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n"
        % len(body)
    )
    assert await read_message(_reader(framed + body)) == body
    assert await read_message(_reader(b"")) is None
    for bad in (
        b"POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}",
        b"Content-Length: 2\r\nHost: 127.0.0.1\r\n\r\n{}",
        b"Content-Type: x\r\n\r\n{}",
        b"Content-Length: 2\r\n" * 9 + b"\r\n{}",
    ):
        with pytest.raises(ProtocolViolation):
            await read_message(_reader(bad))
    with pytest.raises(ProtocolViolation, match="first message"):
        await read_message(_reader(b"Content-Length: 5000\r\n\r\n"), limit=4096)


# --- a real server on a real port -------------------------------------------------------------


def frame(payload: dict[str, Any]) -> bytes:
    body = json.dumps(payload).encode()
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


class Server:
    """``howto-ls serve --tcp 127.0.0.1:0`` in a subprocess; its port and printed token."""

    def __init__(self, root: Path, *args: str, env: dict[str, str] | None = None) -> None:
        state = root.parent / "state"
        environment = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
            "HOME": str(state),
            "XDG_CACHE_HOME": str(state / "cache"),
            "XDG_CONFIG_HOME": str(state / "config"),
            "HOWTO_BACKEND": "offline",
            **(env or {}),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "howto_ls", "serve", "--tcp", "127.0.0.1:0", *args],
            cwd=root,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.process.stderr is not None
        self.lines: list[str] = []
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            line = self.process.stderr.readline()
            if not line:
                break
            self.lines.append(line)
            match = LISTENING.search(line)
            if match:
                self.port = int(match.group(1))
                self.printed_token = match.group(2)
                return
        raise AssertionError(f"the server did not listen: {self.lines}")

    def stop(self) -> str:
        """Stop the server; everything it wrote to stderr."""
        if self.process.poll() is None:
            self.process.terminate()
        try:
            _, rest = self.process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, rest = self.process.communicate(timeout=10)
        return "".join(self.lines) + (rest or "")


def send_raw(port: int, data: bytes, wait: float = 5.0) -> bytes:
    """Send ``data``; everything the server answers until it closes (or ``wait`` passes)."""
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as connection:
        connection.sendall(data)
        received = b""
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                chunk = connection.recv(65536)
            except (TimeoutError, ConnectionResetError):
                break
            if not chunk:
                return received  # closed by the server
            received += chunk
    raise AssertionError(f"the connection stayed open; received {received!r}")


def initialize(request_id: int, root: Path, options: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "id": request_id,
        "method": "initialize",
        "params": {
            "processId": None,
            "rootUri": root.as_uri(),
            "capabilities": {},
            "initializationOptions": options,
        },
    }


def attack(root: Path, fake: FakeOpenAI, decoy: Path, token: str | None) -> list[dict[str, Any]]:
    """What a hostile page would send: settings pointing at its server, then a generation."""
    cart = (root / "shop" / "cart.py").as_uri()
    howto = {
        "backend": "openai",
        "baseUrl": fake.url,
        "model": fake.model,
        "promptFile": str(decoy),
    }
    options: dict[str, Any] = {"howto": howto}
    if token is not None:
        options["token"] = token
    text = (root / "shop" / "cart.py").read_text()
    return [
        initialize(1, root, options),
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {
            "jsonrpc": "2.0",
            "method": "textDocument/didOpen",
            "params": {
                "textDocument": {"uri": cart, "languageId": "python", "version": 1, "text": text}
            },
        },
        {
            "jsonrpc": "2.0",
            "id": 2,
            "method": "workspace/executeCommand",
            "params": {
                "command": "howto.generate",
                "arguments": [{"uri": cart, "line": 5, "character": 5}],
            },
        },
    ]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    write_project(root)
    return root


@pytest.fixture
def decoy(tmp_path: Path) -> Path:
    ssh = tmp_path / "state" / ".ssh"
    ssh.mkdir(parents=True)
    key = ssh / "id_ed25519"
    key.write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nDECOY\n", encoding="utf-8")
    return key


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(default=GOOD_GUIDE) as server:
        yield server


@pytest.fixture
def server(project: Path) -> Iterator[Server]:
    running = Server(project, env={"HOWTO_LS_TOKEN": TOKEN})
    yield running
    running.stop()


def test_an_http_request_is_closed_unread_and_changes_nothing(
    project: Path, server: Server, fake: FakeOpenAI, decoy: Path
) -> None:
    messages = b"".join(frame(m) for m in attack(project, fake, decoy, TOKEN))
    post = (
        b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://evil.example\r\n"
        b"Content-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s" % (len(messages), messages)
    )
    assert send_raw(server.port, post) == b""  # closed at once, no answer
    assert fake.requests == []
    assert server.process.poll() is None  # still serving the real editor
    assert_works(server.port, project, TOKEN)
    assert fake.requests == []
    stderr = server.stop()
    assert "closed a connection from" in stderr and "not an LSP header line" in stderr
    assert TOKEN not in stderr


@pytest.mark.parametrize("token", [None, "wrong-token"], ids=["missing", "wrong"])
def test_initialize_without_the_token_is_refused_and_closed(
    project: Path, server: Server, fake: FakeOpenAI, decoy: Path, token: str | None
) -> None:
    answer = send_raw(server.port, b"".join(frame(m) for m in attack(project, fake, decoy, token)))
    _, _, body = answer.partition(b"\r\n\r\n")
    reply = json.loads(body)
    assert reply["id"] == 1 and "result" not in reply
    reason = "missing" if token is None else "wrong"
    assert reply["error"]["message"] == (
        f"howto-ls: initializationOptions.token is {reason}: pass the token of `howto-ls serve"
        " --tcp` (--token or HOWTO_LS_TOKEN) as initializationOptions.token"
    )
    assert fake.requests == []
    assert server.process.poll() is None


def test_the_right_token_serves_the_editor(
    project: Path, server: Server, fake: FakeOpenAI, decoy: Path
) -> None:
    """The same messages with the token do reach the model: the refusal above is what stops them;
    the prompt file outside the workspace is still not read."""
    replies = exchange(server.port, attack(project, fake, decoy, TOKEN), want=2)
    assert "capabilities" in replies[1]["result"]
    assert replies[2]["result"]["applied"] is False  # the raw client applies no edit
    (request,) = fake.chat_requests
    assert "DECOY" not in json.dumps(request.body)


def test_a_generated_token_is_printed_once_and_required(project: Path) -> None:
    running = Server(project)
    try:
        token = running.printed_token
        assert token and len(token) >= 32
        assert_works(running.port, project, token)
    finally:
        stderr = running.stop()
    assert stderr.count(token) == 1


def test_a_remote_host_needs_allow_remote(project: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "howto_ls", "serve", "--tcp", "0.0.0.0:0"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "howto-ls: error: --tcp 0.0.0.0:0: 0.0.0.0 is not a loopback address, so other machines"
        " could connect (unencrypted): use 127.0.0.1, or add --allow-remote on a network you"
        " trust"
    ]


# --- a tiny raw LSP client ----------------------------------------------------------------------


def exchange(port: int, messages: list[dict[str, Any]], want: int) -> dict[int, Any]:
    """Send ``messages``; read until the response with id ``want`` arrives; answer the server's
    own requests with null. Returns responses by id."""
    replies: dict[int, Any] = {}
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(b"".join(frame(m) for m in messages))
        stream = connection.makefile("rb")
        deadline = time.monotonic() + 30
        while want not in replies and time.monotonic() < deadline:
            length = 0
            while (line := stream.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            if not length:
                break
            message = json.loads(stream.read(length))
            if "method" in message and "id" in message:
                connection.sendall(frame({"jsonrpc": "2.0", "id": message["id"], "result": None}))
            elif "id" in message:
                replies[message["id"]] = message
    assert want in replies, replies
    return replies


def assert_works(port: int, project: Path, token: str) -> None:
    """Initialize with ``token`` and ask for the code actions on ``total``."""
    cart = (project / "shop" / "cart.py").as_uri()
    text = (project / "shop" / "cart.py").read_text()
    position = {"line": 5, "character": 5}
    replies = exchange(
        port,
        [
            initialize(1, project, {"token": token}),
            {"jsonrpc": "2.0", "method": "initialized", "params": {}},
            {
                "jsonrpc": "2.0",
                "method": "textDocument/didOpen",
                "params": {
                    "textDocument": {
                        "uri": cart,
                        "languageId": "python",
                        "version": 1,
                        "text": text,
                    }
                },
            },
            {
                "jsonrpc": "2.0",
                "id": 2,
                "method": "textDocument/codeAction",
                "params": {
                    "textDocument": {"uri": cart},
                    "range": {"start": position, "end": position},
                    "context": {"diagnostics": []},
                },
            },
        ],
        want=2,
    )
    titles = [action["title"] for action in replies[2]["result"]]
    assert "Generate how-to doc" in titles


def test_a_token_without_tcp_is_a_usage_error() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "howto_ls", "serve", "--token", "abc"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "howto-ls: error: --token and --allow-remote go with --tcp [HOST:]PORT"
    )


@pytest.mark.parametrize("where", ["--token", "HOWTO_LS_TOKEN"])
def test_a_short_token_is_refused_with_how_to_make_one(project: Path, where: str) -> None:
    args = ["--token", "a"] if where == "--token" else []
    env = {**os.environ, "HOWTO_LS_TOKEN": "short-token-15c"} if where != "--token" else None
    result = subprocess.run(
        [sys.executable, "-m", "howto_ls", "serve", "--tcp", "127.0.0.1:0", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    length = 1 if where == "--token" else 15
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "howto-ls: error: the --tcp token (--token or HOWTO_LS_TOKEN) must have at least 16"
        f" characters, not {length}: make one with `openssl rand -hex 16`, or leave it out and"
        " howto-ls prints a new one"
    ]
    assert "short-token" not in result.stderr


def test_a_token_of_sixteen_characters_is_enough() -> None:
    assert token_from(None, {"HOWTO_LS_TOKEN": "0123456789abcdef"}) == "0123456789abcdef"
    with pytest.raises(UsageError, match="at least 16 characters, not 15"):
        token_from("0123456789abcde", {})
