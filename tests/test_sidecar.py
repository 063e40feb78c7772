"""Tests for sidecar paths and marked guide blocks."""

from __future__ import annotations

from pathlib import Path

import pytest

from howto_ls.errors import NotWritableError, SourceError, UsageError
from howto_ls.sidecar import (
    SidecarBlock,
    escape_name,
    read_block,
    read_blocks,
    sidecar_path,
    unescape_name,
    upsert_block,
)

GUIDE = "How to Use This Code Block\n=====\n\nDescription\n-----\nSends it."


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "mod.py").write_text("x = 1\n")
    (root / "pkg" / "__init__.py").write_text("")
    return root


# --- paths ---


def test_default_template_mirrors_the_source_tree(project: Path) -> None:
    path = sidecar_path(project, project / "pkg" / "mod.py", "docs/howto/{relpath}.md")
    assert path == project.resolve() / "docs" / "howto" / "pkg" / "mod.md"


def test_module_and_stem_placeholders_and_relative_sources(project: Path) -> None:
    assert sidecar_path(project, Path("pkg/mod.py"), "docs/{module}.md").name == "pkg.mod.md"
    assert sidecar_path(project, Path("pkg/mod.py"), "{stem}.howto.md").name == "mod.howto.md"
    package = sidecar_path(project, project / "pkg" / "__init__.py", "docs/{module}.md")
    assert package.name == "pkg.md"


@pytest.mark.parametrize(
    "template",
    ["../outside/{relpath}.md", "docs/../../{stem}.md", "/etc/{stem}.md", "C:\\docs\\{stem}.md"],
)
def test_templates_that_leave_the_root_are_refused(project: Path, template: str) -> None:
    with pytest.raises(NotWritableError, match=r"project root|absolute"):
        sidecar_path(project, project / "pkg" / "mod.py", template)


