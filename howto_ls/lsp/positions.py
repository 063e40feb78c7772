"""Position encodings: LSP columns in UTF-8/16/32 code units <-> engine code-point columns."""

from __future__ import annotations

import re
from collections.abc import Sequence

from lsprotocol import types

from howto_ls.model import Position, Span

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_UNIT_BYTES = {"utf-8": 1, "utf-16": 2, "utf-32": 4}


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` as LSP counts them: only LF, CRLF and CR end a line."""
    return _LINE_BREAK.split(text)


def _codec(encoding: object) -> str:
    """The Python codec for an LSP position encoding name (``utf-16`` when unknown)."""
    name = str(getattr(encoding, "value", encoding)).lower()
    return name if name in _UNIT_BYTES else "utf-16"


def units_of(text: str, encoding: str) -> int:
    """How many code units ``text`` takes in ``encoding``."""
    codec = _codec(encoding)
    if codec == "utf-32":
        return len(text)
    size = len(text.encode(f"{codec}-le" if codec != "utf-8" else codec, "surrogatepass"))
    return size // _UNIT_BYTES[codec]


def column_from_units(line: str, units: int, encoding: str) -> int:
    """The code-point column of ``units`` code units into ``line``, clamped to the line.

    A column that falls inside a character (half of a surrogate pair) moves to its end.
    """
    if units <= 0:
        return 0
    codec = _codec(encoding)
    if codec == "utf-32":
        return min(units, len(line))
    counted = 0
    for index, char in enumerate(line):
        if counted >= units:
            return index
        counted += units_of(char, codec)
    return len(line)


def units_from_column(line: str, column: int, encoding: str) -> int:
    """The code units in ``encoding`` of the first ``column`` code points of ``line``."""
    return units_of(line[: max(column, 0)], encoding)


class PositionConverter:
    """Converts positions for one text between the client's encoding and code points."""

    def __init__(self, text_or_lines: str | Sequence[str], encoding: str) -> None:
        self.lines = (
            split_lines(text_or_lines) if isinstance(text_or_lines, str) else list(text_or_lines)
        )
        self.encoding = _codec(encoding)

    def _line(self, number: int) -> str:
        return self.lines[number] if 0 <= number < len(self.lines) else ""

    def to_engine(self, position: types.Position) -> Position:
        """The engine position (code points) of a client position; past the end clamps to it."""
        if position.line >= len(self.lines):
            last = max(len(self.lines) - 1, 0)
            return Position(last, len(self._line(last)))
        line = self._line(position.line)
        return Position(position.line, column_from_units(line, position.character, self.encoding))

    def to_client(self, position: Position) -> types.Position:
        """The client position of an engine position."""
        line = self._line(position.line)
        return types.Position(
            line=position.line,
            character=units_from_column(line, position.column, self.encoding),
        )

    def range_to_client(self, span: Span) -> types.Range:
        """The client range of an engine span."""
        return types.Range(start=self.to_client(span.start), end=self.to_client(span.end))

    def span_to_engine(self, range_: types.Range) -> Span:
        """The engine span of a client range."""
        return Span(self.to_engine(range_.start), self.to_engine(range_.end))
