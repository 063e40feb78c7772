"""OpenAI Chat Completions on the wire, as OpenAI, Ollama, vLLM, llama.cpp and LM Studio speak it.

``POST {baseUrl}/chat/completions`` with ``{"model", "messages", "stream", "max_tokens"}`` and,
for a guide as JSON, ``response_format`` (see :mod:`howto_ls.structured`). A stream is
server-sent events whose data is a chunk with ``choices[0].delta.content`` and, at the end,
``choices[0].finish_reason``, then ``data: [DONE]``; a whole answer carries
``choices[0].message.content``. Errors are ``{"error": {"message", "type", "code"}}`` (OpenAI
reference: https://platform.openai.com/docs/api-reference/chat).

Quirks of the servers that speak it: OpenAI's newer models refuse ``max_tokens`` and want
``max_completion_tokens`` (asked once, remembered); servers without JSON-schema support refuse
``response_format`` with a 400, 422 or 5xx naming it; llama.cpp reports a prompt longer than
its context as ``exceed_context_size_error`` with ``n_prompt_tokens``.
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
from howto_ls.structured import response_format, with_instruction

CONTEXT_CODES = frozenset({"context_length_exceeded", "exceed_context_size_error"})
"""Error codes that mean the prompt is longer than the model's context (OpenAI, llama.cpp)."""
CONTEXT_HINTS = re.compile(
    r"context[ _](length|window|size)|maximum context|too many tokens|prompt is too long|"
    r"exceeds? the available context",
    re.IGNORECASE,
)
"""Words of an error message that mean the same, from servers that send no such code."""
_SCHEMA_REFUSAL = re.compile(r"response_format|json_schema|schema|grammar", re.IGNORECASE)
_TOKEN_COUNT = re.compile(r"(?:resulted in|request \(|prompt has|prompt of) ?(\d+) tokens")
_ENDINGS: dict[str, Ending] = {"length": "length", "content_filter": "filtered"}


