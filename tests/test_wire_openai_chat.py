"""The Chat Completions wire format on its own: requests built, events, bodies and errors read."""

from __future__ import annotations

import json

import pytest

from howto_ls import structured
from howto_ls.backends.wire import Adaptation, ApiError, Chunk, Malformed, WireFormat
from howto_ls.backends.wire.openai_chat import OpenAIChat

MESSAGES = [{"role": "system", "content": "Write guides."}, {"role": "user", "content": "f()"}]


@pytest.fixture
def wire() -> OpenAIChat:
    return OpenAIChat("m", 700)


def test_it_is_a_wire_format(wire: OpenAIChat) -> None:
    speaks: WireFormat = wire  # mypy checks the protocol; this checks the attributes exist
    assert (speaks.server_kind, speaks.stop_field, speaks.end_marker) == (
        "an OpenAI-compatible server",
        "finish_reason",
        "[DONE]",
    )


def test_headers_carry_the_key_as_a_bearer_token_only_when_there_is_one(wire: OpenAIChat) -> None:
    assert wire.headers("sk-1") == {
        "Accept": "text/event-stream",
        "Authorization": "Bearer sk-1",
    }
    assert wire.headers(None) == {"Accept": "text/event-stream"}
    assert "sk-1" not in repr(wire)


def test_a_request_asks_the_chat_endpoint_with_the_token_cap(wire: OpenAIChat) -> None:
    request = wire.request(MESSAGES, stream=True, structured=False)
    assert request.path == "chat/completions"
    assert request.body == {"model": "m", "messages": MESSAGES, "stream": True, "max_tokens": 700}
    assert wire.request(MESSAGES, stream=False, structured=False).body["stream"] is False


def test_a_structured_request_adds_the_schema_and_the_instruction(wire: OpenAIChat) -> None:
    body = wire.request(MESSAGES, stream=True, structured=True).body
    assert body["response_format"] == structured.response_format()
    assert body["messages"][-1]["content"].endswith(structured.JSON_INSTRUCTION)
    assert MESSAGES[-1]["content"] == "f()"  # the caller's messages are left alone


def _chunk(delta: dict[str, str], finish: str | None = None) -> str:
    return json.dumps({"choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})


@pytest.mark.parametrize(
    ("data", "chunk"),
    [
        ("[DONE]", Chunk(done=True)),
        (_chunk({"role": "assistant", "content": ""}), Chunk()),
        (_chunk({"content": "Hel"}), Chunk("Hel")),
        (_chunk({}, "stop"), Chunk(finish="stop", ending="stop")),
        (_chunk({}, "tool_calls"), Chunk(finish="tool_calls", ending="stop")),
        (_chunk({}, "length"), Chunk(finish="length", ending="length")),
        (_chunk({}, "content_filter"), Chunk(finish="content_filter", ending="filtered")),
        ('{"choices": [{"text": "legacy"}]}', Chunk("legacy")),
        ('{"choices": [{"message": {"content": "whole"}}]}', Chunk("whole")),
        ('{"choices": []}', Chunk()),
        ("[1, 2]", Chunk()),
    ],
)
def test_stream_events_are_read_into_text_and_ending(
    wire: OpenAIChat, data: str, chunk: Chunk
) -> None:
    assert wire.read_event("", data) == chunk


def test_an_event_that_is_not_json_is_malformed_with_an_excerpt(wire: OpenAIChat) -> None:
    with pytest.raises(Malformed, match="sent a stream event that is not JSON") as caught:
        wire.read_event("", '{"choices": [{"delta": {"content": "oops')
    assert caught.value.excerpt.startswith('{"choices"')


def test_an_error_in_the_stream_is_read_with_its_context_length(wire: OpenAIChat) -> None:
    data = json.dumps(
        {
            "error": {
                "code": 400,
                "message": "request (831 tokens) exceeds the available context size",
                "type": "exceed_context_size_error",
                "n_prompt_tokens": 831,
            }
        }
    )
    error = wire.read_event("", data).error
    assert error == ApiError(
        None,
        "request (831 tokens) exceeds the available context size",
        "400",
        "context",
        831,
    )


def test_a_whole_answer_is_read_from_its_first_choice(wire: OpenAIChat) -> None:
    body = {"choices": [{"message": {"content": "Guide"}, "finish_reason": "length"}]}
    assert wire.read_body(json.dumps(body)) == Chunk("Guide", "length", "length")
    empty = {"choices": [{"message": {"content": None}, "finish_reason": "stop"}]}
    assert wire.read_body(json.dumps(empty)) == Chunk("", "stop", "stop")


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("<html>Bad gateway</html>", "answered with neither a stream nor JSON"),
        ('{"id": 1}', "answered without choices[0].message.content"),
        ('{"choices": []}', "answered without choices[0].message.content"),
    ],
)
def test_anything_else_as_a_whole_answer_is_malformed(
    wire: OpenAIChat, text: str, what: str
) -> None:
    with pytest.raises(Malformed, match=what.replace("[", r"\[").replace("]", r"\]")):
        wire.read_body(text)


