"""Tests for reading and writing source files byte-exactly."""

from __future__ import annotations

import codecs
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from howto_ls.errors import NotWritableError, SourceError
from howto_ls.sourcefile import (
    SourceFile,
    cached_text,
    context_text,
    decode_source,
    newline_of,
    read_source,
    set_size_limit,
    size_limit,
    write_source,
)


def test_utf8_crlf_text_is_kept_exactly(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_bytes(b"x = 1\r\ny = '\xc3\xa9'\r\n")
    source = read_source(path)
    assert source == SourceFile(text="x = 1\r\ny = 'é'\r\n", encoding="utf-8", bom=False)


def test_lone_cr_newlines_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_bytes(b"x = 1\ry = 2\r")
    assert read_source(path).text == "x = 1\ry = 2\r"


def test_bom_is_detected_and_stripped_from_text() -> None:
    source = decode_source(codecs.BOM_UTF8 + b"x = 1\n", Path("m.py"))
    assert source.text == "x = 1\n"
    assert source.bom is True
    assert source.encoding == "utf-8"


def test_coding_cookie_selects_the_encoding() -> None:
    data = "# -*- coding: latin-1 -*-\nname = 'é'\n".encode("latin-1")
    source = decode_source(data, Path("m.py"))
    assert source.encoding == "iso8859-1"
    assert source.text.endswith("name = 'é'\n")


def test_undecodable_bytes_give_one_clear_line() -> None:
    with pytest.raises(SourceError) as info:
        decode_source(b"x = 1\n# \xff here\n", Path("pkg/x.py"))
    message = str(info.value)
    assert message == (
        "x.py is not UTF-8 text (byte 0xff at offset 8); save it as UTF-8 or add a coding line"
    )
    assert "\n" not in message


def test_nul_byte_is_refused() -> None:
    with pytest.raises(SourceError, match=r"x\.py contains a NUL byte at offset 3"):
        decode_source(b"x =\x00 1\n", Path("x.py"))


def test_bad_coding_line_is_refused() -> None:
    with pytest.raises(SourceError, match="bad coding line"):
        decode_source(b"# coding: nonsense-codec\nx = 1\n", Path("x.py"))


def test_missing_file_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="cannot read"):
        read_source(tmp_path / "absent.py")


