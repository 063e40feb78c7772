"""Sidecar Markdown files: where they live inside the project, and one marked block per symbol."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath

from howto_ls.definitions import plain_qualname
from howto_ls.errors import NotWritableError, SourceError, UsageError
from howto_ls.guide import SIDECAR_BEGIN, SIDECAR_END
from howto_ls.sourcefile import newline_of

DEFAULT_TEMPLATE = "docs/howto/{relpath}.md"
MODULE_NAME = "(module)"  # stands for the module (qualname ""); "(" is always escaped in names

_NEWLINE = re.compile(r"\r\n|\r|\n")
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_NAME_SAFE = re.compile(r"[A-Za-z0-9_.]")
_BEGIN = re.compile(
    re.escape(SIDECAR_BEGIN)
    .replace(r"\{qualname\}", r"(?P<name>\S+)")
    .replace(r"\{fingerprint\}", r"(?P<fp>[0-9A-Za-z]*)")
    + r"[ \t]*"
)
_END = re.compile(re.escape(SIDECAR_END).replace(r"\{qualname\}", r"(?P<name>\S+)") + r"[ \t]*")
_MARKER_LIKE = re.compile(r"^([ \t]*)<!--(?=[ \t]*howto-ls:)", re.MULTILINE)


@dataclass(frozen=True)
class SidecarBlock:
    """One symbol's guide in a sidecar: its Markdown, fingerprint and 0-based marker lines."""

    markdown: str
    fingerprint: str | None
    start_line: int
    end_line: int


SIDECAR_SUFFIXES = frozenset({".md", ".markdown"})
"""A sidecar is Markdown: a template naming any other file (``pyproject.toml``, a module) is
refused, so a guide is never appended to a file of another format."""
VCS_FOLDERS = frozenset({".git", ".hg", ".svn", ".bzr", "_darcs", ".jj"})


def sidecar_path(root: Path, source_path: Path, template: str = DEFAULT_TEMPLATE) -> Path:
    """The sidecar file for ``source_path``: a Markdown file (``.md``/``.markdown``) that
    resolves inside ``root`` and outside version-control data.

    Raises :class:`NotWritableError` for a source outside ``root`` or a template that is
    absolute, climbs out with ``..``, resolves outside ``root``, or names a file that is not
    Markdown or lies inside ``.git`` (or another VCS folder); :class:`UsageError` for an
    unknown placeholder.
    """
    base = root.resolve()
    source = (source_path if source_path.is_absolute() else root / source_path).resolve()
    if not source.is_relative_to(base):
        raise NotWritableError(
            f"{source_path} is outside the project root {root}; "
            "open its own project or write the guide to its docstring"
        )
    if PurePosixPath(template).is_absolute() or PureWindowsPath(template).is_absolute():
        raise NotWritableError(
            f"sidecar path template {template!r} is absolute; use a path relative to the "
            "project root such as 'docs/howto/{relpath}.md'"
        )
    relative = source.relative_to(base)
    stem = relative.with_suffix("") if relative.suffix in (".py", ".pyi") else relative
    relpath = stem.as_posix()
    module = relpath.replace("/", ".").removesuffix(".__init__")
    values = {"relpath": relpath, "module": module, "stem": source.stem}
    expanded = _PLACEHOLDER.sub(lambda m: _fill(m.group(), values, template), template)
    parts = PurePosixPath(expanded.replace("\\", "/")).parts
    if ".." in parts or not parts:
        raise NotWritableError(
            f"sidecar path template {template!r} gives {expanded!r}, which leaves the project "
            "root; remove '..' from the template"
        )
    result = (base / expanded).resolve()
    if not result.is_relative_to(base) or result == base:
        raise NotWritableError(
            f"sidecar path {expanded!r} resolves to {result}, outside the project root {base}; "
            "fix the template or the symlink"
        )
    if result == source or result.suffix.lower() not in SIDECAR_SUFFIXES:
        raise NotWritableError(
            f"sidecar path template {template!r} gives {expanded!r}, which is not a Markdown "
            "file; give it a .md name such as 'docs/howto/{relpath}.md'"
        )
    inside = result.relative_to(base).parts
    if any(part in VCS_FOLDERS for part in inside):
        raise NotWritableError(
            f"sidecar path template {template!r} gives {expanded!r}, inside version-control "
            "data; use a folder of the project such as 'docs/howto/{relpath}.md'"
        )
    return result


def _fill(placeholder: str, values: dict[str, str], template: str) -> str:
    name = placeholder[1:-1]
    if name not in values:
        raise UsageError(
            f"sidecar path template {template!r} has an unknown placeholder {placeholder}; "
            "use {relpath}, {module} or {stem}"
        )
    return values[name]


def escape_name(qualname: str) -> str:
    """``qualname`` as it appears in markers: never closes a comment nor forges a marker."""
    if qualname == "":
        return MODULE_NAME
    return "".join(
        char if _NAME_SAFE.fullmatch(char) else "".join(f"%{b:02X}" for b in char.encode())
        for char in qualname
    )


