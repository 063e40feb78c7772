"""Tests for the Guide: seed-format rendering, tolerant parsing, validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from howto_ls.guide import HEADING_RULE, SECTION_RULE, Guide, ParsedGuide, parse_guide, render

SEEDS = sorted(Path("/work/shared/seeds").glob("*.txt"))
SEED_CLASSES = ["Free2GPT", "GPROChat", "FlowGpt", "G4F"]

SAMPLE = Guide(
    description="Sends a `GET` request with `Client.get` and returns the `Response`.",
    steps=("It builds the URL.", "It calls `Client.send`.", "It returns the response."),
    example='from httpx import Client\n\nwith Client() as client:\n    print(client.get("/"))',
)


def test_render_matches_the_seed_layout_line_by_line() -> None:
    text = render(SAMPLE)
    assert text.split("\n") == [
        "How to Use This Code Block",
        "=" * 89,
        "",
        "Description",
        "-" * 25,
        SAMPLE.description,
        "",
        "Execution Steps",
        "-" * 25,
        "1. It builds the URL.",
        "2. It calls `Client.send`.",
        "3. It returns the response.",
        "",
        "Usage Example",
        "-" * 25,
        "",
        "```python",
        *SAMPLE.example.split("\n"),
        "```",
        "",
    ]
    assert len(HEADING_RULE) == 89 and len(SECTION_RULE) == 25


def test_render_parses_back_to_the_same_guide() -> None:
    assert parse_guide(render(SAMPLE)) == ParsedGuide(SAMPLE, ())


@pytest.mark.parametrize("seed", SEEDS, ids=[seed.name[:3] for seed in SEEDS])
def test_each_seed_example_parses_without_structural_problems(seed: Path) -> None:
    parsed = parse_guide(seed.read_text(encoding="utf-8"))
    assert parsed.problems == ()
    guide = parsed.guide
    cls = SEED_CLASSES[SEEDS.index(seed)]
    assert f"`{cls}`" in guide.description
    assert not guide.description.startswith("Explain")  # the instruction list is not the guide
    assert len(guide.steps) >= 5
    assert all(step and not step[0].isdigit() for step in guide.steps)
    assert guide.example.startswith("from hypotez.src.endpoints.gpt4free.g4f.Provider.")
    assert f"import {cls}\n" in guide.example
    assert "Avoid Vague Terms" not in guide.example + guide.steps[-1]
    assert parse_guide(render(guide)) == parsed