def test_write_keeps_encoding_bom_and_mode(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_bytes(codecs.BOM_UTF8 + b"x = 1\r\n")
    path.chmod(0o751)
    original = read_source(path)
    write_source(path, original.text + "y = 'ü'\r\n", like=original)
    assert path.read_bytes() == codecs.BOM_UTF8 + "x = 1\r\ny = 'ü'\r\n".encode()
    assert stat.S_IMODE(path.stat().st_mode) == 0o751
    assert [p.name for p in tmp_path.iterdir()] == ["m.py"]


def test_write_keeps_a_declared_encoding(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_bytes("# coding: latin-1\nname = 'é'\n".encode("latin-1"))
    original = read_source(path)
    write_source(path, original.text + "other = 'ñ'\n", like=original)
    assert path.read_bytes() == "# coding: latin-1\nname = 'é'\nother = 'ñ'\n".encode("latin-1")


def test_unencodable_text_is_refused_and_file_untouched(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    before = "# coding: latin-1\nx = 1\n".encode("latin-1")
    path.write_bytes(before)
    original = read_source(path)
    with pytest.raises(SourceError, match="cannot be encoded as iso8859-1"):
        write_source(path, original.text + "y = '€'\n", like=original)
    assert path.read_bytes() == before


def test_write_creates_parent_folders_with_default_mode(tmp_path: Path) -> None:
    path = tmp_path / "docs" / "howto" / "pkg" / "mod.md"
    write_source(path, "# Title\n")
    assert path.read_bytes() == b"# Title\n"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask


def test_write_through_a_symlink_updates_the_target(tmp_path: Path) -> None:
    real = tmp_path / "real.py"
    real.write_text("x = 1\n")
    link = tmp_path / "link.py"
    link.symlink_to(real)
    write_source(link, "x = 2\n")
    assert link.is_symlink()
    assert real.read_text() == "x = 2\n"


def test_write_through_a_symlink_inside_the_project_updates_the_target(tmp_path: Path) -> None:
    root = tmp_path / "project"
    (root / "real").mkdir(parents=True)
    real = root / "real" / "mod.py"
    real.write_text("x = 1\n")
    link = root / "link.py"
    link.symlink_to(real)
    write_source(link, "x = 2\n", root=root)
    assert link.is_symlink() and real.read_text() == "x = 2\n"


def test_a_symlink_to_a_file_outside_the_project_is_not_written_through(tmp_path: Path) -> None:
    root = tmp_path / "project"
    root.mkdir()
    elsewhere = tmp_path / "elsewhere"  # another folder: someone else's file
    elsewhere.mkdir()
    outside = elsewhere / "theirs.py"
    outside.write_bytes(b"x = 1\n")
    link = root / "theirs.py"
    link.symlink_to(outside)

    with pytest.raises(NotWritableError) as refused:
        write_source(link, "x = 2\n", root=root)

    assert str(refused.value) == (
        f"theirs.py is a symlink to {outside.resolve()}, outside the project {root.resolve()}:"
        " not written; edit that file in its own project"
    )
    assert outside.read_bytes() == b"x = 1\n"
    assert link.is_symlink()
    assert sorted(p.name for p in elsewhere.iterdir()) == ["theirs.py"]  # no temporary file


@pytest.mark.parametrize("mode", [0o444, 0o400, 0o555])
def test_a_read_only_file_keeps_its_bytes_and_mode(tmp_path: Path, mode: int) -> None:
    # Tests run as root here, where os.access says yes to everything: the mode bits decide.
    path = tmp_path / "frozen.py"
    path.write_bytes(b"x = 1\n")
    path.chmod(mode)
    try:
        with pytest.raises(NotWritableError) as refused:
            write_source(path, "x = 2\n")
        assert str(refused.value) == (
            "frozen.py is read-only: not written; make it writable (chmod u+w) and run again"
        )
        assert path.read_bytes() == b"x = 1\n"
        assert stat.S_IMODE(path.stat().st_mode) == mode
        assert [p.name for p in tmp_path.iterdir()] == ["frozen.py"]
    finally:
        path.chmod(0o644)


def test_a_read_only_folder_is_not_replaced_into(tmp_path: Path) -> None:
    folder = tmp_path / "pkg"
    folder.mkdir()
    path = folder / "mod.py"
    path.write_bytes(b"x = 1\n")
    folder.chmod(0o555)  # an atomic replace needs to write the folder, not the file
    try:
        with pytest.raises(NotWritableError, match=r"the folder .*pkg is read-only: mod.py not"):
            write_source(path, "x = 2\n")
        assert path.read_bytes() == b"x = 1\n"
        assert sorted(p.name for p in folder.iterdir()) == ["mod.py"]
    finally:
        folder.chmod(0o755)


def test_a_write_keeps_a_group_only_mode(tmp_path: Path) -> None:
    path = tmp_path / "private.py"
    path.write_bytes(b"x = 1\n")
    path.chmod(0o640)
    write_source(path, "x = 2\n")
    assert path.read_bytes() == b"x = 2\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


@pytest.mark.parametrize(
    ("text", "expected"),
    [("a\r\nb\n", "\r\n"), ("a\rb\r\n", "\r"), ("a\nb\r\n", "\n"), ("none", "\n"), ("", "\n")],
)
def test_newline_of(text: str, expected: str) -> None:
    assert newline_of(text) == expected


def test_cached_text_is_read_again_when_the_file_changes(tmp_path: Path) -> None:
    path = tmp_path / "mod.py"
    path.write_text("x = 1\n", encoding="utf-8")
    assert cached_text(path) == "x = 1\n"
    path.write_text("x = 22\n", encoding="utf-8")  # another size: another version
    assert cached_text(path) == "x = 22\n"
    path.write_bytes(b"x = '\xff'\n")
    assert cached_text(path) is None  # not UTF-8
    assert cached_text(tmp_path / "missing.py") is None


@pytest.fixture
def small_limit() -> Iterator[int]:
    """A size limit of 1,000 bytes for the test, the default again after it."""
    before = size_limit()
    set_size_limit(1_000)
    yield 1_000
    set_size_limit(before)


def test_a_file_over_the_size_limit_is_skipped_with_one_line(
    tmp_path: Path, small_limit: int
) -> None:
    big = tmp_path / "generated.py"
    big.write_text("x = 1\n" * 500)  # 3,000 bytes
    small = tmp_path / "small.py"
    small.write_text("x = 1\n")
    with pytest.raises(SourceError) as refused:
        read_source(big)
    assert str(refused.value) == (
        "generated.py is 3,000 bytes, over the 1,000 bytes limit: skipped; raise maxFileSize"
        " (HOWTO_MAX_FILE_SIZE, in bytes) to read it"
    )
    assert cached_text(big) is None and context_text(big) is None  # not read as context
    assert read_source(small).text == cached_text(small) == context_text(small) == "x = 1\n"
