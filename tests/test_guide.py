"""Tests for the Guide: seed-format rendering, tolerant parsing, validation."""

from __future__ import annotations

import ast
import re
import textwrap
import time
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from howto_ls.guide import (
    DOCSTRING_MARKER,
    HEADING,
    HEADING_RULE,
    SECTION_RULE,
    VAGUE_TERMS,
    Guide,
    ParsedGuide,
    blank_guide_blocks,
    parse_guide,
    problems_text,
    render,
    validate,
    without_guide,
)

SEEDS = sorted((Path(__file__).parent / "data" / "seeds").glob("*.txt"))
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


# Realistic answers from models, each with its own quirk. Every one holds the same three facts.
MESSY = {
    "chatter_around": """Sure! Here is the documentation you asked for:

How to Use This Code Block
=========================================================================================

Description
-------------------------
Sends a request with `Client.send`.

Execution Steps
-------------------------
1. It opens the connection.
2. It writes the request.

Usage Example
-------------------------

```python
from httpx import Client
Client().send(request)
```

I hope this helps! Let me know if you need anything else.
""",
    "markdown_fence_wrapper": """```markdown
How to Use This Code Block
==========================

Description
-----------
Sends a request with `Client.send`.

Execution Steps
---------------
1. It opens the connection.
2. It writes the request.

Usage Example
-------------

```python
from httpx import Client
Client().send(request)
```
```
""",
    "bare_fence_wrapper_bare_example": """```
How to Use This Code Block
=====

Description
-----
Sends a request with `Client.send`.

Execution Steps
-----
1. It opens the connection.
2. It writes the request.

Usage Example
-----
```
from httpx import Client
Client().send(request)
```
```""",
    "atx_headings": """# How to Use This Code Block

## Description
Sends a request with `Client.send`.

## Execution Steps
1) It opens the connection.
2) It writes the request.

### Usage Example
```py
# Description: a Python comment is not a heading
from httpx import Client
Client().send(request)
```
""",
    "bold_headings_inline": """**How to Use This Code Block**

**Description**: Sends a request with `Client.send`.

**Execution Steps:**
**1.** It opens the connection.
**2.** It writes the request.

**Usage Example:**
```python
from httpx import Client
Client().send(request)
```""",
    "no_blank_lines_odd_rules": """How to Use This Code Block
===
Description
---------------------------------------------
Sends a request with `Client.send`.
Execution Steps
--
1. It opens the connection.
2. It writes the request.
Usage Example
------
```python
from httpx import Client
Client().send(request)
```""",
    "multiline_steps_and_subbullets": """How to Use This Code Block
==========================

Description
-----------
Sends a request
with `Client.send`.

Execution Steps
---------------
1. It opens
   the connection.
   - it reuses a pooled socket

2. It writes the request.

Usage Example
-------------
```python
from httpx import Client
Client().send(request)
```""",
    "indented_example_crlf": (
        "How to Use This Code Block\r\n====\r\n\r\nDescription\r\n----\r\n"
        "Sends a request with `Client.send`.\r\n\r\nExecution Steps\r\n----\r\n"
        "1. It opens the connection.\r\n2. It writes the request.\r\n\r\n"
        "Usage Example\r\n----\r\n\r\n```python\r\n    from httpx import Client\r\n"
        "    \r\n    Client().send(request)\r\n```\r\n"
    ),
    "step_word_numbers": """### Description
Sends a request with `Client.send`.

### Execution Steps
Step 1: It opens the connection.
Step 2: It writes the request.

### Usage Example
```python3
from httpx import Client
Client().send(request)
```
""",
    "bash_block_before_example": """Description
-----------
Sends a request with `Client.send`.

Execution Steps
---------------
1. It opens the connection.
2. It writes the request.

Usage Example
-------------
Install it first:
```bash
pip install httpx
```
```python
from httpx import Client
Client().send(request)
```
""",
    "echoed_instructions": """1. **Analyze the Code**: Understand the logic.
2. **Create a Step-by-Step Guide**:
    - **Description**: Explain what the code block does.
    - **Execution Steps**: Describe the sequence of actions in the code.
    - **Usage Example**: Provide a code example.

How to Use This Code Block
=========================================================================================

Description
-------------------------
Sends a request with `Client.send`.

Execution Steps
-------------------------
1. It opens the connection.
2. It writes the request.

Usage Example
-------------------------

```python
from httpx import Client
Client().send(request)
```

4. **Avoid Vague Terms** like "getting" or "doing".""",
    "no_description_heading": """How to Use This Code Block
=========================

Sends a request with `Client.send`.

Execution Steps
---------------
1. It opens the connection.
2. It writes the request.

Usage Example
-------------
```python
from httpx import Client
Client().send(request)
```""",
}
EXPECTED = Guide(
    description="Sends a request with `Client.send`.",
    steps=("It opens the connection.", "It writes the request."),
    example="from httpx import Client\nClient().send(request)",
)


