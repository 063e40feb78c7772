"""Hygiene over raw pipes and sockets: only JSON-RPC on stdout, bad requests survive, TCP works."""

from __future__ import annotations

import json
import os
import select
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, BinaryIO

import pytest

from howto_ls.testing.samples import write_project


def frame(message: dict[str, Any]) -> bytes:
    body = json.dumps(message).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


def read_frame(stream: BinaryIO) -> dict[str, Any]:
    """One framed message; anything but a Content-Length header is a failure."""
    headers: dict[str, str] = {}
    while True:
        line = stream.readline()
        assert line, "the server closed its output"
        if line == b"\r\n":
            break
        name, _, value = line.decode("ascii").partition(":")
        assert name in ("Content-Length", "Content-Type"), f"not a header: {line!r}"
        headers[name] = value.strip()
    body = stream.read(int(headers["Content-Length"]))
    message: dict[str, Any] = json.loads(body)
    assert message["jsonrpc"] == "2.0"
    return message


def response(stream: BinaryIO, request_id: int) -> dict[str, Any]:
    """Read frames until the response to ``request_id`` (at most 200 messages).

    pygls answers a request it cannot even decode with a ``window/showMessage`` and no
    response, so only well-formed requests are awaited here.
    """
    for _ in range(200):
        message = read_frame(stream)
        if message.get("id") == request_id and "method" not in message:
            return message
        if "method" in message and "id" in message:  # a request from the server: answer null
            raise AssertionError(f"unexpected server request {message['method']}")
    raise AssertionError("no response")


def session(root: Path, send: Any, stream: BinaryIO, options: Any = None) -> None:
    """Initialize (with ``options``), open a file, ask for actions (also malformed ones), list,
    shut down."""
    uri = (root / "shop" / "cart.py").as_uri()
    text = (root / "shop" / "cart.py").read_text(encoding="utf-8")
    send(
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "processId": None,
                "rootUri": root.as_uri(),
                "capabilities": {},
                "initializationOptions": options,
            },
        }
    )
    assert "capabilities" in response(stream, 1)["result"]
    send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    send(
        {
            "jsonrpc": "2.0",
            "method": "textDocument/didOpen",
            "params": {
                "textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}
            },
        }
    )
    send(
        {
            "jsonrpc": "2.0",
            "id": 2,
            "method": "textDocument/codeAction",
            "params": {"textDocument": {"uri": uri}},
        }
    )  # malformed: no range, no context
    send(
        {
            "jsonrpc": "2.0",
            "id": 3,
            "method": "workspace/executeCommand",
            "params": {"command": "howto.generate", "arguments": [1, 2, 3]},
        }
    )
    error = response(stream, 3)["error"]  # the handler raised: pygls's internal error
    assert "Expected 1 arguments" in error["message"]
    assert "\n" not in error["message"]
    assert error.get("data") is None  # no Python traceback for the client to show
    position = {"line": 5, "character": 5}
    send(
        {
            "jsonrpc": "2.0",
            "id": 4,
            "method": "textDocument/codeAction",
            "params": {
                "textDocument": {"uri": uri},
                "range": {"start": position, "end": position},
                "context": {"diagnostics": []},
            },
        }
    )
    titles = [item["title"] for item in response(stream, 4)["result"]]
    assert "Generate how-to doc" in titles
    send({"jsonrpc": "2.0", "id": 5, "method": "shutdown", "params": None})
    response(stream, 5)
    send({"jsonrpc": "2.0", "method": "exit", "params": None})


def environment(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "HOWTO_BACKEND": "offline",
        "HOME": str(tmp_path / "home"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }


def test_stdout_carries_only_json_rpc_and_bad_requests_do_not_kill_it(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    write_project(root)
    server = subprocess.Popen(
        [sys.executable, "-m", "howto_ls.server"],
        cwd=root,
        env=environment(tmp_path),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert server.stdin is not None and server.stdout is not None
    stdin = server.stdin

    def send(message: dict[str, Any]) -> None:
        stdin.write(frame(message))
        stdin.flush()

    try:
        session(root, send, server.stdout)
        assert server.wait(timeout=20) == 0
        assert server.stdout.read() == b""  # nothing after the last frame either
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert server.stderr is not None
    logged = server.stderr.read()
    assert b"howto-ls" in logged  # logs go to stderr
    assert b"Traceback" in logged and b"Expected 1 arguments" in logged  # the traceback too


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_tcp(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    write_project(root)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "howto_ls.server", f"127.0.0.1:{port}"],
        cwd=root,
        env={**environment(tmp_path), "HOWTO_LS_TOKEN": "hygiene-token-0123456789"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(300):  # up to 30 s for the interpreter to start listening
            try:
                connection = socket.create_connection(("127.0.0.1", port), timeout=20)
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("the server never listened")
        with connection, connection.makefile("rb") as stream:
            send = lambda message: connection.sendall(frame(message))  # noqa: E731
            session(root, send, stream, {"token": "hygiene-token-0123456789"})
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert server.stdout is not None and server.stdout.read() == b""


@pytest.mark.parametrize("arguments", [["--stdio"], ["serve", "--stdio"]])
def test_stdio_flag_that_clients_add_is_accepted(arguments: list[str]) -> None:
    """vscode-languageclient and others append --stdio; the server must start, not exit 2."""
    process = subprocess.Popen(
        [sys.executable, "-m", "howto_ls", *arguments],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        body = json.dumps(
            {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "initialize",
                "params": {"processId": None, "rootUri": None, "capabilities": {}},
            }
        ).encode()
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        process.stdin.flush()
        ready, _, _ = select.select([process.stdout], [], [], 30)
        assert ready, "the server did not answer initialize within 30 s"
        header = process.stdout.readline()
        assert header.startswith(b"Content-Length: "), header
    finally:
        process.kill()
        process.wait(timeout=10)


def test_a_failed_notification_is_one_line_to_the_user_and_its_traceback_in_the_log(
    tmp_path: Path,
) -> None:
    root = tmp_path / "proj"
    write_project(root)
    server = subprocess.Popen(
        [sys.executable, "-m", "howto_ls.server"],
        cwd=root,
        env=environment(tmp_path),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert server.stdin is not None and server.stdout is not None and server.stderr is not None
    stdin = server.stdin

    def send(message: dict[str, Any]) -> None:
        stdin.write(frame(message))
        stdin.flush()

    try:
        params = {"processId": None, "rootUri": root.as_uri(), "capabilities": {}}
        send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": params})
        response(server.stdout, 1)
        send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
        unopened = "file:///nowhere/never-opened.py"  # a change to a document never opened
        change = {"textDocument": {"uri": unopened, "version": 2}, "contentChanges": [{"text": ""}]}
        send({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": change})
        shown = []
        for _ in range(50):
            message = read_frame(server.stdout)
            if message.get("method") == "window/showMessage":
                shown.append(message["params"]["message"])
                break
        send({"jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": None})
        response(server.stdout, 2)
        send({"jsonrpc": "2.0", "method": "exit", "params": None})
        assert server.wait(timeout=20) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert shown == [f"howto-ls failed: KeyError: '{unopened}'; see the server log"]
    logged = server.stderr.read()
    assert b"Traceback (most recent call last):" in logged and b"update_text_document" in logged
