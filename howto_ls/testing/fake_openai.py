"""A fake OpenAI-compatible chat server on 127.0.0.1, with canned answers and faults on demand.

Real HTTP/1.1 on a free loopback port, served from a background thread, so sync and async tests
and benchmarks can all use it::

    with FakeOpenAI(replies=[GUIDE_TEXT, rate_limited(retry_after="1")]) as fake:
        settings = Settings(base_url=fake.url, model="fake")
        ...
        assert fake.requests[0].body["messages"][0]["role"] == "system"

``POST /v1/chat/completions`` answers as a stream of server-sent events (``data: {...}`` chunks
carrying ``choices[0].delta.content``, then ``data: [DONE]``) when the body says ``"stream": true``,
and as one JSON object otherwise. ``GET /v1/models`` lists the model. Every request is recorded with
its headers and JSON body, and whether the client went away before the answer was complete.

Standalone, for benchmarks::

    python -m howto_ls.testing.fake_openai --port 8001 --latency 0.2 --answer-file guide.txt
"""

from __future__ import annotations

import argparse
import contextlib
import json
import select
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

DEFAULT_MODEL = "fake-model"
CHAT_PATH = "/v1/chat/completions"
MODELS_PATH = "/v1/models"
_POLL = 0.02  # seconds between checks for a client that went away


@dataclass(frozen=True)
class Reply:
    """What the fake answers to one chat request.

    ``content`` is streamed ``token_chars`` characters per chunk. A ``status`` of 400 or more
    sends ``error`` as OpenAI's JSON error body instead. ``drop_after`` closes the connection
    after that many chunks, without ending the stream. ``malformed`` sends a ``data:`` line that
    is not JSON before the answer; ``noise`` sends harmless comments and unknown SSE fields.
    ``as_json`` answers with one JSON object even when the client asked for a stream.
    ``linger`` keeps the stream open that many seconds after ``[DONE]`` before ending it.

    How a stream ends, as real servers end it: ``finish_reason`` is sent in a last empty delta
    (``None``: no such chunk) and ``done`` sends ``data: [DONE]``; with neither, the stream just
    stops, as llama.cpp's server does when its context fills mid-answer. ``empty_when_streamed``
    answers a streamed request with ``200`` and no event at all (llama.cpp's answer to a prompt
    longer than its context) and a plain request as usual (the error, for the reply's
    ``status``). ``ping_every`` sends a ``: ping`` comment every that many seconds while the
    first token is delayed. ``reject_max_tokens`` answers a body carrying ``max_tokens`` with
    OpenAI's 400 for newer models; ``reject_response_format`` answers a body carrying
    ``response_format`` with a 400 like a server without JSON-schema support.
    """

    content: str = ""
    status: int = 200
    error: Mapping[str, Any] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    first_token_delay: float = 0.0
    token_delay: float = 0.0
    token_chars: int = 8
    drop_after: int | None = None
    malformed: bool = False
    noise: bool = False
    as_json: bool = False
    linger: float = 0.0
    finish_reason: str | None = "stop"
    done: bool = True
    empty_when_streamed: bool = False
    ping_every: float = 0.0
    reject_max_tokens: bool = False
    reject_response_format: bool = False


Responder = Callable[["RecordedRequest"], "Reply | str"]