@pytest.mark.parametrize("kind", sorted(MESSY))
def test_messy_answers_parse_to_the_same_guide(kind: str) -> None:
    parsed = parse_guide(MESSY[kind])
    guide = parsed.guide
    assert parsed.problems == ()
    if kind == "multiline_steps_and_subbullets":
        assert guide.description == "Sends a request\nwith `Client.send`."
        assert guide.steps == (
            "It opens the connection. - it reuses a pooled socket",
            "It writes the request.",
        )
        assert guide.example == EXPECTED.example
    elif kind == "indented_example_crlf":
        assert guide == Guide(
            EXPECTED.description, EXPECTED.steps, EXPECTED.example.replace("\n", "\n\n")
        )
    elif kind == "atx_headings":
        comment = "# Description: a Python comment is not a heading\n"
        assert guide == Guide(EXPECTED.description, EXPECTED.steps, comment + EXPECTED.example)
    else:
        assert guide == EXPECTED


def test_bold_step_titles_keep_their_text() -> None:
    text = (
        "Execution Steps\n---\n1. **Initialize**: It builds the client.\n"
        "**2. Send**: It sends the request.\n3) **Close** the socket.\n"
    )
    steps = parse_guide(text).guide.steps
    assert steps == (
        "**Initialize**: It builds the client.",
        "**Send**: It sends the request.",
        "**Close** the socket.",
    )


def test_bullet_steps_are_kept_and_reported_as_unnumbered() -> None:
    text = (
        "Description\n---\nSends it.\n\nExecution Steps\n---\n- It opens.\n* It writes\n"
        "  the body.\n\nUsage Example\n---\n```\nx = 1\n```"
    )
    parsed = parse_guide(text)
    assert parsed.guide.steps == ("It opens.", "It writes the body.")
    assert parsed.problems == ("Execution Steps are not numbered (write them as 1., 2., 3.)",)


def test_plain_line_steps_are_reported_as_unnumbered() -> None:
    parsed = parse_guide("Execution Steps\n---\nIt opens.\nIt writes.\n")
    assert parsed.guide.steps == ("It opens.", "It writes.")
    assert "Execution Steps are not numbered (write them as 1., 2., 3.)" in parsed.problems


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        ("", ("Description", "Execution Steps", "Usage Example")),
        ("I cannot help with that.", ("Description", "Execution Steps", "Usage Example")),
        ("Description\n---\nSends it.\n", ("Execution Steps", "Usage Example")),
        ("## Execution Steps\n1. Sends.\n## Usage Example\n```python\nf()\n```", ("Description",)),
    ],
)
def test_missing_sections_are_empty_and_reported(text: str, missing: tuple[str, ...]) -> None:
    parsed = parse_guide(text)
    assert parsed.problems == tuple(f"{name} section is missing" for name in missing)
    fields = {"Description": "description", "Execution Steps": "steps", "Usage Example": "example"}
    for name in missing:
        assert not getattr(parsed.guide, fields[name])


def test_example_without_heading_is_found_in_a_python_fence() -> None:
    text = (
        "Description\n---\nSends it.\n\nExecution Steps\n---\n1. Sends.\n\n```python\nsend()\n```\n"
    )
    parsed = parse_guide(text)
    assert parsed.guide.example == "send()"
    assert parsed.guide.steps == ("Sends.",)
    assert parsed.problems == ()


def test_unclosed_example_fence_runs_to_the_end() -> None:
    parsed = parse_guide("Usage Example\n---\n```python\nimport x\nx.run()\n")
    assert parsed.guide.example == "import x\nx.run()"


