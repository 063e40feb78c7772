"""Sidecar files are well-formed Markdown documents, as parsers and MkDocs read them."""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from howto_ls import cli
from howto_ls.guide import SECTIONS, Guide, render
from howto_ls.sidecar import read_blocks, upsert_block
from tests.redefined_sample import SOURCE as REDEFINED

H11 = Path(__import__("h11").__file__).parent
_CODE_NAME = r"`[\w.]+`"
_WHICH = r"(?: \(definition \d+ of \d+(?:, under `[^`]+`)?\))?"


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Offline backend, and a cache and home inside the test's folder."""
    monkeypatch.setenv("HOWTO_BACKEND", "offline")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("HOWTO_TARGET", raising=False)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the installed h11 package in a project, its sidecars written, as cwd."""
    root = tmp_path / "project"
    root.mkdir()
    (root / "pyproject.toml").write_text("[project]\nname = 'copy'\n", encoding="utf-8")
    shutil.copytree(H11, root / "h11", ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.chdir(root)
    assert (
        cli.main(["generate", "h11", "--write", "sidecar", "--no-progress", "--include-private"])
        == 0
    )
    return root


def headings(markdown: str) -> list[tuple[int, str, list[str]]]:
    """Every heading: its level, its source text, and the types of its inline parts."""
    tokens = MarkdownIt("commonmark").parse(markdown)
    found = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            inline = tokens[index + 1]
            kinds = [child.type for child in inline.children or []]
            found.append((int(token.tag[1]), inline.content, kinds))
    return found


def test_each_sidecar_has_one_title_a_heading_per_symbol_and_its_sections(project: Path) -> None:
    files = sorted((project / "docs" / "howto").rglob("*.md"))
    assert len(files) == len(list((project / "h11").rglob("*.py")))
    for file in files:
        text = file.read_text(encoding="utf-8")
        found = headings(text)
        blocks = read_blocks(text)
        assert [level for level, _, _ in found].count(1) == 1, file
        assert found[0][0] == 1
        assert re.fullmatch(rf"How-to guides for {_CODE_NAME}", found[0][1])
        symbols = [h for h in found if h[0] == 2]
        assert len(symbols) == len(blocks) > 0
        for _, content, kinds in symbols:
            assert re.fullmatch(rf"(Module )?{_CODE_NAME}{_WHICH}", content), content
            # code spans side by side, never nested backticks
            assert kinds.count("code_inline") == 1 + content.count(", under `"), content
        sections = [content for level, content, _ in found if level == 3]
        assert sections == list(SECTIONS) * len(blocks)
        levels = [level for level, _, _ in found]
        assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), levels
        assert "=====" not in text  # no setext heading from the docstring form


def test_mkdocs_builds_the_guides_strictly(project: Path, tmp_path: Path) -> None:
    (project / "mkdocs.yml").write_text(
        "site_name: h11 how-to guides\ndocs_dir: docs/howto\n", encoding="utf-8"
    )
    site = tmp_path / "site"
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr
    for source in sorted((project / "docs" / "howto").rglob("*.md")):
        relative = source.relative_to(project / "docs" / "howto").with_suffix("")
        page = (site / relative / "index.html").read_text(encoding="utf-8")
        blocks = len(read_blocks(source.read_text(encoding="utf-8")))
        assert page.count("<h1") == 1
        assert page.count("<h2") == blocks  # no heading swallowed by a marker comment
        assert page.count('<h3 id="execution-steps') == blocks
        assert page.count('<pre><code class="language-python">') == blocks
    page = (site / "h11" / "_connection" / "index.html").read_text(encoding="utf-8")
    assert '<h2 id="module-h11_connection">Module <code>h11._connection</code></h2>' in page


OLD_GUIDE = Guide("Sends it.", ("It sends.",), "from pkg.mod import f\nf()")


def old_layout_block(qualname: str, fingerprint: str, heading: str) -> str:
    """A block as earlier versions wrote it: heading right after the marker, seed headings."""
    return (
        f"<!-- howto-ls: begin {qualname} fingerprint={fingerprint} -->\n"
        f"## `{heading}`\n\n{render(OLD_GUIDE).strip()}\n\n"
        f"<!-- howto-ls: end {qualname} -->\n"
    )


def test_files_in_the_old_layout_are_read_and_updated_block_by_block() -> None:
    module_block = old_layout_block("(module)", "aaaaaaaaaaaa", "How-to guides for `pkg.mod`")
    function_block = old_layout_block("f", "bbbbbbbbbbbb", "f")
    old = f"# How-to guides for `pkg.mod`\n\n{module_block}\n{function_block}"

    blocks = read_blocks(old)
    assert set(blocks) == {"", "f"}
    assert blocks["f"].fingerprint == "bbbbbbbbbbbb"
    assert blocks[""].markdown == blocks["f"].markdown == render(OLD_GUIDE).strip()

    new = upsert_block(
        old, "", "### Description\n\nNew.", "cccccccccccc", "How-to guides", module="pkg.mod"
    )
    assert new.startswith("# How-to guides for `pkg.mod`\n\n<!-- howto-ls: begin (module) ")
    assert new.endswith(function_block)  # the other block keeps every byte
    assert "## Module `pkg.mod`" in new and "## `How-to guides for `pkg.mod``" not in new
    blocks = read_blocks(new)
    assert blocks[""].markdown == "### Description\n\nNew."
    assert blocks[""].fingerprint == "cccccccccccc"
    assert blocks["f"].fingerprint == "bbbbbbbbbbbb"
    assert (
        upsert_block(new, "", "### Description\n\nNew.", "cccccccccccc", "T", module="pkg.mod")
        == new
    )


@pytest.fixture
def redefined(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project whose module defines names more than once, its sidecar written, as cwd."""
    root = tmp_path / "project"
    (root / "shapes").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[project]\nname = 'shapes'\n", encoding="utf-8")
    (root / "shapes" / "__init__.py").write_text("", encoding="utf-8")
    (root / "shapes" / "geo.py").write_text(REDEFINED, encoding="utf-8")
    monkeypatch.chdir(root)
    assert cli.main(["generate", "shapes", "--write", "sidecar", "--no-progress"]) == 0
    return root


