"""Anthropic's Messages wire format: alone, and behind the backend against a loopback fake.

The fake is the smallest server that speaks the API's stream (real HTTP on 127.0.0.1); it
shows that another API is one wire-format module: the transport and backend are unchanged.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from howto_ls.backends.openai import OpenAIBackend
from howto_ls.backends.wire import ApiError, Chunk, Malformed, WireFormat
from howto_ls.backends.wire.anthropic_messages import API_VERSION, AnthropicMessages
from howto_ls.config import Settings
from howto_ls.errors import BackendContextError
from howto_ls.testing.samples import GOOD_GUIDE, total_request

KEY = "sk-ant-0123456789-SECRET"
MESSAGES = [
    {"role": "system", "content": "Write guides."},
    {"role": "user", "content": "f()"},
]


def test_it_is_a_wire_format() -> None:
    wire: WireFormat = AnthropicMessages("claude", 700)
    assert (wire.stop_field, wire.end_marker) == ("stop_reason", "message_stop")


def test_the_key_goes_in_x_api_key_with_the_version() -> None:
    wire = AnthropicMessages("claude", 700)
    assert wire.headers(KEY) == {
        "anthropic-version": API_VERSION,
        "Accept": "text/event-stream",
        "x-api-key": KEY,
    }
    assert "x-api-key" not in wire.headers(None)


def test_the_system_prompt_goes_apart_from_the_messages() -> None:
    request = AnthropicMessages("claude", 700).request(MESSAGES, stream=True, structured=False)
    assert request.path == "messages"
    assert request.body == {
        "model": "claude",
        "max_tokens": 700,
        "messages": [{"role": "user", "content": "f()"}],
        "stream": True,
        "system": "Write guides.",
    }


@pytest.mark.parametrize(
    ("event", "data", "chunk"),
    [
        ("message_start", {"type": "message_start", "message": {"content": []}}, Chunk()),
        ("ping", {"type": "ping"}, Chunk()),
        (
            "content_block_delta",
            {"type": "content_block_delta", "delta": {"type": "text_delta", "text": "Hi"}},
            Chunk("Hi"),
        ),
        (
            "message_delta",
            {"type": "message_delta", "delta": {"stop_reason": "end_turn"}},
            Chunk(finish="end_turn", ending="stop"),
        ),
        (
            "message_delta",
            {"type": "message_delta", "delta": {"stop_reason": "max_tokens"}},
            Chunk(finish="max_tokens", ending="length"),
        ),
        ("message_stop", {"type": "message_stop"}, Chunk(done=True)),
        (
            "error",
            {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
            Chunk(error=ApiError(None, "Overloaded", "overloaded_error")),
        ),
    ],
)
def test_stream_events_are_read_by_their_type(
    event: str, data: dict[str, Any], chunk: Chunk
) -> None:
    assert AnthropicMessages("claude", 700).read_event(event, json.dumps(data)) == chunk


def test_bodies_and_errors_are_read() -> None:
    wire = AnthropicMessages("claude", 700)
    body = {
        "type": "message",
        "content": [{"type": "text", "text": "Guide"}],
        "stop_reason": "end_turn",
    }
    assert wire.read_body(json.dumps(body)) == Chunk("Guide", "end_turn", "stop")
    with pytest.raises(Malformed, match="without content blocks"):
        wire.read_body('{"type": "message"}')
    too_long = {
        "type": "error",
        "error": {"type": "invalid_request_error", "message": "prompt is too long: 208310 tokens"},
    }
    error = wire.read_error(400, json.dumps(too_long))
    assert (error.kind, error.prompt_tokens, error.code) == (
        "context",
        208310,
        "invalid_request_error",
    )


# --- behind the backend, over HTTP -------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    seen: list[tuple[dict[str, str], Any]]


class _Messages(BaseHTTPRequestHandler):
    """``POST /v1/messages``: the guide as the API streams it, or a 400 for a long prompt."""

    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.seen.append(({k.lower(): v for k, v in self.headers.items()}, body))
        if "too long" in body["messages"][-1]["content"]:
            error = {
                "type": "error",
                "error": {
                    "type": "invalid_request_error",
                    "message": "prompt is too long: 9001 tokens > 8192 maximum",
                },
            }
            self._send(400, "application/json", json.dumps(error).encode())
            return
        events = [
            ("message_start", {"type": "message_start", "message": {"content": []}}),
            ("ping", {"type": "ping"}),
        ]
        for start in range(0, len(GOOD_GUIDE), 16):
            delta = {"type": "text_delta", "text": GOOD_GUIDE[start : start + 16]}
            events.append(
                ("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": delta})
            )
        events.append(
            ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn"}})
        )
        events.append(("message_stop", {"type": "message_stop"}))
        stream = b"".join(
            f"event: {name}\ndata: {json.dumps(data)}\n\n".encode() for name, data in events
        )
        self._send(200, "text/event-stream", stream)

    def _send(self, status: int, content_type: str, data: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def server() -> Iterator[_Server]:
    httpd = _Server(("127.0.0.1", 0), _Messages)
    httpd.seen = []
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield httpd
    httpd.shutdown()
    thread.join(5)
    httpd.server_close()


def _backend(httpd: _Server) -> OpenAIBackend:
    url = f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    settings = Settings(base_url=url, model="claude", structured_output="off", max_tokens=900)
    return OpenAIBackend(
        settings, KEY, wire=AnthropicMessages("claude", 900), retry_base_delay=0.01
    )


async def test_a_guide_streams_through_the_messages_api(server: _Server, tmp_path: Path) -> None:
    backend = _backend(server)
    guide = await backend.generate(total_request(tmp_path))
    await backend.aclose()
    assert guide.steps[1] == "It looks up the rate for `region` by calling `tax_rate`."
    ((headers, body),) = server.seen
    assert headers["x-api-key"] == KEY and headers["anthropic-version"] == API_VERSION
    assert "authorization" not in headers
    assert body["max_tokens"] == 900 and body["stream"] is True and body["system"]
    assert [m["role"] for m in body["messages"]] == ["user"]


async def test_a_prompt_too_long_is_the_same_clear_error(server: _Server) -> None:
    backend = _backend(server)
    with pytest.raises(BackendContextError) as caught:
        await backend.complete([{"role": "user", "content": "too long"}])
    await backend.aclose()
    assert str(caught.value).startswith(
        "the prompt (≈9001 tokens) is longer than the context of model claude"
    )
    assert KEY not in str(caught.value)