@pytest.mark.parametrize(
    "junk",
    ["```", "```\n```\n```", "####", "**", "1.", "Description:", "\x00\ud800", "~~~~\n```python"],
)
def test_parsing_never_raises_on_junk(junk: str) -> None:
    assert isinstance(parse_guide(junk), ParsedGuide)


# Text without line breaks or characters Python treats as line breaks.
_CHARS = st.characters(
    blacklist_categories=("Cc", "Cs", "Zl", "Zp"),
    blacklist_characters="\x1c\x1d\x1e\x85",
)
_SECTION_WORD = re.compile(
    r"(?i)^(?:[#*_`~=\-]|(?:description|execution steps|steps|usage example|example usage|usage"
    r"|example|how to use this code)\b)"
)


def _prose_line(line: str) -> bool:
    """A line that stays ordinary prose: not a heading, rule, fence or bordered by whitespace."""
    return bool(line) and line == line.strip() and not _SECTION_WORD.match(line)


prose_lines = st.text(_CHARS, min_size=1, max_size=60).map(str.strip).filter(_prose_line)
descriptions = st.lists(prose_lines, min_size=1, max_size=3).map("\n".join)
steps = st.lists(prose_lines, min_size=1, max_size=6).map(tuple)
code_lines = st.one_of(
    st.text(_CHARS, max_size=50),
    st.sampled_from(['"""', 'x = """a\\nb"""', "print('\\\\')", "s = 'é ü 漢字 🐍'", "    pass"]),
    st.sampled_from(["```", "````python", "  ```", "~~~"]),
)


@st.composite
def examples(draw: st.DrawFn) -> str:
    """Example code: first line unindented, no blank edges, no whitespace-only lines."""
    first = draw(st.text(_CHARS, min_size=1, max_size=40).filter(lambda s: s == s.lstrip()))
    rest = draw(st.lists(code_lines.filter(lambda s: s == "" or s.strip() != ""), max_size=8))
    return "\n".join([first, *rest]).rstrip("\n")


guides = st.builds(Guide, description=descriptions, steps=steps, example=examples())


@given(guides)
@settings(max_examples=200, deadline=None)
def test_render_then_parse_round_trips(guide: Guide) -> None:
    assert parse_guide(render(guide)) == ParsedGuide(guide, ())


@given(guides)
@settings(max_examples=50, deadline=None)
def test_round_trip_survives_a_markdown_wrapper_and_chatter(guide: Guide) -> None:
    text = f"Here you go:\n```markdown\n{render(guide)}```\nAnything else?"
    assert parse_guide(text).guide == guide


# Words that may start a line: no Markdown block syntax (that case has its own test below).
_PLAIN = re.compile(r"^(?![#>|<*+=_~`-]|\d)")
long_prose = (
    st.lists(prose_lines, min_size=1, max_size=12)
    .map(" ".join)
    .filter(lambda text: all(_PLAIN.match(word) for word in text.split()))
)
long_guides = st.builds(
    Guide,
    # A description that starts with a bullet is a list, kept as written (tested below).
    description=long_prose.filter(lambda text: not text.startswith("•")),
    steps=st.lists(long_prose, min_size=1, max_size=12).map(tuple),
    example=examples(),
)


def _words(text: str) -> list[str]:
    return text.split()


@given(long_guides, st.integers(min_value=20, max_value=120))
@settings(max_examples=200, deadline=None)
# A section name left alone on a line by wrapping ("Example") once read back as a heading.
@example(Guide("a", ("a Example Example aaaaaaaaaaaa Example " + "a" * 30,), "x = 1"), 20)
@example(Guide("a", ("a" * 30 + " Example",), "x = 1"), 20)
@example(Guide("a" * 33 + " Example " + "c" * 38, ("a",), "x = 1"), 20)
@example(Guide("a", ("a" * 33 + " Steps: " + "c" * 38,), "x = 1"), 40)
@example(Guide("a" * 33 + " Description: " + "c" * 30, ("a",), "x = 1"), 20)
@example(Guide("a", ("a" * 36 + " • b",), "x = 1"), 20)
def test_a_wrapped_guide_fits_its_width_and_reads_back_to_the_same_words(
    guide: Guide, width: int
) -> None:
    text = render(guide, width=width)
    limit = max(width, 40)
    prose = text.split("Usage Example\n")[0].splitlines()
    for line in prose:
        word = re.sub(r"^\d+\. ", "", line).strip()
        assert len(line) <= limit or " " not in word, line  # longer only for one long word
    example_lines = guide.example.strip("\n").splitlines()
    assert "\n".join(example_lines) in text  # the code is kept as written
    parsed = parse_guide(text)
    assert parsed.problems == ()
    assert _words(parsed.guide.description) == _words(guide.description)
    assert [_words(step) for step in parsed.guide.steps] == [_words(s) for s in guide.steps]
    assert parsed.guide.example == guide.example
    assert render(parsed.guide, width=width) == text  # regenerating it changes nothing


