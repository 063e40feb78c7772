"""Text for a terminal: control characters in what howto-ls prints are made visible.

File names, example output and a model's text are untrusted: an ``ESC`` (or a C1 control such
as ``CSI``, U+009B) in them would reach the terminal as an ECMA-48 control sequence that can set
the window title, write the clipboard (OSC 52) or hide text. Every command line output but the
language server's own stream goes through :func:`printable`, which writes each C0 control but
tab, line feed and carriage return, DEL, and each C1 control as a visible ``\\xNN`` escape.
What must stay on one line (a file name, a qualified name, one finding) goes through
:func:`visible` as well, which escapes line breaks and tabs too, so that a file named
``"a\\n::error::x.py"`` cannot start a line of its own (a GitHub workflow command, say).
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Iterator
from typing import Any, TextIO, cast

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAKING = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    """``text`` with every control character but ``\\t``, ``\\n`` and ``\\r`` written as
    ``\\xNN`` (its code point in two hexadecimal digits)."""
    return _CONTROL.sub(lambda found: f"\\x{ord(found.group()):02x}", text)


def visible(text: str) -> str:
    """``text`` on one line: every control character (C0 including ``\\t``, ``\\n`` and
    ``\\r``, DEL, C1) and the Unicode line and paragraph separators (U+2028, U+2029) written
    as a visible escape: ``\\n``, ``\\r``, ``\\t``, ``\\xNN`` or ``\\uNNNN``."""

    def escape(found: re.Match[str]) -> str:
        char = found.group()
        if char in _NAMED:
            return _NAMED[char]
        code = ord(char)
        return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"

    return _LINE_BREAKING.sub(escape, text)


class PrintableStream:
    """A text stream that writes to ``stream`` what :func:`printable` makes of each string;
    everything else (``flush``, ``isatty``, ``encoding`` …) is the wrapped stream's."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        """Write ``text`` made printable; returns the number of characters given."""
        self._stream.write(printable(text))
        return len(text)

    def writelines(self, lines: Iterator[str]) -> None:
        """Write each of ``lines`` made printable."""
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextlib.contextmanager
def printable_output() -> Iterator[None]:
    """Within the block, ``sys.stdout`` and ``sys.stderr`` write through
    :class:`PrintableStream`; the original streams are back afterwards."""
    out, err = sys.stdout, sys.stderr
    sys.stdout = cast(TextIO, PrintableStream(out))
    sys.stderr = cast(TextIO, PrintableStream(err))
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err
