"""JSON records and GitHub Actions workflow commands of the batch commands."""

from __future__ import annotations

from pathlib import Path

import pytest

from howto_ls.commands.output import (
    Record,
    annotation,
    display_path,
    escape_data,
    escape_property,
    left_out_note,
    relative_path,
)
from howto_ls.module_kinds import PRIVATE, TEST


def test_messages_keep_one_line_and_read_back_as_written() -> None:
    # GitHub's toolkit (@actions/core escapeData): %, CR and LF percent-encoded, % first.
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_data("a: b, c") == "a: b, c"  # the message may hold : and ,


def test_properties_also_escape_colon_and_comma() -> None:
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_annotation_with_file_line_and_title(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    line = annotation(
        "error",
        "total: 100% stale\nregenerate",
        path=tmp_path / "odd,dir" / "a:b.py",
        line=7,
        title="howto-ls: stale guide",
    )
    assert line == (
        "::error file=odd%2Cdir/a%3Ab.py,line=7,title=howto-ls%3A stale guide"
        "::total: 100%25 stale%0Aregenerate"
    )
    assert annotation("notice", "done") == "::notice::done"
    with pytest.raises(ValueError, match="error, warning, notice"):
        annotation("info", "x")


def test_records_carry_elapsed_only_when_timed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    record = Record(tmp_path / "pkg" / "mod.py", 3, "f", "written", "docstring", 1.23456)
    assert record.as_json() == {
        "path": "pkg/mod.py",
        "line": 3,
        "qualname": "f",
        "status": "written",
        "detail": "docstring",
        "elapsed": 1.235,
    }
    assert "elapsed" not in Record(Path("/x.py"), 1, "", "stale").as_json()


def test_left_out_note_names_the_kinds_and_their_flags() -> None:
    assert left_out_note([], "not counted") is None
    left = [(Path("a/_x.py"), PRIVATE), (Path("a/_y.py"), PRIVATE), (Path("tests/t.py"), TEST)]
    assert left_out_note(left, "not counted") == (
        "2 private modules and 1 test module: not counted"
        " (--include-private, --include-tests take them in)"
    )
    assert left_out_note(left[:1], "x") == "1 private module: x (--include-private takes them in)"


def test_paths_in_text_are_one_line_and_in_json_as_they_are(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    hostile = tmp_path / "src" / "nl\n::error::x\t.py"
    assert relative_path(hostile) == "src/nl\n::error::x\t.py"
    assert display_path(hostile) == "src/nl\\n::error::x\\t.py"
    assert Record(hostile, 1, "h", "missing").as_json()["path"] == "src/nl\n::error::x\t.py"
    assert annotation("error", "m", path=hostile).startswith(
        "::error file=src/nl%0A%3A%3Aerror%3A%3Ax\t.py::"
    )