def test_wrapped_steps_hang_under_their_text_and_headings_stay_exact() -> None:
    step = " ".join(["It sends the request with `httpx.Client.send`"] * 5)
    guide = Guide("Checks the payload and sends it. " * 6, (step, "It returns."), "x = 1")
    text = render(guide, width=60)
    lines = text.splitlines()
    assert lines[:2] == ["How to Use This Code Block", "=" * 89]
    assert lines[3:5] == ["Description", "-" * 25]
    start = lines.index("Execution Steps")
    assert lines[start + 1] == "-" * 25
    assert lines[start + 2].startswith("1. It sends")
    assert all(line.startswith("   ") for line in lines[start + 3 : start + 6])
    assert all(len(line) <= 60 for line in lines if line != "=" * 89)
    assert render(guide) == render(guide, width=None)
    assert f"\n1. {step}\n" in render(guide)  # unwrapped: one line


def test_wrapping_never_starts_a_line_with_markdown_block_syntax() -> None:
    words = "aaaa - bbbb # cccc 1. dddd > eeee Description: ffff ``` gggg --- hhhh * iiii"
    guide = Guide(words, (words,), "x = 1")
    for width in range(40, 80):
        text = render(guide, width=width)
        parsed = parse_guide(text)
        assert _words(parsed.guide.description) == _words(words), width
        assert [_words(s) for s in parsed.guide.steps] == [_words(words)], width


def test_a_section_name_wrapped_onto_its_own_line_stays_text() -> None:
    step = "a" * 30 + " Example"
    text = render(Guide("Usage " + "b" * 38 + " Steps", (step,), "x = 1"), width=40)
    assert "\n   Example\n" in text and "\nSteps\n" in text  # no room to keep them attached
    parsed = parse_guide(text)
    assert parsed.guide.description.split() == ["Usage", "b" * 38, "Steps"]
    assert parsed.guide.steps == (step,) and parsed.guide.example == "x = 1"
    assert parsed.problems == ()


def test_a_plain_heading_counts_where_no_marked_heading_names_its_section() -> None:
    answer = "Description\nSends it.\n\nSteps:\n1. Sends.\n\nExample\n```python\nsend()\n```\n"
    assert parse_guide(answer) == ParsedGuide(Guide("Sends it.", ("Sends.",), "send()"), ())
    mixed = "## Description\nSends it.\nSteps:\n1. Sends.\n\n## Example\n```python\nsend()\n```"
    assert parse_guide(mixed).guide == Guide("Sends it.", ("Sends.",), "send()")


def test_a_description_that_is_a_list_is_kept_as_written() -> None:
    description = "Checks:\n\n• " + " ".join(["the payload"] * 12) + "\n• the headers"
    text = render(Guide(description, ("Sends.",), "x = 1"), width=40)
    assert description in text
    assert parse_guide(text).guide.description == description


@given(st.text(max_size=400))
@settings(max_examples=300, deadline=None)
def test_parse_never_raises(text: str) -> None:
    parsed = parse_guide(text)
    assert all(isinstance(problem, str) and problem for problem in parsed.problems)


def test_example_with_backtick_fences_inside_gets_a_longer_fence() -> None:
    guide = Guide("Prints Markdown.", ("It prints.",), 'print("""\n```\ncode\n```\n""")')
    text = render(guide)
    assert "````python\n" in text and text.endswith("\n````\n")
    assert parse_guide(text).guide == guide


SEED_MODULES = [
    "hypotez.src.endpoints.gpt4free.g4f.Provider.Free2GPT",
    "hypotez.src.endpoints.gpt4free.g4f.Provider.not_working.GPROChat",
    "hypotez.src.endpoints.gpt4free.g4f.Provider.not_working.FlowGpt",
    "hypotez.src.endpoints.gpt4free.g4f.Provider.hf_space.G4F",
]