def test_a_name_defined_twice_gets_readable_headings_and_anchors(
    redefined: Path, tmp_path: Path
) -> None:
    text = (redefined / "docs" / "howto" / "shapes" / "geo.md").read_text(encoding="utf-8")
    symbols = {content: kinds for level, content, kinds in headings(text) if level == 2}
    windows = "`getchar` (definition 1 of 2, under `if sys.platform == 'win32':`)"
    assert windows in symbols and "`getchar` (definition 2 of 2, under `else:`)" in symbols
    assert symbols[windows].count("code_inline") == 2
    assert not [line for line in text.splitlines() if "%23" in line and "howto-ls:" not in line]
    assert "<!-- howto-ls: begin getchar%231 fingerprint=" in text  # the key stays exact
    assert set(read_blocks(text)) >= {"getchar#1", "getchar", "greet#1", "greet"}
    (redefined / "mkdocs.yml").write_text("site_name: s\ndocs_dir: docs/howto\n", encoding="utf-8")
    site = tmp_path / "site"
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    page = (site / "shapes" / "geo" / "index.html").read_text(encoding="utf-8")
    ids = re.findall(r'<h2 id="([^"]+)"', page)
    assert len(ids) == len(set(ids)) == len(read_blocks(text))
    assert "getchar-definition-1-of-2-under-if-sysplatform-win32" in ids
    assert not any("23" in anchor for anchor in ids)


