"""Why a file does not parse, in words a user can act on: a mistake, or syntax newer than ours.

howto-ls reads code with the ``ast`` module of the Python it runs on, so a file written for a
newer Python (``type`` aliases on 3.11) does not parse here although it is fine for the project.
The syntax that came with each Python version is recognised on the line the parser stopped at
(from the "What's New" pages: 3.11 ``except*``, 3.12 PEP 695 and PEP 701, 3.13 PEP 696,
3.14 PEP 758 and PEP 750); the message then says to run howto-ls on the project's Python.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

from howto_ls import astutil

__all__ = ["ParseProblem", "parse_problem", "running_python"]

_FEATURES: tuple[tuple[tuple[int, int], str, re.Pattern[str]], ...] = (
    ((3, 11), "`except*` (PEP 654)", re.compile(r"^\s*except\s*\*")),
    (
        (3, 13),
        "type parameter defaults (PEP 696)",
        re.compile(r"^\s*(?:(?:async\s+)?def|class|type)\s+\w+\s*\[[^\]]*\w\s*=[^=]"),
    ),
    ((3, 12), "`type` aliases (PEP 695)", re.compile(r"^\s*type\s+[A-Za-z_]\w*\s*[\[=]")),
    (
        (3, 12),
        "generic functions and classes (PEP 695)",
        re.compile(r"^\s*(?:(?:async\s+)?def|class)\s+\w+\s*\["),
    ),
    ((3, 12), "nested quotes or backslashes in f-strings (PEP 701)", re.compile(r"\bf['\"]")),
    (
        (3, 14),
        "`except` with several types and no parentheses (PEP 758)",
        re.compile(r"^\s*except\s+[\w.]+\s*,\s*[\w.]+"),
    ),
    ((3, 14), "template strings (PEP 750)", re.compile(r"(?<![\w'\"])[tT][rR]?['\"]")),
)


@dataclass(frozen=True)
class ParseProblem:
    """Why a source does not parse: the 1-based line, the parser's message, newer syntax seen."""

    line: int
    message: str
    needs: str | None = None  # e.g. "`type` aliases (PEP 695) need Python 3.12"

    @property
    def nested(self) -> bool:
        """Whether the source is too deeply nested to read, rather than wrong."""
        return self.message.startswith(astutil.TOO_DEEP)

    def sentence(self, name: str) -> str:
        """One line naming the file: ``cannot read NAME: too deeply nested ...`` or ``NAME:
        the file does not parse (...)``."""
        if self.nested:
            return f"cannot read {name}: {self.describe()}"
        return f"{name}: the file {self.describe(version=False)}"

    def describe(self, *, version: bool = True) -> str:
        """``does not parse under Python 3.11 (line 3: invalid syntax)`` plus what to do.

        Without ``version``: ``does not parse (line 3: invalid syntax)``. A tree too deep to
        read (:class:`howto_ls.astutil.TooDeeplyNestedError`) is ``too deeply nested (...) at
        line 3`` and what to do.
        """
        if self.nested:
            return (
                f"{self.message} at line {self.line}; split it into smaller expressions or"
                " functions"
            )
        under = f" under Python {running_python()}" if version else ""
        text = f"does not parse{under} (line {self.line}: {self.message})"
        if self.needs:
            return (
                f"{text}; {self.needs} or newer: run howto-ls on the project's Python"
                " ('<project python> -m pip install <a howto-ls clone or wheel>')"
            )
        return f"{text}; fix the syntax error first"


def running_python() -> str:
    """The running Python's version as ``3.11``."""
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def parse_problem(source: str) -> ParseProblem | None:
    """Why ``source`` does not parse on this Python, or None when it parses (shared tree)."""
    try:
        astutil.parse_shared(source)
    except SyntaxError as error:
        line = error.lineno or 1
        return ParseProblem(line, error.msg, newer_syntax(source, line))
    except ValueError as error:  # null bytes
        return ParseProblem(1, f"{error}; remove the null bytes")
    return None


def newer_syntax(source: str, line: int) -> str | None:
    """The newer-Python syntax on 1-based ``line`` of ``source`` (or the lines just before)."""
    lines = source.splitlines()
    nearby = lines[max(line - 3, 0) : line]
    for version, feature, pattern in _FEATURES:
        if sys.version_info[:2] >= version:
            continue
        if any(pattern.search(text) for text in reversed(nearby)):
            return f"{feature} need Python {version[0]}.{version[1]}"
    return None