@pytest.mark.parametrize("index", range(4), ids=SEED_CLASSES)
def test_seed_guides_validate_clean(index: int) -> None:
    guide = parse_guide(SEEDS[index].read_text(encoding="utf-8")).guide
    assert (
        validate(guide, name=SEED_CLASSES[index], modules=[SEED_MODULES[index]], kind="class") == []
    )
    method = f"{SEED_CLASSES[index]}.create_async_generator"
    assert validate(guide, name=method, modules=[SEED_MODULES[index]], kind="method") == []


def test_seed_importing_from_the_wrong_module_is_reported() -> None:
    guide = parse_guide(SEEDS[0].read_text(encoding="utf-8")).guide
    assert validate(guide, name="Free2GPT", modules=["g4f.Provider"]) == [
        "Usage Example does not import `Free2GPT` from `g4f.Provider`; "
        "add `from g4f.Provider import Free2GPT`"
    ]


def _with_example(example: str) -> Guide:
    return Guide("Sends a request.", ("It sends the request.",), example)


@pytest.mark.parametrize(
    "example",
    [
        "from httpx import Client\nClient()",
        "from httpx import Client as C\nC()",
        "from httpx import get, Client\n",
        "import httpx\nhttpx.Client().send(r)",
        "import httpx as h\nwith h.Client() as c:\n    pass",
        "def main():\n    from httpx._client import Client\n    Client()",
        "async for chunk in stream():\n    from httpx import Client",
    ],
)
def test_accepted_import_forms(example: str) -> None:
    guide = _with_example(example)
    assert validate(guide, name="Client.send", modules=["httpx", "httpx._client"]) == []


@pytest.mark.parametrize(
    "example",
    [
        "Client().send(r)",  # never imported
        "from httpx import AsyncClient\nAsyncClient()",  # another name
        "from requests import Client\nClient()",  # another module
        "import httpx\nhttpx.get('/')",  # module imported, name never used
        "from .client import Client",  # relative: not the import path users write
        "import Client",
    ],
)
def test_rejected_import_forms(example: str) -> None:
    problems = validate(_with_example(example), name="Client.send", modules=["httpx"])
    assert problems == [
        "Usage Example does not import `Client` from `httpx`; add `from httpx import Client`"
    ]


@pytest.mark.parametrize(
    ("example", "ok"),
    [
        ("import httpx._client\nhttpx._client.Client", True),
        ("import httpx._client as c", True),
        ("from httpx import _client", True),
        ("from httpx._client import Client", True),
        ("import httpx\nhttpx._client.Client", False),
    ],
)
def test_module_guides_must_import_the_module(example: str, ok: bool) -> None:
    problems = validate(
        _with_example(example), name="httpx._client", modules=["httpx._client"], kind="module"
    )
    assert problems == (
        []
        if ok
        else [
            "Usage Example does not import the module `httpx._client`; add `import httpx._client`"
        ]
    )


def test_syntax_error_names_the_line_and_error() -> None:
    problems = validate(
        _with_example("import httpx\n\nhttpx.get(\n"), name="get", modules=["httpx"]
    )
    assert len(problems) == 1
    assert problems[0].startswith("Usage Example does not parse as Python: line 3: ")
    assert "never closed" in problems[0]


def test_empty_sections_are_reported() -> None:
    problems = validate(Guide("  ", (), ""), name="f", modules=["m"])
    assert problems == [
        "Description section is empty",
        "Execution Steps section is empty",
        "Usage Example section is empty",
    ]


def test_vague_terms_are_reported_where_they_occur() -> None:
    guide = Guide(
        "Getting data and doing various things with `things`.",
        ("It sends the request.", "It handles stuff."),
        "from m import f",
    )
    assert validate(guide, name="f", modules=["m"]) == [
        'Description uses the vague term "getting"; name the specific action '
        '(for example "checks", "validates", "sends")',
        'Description uses the vague term "doing"; name the specific action '
        '(for example "checks", "validates", "sends")',
        'Description uses the vague term "various"; name the specific action '
        '(for example "checks", "validates", "sends")',
        'Description uses the vague term "things"; name the specific action '
        '(for example "checks", "validates", "sends")',
        'Step 2 uses the vague term "stuff"; name the specific action '
        '(for example "checks", "validates", "sends")',
    ]
    assert set(VAGUE_TERMS) == {"getting", "doing", "stuff", "things", "various"}


