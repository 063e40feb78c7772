"""The bar: offline guides for the four seed classes of g4f 0.5.3.0 name what the seed guides name.

The wheel is downloaded from PyPI at test time (cached in the pytest cache), never committed.
Run with ``-s`` to print the four guides next to each other.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from howto_ls.guide import Guide, render, validate
from howto_ls.model import GuideRequest, Symbol
from howto_ls.offline.writer import write_guide
from howto_ls.symbols import symbol_named

pytestmark = pytest.mark.network_download


# (file in the wheel, class, facts the seed guide names that the offline guide must name too)
SEEDS = {
    "Free2GPT": (
        "g4f/Provider/Free2GPT.py",
        [
            "AsyncGeneratorProvider",
            "ClientSession",
            "generate_signature",
            "POST request",
            "/api/generate",
            "`response.status` equals `500`",
            "Quota exceeded",
            "RateLimitError",
            "raise_for_status",
            "response.content.iter_any()",
            "`'User-Agent'`",
        ],
    ),
    "GPROChat": (
        "g4f/Provider/not_working/GPROChat.py",
        [
            "AsyncGeneratorProvider",
            "ProviderModelMixin",
            "format_prompt",
            "generate_signature",
            "POST request",
            "api_endpoint",
            "response.content.iter_any()",
            "chunk.decode()",
        ],
    ),
    "FlowGpt": (
        "g4f/Provider/not_working/FlowGpt.py",
        [
            "AsyncGeneratorProvider",
            "ProviderModelMixin",
            "default_model",
            "`temperature`",
            "`'system'`",
            "ClientSession",
            "POST request",
            "/v3/chat-anonymous",
            "json.loads(chunk)",
            "'text'",
            "message['data']",
        ],
    ),
    "G4F": (
        "g4f/Provider/hf_space/G4F.py",
        [
            "DeepseekAI_JanusPro7b",
            "FluxDev",
            "format_image_prompt",
            "`seed` is not set",
            "random.randint",
            "ClientSession",
            "url_flux",
            "get_zerogpu_token",
            "ImageResponse",
            "Reasoning",
        ],
    ),
}


def seed_guide(root: Path, name: str) -> tuple[Symbol, str, Guide]:
    """The symbol, its module source and the offline guide for one seed class."""
    path = root / SEEDS[name][0]
    source = path.read_text(encoding="utf-8")
    symbol = symbol_named(source, path, name, root)
    return symbol, source, write_guide(GuideRequest(symbol=symbol, module_source=source))


def identifiers(source: str) -> set[str]:
    """Every name, attribute, argument, definition and imported module name in ``source``."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.alias):
            names.update((node.asname or node.name).split("."))
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.update(node.module.split("."))
    return names


@pytest.mark.parametrize("name", list(SEEDS))
def test_seed_guide_names_what_the_seed_names(g4f_sources: Path, name: str) -> None:
    symbol, source, guide = seed_guide(g4f_sources, name)
    text = guide.description + "\n" + "\n".join(guide.steps)
    missing = [fact for fact in SEEDS[name][1] if fact not in text]
    assert missing == [], f"{name} guide misses {missing}:\n{render(guide)}"
    problems = validate(
        guide,
        name=symbol.qualname,
        modules=[symbol.import_path, symbol.module],
        known_identifiers=identifiers(source),
    )
    assert problems == [], problems
    print(f"\n===== {symbol.module}.{name}\n{render(guide)}")


@pytest.mark.parametrize("name", list(SEEDS))
def test_seed_example_streams_the_provider(g4f_sources: Path, name: str) -> None:
    symbol, _, guide = seed_guide(g4f_sources, name)
    tree = ast.parse(guide.example)
    imports = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert any(n.module == symbol.import_path and n.names[0].name == name for n in imports)
    assert f"async for chunk in {name}.create_async_generator(model=" in guide.example
    assert '"role": "user"' in guide.example
    assert guide.example.rstrip().endswith("asyncio.run(main())")


def test_steps_read_in_body_order(g4f_sources: Path) -> None:
    _, _, guide = seed_guide(g4f_sources, "Free2GPT")
    steps = "\n".join(guide.steps)
    order = ["`headers`", "ClientSession", "generate_signature", "/api/generate"]
    order += ["RateLimitError", "raise_for_status", "iter_any"]
    positions = [steps.index(fact) for fact in order]
    assert positions == sorted(positions)
    assert '"gemini-1.5-pro"' in guide.example  # the class's own default_model
