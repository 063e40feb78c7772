"""Anthropic's Messages API on the wire.

``POST {baseUrl}/messages`` (base URL ``https://api.anthropic.com/v1``) with the key in
``x-api-key`` and the API version in ``anthropic-version``; the body holds the system prompt
apart (``system``) from the user and assistant ``messages``, and ``max_tokens`` is required.
A stream is server-sent events named by their ``type``: ``content_block_delta`` carries
``delta.text``, ``message_delta`` the ``delta.stop_reason``, ``message_stop`` ends it, and
``error`` reports one; ``ping`` and the rest carry nothing for us. A whole answer is a message
whose ``content`` is a list of blocks. Errors are ``{"type": "error", "error": {"type",
"message"}}`` (reference: https://docs.anthropic.com/en/api/messages-streaming).

The API has no JSON-schema ``response_format``: a structured request only adds the JSON
instruction of :mod:`howto_ls.structured` to the prompt, and the answer is read as JSON when
it is JSON.
"""

from __future__ import annotations

import json
import re
from typing import Any

from howto_ls.backends.wire import (
    Adaptation,
    ApiError,
    Chunk,
    Ending,
    ErrorKind,
    Malformed,
    WireRequest,
)
from howto_ls.prompt import Message
from howto_ls.structured import with_instruction

API_VERSION = "2023-06-01"
"""The ``anthropic-version`` header: the version whose event and body shapes this module reads."""
_ENDINGS: dict[str, Ending] = {"max_tokens": "length", "refusal": "filtered"}
_TOO_LONG = re.compile(r"prompt is too long(?:: (\d+) tokens)?", re.IGNORECASE)


class AnthropicMessages:
    """Requests and answers of the Messages API, for ``model`` with a cap of ``max_tokens``
    tokens."""

    server_kind = "an Anthropic Messages API server"
    stop_field = "stop_reason"
    end_marker = "message_stop"

    def __init__(self, model: str, max_tokens: int) -> None:
        self.model = model
        self.max_tokens = max_tokens

    def __repr__(self) -> str:
        return f"AnthropicMessages(model={self.model!r}, max_tokens={self.max_tokens})"

    def headers(self, api_key: str | None) -> dict[str, str]:
        """``anthropic-version``, ``Accept: text/event-stream``, and ``x-api-key`` when there
        is a key."""
        headers = {"anthropic-version": API_VERSION, "Accept": "text/event-stream"}
        if api_key:
            headers["x-api-key"] = api_key
        return headers

    def request(self, messages: list[Message], *, stream: bool, structured: bool) -> WireRequest:
        """``messages`` with the system messages joined into ``system``."""
        if structured:
            messages = with_instruction(messages)
        system = "\n\n".join(m["content"] for m in messages if m.get("role") == "system")
        body: dict[str, Any] = {
            "model": self.model,
            "max_tokens": self.max_tokens,
            "messages": [m for m in messages if m.get("role") != "system"],
            "stream": stream,
        }
        if system:
            body["system"] = system
        return WireRequest("messages", body)

    def read_event(self, event: str, data: str) -> Chunk:
        """A ``content_block_delta``'s text, a ``message_delta``'s stop reason,
        ``message_stop``, or an ``error``; raises :class:`Malformed` for data not JSON."""
        try:
            payload = json.loads(data)
        except ValueError:
            raise Malformed("sent a stream event that is not JSON", data) from None
        if not isinstance(payload, dict):
            return Chunk()
        kind = payload.get("type") or event
        delta = payload.get("delta")
        delta = delta if isinstance(delta, dict) else {}
        if kind == "content_block_delta" and delta.get("type") == "text_delta":
            text = delta.get("text")
            return Chunk(text if isinstance(text, str) else "")
        if kind == "message_delta":
            return _finished(delta.get("stop_reason"))
        if kind == "message_stop":
            return Chunk(done=True)
        if kind == "error":
            return Chunk(error=_error(None, payload))
        return Chunk()

    def read_body(self, text: str) -> Chunk:
        """A ``message``: the text of its text blocks and its ``stop_reason``."""
        try:
            body = json.loads(text)
        except ValueError:
            raise Malformed("answered with neither a stream nor JSON") from None
        if isinstance(body, dict) and body.get("type") == "error":
            return Chunk(error=_error(None, body))
        content = body.get("content") if isinstance(body, dict) else None
        if not isinstance(content, list):
            raise Malformed("answered without content blocks")
        texts = [b.get("text") for b in content if isinstance(b, dict) and b.get("type") == "text"]
        chunk = _finished(body.get("stop_reason"))
        return Chunk("".join(t for t in texts if isinstance(t, str)), chunk.finish, chunk.ending)

    def read_error(self, status: int, text: str) -> ApiError:
        """``error.message`` and ``error.type`` of the body, else the body as the message."""
        try:
            body = json.loads(text)
        except ValueError:
            body = None
        return _error(status, body) if isinstance(body, dict) else ApiError(status, text)

    def adapt(self, error: ApiError, *, structured: bool) -> Adaptation | None:
        """Nothing to adapt: the API has one name per parameter and no schema to refuse."""
        return None


def _finished(reason: object) -> Chunk:
    if not isinstance(reason, str) or not reason:
        return Chunk()
    return Chunk(finish=reason, ending=_ENDINGS.get(reason, "stop"))


def _error(status: int | None, body: dict[str, Any]) -> ApiError:
    error = body.get("error")
    error = error if isinstance(error, dict) else {}
    message = str(error.get("message") or "")
    code = error.get("type")
    kind: ErrorKind = "other"
    tokens = None
    if match := _TOO_LONG.search(message):
        kind = "context"
        tokens = int(match.group(1)) if match.group(1) else None
    return ApiError(status, message, str(code) if code else None, kind, tokens)
