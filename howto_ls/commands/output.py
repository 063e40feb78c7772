"""What the batch commands print besides text: one JSON document, or GitHub Actions annotations.

``--format text`` (the default) prints what each command always printed. ``--format json`` prints
one JSON document on stdout and nothing else there; each symbol is a record (:class:`Record`):
``path`` (as on the command line's side), ``line`` (1-based), ``qualname``, ``status``,
``detail`` and, where the command timed it, ``elapsed`` (seconds). ``--format github`` prints one
workflow command per problem (``::error file=...,line=...,title=...::message``), the syntax of
GitHub's "Workflow commands for GitHub Actions", escaped as its toolkit does
(``@actions/core``'s ``escapeData`` and ``escapeProperty``). Summaries stay on stderr in every
format.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from howto_ls import module_kinds
from howto_ls.terminal import visible

__all__ = [
    "FORMATS",
    "LEVELS",
    "Record",
    "annotation",
    "display_path",
    "escape_data",
    "escape_property",
    "left_out_note",
    "relative_path",
]

FORMATS = ("text", "json", "github")
LEVELS = ("error", "warning", "notice")
"""The annotation levels GitHub shows: errors and warnings on the run's summary, notices too."""


def relative_path(path: Path) -> str:
    """``path`` relative to the current folder when it lies below it, else as is; the name as
    it is, for JSON and for the ``file=`` of an annotation (escaped there)."""
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix()


def display_path(path: Path) -> str:
    """:func:`relative_path` for a line of text: control characters, line breaks among them,
    written as visible escapes (:func:`howto_ls.terminal.visible`), so that a file name cannot
    start a line of its own."""
    return visible(relative_path(path))


@dataclass(frozen=True)
class Record:
    """One symbol as a batch command saw it: where it is (``line`` 1-based, the file's first line
    for a whole file), its qualified name ("" for a whole file), a ``status`` word of the
    command's, a ``detail`` sentence ("" when the status says it all) and the ``elapsed``
    seconds spent on it (None where the command does not time symbols)."""

    path: Path
    line: int
    qualname: str
    status: str
    detail: str = ""
    elapsed: float | None = None

    def as_json(self) -> dict[str, object]:
        """``{"path", "line", "qualname", "status", "detail"}``, plus ``"elapsed"`` (seconds,
        rounded to milliseconds) when timed."""
        record: dict[str, object] = {
            "path": relative_path(self.path),
            "line": self.line,
            "qualname": self.qualname,
            "status": self.status,
            "detail": self.detail,
        }
        if self.elapsed is not None:
            record["elapsed"] = round(self.elapsed, 3)
        return record


def escape_data(text: str) -> str:
    """A workflow command's message with ``%``, carriage returns and line feeds percent-encoded
    (``@actions/core`` ``escapeData``), so that it stays one line and reads back as written."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value (``file=``, ``title=``): :func:`escape_data` and also
    ``:`` and ``,``, which end a value (``@actions/core`` ``escapeProperty``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(
    level: str,
    message: str,
    *,
    path: Path | None = None,
    line: int | None = None,
    title: str | None = None,
) -> str:
    """One GitHub Actions workflow command: ``::LEVEL file=PATH,line=N,title=T::MESSAGE``
    (``level`` one of :data:`LEVELS`; ``line`` 1-based; the properties given only)."""
    if level not in LEVELS:
        raise ValueError(f"annotation level must be one of {', '.join(LEVELS)}, not {level!r}")
    properties = []
    if path is not None:
        properties.append(f"file={escape_property(relative_path(path))}")
    if line is not None:
        properties.append(f"line={line}")
    if title:
        properties.append(f"title={escape_property(title)}")
    head = f"::{level} {','.join(properties)}" if properties else f"::{level}"
    return f"{head}::{escape_data(message)}"


def left_out_note(left_out: Sequence[tuple[Path, str]], what: str) -> str | None:
    """One line on the modules whose symbols were left out as not public (``left_out``: path
    and :mod:`howto_ls.module_kinds` kind), e.g. "3 private modules and 1 test module: WHAT
    (--include-private, --include-tests take them in)"; None when there were none."""
    flags = {module_kinds.PRIVATE: "--include-private", module_kinds.TEST: "--include-tests"}
    counts = {kind: sum(1 for _, found in left_out if found == kind) for kind in flags}
    parts = [f"{n} {kind}{'' if n == 1 else 's'}" for kind, n in counts.items() if n]
    if not parts:
        return None
    wanted = [flags[kind] for kind, n in counts.items() if n]
    takes = "takes" if len(wanted) == 1 else "take"
    return f"{' and '.join(parts)}: {what} ({', '.join(wanted)} {takes} them in)"
