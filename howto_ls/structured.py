"""Guides asked for as JSON by a JSON schema, and rendered into the seed format here.

Small models rarely reproduce the seed's headings and underlines, but servers that constrain
the answer to a schema (OpenAI's ``response_format`` of type ``json_schema``, supported by vLLM,
llama.cpp's server and Ollama too) make the three parts come back as three fields::

    {"description": "...", "steps": ["...", "..."], "example": "from shop import total\\n..."}

:func:`to_guide_text` renders such an answer with :func:`howto_ls.guide.render`, so it is then
parsed and validated exactly like a Markdown answer.
"""

from __future__ import annotations

import json
import re
from typing import Any

from howto_ls.guide import Guide, render
from howto_ls.prompt import MARKDOWN_FORMAT_RULE

SCHEMA_NAME = "howto_guide"

GUIDE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "description": {"type": "string"},
        "steps": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 12},
        "example": {"type": "string"},
    },
    "required": ["description", "steps", "example"],
    "additionalProperties": False,
}
"""The guide's three sections: a paragraph, the ordered steps, and Python code (no fence).

``maxItems`` bounds the steps: a small model under a grammar otherwise repeats one step until
the token cap (seen with SmolLM2-135M on llama.cpp's server)."""

JSON_INSTRUCTION = (
    "Answer with one JSON object instead of the Markdown layout, with three fields: "
    '"description" holds the Description paragraph; "steps" is a list holding each of the '
    "Execution Steps as text, without its number, one entry per step, at most 12; "
    '"example" holds the Python code of the Usage Example, without a fence. '
    "The rules for each section stay the same."
)

JSON_FORMAT_RULE = (
    "Answer with one JSON object only, as the request describes, not with the Markdown "
    "layout of the example: the example shows what each section holds, and its headings are "
    "not part of the answer."
)
"""Replaces :data:`howto_ls.prompt.MARKDOWN_FORMAT_RULE` in the system message of a JSON
request."""

_STEP_NUMBER = re.compile(r"^\s*(?:step\s+)?\d{1,3}[.):]\s*", re.IGNORECASE)
_FENCE = re.compile(r"^\s*```[\w-]*\n(?P<body>.*?)\n?```\s*$", re.DOTALL)


def response_format() -> dict[str, Any]:
    """The ``response_format`` request field asking for :data:`GUIDE_SCHEMA`."""
    return {
        "type": "json_schema",
        "json_schema": {"name": SCHEMA_NAME, "strict": True, "schema": GUIDE_SCHEMA},
    }


def with_instruction(messages: list[dict[str, str]]) -> list[dict[str, str]]:
    """``messages`` asking for JSON throughout (a copy): the system message's Markdown format
    rule replaced by :data:`JSON_FORMAT_RULE`, and :data:`JSON_INSTRUCTION` added to every user
    message (the request, and a repair round's follow-up), so no message asks for Markdown."""
    copied = [dict(message) for message in messages]
    for message in copied:
        content = message.get("content", "")
        if message.get("role") == "system":
            message["content"] = content.replace(MARKDOWN_FORMAT_RULE, JSON_FORMAT_RULE)
        elif message.get("role") == "user" and JSON_INSTRUCTION not in content:
            message["content"] = f"{content}\n\n{JSON_INSTRUCTION}"
    return copied


def parse_json_guide(text: str) -> Guide | None:
    """The guide in a JSON answer, or None when ``text`` is not such an object.

    Tolerates a Markdown fence around the JSON, numbers in front of steps and a fence around the
    example; missing or non-text fields become empty (validation then names them).
    """
    body = text.strip()
    fenced = _FENCE.match(body)
    if fenced:
        body = fenced.group("body").strip()
    if not body.startswith("{"):
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict) or not {"description", "steps", "example"} & data.keys():
        return None
    description = data.get("description")
    raw_steps = data.get("steps")
    example = data.get("example")
    steps: list[str] = []
    if isinstance(raw_steps, list):
        steps = [_STEP_NUMBER.sub("", s).strip() for s in raw_steps if isinstance(s, str)]
    elif isinstance(raw_steps, str):
        steps = [_STEP_NUMBER.sub("", line).strip() for line in raw_steps.splitlines()]
    code = example.strip() if isinstance(example, str) else ""
    fenced_code = _FENCE.match(code)
    if fenced_code:
        code = fenced_code.group("body").strip()
    return Guide(
        description=" ".join(description.split()) if isinstance(description, str) else "",
        steps=tuple(step for step in steps if step),
        example=code,
    )


def to_guide_text(text: str) -> str:
    """A JSON answer rendered in the seed format; any other ``text`` unchanged."""
    guide = parse_json_guide(text)
    return text if guide is None else render(guide)