def test_specific_wording_is_not_vague() -> None:
    guide = Guide("Sends settings; `doing` is a name here.", ("It checks thingsboard.",), "f()")
    assert not any("vague" in problem for problem in validate(guide, name="f", modules=[]))


@pytest.mark.parametrize(
    "quotation",
    [
        '"Client for the AWS IoT Things registry."',
        '"Getting started"',
        "\u201cDoing various stuff.\u201d",
    ],
)
def test_quoted_human_text_is_never_asked_to_change(quotation: str) -> None:
    guide = Guide(
        f"Registers a device; its docstring says {quotation}.",
        (f"Defines the class `IoT` ({quotation}).", "It handles stuff."),
        "from m import f",
    )
    problems = [
        problem for problem in validate(guide, name="f", modules=["m"]) if "vague" in problem
    ]
    assert problems == [
        'Step 2 uses the vague term "stuff"; name the specific action '
        '(for example "checks", "validates", "sends")'
    ]


def test_invented_identifiers_are_reported_and_literals_ignored() -> None:
    guide = Guide(
        "Calls `Client.send()` and `Client.teleport`, posts to `/api/generate` at "
        '`gprochat.com` (see `https://x.org/a`), passes `True`, `None`, `42`, `"flux"`, '
        "`dict`, `self.timeout` and `asyncio.run(main())`.",
        ("It calls `response.content.iter_any()`.", "It calls `make_magic(x)`."),
        "from httpx import Client",
    )
    known = {"Client", "send", "timeout", "response", "content", "iter_any", "main"}
    problems = validate(guide, name="Client", modules=["httpx"], known_identifiers=known)
    assert problems == [
        "Description names `Client.teleport`, but `teleport` is not in the code; "
        "name only calls, attributes and parameters the code has",
        "Step 2 names `make_magic(x)`, but `make_magic` is not in the code; "
        "name only calls, attributes and parameters the code has",
    ]
    assert validate(guide, name="Client", modules=["httpx"], known_identifiers=None) == []


def test_invented_single_name_reads_as_one_sentence() -> None:
    guide = Guide("Uses `frobnicate`.", ("It sends.",), "from m import f")
    assert validate(guide, name="f", modules=["m"], known_identifiers=set()) == [
        "Description names `frobnicate`, which is not in the code; "
        "name only calls, attributes and parameters the code has"
    ]


def test_problems_text_is_a_numbered_list() -> None:
    assert problems_text(["Description section is empty", "Step 2 is vague"]) == (
        "1. Description section is empty\n2. Step 2 is vague"
    )
    assert problems_text([]) == ""


def test_long_pathological_lines_parse_quickly() -> None:
    n = 20_000
    lines = [
        "```" + "a" * n + "`",
        "~" * n + "`",
        "Description" + " " * n + "x",
        "Description: a" + " " * n + "b",
        "1." + " " * n,
        "######" + " " * n + "!",
        "## Description " + "#" * n + " x",
        "1. " * n,
        "Step " * n,
    ]
    started = time.perf_counter()
    for line in lines:
        parse_guide(line)
    assert time.perf_counter() - started < 1.0


def test_empty_guide_round_trips_and_validates_as_empty() -> None:
    empty = Guide("", (), "")
    assert parse_guide(render(empty)) == ParsedGuide(empty, ())
    assert len(validate(empty, name="f", modules=["m"])) == 3


def test_render_keeps_each_step_on_one_line() -> None:
    text = render(Guide("Sends.", ("It opens\nthe socket.", "It sends."), "f()"))
    assert "1. It opens the socket.\n2. It sends.\n" in text
    assert parse_guide(text).guide.steps == ("It opens the socket.", "It sends.")


def test_nested_numbered_list_joins_its_parent_step() -> None:
    text = (
        "## Execution Steps:\n\n1. Opens:\n   1. sub a\n   2. sub b\n\n2. Sends\n"
        "### Usage Example:\n```python\n    import m\n    m.f()\n```"
    )
    guide = parse_guide(text).guide
    assert guide.steps == ("Opens: 1. sub a 2. sub b", "Sends")
    assert guide.example == "import m\nm.f()"