def test_source_outside_the_root_is_refused(project: Path, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere.py"
    other.write_text("")
    with pytest.raises(NotWritableError, match="outside the project root"):
        sidecar_path(project, other, "docs/{relpath}.md")


def test_symlinked_source_pointing_outside_is_refused(project: Path, tmp_path: Path) -> None:
    outside = tmp_path / "real.py"
    outside.write_text("")
    (project / "pkg" / "link.py").symlink_to(outside)
    with pytest.raises(NotWritableError, match="outside the project root"):
        sidecar_path(project, project / "pkg" / "link.py", "docs/{relpath}.md")


def test_symlinked_docs_folder_pointing_outside_is_refused(project: Path, tmp_path: Path) -> None:
    (tmp_path / "escape").mkdir()
    (project / "docs").symlink_to(tmp_path / "escape")
    with pytest.raises(NotWritableError, match="outside the project root"):
        sidecar_path(project, project / "pkg" / "mod.py", "docs/{relpath}.md")


@pytest.mark.parametrize(
    "template", ["{relpath}.py", "pkg/__init__.py", "pyproject.toml", "docs/{stem}.txt", "README"]
)
def test_a_template_naming_anything_but_markdown_is_refused(project: Path, template: str) -> None:
    with pytest.raises(NotWritableError, match=r"not a Markdown file; give it a \.md name"):
        sidecar_path(project, project / "pkg" / "mod.py", template)


@pytest.mark.parametrize("template", [".git/howto/{relpath}.md", "docs/.hg/{stem}.md"])
def test_a_template_inside_version_control_data_is_refused(project: Path, template: str) -> None:
    with pytest.raises(NotWritableError, match="inside version-control data"):
        sidecar_path(project, project / "pkg" / "mod.py", template)


def test_unknown_placeholder_is_a_usage_error(project: Path) -> None:
    with pytest.raises(UsageError, match=r"unknown placeholder \{name\}"):
        sidecar_path(project, project / "pkg" / "mod.py", "docs/{name}.md")


# --- names ---


@pytest.mark.parametrize(
    "qualname", ["", "A.b", "a-->b", "x fingerprint=1 --><!--", "ünï", "(module)", "%41"]
)
def test_names_round_trip_and_cannot_close_a_comment(qualname: str) -> None:
    name = escape_name(qualname)
    assert "-->" not in name and " " not in name and "-" not in name
    assert unescape_name(name) == qualname
    assert escape_name(qualname) != escape_name("") or qualname == ""


# --- blocks ---


def test_new_file_gets_a_title_and_the_block() -> None:
    text = upsert_block(None, "Client.send", GUIDE, "abc123abc123", "pkg.mod")
    assert text == (
        "# pkg.mod\n\n"
        "<!-- howto-ls: begin Client.send fingerprint=abc123abc123 -->\n\n"
        "## `Client.send`\n\n"
        f"{GUIDE}\n\n"
        "<!-- howto-ls: end Client.send -->\n"
    )
    assert read_block(text, "Client.send") == SidecarBlock(GUIDE, "abc123abc123", 2, 13)


def test_blocks_are_appended_and_replaced_in_place_keeping_other_bytes() -> None:
    human = "# My notes\r\n\r\nHand-written intro.\r\n"
    first = upsert_block(human, "f", GUIDE, "111111111111", "pkg.mod")
    assert first.startswith(human + "\r\n<!-- howto-ls: begin f fingerprint=111111111111 -->\r\n")
    second = upsert_block(first + "Trailing human text.\r\n", "", "Module guide", "222", "pkg.mod")
    third = upsert_block(second, "f", "New guide", "333333333333", "pkg.mod")
    old_block = first[len(human) + 2 : -2]
    new_block = old_block.replace(GUIDE.replace("\n", "\r\n"), "New guide").replace(
        "111111111111", "333333333333"
    )
    assert third == second.replace(old_block, new_block)
    blocks = read_blocks(third)
    assert set(blocks) == {"f", ""}
    assert blocks["f"].markdown == "New guide"
    assert blocks[""].markdown == "Module guide"
    assert "Trailing human text.\r\n" in third


def test_upsert_is_idempotent() -> None:
    text = upsert_block("# T\n", "a.b", GUIDE, "fp", "T")
    assert upsert_block(text, "a.b", GUIDE, "fp", "T") == text


def test_file_without_final_newline_is_separated() -> None:
    text = upsert_block("# Title", "f", "Guide", "fp", "Title")
    assert text.startswith("# Title\n\n<!-- howto-ls: begin f fingerprint=fp -->\n")


def test_forged_qualname_cannot_close_or_fake_a_block() -> None:
    evil = "x --> <!-- howto-ls: end f -->"
    text = upsert_block(None, "f", "Guide f", "aaa", "T")
    text = upsert_block(text, evil, "Evil guide", "bbb", "T")
    text = upsert_block(text, "f", "Guide f2", "ccc", "T")
    blocks = read_blocks(text)
    assert blocks["f"].markdown == "Guide f2"
    assert blocks[evil].markdown == "Evil guide"
    assert text.count("<!-- howto-ls: end f -->") == 1


def test_marker_lines_inside_a_guide_are_neutralised() -> None:
    guide = "Intro\n<!-- howto-ls: end f -->\nafter"
    text = upsert_block(None, "f", guide, "aaa", "T")
    assert read_block(text, "f") == SidecarBlock(
        "Intro\n&lt;!-- howto-ls: end f -->\nafter", "aaa", 2, 10
    )


def test_block_without_end_marker_is_refused_not_overwritten() -> None:
    broken = "# T\n\n<!-- howto-ls: begin f fingerprint=aaa -->\n## `f`\n\nhalf a guide\n"
    assert read_blocks(broken) == {}
    with pytest.raises(SourceError, match="without its end marker"):
        upsert_block(broken, "f", "Guide", "bbb", "T")


def test_read_block_missing_symbol() -> None:
    assert read_block(upsert_block(None, "f", "G", "a", "T"), "g") is None