@dataclass
class RecordedRequest:
    """One request the fake received: headers (lower-case names), JSON body, and its outcome."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    received_at: float
    disconnected: bool = False
    disconnected_at: float | None = None
    completed: bool = False
    query: str = ""  # the query string, without "?"
    done: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def messages(self) -> list[dict[str, str]]:
        """The chat messages of the body (empty if there are none)."""
        if isinstance(self.body, dict) and isinstance(self.body.get("messages"), list):
            return list(self.body["messages"])
        return []


# --- Faults -------------------------------------------------------------------------------------


def _error(status: int, message: str, kind: str, code: str | None, **kw: Any) -> Reply:
    body = {"error": {"message": message, "type": kind, "param": None, "code": code}}
    return Reply(status=status, error=body, **kw)


def unauthorized() -> Reply:
    """401 as OpenAI sends it for a wrong key."""
    return _error(401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key")


def not_found(model: str = DEFAULT_MODEL) -> Reply:
    """404 as OpenAI sends it for an unknown model."""
    message = f"The model `{model}` does not exist or you do not have access to it."
    return _error(404, message, "invalid_request_error", "model_not_found")


def rate_limited(retry_after: str | None = "1") -> Reply:
    """429 with an optional ``Retry-After`` header (seconds or an HTTP date)."""
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return _error(429, "Rate limit reached.", "requests", "rate_limit_exceeded", headers=headers)


def server_error(status: int = 500) -> Reply:
    """A 5xx failure."""
    return _error(
        status, "The server had an error while processing your request.", "server_error", None
    )


def context_length_exceeded(model: str = DEFAULT_MODEL) -> Reply:
    """400 with OpenAI's ``context_length_exceeded`` code."""
    message = (
        f"This model's maximum context length is 8192 tokens. However, your messages resulted in "
        f"9001 tokens. Please reduce the length of the messages. (model {model})"
    )
    return _error(400, message, "invalid_request_error", "context_length_exceeded")


def dropped(content: str, after: int = 3, token_delay: float = 0.0) -> Reply:
    """Streams ``after`` chunks of ``content``, then closes the connection mid-stream."""
    return Reply(content=content, drop_after=after, token_delay=token_delay)


def malformed(content: str) -> Reply:
    """Streams ``content`` with a ``data:`` line that is not JSON in front of it."""
    return Reply(content=content, malformed=True)


def empty() -> Reply:
    """A well-formed stream with no text in it."""
    return Reply(content="")


def cut_off(content: str, after: int = 3) -> Reply:
    """Streams ``after`` chunks of ``content``, then ends the stream cleanly with no
    ``finish_reason`` and no ``[DONE]`` (llama.cpp when its context fills mid-answer)."""
    return Reply(content=content[: 8 * after], finish_reason=None, done=False)


def token_cap(content: str, after: int = 3) -> Reply:
    """Streams ``after`` chunks of ``content``, then ``finish_reason: "length"`` and ``[DONE]``."""
    return Reply(content=content[: 8 * after], finish_reason="length")


def content_filtered(content: str, after: int = 3) -> Reply:
    """Streams ``after`` chunks of ``content``, then ``finish_reason: "content_filter"``."""
    return Reply(content=content[: 8 * after], finish_reason="content_filter")


def context_exceeded_llamacpp(prompt_tokens: int = 9001, n_ctx: int = 512) -> Reply:
    """llama.cpp's server's 400 for a prompt longer than its context."""
    message = (
        f"request ({prompt_tokens} tokens) exceeds the available context size ({n_ctx} tokens),"
        " try increasing it"
    )
    body = {
        "error": {
            "code": 400,
            "message": message,
            "type": "exceed_context_size_error",
            "n_prompt_tokens": prompt_tokens,
            "n_ctx": n_ctx,
        }
    }
    return Reply(status=400, error=body)


def empty_stream_context_exceeded(prompt_tokens: int = 9001, n_ctx: int = 512) -> Reply:
    """``200`` with an empty body when streamed; llama.cpp's context 400 when not."""
    reply = context_exceeded_llamacpp(prompt_tokens, n_ctx)
    return Reply(status=reply.status, error=reply.error, empty_when_streamed=True)


def dropped_for_another() -> Reply:
    """A role event then ``[DONE]``: no content, no ``finish_reason`` (a request the server
    cancelled for a newer one, as llama-cpp-python does by default)."""
    return Reply(content="", finish_reason=None)


def with_chatter(guide: str) -> str:
    """``guide`` wrapped in a chatty preamble, a Markdown fence and a sign-off."""
    return (
        f"Sure! Here is the guide you asked for:\n\n```markdown\n{guide}\n```\n\nHope this helps!"
    )


NO_SECTIONS = (
    "This class talks to an API and returns its answers. It is quite useful in many places."
)