class OpenAIChat:
    """Requests and answers of the Chat Completions API, for ``model`` with a token cap of
    ``max_tokens`` tokens. Remembers, once told, that the server wants the cap named
    ``max_completion_tokens`` (:attr:`token_parameter`)."""

    server_kind = "an OpenAI-compatible server"
    stop_field = "finish_reason"
    end_marker = "[DONE]"

    def __init__(self, model: str, max_tokens: int) -> None:
        self.model = model
        self.max_tokens = max_tokens
        self.token_parameter = "max_tokens"
        """The name the token cap goes by: ``max_tokens``, or ``max_completion_tokens``."""

    def __repr__(self) -> str:
        return f"OpenAIChat(model={self.model!r}, {self.token_parameter}={self.max_tokens})"

    def headers(self, api_key: str | None) -> dict[str, str]:
        """``Accept: text/event-stream``, and ``Authorization: Bearer KEY`` when there is a key."""
        headers = {"Accept": "text/event-stream"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        return headers

    def request(self, messages: list[Message], *, stream: bool, structured: bool) -> WireRequest:
        """``chat/completions`` with ``messages`` (plus the JSON instruction and
        ``response_format`` when ``structured``) and the token cap."""
        body: dict[str, Any] = {
            "model": self.model,
            "messages": with_instruction(messages) if structured else messages,
            "stream": stream,
            self.token_parameter: self.max_tokens,
        }
        if structured:
            body["response_format"] = response_format()
        return WireRequest("chat/completions", body)

    def read_event(self, event: str, data: str) -> Chunk:
        """``[DONE]``, or a chunk: its ``delta.content``, ``finish_reason``, or ``error``.

        The event name is not used: the API sends only unnamed events. Data that is JSON but
        not an object is ignored; data that is not JSON raises :class:`Malformed`.
        """
        if data == "[DONE]":
            return Chunk(done=True)
        try:
            chunk = json.loads(data)
        except ValueError:
            raise Malformed("sent a stream event that is not JSON", data) from None
        if not isinstance(chunk, dict):
            return Chunk()
        if "error" in chunk:
            return Chunk(error=self._error(None, chunk))
        finish = finish_reason(chunk)
        return Chunk(delta_text(chunk), finish, _ending(finish))

    def read_body(self, text: str) -> Chunk:
        """A ``chat.completion`` object: ``choices[0].message.content`` and ``finish_reason``,
        or the ``error`` it reports. Raises :class:`Malformed` for anything else."""
        try:
            body = json.loads(text)
        except ValueError:
            raise Malformed("answered with neither a stream nor JSON") from None
        if isinstance(body, dict) and "error" in body:
            return Chunk(error=self._error(None, body))
        try:
            content = body["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise Malformed("answered without choices[0].message.content") from None
        finish = finish_reason(body)
        return Chunk(str(content or ""), finish, _ending(finish))

    def read_error(self, status: int, text: str) -> ApiError:
        """The ``error`` object of the body (or a bare ``message``/``detail``, as FastAPI-based
        servers send), else the body itself as the message."""
        try:
            body = json.loads(text)
        except ValueError:
            body = None
        if isinstance(body, dict):
            return self._error(status, body)
        return ApiError(status, text)

    def adapt(self, error: ApiError, *, structured: bool) -> Adaptation | None:
        """``SCHEMA_REFUSED`` for a structured request refused over ``response_format`` (not
        over the context); ``REBUILT`` once the server asks for ``max_completion_tokens``
        (the cap goes by that name from then on)."""
        message = " ".join(error.message.split())
        if (
            structured
            and error.status in (400, 422, 500, 501)
            and _SCHEMA_REFUSAL.search(message)
            and not CONTEXT_HINTS.search(message)
        ):
            return Adaptation.SCHEMA_REFUSED
        if (
            error.status == 400
            and self.token_parameter == "max_tokens"
            and "max_completion_tokens" in message
        ):
            self.token_parameter = "max_completion_tokens"
            return Adaptation.REBUILT
        return None

    def _error(self, status: int | None, body: dict[str, Any]) -> ApiError:
        message, code = error_fields(body)
        words = " ".join(message.split())
        hinted = bool(CONTEXT_HINTS.search(words)) and status in (None, 400, 413, 422)
        tokens = prompt_tokens(body)
        if tokens is None and (match := _TOKEN_COUNT.search(words)):
            tokens = int(match.group(1))
        kind: ErrorKind = "context" if code in CONTEXT_CODES or hinted else "other"
        if code == "insufficient_quota":
            kind = "quota"
        return ApiError(status, message, code, kind, tokens)


def _ending(finish: str | None) -> Ending | None:
    return None if finish is None else _ENDINGS.get(finish, "stop")


def finish_reason(chunk: dict[str, Any]) -> str | None:
    """``choices[0].finish_reason`` of a chunk or a completion, when it is set."""
    choices = chunk.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        return None
    reason = choices[0].get("finish_reason")
    return reason if isinstance(reason, str) and reason else None


def delta_text(chunk: dict[str, Any]) -> str:
    """The text of a chunk: ``choices[0].delta.content``; ``message.content`` or ``text`` from
    servers that send whole messages or legacy completions in a stream; else empty."""
    choices = chunk.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        return ""
    first = choices[0]
    delta = first.get("delta")
    if isinstance(delta, dict):
        content = delta.get("content")
    else:
        message = first.get("message")
        content = message.get("content") if isinstance(message, dict) else first.get("text")
    return content if isinstance(content, str) else ""


def error_fields(body: dict[str, Any]) -> tuple[str, str | None]:
    """The message and code (or type) of an error body: ``{"error": {...}}``, ``{"error":
    "text"}``, or a bare object with ``message`` or ``detail``."""
    error = body.get("error", body)
    if isinstance(error, dict):
        message = error.get("message") or error.get("detail") or ""
        code = error.get("code") or error.get("type")
        return str(message), str(code) if code is not None else None
    return str(error), None


def prompt_tokens(body: dict[str, Any]) -> int | None:
    """llama.cpp's ``error.n_prompt_tokens``, when the error body carries it."""
    error = body.get("error")
    count = error.get("n_prompt_tokens") if isinstance(error, dict) else None
    return count if isinstance(count, int) and not isinstance(count, bool) else None