def unescape_name(name: str) -> str:
    """The qualname a marker's name stands for."""
    if name == MODULE_NAME:
        return ""
    data = re.sub(r"%([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), name)
    return data.encode("latin-1", "replace").decode("utf-8", "replace")


def render_block(
    qualname: str,
    guide_markdown: str,
    fingerprint: str,
    title: str,
    *,
    module: str = "",
    which: str = "",
) -> str:
    """One symbol's block with ``\\n`` newlines and no final newline.

    ``qualname`` is the symbol's key (``howto_ls.definitions``: ``getchar#1`` for an earlier
    definition of a name defined more than once); the markers carry it. The block is a section
    of the sidecar document: its begin marker, a level-2 heading naming the symbol for readers
    (``Module `pkg.mod``` for the module, else ``title``; ``which``, from
    :func:`howto_ls.definitions.describe_key`, says which definition, as in
    ``## `getchar` (definition 1 of 2, under `if WIN:`)``), the guide, its end marker, with
    blank lines around the markers so every Markdown parser keeps them apart from the text.
    """
    name = escape_name(qualname)
    safe_fp = re.sub(r"[^0-9A-Za-z]", "", fingerprint)
    guide = _NEWLINE.sub("\n", guide_markdown).strip("\n")
    guide = _MARKER_LIKE.sub(r"\1&lt;!--", guide)
    plain = plain_qualname(qualname)
    shown = f"`{plain}`" if re.fullmatch(r"[\w.]+", plain) else f"`{name}`"
    module_heading = f"## Module `{module}`" if module else f"## {title}"
    heading = f"## {shown}" + (f" ({which})" if which else "") if qualname else module_heading
    return "\n".join(
        [
            SIDECAR_BEGIN.format(qualname=name, fingerprint=safe_fp),
            "",
            heading,
            "",
            guide,
            "",
            SIDECAR_END.format(qualname=name),
        ]
    )


def upsert_block(
    markdown: str | None,
    qualname: str,
    guide_markdown: str,
    fingerprint: str,
    title: str,
    *,
    module: str = "",
    which: str = "",
) -> str:
    """``markdown`` with ``qualname``'s block replaced in place or appended; all else kept.

    A new file starts with ``# title``, its one level-1 heading. Blocks are found by their
    markers, so files written in any earlier layout are updated the same way.
    """
    newline = newline_of(markdown) if markdown else "\n"
    block = render_block(qualname, guide_markdown, fingerprint, title, module=module, which=which)
    block = block.replace("\n", newline)
    if not markdown:
        return f"# {title}{newline}{newline}{block}{newline}"
    found = _find(markdown, escape_name(qualname))
    if found is not None:
        start, end = found
        return markdown[:start] + block + markdown[end:]
    text = markdown
    if not text.endswith(("\n", "\r")):
        text += newline
    if not _ends_with_blank_line(text):
        text += newline
    return f"{text}{block}{newline}"


def read_block(markdown: str, qualname: str) -> SidecarBlock | None:
    """The block of ``qualname`` in a sidecar, if there is a complete one."""
    return read_blocks(markdown).get(qualname)


def read_blocks(markdown: str) -> dict[str, SidecarBlock]:
    """Every complete block of a sidecar by qualname (the first one wins)."""
    lines = _NEWLINE.split(markdown)
    blocks: dict[str, SidecarBlock] = {}
    number = 0
    while number < len(lines):
        begin = _BEGIN.fullmatch(lines[number])
        if begin is None:
            number += 1
            continue
        name = begin.group("name")
        end_line = _end_line(lines, number + 1, name)
        if end_line is None:
            number += 1
            continue
        qualname = unescape_name(name)
        if qualname not in blocks:
            content = lines[number + 1 : end_line]
            while content and not content[0].strip():
                content = content[1:]
            if content and content[0].startswith("## "):
                content = content[1:]  # the symbol's heading, in every layout so far
            blocks[qualname] = SidecarBlock(
                "\n".join(content).strip("\n"), begin.group("fp") or None, number, end_line
            )
        number = end_line + 1
    return blocks


def _end_line(lines: list[str], start: int, name: str) -> int | None:
    """The line of the end marker for ``name`` before any other begin marker."""
    for number in range(start, len(lines)):
        end = _END.fullmatch(lines[number])
        if end is not None and end.group("name") == name:
            return number
        if _BEGIN.fullmatch(lines[number]):
            return None
    return None


def _find(markdown: str, name: str) -> tuple[int, int] | None:
    """Offsets of ``name``'s block from its begin marker to the end of its end marker."""
    starts = [0, *(m.end() for m in _NEWLINE.finditer(markdown))]
    lines = _NEWLINE.split(markdown)
    for number, line in enumerate(lines):
        begin = _BEGIN.fullmatch(line)
        if begin is None or begin.group("name") != name:
            continue
        end_line = _end_line(lines, number + 1, name)
        if end_line is None:
            raise SourceError(
                f"the sidecar has a begin marker for {unescape_name(name) or 'the module'} "
                f"without its end marker (line {number + 1}); add the end marker or remove the "
                "block"
            )
        return starts[number], starts[end_line] + len(lines[end_line])
    return None


def _ends_with_blank_line(text: str) -> bool:
    lines = _NEWLINE.split(text)
    return (len(lines) >= 3 and lines[-2].strip() == "") or text.strip() == ""
