"""Position encodings and client flags: the pure parts of the server."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from lsprotocol import types

from howto_ls.lsp.capabilities import ClientFlags
from howto_ls.lsp.positions import (
    PositionConverter,
    column_from_units,
    split_lines,
    units_from_column,
)
from howto_ls.model import Position, Span
from tests.lsp_client import capabilities

CODECS = {"utf-8": ("utf-8", 1), "utf-16": ("utf-16-le", 2), "utf-32": ("utf-32-le", 4)}
LINE = 'name = "😋é" + x'  # the emoji is 2 UTF-16 units and 4 UTF-8 bytes; é is 1 and 2


def test_utf16_columns_on_a_non_ascii_line() -> None:
    x_column = LINE.index("x")
    assert x_column == 14
    assert units_from_column(LINE, x_column, "utf-16") == 15
    assert column_from_units(LINE, 15, "utf-16") == x_column
    assert units_from_column(LINE, x_column, "utf-8") == 18
    assert column_from_units(LINE, 18, "utf-8") == x_column
    assert units_from_column(LINE, x_column, "utf-32") == x_column


def test_a_column_inside_a_surrogate_pair_moves_past_the_character() -> None:
    emoji = LINE.index("😋")
    assert column_from_units(LINE, emoji + 1, "utf-16") == emoji + 1


def test_past_the_end_clamps() -> None:
    converter = PositionConverter("ab\ncd", "utf-16")
    assert converter.to_engine(types.Position(line=0, character=99)) == Position(0, 2)
    assert converter.to_engine(types.Position(line=9, character=0)) == Position(1, 2)


def test_lines_split_like_lsp_not_like_splitlines() -> None:
    text = "a\r\nb\rc\nd\x0ce\u2028f"
    assert split_lines(text) == ["a", "b", "c", "d\x0ce\u2028f"]


def test_range_round_trip() -> None:
    converter = PositionConverter(f"x = 1\n{LINE}\n", "utf-16")
    span = Span(Position(1, 0), Position(1, 14))
    client = converter.range_to_client(span)
    assert (client.start.character, client.end.character) == (0, 15)
    assert converter.span_to_engine(client) == span


@given(st.text(max_size=40), st.integers(min_value=0, max_value=45))
def test_round_trip_for_any_text(line: str, column: int) -> None:
    line = line.replace("\r", "").replace("\n", "")
    column = min(column, len(line))
    for encoding in ("utf-8", "utf-16", "utf-32"):
        units = units_from_column(line, column, encoding)
        assert column_from_units(line, units, encoding) == column
        codec, size = {
            "utf-8": ("utf-8", 1),
            "utf-16": ("utf-16-le", 2),
            "utf-32": ("utf-32-le", 4),
        }[encoding]
        assert units == len(line[:column].encode(codec)) // size


def test_flags_from_full_and_bare_capabilities() -> None:
    full = ClientFlags.from_capabilities(capabilities(), types.PositionEncodingKind.Utf8)
    assert full.apply_edit and full.document_changes and full.create_files
    assert full.work_done_progress and full.show_document and full.configuration
    assert full.code_action_literals and full.hover_markdown
    assert full.position_encoding == "utf-8"
    bare = ClientFlags.from_capabilities(types.ClientCapabilities())
    assert bare == ClientFlags()
    assert bare.position_encoding == "utf-16"
    no_create = ClientFlags.from_capabilities(capabilities(create_files=False, apply_edit=False))
    assert not no_create.create_files and not no_create.apply_edit and no_create.document_changes
