"""Guides asked for as JSON by schema: parsing, rendering, and the backend's fallback."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from howto_ls import structured
from howto_ls.backends.openai import OpenAIBackend
from howto_ls.config import Settings
from howto_ls.errors import BackendResponseError
from howto_ls.guide import Guide, parse_guide, render
from howto_ls.model import GuideRequest
from howto_ls.testing.fake_openai import FakeOpenAI, Reply
from howto_ls.testing.samples import GOOD_GUIDE, total_request

GOOD = parse_guide(GOOD_GUIDE).guide
GOOD_JSON = json.dumps(
    {"description": GOOD.description, "steps": list(GOOD.steps), "example": GOOD.example}
)


@pytest.fixture
def request_(tmp_path: Path) -> GuideRequest:
    return total_request(tmp_path)


def backend(url: str, mode: str = "auto") -> OpenAIBackend:
    settings = Settings(base_url=url, model="fake-model", structured_output=mode)
    return OpenAIBackend(settings, None, retry_base_delay=0.01, progress_interval=0.0)


def test_a_json_answer_renders_to_the_seed_format() -> None:
    assert structured.parse_json_guide(GOOD_JSON) == GOOD
    assert structured.to_guide_text(GOOD_JSON) == render(GOOD)
    assert parse_guide(structured.to_guide_text(GOOD_JSON)).problems == ()


def test_fences_and_step_numbers_are_tolerated() -> None:
    answer = json.dumps(
        {
            "description": "Adds  up\nthe prices.",
            "steps": ["1. Sums `prices`.", "Step 2: Returns it.", ""],
            "example": "```python\nfrom shop import total\nprint(total([1.0]))\n```",
        }
    )
    guide = structured.parse_json_guide(f"```json\n{answer}\n```")
    assert guide == Guide(
        "Adds up the prices.",
        ("Sums `prices`.", "Returns it."),
        "from shop import total\nprint(total([1.0]))",
    )


@pytest.mark.parametrize("text", [GOOD_GUIDE, "{not json", "[1, 2]", '{"other": 1}', ""])
def test_anything_else_is_left_as_it_is(text: str) -> None:
    assert structured.parse_json_guide(text) is None
    assert structured.to_guide_text(text) == text


def test_the_request_field_names_the_three_sections() -> None:
    field = structured.response_format()
    assert field["type"] == "json_schema"
    schema = field["json_schema"]["schema"]
    assert schema["required"] == ["description", "steps", "example"]
    assert schema["properties"]["steps"]["type"] == "array"


async def test_auto_asks_for_the_schema_and_renders_the_answer(request_: GuideRequest) -> None:
    with FakeOpenAI([GOOD_JSON]) as fake:
        b = backend(fake.url)
        guide = await b.generate(request_)
        await b.aclose()
    assert guide == GOOD
    body = fake.chat_requests[0].body
    assert body["response_format"] == structured.response_format()
    assert body["messages"][-1]["content"].endswith(structured.JSON_INSTRUCTION)


async def test_off_asks_for_markdown(request_: GuideRequest) -> None:
    with FakeOpenAI([GOOD_GUIDE]) as fake:
        b = backend(fake.url, "off")
        assert await b.answer(request_) == GOOD_GUIDE
        await b.aclose()
    body = fake.chat_requests[0].body
    assert "response_format" not in body
    assert structured.JSON_INSTRUCTION not in json.dumps(body)


async def test_auto_falls_back_to_markdown_once_and_remembers_the_server(
    request_: GuideRequest,
) -> None:
    refusing = Reply(GOOD_GUIDE, reject_response_format=True)
    with FakeOpenAI(default=refusing) as fake:
        first = backend(fake.url)
        assert await first.answer(request_) == GOOD_GUIDE
        await first.aclose()
        second = backend(fake.url)  # a new backend (settings changed): the server is known
        assert await second.answer(request_) == GOOD_GUIDE
        await second.aclose()
    sent = [("response_format" in r.body) for r in fake.chat_requests]
    assert sent == [True, False, False]


async def test_on_says_the_server_refused_the_schema(request_: GuideRequest) -> None:
    refusing = Reply(GOOD_GUIDE, reject_response_format=True)
    with FakeOpenAI(default=refusing) as fake:
        b = backend(fake.url, "on")
        with pytest.raises(BackendResponseError) as caught:
            await b.answer(request_)
        await b.aclose()
    assert "refused the JSON schema" in str(caught.value)
    assert "set howto.structuredOutput to auto or off" in str(caught.value)
    assert len(fake.chat_requests) == 1


async def test_progress_advances_through_a_json_answer(request_: GuideRequest) -> None:
    said: list[str] = []
    with FakeOpenAI([Reply(GOOD_JSON, token_chars=4, token_delay=0.002)]) as fake:
        b = backend(fake.url)
        b.progress_interval = 0.0
        started = time.monotonic()
        await b.answer(request_, said.append)
        await b.aclose()
    assert time.monotonic() - started < 10
    assert "Writing Description" in said
    steps = [m for m in said if m.startswith("Writing Execution Steps: step")]
    assert steps and steps[-1] == f"Writing Execution Steps: step {len(GOOD.steps)}"
    assert said.index("Writing Description") < said.index("Writing Usage Example")