def test_an_error_in_a_whole_answer_is_read(wire: OpenAIChat) -> None:
    error = wire.read_body('{"error": {"message": "busy", "type": "server_error"}}').error
    assert error == ApiError(None, "busy", "server_error")


@pytest.mark.parametrize(
    ("status", "text", "expected"),
    [
        (
            401,
            '{"error": {"message": "Incorrect API key", "code": "invalid_api_key"}}',
            ApiError(401, "Incorrect API key", "invalid_api_key"),
        ),
        (
            429,
            '{"error": {"message": "You exceeded your quota", "code": "insufficient_quota"}}',
            ApiError(429, "You exceeded your quota", "insufficient_quota", "quota"),
        ),
        (
            400,
            '{"error": {"message": "maximum context length is 8192 tokens. However, your '
            'messages resulted in 9001 tokens.", "code": "context_length_exceeded"}}',
            ApiError(
                400,
                "maximum context length is 8192 tokens. However, your messages resulted in "
                "9001 tokens.",
                "context_length_exceeded",
                "context",
                9001,
            ),
        ),
        (  # words alone mean the context only for a request error, not a server failure
            500,
            '{"error": {"message": "context size exceeded"}}',
            ApiError(500, "context size exceeded"),
        ),
        (
            413,
            '{"detail": "prompt is too long"}',
            ApiError(413, "prompt is too long", None, "context"),
        ),
        (502, "<html>Bad gateway</html>", ApiError(502, "<html>Bad gateway</html>")),
        (503, "", ApiError(503, "")),
        (400, '{"error": "plain words"}', ApiError(400, "plain words")),
    ],
)
def test_error_bodies_are_read_into_message_code_and_kind(
    wire: OpenAIChat, status: int, text: str, expected: ApiError
) -> None:
    assert wire.read_error(status, text) == expected


def test_a_refused_schema_is_an_adaptation_only_for_a_structured_request(
    wire: OpenAIChat,
) -> None:
    refusal = wire.read_error(400, '{"error": {"message": "response_format is not supported"}}')
    assert wire.adapt(refusal, structured=True) is Adaptation.SCHEMA_REFUSED
    assert wire.adapt(refusal, structured=False) is None
    context = ApiError(400, "grammar too large for the context size")
    assert wire.adapt(context, structured=True) is None
    assert wire.adapt(ApiError(404, "schema"), structured=True) is None


def test_max_completion_tokens_is_adopted_once_and_used_from_then_on(wire: OpenAIChat) -> None:
    asked = wire.read_error(
        400,
        '{"error": {"message": "Unsupported parameter: \'max_tokens\' is not supported with '
        "this model. Use 'max_completion_tokens' instead.\"}}",
    )
    assert wire.adapt(asked, structured=False) is Adaptation.REBUILT
    body = wire.request(MESSAGES, stream=True, structured=False).body
    assert body["max_completion_tokens"] == 700 and "max_tokens" not in body
    assert wire.adapt(asked, structured=False) is None  # asking again would change nothing