def huge(size: int = 1_000_000) -> str:
    """An answer of ``size`` characters with no guide in it."""
    line = "All work and no play makes the model a dull writer.\n"
    return (line * (size // len(line) + 1))[:size]


# --- Server -------------------------------------------------------------------------------------


class FakeOpenAI:
    """The fake server; a context manager that serves from a background thread while open.

    ``replies`` is a queue consumed one per chat request (a ``str`` is a plain answer), or a
    callable that picks the reply from the recorded request. When the queue is empty, ``default``
    answers. ``api_key`` makes the fake check the Bearer token (401 otherwise). ``capacity``
    limits how many chat requests it works on at once (the rest wait), like a model server.
    """

    def __init__(
        self,
        replies: Iterable[Reply | str] | Responder = (),
        *,
        default: Reply | str = "",
        model: str = DEFAULT_MODEL,
        api_key: str | None = None,
        capacity: int | None = None,
        port: int = 0,
    ) -> None:
        self._responder: Responder | None = None
        self._queue: deque[Reply | str] = deque()
        if callable(replies):
            self._responder = replies
        else:
            self._queue.extend(replies)
        self.default = default
        self.model = model
        self.api_key = api_key
        self.requests: list[RecordedRequest] = []
        self.connections = 0  # TCP connections accepted: clients that keep them alive reuse them
        self.connections_closed = 0  # of those, how many have ended
        self.max_in_flight = 0
        self._in_flight = 0
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._capacity = threading.BoundedSemaphore(capacity) if capacity else None
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.fake = self
        self._thread: threading.Thread | None = None

    # -- lifecycle --

    @property
    def port(self) -> int:
        """The TCP port the fake listens on."""
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """The base URL to configure (``http://127.0.0.1:PORT/v1``)."""
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> FakeOpenAI:
        """Serve from a daemon thread; returns ``self``."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
            )
            self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving and release the port; waits briefly for open answers to stop."""
        self._closing.set()
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- test helpers --

    def enqueue(self, *replies: Reply | str) -> None:
        """Add replies to the queue."""
        with self._lock:
            self._queue.extend(replies)

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        """The recorded chat-completion requests, oldest first."""
        return [r for r in self.requests if r.path == CHAT_PATH]

    def wait_for_requests(self, count: int, timeout: float = 5.0) -> bool:
        """Whether ``count`` chat requests arrived within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.chat_requests) >= count:
                return True
            time.sleep(_POLL)
        return len(self.chat_requests) >= count

    # -- used by the handler --

    def _next_reply(self, request: RecordedRequest) -> Reply:
        if self._responder is not None:
            reply: Reply | str = self._responder(request)
        else:
            with self._lock:
                reply = self._queue.popleft() if self._queue else self.default
        return Reply(content=reply) if isinstance(reply, str) else reply

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    @contextlib.contextmanager
    def _working(self) -> Iterator[None]:
        if self._capacity is not None:
            while not self._capacity.acquire(timeout=_POLL * 5):
                if self._closing.is_set():
                    raise ConnectionAbortedError("fake server closing")
        with self._lock:
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
        try:
            yield
        finally:
            with self._lock:
                self._in_flight -= 1
            if self._capacity is not None:
                self._capacity.release()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default backlog of 5 drops connections when a batch opens 16 at once,
    # and each dropped one waits a second for TCP to retry; real servers queue thousands.
    request_queue_size = 1024
    fake: FakeOpenAI

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up are normal here; report anything else."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _ClientGone(Exception):
    """The client closed the connection."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        fake = self.server.fake
        with fake._lock:
            fake.connections += 1

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            fake = self.server.fake
            with fake._lock:
                fake.connections_closed += 1

    # Headers and each stream event are separate writes; with Nagle's algorithm on, every
    # write after the first waits for the client's delayed ACK (40 ms on Linux). Real model
    # servers (uvicorn, llama.cpp) set TCP_NODELAY too.
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: tests read the recorded requests instead."""

    # -- routes --

    def do_GET(self) -> None:
        request = self._read_request()
        fake = self.server.fake
        if request.path == MODELS_PATH:
            body = {
                "object": "list",
                "data": [{"id": fake.model, "object": "model", "owned_by": "fake"}],
            }
            self._send_json(200, body)
        else:
            self._send_json(404, {"error": {"message": f"no route {request.path}", "code": None}})
        request.completed = True
        request.done.set()

    def do_POST(self) -> None:
        request = self._read_request()
        fake = self.server.fake
        try:
            if request.path != CHAT_PATH:
                self._send_json(
                    404, {"error": {"message": f"no route {request.path}", "code": None}}
                )
                request.completed = True
                return
            if fake.api_key is not None:
                given = request.headers.get("authorization", "")
                if given != f"Bearer {fake.api_key}":
                    # OpenAI echoes (part of) the key it got: a client must never repeat it.
                    message = f"Incorrect API key provided: {given.removeprefix('Bearer ')}."
                    reply = _error(401, message, "invalid_request_error", "invalid_api_key")
                    self._send_error_reply(reply)
                    request.completed = True
                    return
            with fake._working():
                self._answer(request, fake._next_reply(request))
        except _ClientGone:
            request.disconnected = True
            request.disconnected_at = time.monotonic()
            self.close_connection = True
        except (ConnectionError, OSError):
            request.disconnected = True
            request.disconnected_at = time.monotonic()
            self.close_connection = True
        finally:
            request.done.set()

    # -- answers --

    def _answer(self, request: RecordedRequest, reply: Reply) -> None:
        body = request.body if isinstance(request.body, dict) else {}
        if reply.reject_max_tokens and "max_tokens" in body:
            message = (
                "Unsupported parameter: 'max_tokens' is not supported with this model. "
                "Use 'max_completion_tokens' instead."
            )
            error = _error(400, message, "invalid_request_error", "unsupported_parameter")
            self._send_error_reply(error)
            request.completed = True
            return
        if reply.reject_response_format and "response_format" in body:
            message = "response_format: json_schema is not supported by this server"
            self._send_error_reply(_error(400, message, "invalid_request_error", None))
            request.completed = True
            return
        if reply.empty_when_streamed and body.get("stream"):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Content-Length", "0")
            self.end_headers()
            request.completed = True
            return
        if reply.ping_every > 0 and body.get("stream") and reply.status < 400:
            self._answer_stream(request, reply, body)
            return
        self._wait(reply.first_token_delay)
        if reply.status >= 400:
            self._send_error_reply(reply)
            request.completed = True
            return
        model = str(body.get("model") or self.server.fake.model)
        if not body.get("stream") or reply.as_json:
            self._wait(reply.token_delay * len(_tokens(reply.content, reply.token_chars)))
            completion = _completion(model, reply.content, reply.finish_reason)
            self._send_json(200, completion, reply.headers)
            request.completed = True
            return
        self._answer_stream(request, reply, body)

    def _answer_stream(self, request: RecordedRequest, reply: Reply, body: dict[str, Any]) -> None:
        model = str(body.get("model") or self.server.fake.model)
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if reply.ping_every > 0:
            deadline = time.monotonic() + reply.first_token_delay
            while time.monotonic() < deadline:
                self._wait(min(reply.ping_every, deadline - time.monotonic()))
                self._write_chunk(b": ping\n\n")
        self._event(_chunk(model, {"role": "assistant", "content": ""}))
        if reply.noise:
            self._write_chunk(b": keep-alive\n\nevent: ping\ndata: \n\nid: 7\nretry: 100\n\n")
        if reply.malformed:
            self._write_chunk(b'data: {"choices": [{"delta": {"content": "oops\n\n')
        for index, token in enumerate(_tokens(reply.content, reply.token_chars)):
            if reply.drop_after is not None and index >= reply.drop_after:
                break
            if index:
                self._wait(reply.token_delay)
            self._event(_chunk(model, {"content": token}))
        if reply.drop_after is not None:
            self._drop()
            return
        if reply.finish_reason is not None:
            self._event(_chunk(model, {}, finish_reason=reply.finish_reason))
        if reply.done:
            self._write_chunk(b"data: [DONE]\n\n")
        self._wait(reply.linger)
        self._write(b"0\r\n\r\n")
        request.completed = True

    def _send_error_reply(self, reply: Reply) -> None:
        self._send_json(reply.status, dict(reply.error or {}), reply.headers)

    def _send_json(self, status: int, body: Any, headers: Mapping[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self._write(data)

    def _event(self, payload: Mapping[str, Any]) -> None:
        self._write_chunk(b"data: " + json.dumps(payload).encode() + b"\n\n")

    def _write_chunk(self, data: bytes) -> None:
        self._write(f"{len(data):x}\r\n".encode() + data + b"\r\n")

    def _write(self, data: bytes) -> None:
        if self._peer_closed():
            raise _ClientGone
        try:
            self.wfile.write(data)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError) as exc:
            raise _ClientGone from exc

    def _drop(self) -> None:
        """Close the connection abruptly, mid-stream."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)

    def _wait(self, seconds: float) -> None:
        """Sleep ``seconds``, noticing at once when the client goes away or the fake closes."""
        deadline = time.monotonic() + seconds
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            if self.server.fake._closing.is_set():
                raise _ClientGone
            readable, _, _ = select.select([self.connection], [], [], min(remaining, _POLL))
            if readable and self._peer_closed():
                raise _ClientGone

    def _peer_closed(self) -> bool:
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            if not readable:
                return False
            peeked: bytes = self.connection.recv(1, socket.MSG_PEEK)
            return peeked == b""
        except (ConnectionError, OSError):
            return True

    def _read_request(self) -> RecordedRequest:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        request = RecordedRequest(
            method=self.command,
            path=self.path.split("?", 1)[0],
            query=self.path.partition("?")[2],
            headers={name.lower(): value for name, value in self.headers.items()},
            body=body,
            received_at=time.monotonic(),
        )
        self.server.fake._record(request)
        return request


def _tokens(content: str, size: int) -> list[str]:
    size = max(1, size)
    return [content[i : i + size] for i in range(0, len(content), size)]


def _chunk(
    model: str, delta: Mapping[str, Any], finish_reason: str | None = None
) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": dict(delta), "finish_reason": finish_reason}],
    }


def _completion(model: str, content: str, finish_reason: str | None = "stop") -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": finish_reason or "stop",
            }
        ],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    }


