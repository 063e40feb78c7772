"""The four seed guides, served by the fake model, land intact in the right docstrings.

The project mirrors the layout the seeds import from (``hypotez/src/endpoints/gpt4free/g4f``), so
the seeds' own import lines are correct and pass validation unchanged.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from howto_ls import astutil
from howto_ls.guide import parse_guide
from howto_ls.testing.fake_openai import FakeOpenAI

SEEDS = Path(__file__).resolve().parent / "data" / "seeds"

CASES = {
    "000": ("Provider/Free2GPT.py", "Free2GPT"),
    "001": ("Provider/not_working/GPROChat.py", "GPROChat"),
    "002": ("Provider/not_working/FlowGpt.py", "FlowGpt"),
    "003": ("Provider/hf_space/G4F.py", "G4F"),
}
PACKAGE = Path("hypotez/src/endpoints/gpt4free/g4f")


def seed_guide(number: str) -> str:
    """The example guide inside a seed file: from its heading to the end of its usage example."""
    (path,) = SEEDS.glob(f"{number}_*.txt")
    text = path.read_text(encoding="utf-8")
    start = text.index("How to Use This Code Block")
    end = text.index("4. **Avoid Vague Terms**")
    return text[start:end].strip() + "\n"


@pytest.fixture(scope="module")
def hypotez(g4f_sources: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project holding g4f where the seeds' import paths point."""
    root = tmp_path_factory.mktemp("hypotez-project")
    (root / "pyproject.toml").write_text('[project]\nname = "hypotez"\nversion = "0"\n')
    shutil.copytree(g4f_sources / "g4f", root / PACKAGE)
    for parent in PACKAGE.parents:
        if str(parent) != ".":
            (root / parent / "__init__.py").touch()
    return root


@pytest.mark.network_download
@pytest.mark.parametrize("number", sorted(CASES))
def test_seed_guide_lands_intact_in_its_class_docstring(hypotez: Path, number: str) -> None:
    relative, name = CASES[number]
    path = hypotez / PACKAGE / relative
    before = path.read_text(encoding="utf-8")
    answer = seed_guide(number)
    with FakeOpenAI(replies=[answer]) as fake:
        result = subprocess.run(
            [sys.executable, "-m", "howto_ls", "doc", f"{path}::{name}", "--write", "docstring"],
            cwd=hypotez,
            env={
                "PATH": "/usr/bin:/bin",
                "HOME": str(hypotez),
                "XDG_CACHE_HOME": str(hypotez / ".cache"),
                "HOWTO_BASE_URL": fake.url,
                "HOWTO_MODEL": "fake-model",
                # the seeds' examples are reference text (one has a top-level `async for`):
                # this test is about where they land, not whether they run
                "HOWTO_VERIFY_EXAMPLES": "off",
            },
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        requests = fake.chat_requests
    assert result.returncode == 0, result.stderr
    assert len(requests) == 1, "the seed guide passed validation without a repair round"
    after = path.read_text(encoding="utf-8")
    assert astutil.same_code(before, after)
    node = astutil.find_definition(ast.parse(after), name)
    assert node is not None
    docstring = ast.get_docstring(node) or ""
    guide_text = docstring[docstring.index("How to Use This Code Block") :]
    guide_text = re.sub(r"\n\.\. howto-ls: fingerprint=\w+\s*$", "\n", guide_text)
    landed, seed = parse_guide(guide_text).guide, parse_guide(answer).guide
    # The prose is wrapped to the line length (88, less the class body's 4 spaces): same words.
    assert landed.description.split() == seed.description.split()
    assert [step.split() for step in landed.steps] == [step.split() for step in seed.steps]
    assert ast.dump(ast.parse(landed.example)) == ast.dump(ast.parse(seed.example))
    for line in seed.example.splitlines():
        if len(line) <= 84:
            assert line in landed.example.splitlines(), line  # code that fits is kept as is
    for heading in ("How to Use This Code Block", "Description", "Usage Example"):
        assert f"\n{heading}\n" in f"\n{docstring}", heading

    def long_lines(text: str) -> set[str]:
        return {line for line in text.splitlines() if len(line) > 88 and " " in line.strip()}

    assert long_lines(after) <= long_lines(before)  # the guide adds none
