"""The griffe extension: a real ``mkdocs build --strict`` with mkdocstrings-python over a package
whose docstrings hold guides written by ``generate``, and the docstrings griffe hands on."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import griffe
import pytest
import yaml

from howto_ls.griffe import GuidedDocstring
from howto_ls.guide import HEADING
from tests.guided_package import (
    HUMAN_TEXTS,
    PACKAGE,
    page_text,
    readme_block,
    tool_env,
    write_guided_package,
)

MODULES = (PACKAGE, f"{PACKAGE}.text", f"{PACKAGE}.boxes", f"{PACKAGE}.stats")
# mkdocs.yml as the README says: its plugin lines, with the package's folder added.
README_PLUGINS = yaml.safe_load(readme_block("yaml"))["plugins"]
README_EXTENSIONS = README_PLUGINS[0]["mkdocstrings"]["handlers"]["python"]["options"]["extensions"]


def mkdocs_build(root: Path, name: str, extensions: list[str]) -> tuple[int, str, str]:
    """Run ``mkdocs build --strict`` on a one-page site; (exit code, stderr, page HTML)."""
    site = root / name
    (site / "docs").mkdir(parents=True)
    config = {"site_name": "shelf", **yaml.safe_load(readme_block("yaml"))}
    python = config["plugins"][0]["mkdocstrings"]["handlers"]["python"]
    python["paths"] = [str(root)]
    python["options"]["show_source"] = False  # the page shows docstrings, not the source
    python["options"]["extensions"] = extensions
    (site / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    page = "# API\n\n" + "".join(f"::: {module}\n\n" for module in MODULES)
    (site / "docs" / "index.md").write_text(page, encoding="utf-8")
    out = site / "html"
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)]
    result = subprocess.run(
        command,
        cwd=site,
        env=tool_env(root),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    index = out / "index.html"
    return result.returncode, result.stderr, index.read_text("utf-8") if index.exists() else ""


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """The package's folder and how many guides ``generate`` wrote into it."""
    root = tmp_path_factory.mktemp("griffe")
    return root, write_guided_package(root)


@pytest.fixture(scope="module")
def build(package: tuple[Path, int]) -> tuple[int, str, str]:
    """The strict build with the extension."""
    return mkdocs_build(package[0], "with", README_EXTENSIONS)


def test_the_readme_lines_load_the_griffe_extension() -> None:
    assert README_EXTENSIONS == ["howto_ls.griffe"]


def test_the_strict_build_passes(build: tuple[int, str, str]) -> None:
    code, stderr, page = build
    assert code == 0, stderr
    assert "WARNING" not in stderr, stderr
    assert page


def test_the_page_shows_each_guide_as_markdown_sections(
    build: tuple[int, str, str], package: tuple[Path, int]
) -> None:
    _, _, page = build
    guides = package[1]
    assert page.count('<code class="language-python">') == guides
    assert page.count(f"<strong>{HEADING}</strong>") == guides
    assert page.count("<ol>") == guides
    text = page_text(page)
    assert "howto-ls: fingerprint" not in text
    assert "```" not in text and "=====" not in text
    assert "Receives line (str) and optional sep (str, default '\\t')" in text
    assert 'default \'"""\'' in text
    for human in HUMAN_TEXTS:
        assert human in text


def test_without_the_extension_the_marker_shows(package: tuple[Path, int]) -> None:
    code, _, page = mkdocs_build(package[0], "without", [])
    assert code == 0
    assert "howto-ls: fingerprint=" in page_text(page)


@pytest.mark.parametrize("style", ["google", "numpy", "sphinx"])
def test_every_docstring_parser_reads_the_text_then_the_guides(
    package: tuple[Path, int], style: str, caplog: pytest.LogCaptureFixture
) -> None:
    root, guides = package
    extensions = griffe.load_extensions("howto_ls.griffe")
    loaded = griffe.load(PACKAGE, search_paths=[root], extensions=extensions)
    guided = [
        obj.docstring for obj in _objects(loaded) if isinstance(obj.docstring, GuidedDocstring)
    ]
    assert len(guided) == guides
    caplog.set_level(logging.DEBUG, logger="griffe")
    for docstring in guided:
        assert "fingerprint" not in docstring.value
        assert docstring.value.endswith(docstring.guides[-1])
        *sections, last = docstring.parse(style)  # type: ignore[arg-type]
        assert last.kind.value == "text"
        assert last.value == docstring.guides[-1]
        assert "```python" in last.value
        assert all(
            HEADING not in json.dumps(section, cls=griffe.JSONEncoder) for section in sections
        )
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    split = loaded["text"]["split_fields"].docstring
    assert split is not None
    assert split.value.startswith(f"{HUMAN_TEXTS[0]}\n\n{HUMAN_TEXTS[1]}\n\n**{HEADING}**")
    scale = loaded["stats"]["scale"].docstring
    assert scale is not None
    kinds = [section.kind.value for section in scale.parse(style)]  # type: ignore[arg-type]
    expected = {"numpy": ["text", "parameters", "returns", "text"], "google": ["text", "text"]}
    assert kinds == expected.get(style, ["text", "text"])


def _objects(obj: griffe.Object | griffe.Alias) -> list[griffe.Object]:
    """``obj`` and every object defined in it (aliases left out)."""
    if not isinstance(obj, griffe.Object):
        return []
    found = [obj]
    for member in obj.members.values():
        found += _objects(member)
    return found