def main(argv: list[str] | None = None) -> int:
    """Serve until interrupted: ``--port``, ``--latency``, ``--token-delay``, ``--answer-file``."""
    parser = argparse.ArgumentParser(
        prog="python -m howto_ls.testing.fake_openai",
        description="A fake OpenAI-compatible chat server on 127.0.0.1 that answers every request "
        "with the same text.",
    )
    parser.add_argument("--port", type=int, default=0, help="TCP port (default: a free one)")
    parser.add_argument(
        "--latency", type=float, default=0.0, help="seconds before the first token (default 0)"
    )
    parser.add_argument(
        "--token-delay", type=float, default=0.0, help="seconds between tokens (default 0)"
    )
    parser.add_argument("--token-chars", type=int, default=8, help="characters per token")
    parser.add_argument("--answer-file", type=Path, help="the answer to send (default: empty)")
    parser.add_argument("--capacity", type=int, help="requests worked on at once (default: all)")
    parser.add_argument("--model", default=DEFAULT_MODEL, help="model name for /v1/models")
    args = parser.parse_args(argv)
    content = args.answer_file.read_text(encoding="utf-8") if args.answer_file else ""
    reply = Reply(
        content=content,
        first_token_delay=args.latency,
        token_delay=args.token_delay,
        token_chars=args.token_chars,
    )
    fake = FakeOpenAI(default=reply, model=args.model, capacity=args.capacity, port=args.port)
    print(f"fake OpenAI server listening on {fake.url}", flush=True)
    try:
        fake._server.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    finally:
        fake._server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