def test_without_guide_keeps_only_the_human_text() -> None:
    human = "Send a request.\n\nRaises on errors."
    marker = ".. howto-ls: fingerprint=0123456789ab"
    assert without_guide(f"{human}\n\n{render(SAMPLE)}\n{marker}") == human
    assert without_guide(human) == human
    assert without_guide(f"{render(SAMPLE)}\n{marker}") == ""


def test_quote_escapes_count_against_the_width() -> None:
    """``'\"\"\"'`` is written ``'\\"\\"\\"'`` in a docstring: nine columns, not five."""
    step = 'Takes `text` (`str`, default `\'"""\'`) and the optional `sep` and returns it.'
    text = render(Guide("Quotes text.", (step,), "x = 1"), width=60)
    for line in text.split("Usage Example")[0].splitlines()[2:]:  # the rule is one word
        written = line.replace('"""', '\\"\\"\\"').replace("\\\\", "\\\\\\\\")
        assert len(written) <= 60, line
    assert '`\'"""\'`' in text


def test_a_long_string_in_the_example_splits_into_adjacent_strings() -> None:
    long_message = "Could not load the payload because an exception occurred on unserializing."
    example = f'from pkg import BadPayload\n\nerror = BadPayload(message="{long_message}")'
    text = render(Guide("Raises.", ("Raises.",), example), width=60)
    code = text.split("```python\n")[1].split("\n```")[0]
    assert all(len(line) <= 60 for line in code.splitlines())
    assert ast.dump(ast.parse(code)) == ast.dump(ast.parse(example))  # the same program
    assert code.count('"') == 4  # two adjacent literals


def module_with_guide(code: str, example: str, summary: str = "Put it on the shelf.") -> str:
    """A module whose function ``shelve`` carries a guide (as howto-ls writes it) showing
    ``example`` under the docstring's first line ``summary``, followed by ``code``."""
    guide = render(Guide("Stores a book.", ("Stores it.",), example))
    marker = DOCSTRING_MARKER.format(fingerprint="0123abcd")
    body = textwrap.indent(f"{summary}\n\n{guide}\n{marker}\n", "    ")
    return f'def shelve(book):\n    """{body.lstrip()}    """\n    return book\n\n{code}'


def test_guide_blocks_are_blanked_line_for_line_and_the_rest_kept() -> None:
    code = "shelf.lookup('b')\n"
    source = module_with_guide(code, "shelf.add('a')\nshelf.add('b')")
    blanked = blank_guide_blocks(source)
    assert blanked.count("\n") == source.count("\n")  # line numbers stay
    assert "add(" not in blanked and HEADING not in blanked and "fingerprint" not in blanked
    assert "Put it on the shelf." in blanked and blanked.endswith(code)  # a person's words
    assert ast.dump(ast.parse(blanked).body[1]) == ast.dump(ast.parse(source).body[1])
    assert blank_guide_blocks(code) is code  # no heading: nothing to do
    unmarked = source.replace(DOCSTRING_MARKER.format(fingerprint="0123abcd"), "")
    assert blank_guide_blocks(unmarked) == unmarked  # a heading howto-ls did not close


def test_the_summary_line_howto_ls_wrote_above_its_guide_is_blanked_too() -> None:
    source = module_with_guide("", "shelf.add('a')", summary="Store a book.")  # as written
    blanked = blank_guide_blocks(source)
    assert "shelf.add" not in blanked and "Store a book" not in blanked
    assert blanked.count("\n") == source.count("\n")
    assert ast.dump(ast.parse(blanked).body[0].body[1]) == ast.dump(
        ast.parse(source).body[0].body[1]
    )


def test_a_long_example_line_keeps_its_comment_above_and_splits_inside_nested_brackets() -> None:
    line = "print(list(filter_map(lambda s: int(s) if s.isnumeric() else None, elems)))"
    example = f"elems = ['1', 'a']\n{line}  # [1, 2, 3]\n"
    text = render(Guide("Filters and maps.", ("Maps.",), example), width=68)
    code = text.split("```python\n", 1)[1].split("```", 1)[0]
    assert all(len(row) <= 68 for row in code.splitlines())
    assert "# [1, 2, 3]\nprint(" in code  # the comment moved above the call it belongs to
    assert ast.dump(ast.parse(code)) == ast.dump(ast.parse(example))