def test_an_old_sidecar_heading_with_the_escaped_key_is_read_and_replaced(
    redefined: Path,
) -> None:
    sidecar = redefined / "docs" / "howto" / "shapes" / "geo.md"
    text = sidecar.read_text(encoding="utf-8")
    old = text.replace(
        "## `getchar` (definition 1 of 2, under `if sys.platform == 'win32':`)",
        "## `getchar%231`",
    )
    assert old != text
    sidecar.write_text(old, encoding="utf-8")
    assert read_blocks(old)["getchar#1"].markdown == read_blocks(text)["getchar#1"].markdown
    assert cli.main(["check", "shapes"]) == 0  # read back, fresh
    regenerate = ["generate", "shapes/geo.py", "--write", "sidecar", "--no-progress"]
    assert cli.main(regenerate) == 0
    assert sidecar.read_text(encoding="utf-8") == old  # up to date: left alone
    assert cli.main([*regenerate, "--force"]) == 0
    assert sidecar.read_text(encoding="utf-8") == text


def test_check_names_a_stale_earlier_definition_for_people(
    redefined: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = redefined / "shapes" / "geo.py"
    source.write_text(REDEFINED.replace("windows key", "any key"), encoding="utf-8")
    capsys.readouterr()
    assert cli.main(["check", "shapes"]) == 1
    out = capsys.readouterr().out
    assert "getchar (definition 1 of 2, under `if sys.platform == 'win32':`)" in out, out
    assert "#1" not in out and "%23" not in out


HOSTILE = Guide(
    description=(
        "Sends the cart. <script>alert('description')</script> "
        "<img src=x onerror=alert('img')> [docs](javascript:alert('link')) "
        "and keeps `<b>code</b>` as code."
    ),
    steps=(
        "It checks <a href=\"javascript:alert('step')\">the cart</a>.",
        "It compares `a < b` and `items[0]` with a < b.",
    ),
    example='from shop import total\n\nNOTE = """\n```\n<script>alert(\'example\')</script>\n"""\n'
    "print(total([1.0]), NOTE)",
)


class _Live(HTMLParser):
    """The live HTML of a page: tags with their attributes, and script bodies."""

    def __init__(self) -> None:
        super().__init__()
        self.attributes: list[tuple[str, str, str]] = []
        self.scripts: list[str] = []
        self.codes: list[str] = []
        self._in: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in.append(tag)
        self.attributes += [(tag, name, value or "") for name, value in attrs]
        if tag == "script":
            self.scripts.append("")
        if tag == "code":
            self.codes.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._in:
            del self._in[len(self._in) - 1 - self._in[::-1].index(tag) :]

    def handle_data(self, data: str) -> None:
        if self._in and self._in[-1] == "script":
            self.scripts[-1] += data
        if "code" in self._in:
            self.codes[-1] += data


def test_a_models_html_reaches_the_built_site_as_text(tmp_path: Path) -> None:
    from howto_ls.guide import render_markdown

    docs = tmp_path / "docs"
    docs.mkdir()
    markdown = upsert_block(None, "total", render_markdown(HOSTILE), "abc123abc123", "shop.cart")
    (docs / "cart.md").write_text(markdown, encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text("site_name: s\ndocs_dir: docs\n", encoding="utf-8")
    site = tmp_path / "site"
    command = [sys.executable, "-m", "mkdocs", "build", "--site-dir", str(site)]
    result = subprocess.run(
        command, cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr
    page = (site / "cart" / "index.html").read_text(encoding="utf-8")
    live = _Live()
    live.feed(page)
    assert not any("alert" in script for script in live.scripts)
    assert not [a for a in live.attributes if a[1].startswith("on")]
    assert not [a for a in live.attributes if "javascript:" in a[2].lower()]
    assert "&lt;script&gt;alert(" in page  # shown as text
    assert "<code>&lt;b&gt;code&lt;/b&gt;</code>" in page  # a code span stays a code span
    assert "<code>items[0]</code>" in page
    (example,) = [code for code in live.codes if "from shop import total" in code]
    assert example.rstrip("\n") == HOSTILE.example  # whole, ``` and all, inside one fence
    assert "with a &lt; b." in page  # plain prose renders as before


def test_the_offline_writers_prose_is_left_as_it_was() -> None:
    from howto_ls.guide import inert_markdown

    for text in (
        "Returns `items[0]` when a < b, else `None`.",
        "It checks `path.exists()` and raises `ValueError` (see the docstring).",
        'Reads `os.environ["HOME"]` and yields each line.',
    ):
        assert inert_markdown(text) == text
