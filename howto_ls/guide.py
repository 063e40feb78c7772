"""The Guide: three sections, rendered in the seed format, parsed from model text, validated."""

from __future__ import annotations

import ast
import builtins
import functools
import io
import keyword
import re
import sys
import textwrap
import tokenize
from collections.abc import Collection, Container, Sequence
from dataclasses import dataclass
from itertools import pairwise

from howto_ls import astutil
from howto_ls.summary import is_written_summary, measure

HEADING = "How to Use This Code Block"
HEADING_RULE = "=" * 89
SECTION_RULE = "-" * 25
SECTIONS = ("Description", "Execution Steps", "Usage Example")


@dataclass(frozen=True)
class Guide:
    """A how-to guide: a description paragraph, ordered steps, and a Python usage example.

    ``steps`` hold the text of each step without its number; ``example`` is Python code without
    the fence.
    """

    description: str
    steps: tuple[str, ...]
    example: str


# Where a guide sits inside a docstring, the line after it records the code's fingerprint as a
# reST comment, invisible to Sphinx and help(): ".. howto-ls: fingerprint=0123456789ab".
DOCSTRING_MARKER = ".. howto-ls: fingerprint={fingerprint}"
# In a sidecar Markdown file each symbol's guide sits between two HTML comments.
SIDECAR_BEGIN = "<!-- howto-ls: begin {qualname} fingerprint={fingerprint} -->"
SIDECAR_END = "<!-- howto-ls: end {qualname} -->"


@dataclass(frozen=True)
class ParsedGuide:
    """A guide read back from text, with the structural problems found while reading it."""

    guide: Guide
    problems: tuple[str, ...]


_DESCRIPTION, _STEPS, _EXAMPLE = SECTIONS
_TITLE = "title"
# Heading text (lower case, markup removed) → the section it opens. Aliases only ever stand alone.
_CANONICAL = {HEADING.lower(): _TITLE, **{name.lower(): name for name in SECTIONS}}
_ALIASES = {
    "how to use this code": _TITLE,
    "steps": _STEPS,
    "example usage": _EXAMPLE,
    "usage": _EXAMPLE,
    "example": _EXAMPLE,
}
_PYTHON_INFO = ("", "python", "py", "python3", "py3")
_WRAPPER_INFO = ("", "markdown", "md", "text", "txt")

_FENCE = re.compile(r"^[ \t]*(?P<fence>`{3,}|~{3,})(?P<tail>[^`~][^`]*)?$")
_RULE = re.compile(r"^[ \t]*(?:[=\-]{2,}|\*{3,}|_{3,})[ \t]*$")
# "## Description", "**Description**", "1. **Description**: text", "Description:" …
_HEADING = re.compile(
    r"^[ \t]*(?P<hashes>#{1,6}[ \t]*)?(?P<marker>(?:[-*+]|\d+[.)])[ \t]+)?"
    r"(?P<open>\*\*|__)?(?P<name>[A-Za-z]+(?:[ \t]+[A-Za-z]+)*)[ \t]*(?P<colon>:)?"
    r"[ \t]*(?P<close>\*\*|__)?[ \t]*(?P<colon2>:)?(?P<rest>.*)$"
)
_NUMBERED = re.compile(
    r"^(?P<indent>[ \t]*)(?P<b1>\*\*|__)?(?:step[ \t]+)?\d{1,3}[.):](?P<b2>\*\*|__)?"
    r"(?:[ \t]+(?P<text>.*))?$",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^(?P<indent>[ \t]*)[-*+•](?:[ \t]+(?P<text>.*))?$")


def render_markdown(guide: Guide, level: int = 3) -> str:
    """The guide as a part of a Markdown document: its sections as ATX headings of ``level``.

    This is the sidecar form: the document holds the title and a heading per symbol, so the
    guide brings no title of its own and no setext headings. The prose goes through
    :func:`inert_markdown` (a model wrote it: no raw HTML, no links); the example sits in a
    fence longer than any fence line inside it. Ends with a newline.
    """
    hashes = "#" * level
    steps = "\n".join(
        f"{number}. {inert_markdown(' '.join(step.split()))}"
        for number, step in enumerate(guide.steps, 1)
    )
    fence = _fence_for(guide.example)
    example = guide.example.strip("\n")
    return (
        f"{hashes} {_DESCRIPTION}\n\n{inert_markdown(guide.description.strip())}\n\n"
        f"{hashes} {_STEPS}\n\n{steps}\n\n"
        f"{hashes} {_EXAMPLE}\n\n"
        f"{fence}python\n{example}\n{fence}\n"
    )


def inert_markdown(text: str) -> str:
    """``text`` (Markdown prose) with nothing that a Markdown renderer would turn into live
    HTML or a link, and rendering as the same characters otherwise.

    Outside code spans (CommonMark §6.1: a backtick run closed by one of the same length,
    whose content is always literal), ``<`` that could open a tag, comment or autolink
    (CommonMark §6.5, §6.6) becomes ``&lt;``, and ``[``/``]`` that could open or close a link
    (``[x](javascript:…)``, ``[x]: url``) are backslash-escaped. Code spans stay as they are.
    """
    parts: list[str] = []
    index = 0
    while index < len(text):
        match = _TICKS.search(text, index)
        if match is None:
            parts.append(_inert_plain(text[index:]))
            break
        parts.append(_inert_plain(text[index : match.start()]))
        run = match.group()
        closing = re.compile(rf"(?<!`){run}(?!`)").search(text, match.end())
        if closing is None:  # not a code span: the backticks are literal
            parts.append(run)
            index = match.end()
            continue
        parts.append(text[match.start() : closing.end()])
        index = closing.end()
    return "".join(parts)


_TICKS = re.compile(r"`+")
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_LINK_BRACKET = re.compile(r"(?<!\\)([\[\]])")


def _inert_plain(text: str) -> str:
    text = _TAG_START.sub("&lt;", text)
    if "](" in text.replace(" ", "") or "]:" in text or "][" in text:
        text = _LINK_BRACKET.sub(r"\\\1", text)
    return text


MIN_WIDTH = 40
"""The narrowest a wrapped guide gets, however deep the docstring is indented."""


def render(guide: Guide, width: int | None = None) -> str:
    """The guide as seed-format Markdown (setext headings), ending with a newline.

    With ``width`` (characters per line, indentation excluded; at least :data:`MIN_WIDTH`;
    a backslash and each quote of a triple quote count twice, as a docstring escapes them),
    the Description and each step are wrapped to it, steps with a hanging indent under their
    text; headings and rules stay exact.
    The example's code is kept as written, except that a line longer than ``width`` is split
    inside its last brackets, Black's way (a long string literal in them into adjacent
    literals), when that gives the same syntax tree. Without
    ``width`` each step is one line. The same guide and width always give the same text.
    """
    limit = None if width is None else max(width, MIN_WIDTH)
    steps = "\n".join(
        _wrap(" ".join(step.split()), limit, f"{number}. ")
        if limit is not None
        else f"{number}. {' '.join(step.splitlines())}"
        for number, step in enumerate(guide.steps, 1)
    )
    description = guide.description if limit is None else _wrap_prose(guide.description, limit)
    fence = _fence_for(guide.example)
    example = guide.example.strip("\n")
    if limit is not None:
        example = _fit_code(example, limit)
    return (
        f"{HEADING}\n{HEADING_RULE}\n\n"
        f"{_DESCRIPTION}\n{SECTION_RULE}\n{description}\n\n"
        f"{_STEPS}\n{SECTION_RULE}\n{steps}\n\n"
        f"{_EXAMPLE}\n{SECTION_RULE}\n\n"
        f"{fence}python\n{example}\n{fence}\n"
    )


_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def _wrap_prose(text: str, width: int) -> str:
    """Plain paragraphs of ``text`` re-flowed to ``width``; lists, fences and tables kept."""
    if _FENCE_ANYWHERE.search(text):
        return text
    paragraphs = _PARAGRAPH_BREAK.split(text.strip("\n"))
    return "\n\n".join(
        paragraph if _structured(paragraph) else _wrap(" ".join(paragraph.split()), width, "")
        for paragraph in paragraphs
    )


_FENCE_ANYWHERE = re.compile(r"(?m)^[ \t]*(?:`{3,}|~{3,})")


def _structured(paragraph: str) -> bool:
    """Whether a paragraph holds Markdown blocks (lists, headings, tables) that wrapping breaks."""
    return any(
        _starts_block(line) or line.startswith(("    ", "\t")) for line in paragraph.split("\n")
    )


def _starts_block(text: str, *, loose: bool = True) -> bool:
    """Whether a line starting with ``text`` would open a Markdown block (or a guide section).

    Wrapping never makes such a line: it would end the paragraph or the step. ``loose`` False
    leaves out what only a lenient reader takes for structure, not Markdown: a plain section
    heading (``Description: …``), which a guide with marked headings reads as text, and a
    ``•`` bullet.
    """
    stripped = text.lstrip()
    if not loose and stripped.startswith("•"):
        return False
    return bool(
        _OPENS_BLOCK.match(stripped)
        or _LIST_OR_RULE.match(stripped)
        or _NUMBERED.match(stripped)
        or (loose and _heading(stripped) is not None)
    )


# An ATX heading ("# x"), a block quote, an HTML block that may interrupt a paragraph.
_OPENS_BLOCK = re.compile(r"#{1,6}(?:[ \t]|$)|>|<[!?/]|<[A-Za-z]")
# A bullet ("- x", "* x", "+ x"), a rule or setext underline ("---", "==", "***"), a fence.
_LIST_OR_RULE = re.compile(r"[-*+•](?:[ \t]|$)|([-=*_])\1+[ \t]*(?:$|[ \t]\1)|`{3,}|~{3,}")


def _wrap(text: str, width: int | None, first: str) -> str:
    """One paragraph: ``first`` then ``text`` in lines of at most ``width`` characters.

    Later lines are indented by ``len(first)`` (a hanging indent). Words are never split, and no
    line after the first opens a Markdown block or reads as a section heading on its own
    (``- x``, ``# x``, ``1.``, a line that is just ``Example`` or ``Steps:`` …): the break moves
    earlier, or later when it cannot. So a line is longer than ``width`` only for one long word
    or where no break is safe.
    """
    words = text.split()
    if width is None or not words:
        return (first + " ".join(words)).rstrip()
    hang = " " * len(first)
    lines: list[str] = []
    start = 0
    while start < len(words):
        used = len(first if not lines else hang) + _measure(words[start])
        end = start + 1
        while end < len(words) and used + 1 + _measure(words[end]) <= width:
            used += 1 + _measure(words[end])
            end += 1
        cut = _break(words, start, end, continued=bool(lines))
        lines.append(" ".join(words[start:cut]))
        start = cut
    return "\n".join([first + lines[0], *(hang + line for line in lines[1:])])


def _break(words: list[str], start: int, end: int, *, continued: bool) -> int:
    """Where the line starting at ``words[start]`` ends; ``words[start:end]`` is what fits.

    Preferred: the longest fitting line that is no plain section heading on its own
    (``Example``, ``Steps:``) and after which nothing opens that looks like structure (see
    :func:`_starts_block`); then the longest fitting line after which no Markdown block opens
    (plain headings and ``•`` parse back as text in a guide, see :func:`_split_sections`, they
    only read worse); else the shortest longer line after which none opens.
    """

    def opens_block(cut: int, loose: bool = False) -> bool:
        return cut < len(words) and _starts_block(" ".join(words[cut:]), loose=loose)

    def heading(cut: int) -> bool:
        return continued and _heading(" ".join(words[start:cut])) is not None

    fitting = range(end, start, -1)
    return next(
        (cut for cut in fitting if not opens_block(cut, True) and not heading(cut)),
        next(
            (cut for cut in fitting if not opens_block(cut)),
            next((cut for cut in range(end + 1, len(words)) if not opens_block(cut)), len(words)),
        ),
    )


def _measure(text: str) -> int:
    """The columns ``text`` takes in a docstring, where each backslash is written twice and
    each quote of a run of three as ``\\"`` (see :func:`howto_ls.summary.measure`)."""
    return measure(text)


_OPENING = {"(": ")", "[": "]", "{": "}"}


def _fit_code(code: str, width: int) -> str:
    """``code`` with each line longer than ``width`` split inside its last brackets.

    A line is split only when the result has the same syntax tree; otherwise, and for code that
    does not parse, it stays as written.
    """
    if all(_measure(line) <= width for line in code.split("\n")):
        return code
    try:
        tree = ast.dump(astutil.parse(code))
    except (SyntaxError, ValueError):
        return code
    lines = _hoisted_comments(code.split("\n"), width)
    result: list[str] = []
    for number, line in enumerate(lines):
        if _measure(line) <= width:
            result.append(line)
            continue
        for candidate in _splits(line, width):
            trial = "\n".join([*result, candidate, *lines[number + 1 :]])
            try:
                same = ast.dump(astutil.parse(trial)) == tree
            except (SyntaxError, ValueError):
                same = False
            if same:
                result.append(candidate)
                break
        else:
            result.append(line)
    return "\n".join(result)


def _hoisted_comments(lines: list[str], width: int) -> list[str]:
    """``lines`` with the trailing comment of each line longer than ``width`` moved onto the
    lines above it (``# [1, 2, 3]`` over ``print(...)``), wrapped to ``width``: comments are not
    code, so the syntax tree stays the same and the code part may then be split."""
    comments: dict[int, tuple[int, str]] = {}  # 1-based line -> (column, comment text)
    try:
        for token in tokenize.generate_tokens(io.StringIO("\n".join(lines) + "\n").readline):
            if token.type == tokenize.COMMENT:
                comments[token.start[0]] = (token.start[1], token.string)
    except (tokenize.TokenError, SyntaxError):
        return lines
    result: list[str] = []
    for number, line in enumerate(lines, start=1):
        found = comments.get(number)
        code = line[: found[0]].rstrip() if found is not None else ""
        if found is None or _measure(line) <= width or not code.strip():
            result.append(line)
            continue
        indent = code[: len(code) - len(code.lstrip())]
        text = found[1].lstrip("#").strip()
        room = max(width - len(indent) - 2, MIN_WIDTH // 2)
        result += [f"{indent}# {part}" for part in textwrap.wrap(text, room) or [""]]
        result.append(code)
    return result


_FROM_IMPORT = re.compile(r"^(?P<head>[ \t]*from[ \t]+\S+[ \t]+import)[ \t]+(?P<names>[^(#]+)$")


def _splits(line: str, width: int, levels: int = 3) -> list[str]:
    """Ways to write ``line`` over several lines within ``width``, fewest lines first; a part
    still too long is split inside its own brackets in turn (``levels`` deep at most)."""
    imported = _FROM_IMPORT.match(line.rstrip())
    if imported is not None:  # from a.b import c, d  ->  from a.b import (\n    c,\n    d,\n)
        line = f"{imported['head']} ({imported['names'].strip()})"
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(line).readline))
    except (tokenize.TokenError, SyntaxError):
        return []
    depth = 0
    pair: tuple[int, int] | None = None  # columns of the last top-level bracket pair
    opened = 0
    commas: list[int] = []
    found: list[int] = []
    for token in tokens:
        if token.type != tokenize.OP:
            continue
        if token.string in _OPENING:
            if depth == 0:
                opened, commas = token.start[1], []
            depth += 1
        elif token.string in _OPENING.values():
            depth -= 1
            if depth == 0:
                pair = (opened, token.start[1])
                found = list(commas)
        elif token.string == "," and depth == 1:
            commas.append(token.start[1])
    if pair is None or depth != 0:
        return []
    start, end = pair
    indent = line[: len(line) - len(line.lstrip())]
    inner = indent + "    "
    head, body, tail = line[: start + 1].rstrip(), line[start + 1 : end].strip(), line[end:]
    if not body or tail.lstrip().startswith("#"):
        return []
    one = f"{head}\n{inner}{body}\n{indent}{tail}"
    cuts = [start, *found, end]
    parts = [line[a + 1 : b].strip() for a, b in pairwise(cuts)]
    parts = [part for part in parts if part]
    each = "\n".join([head, *(f"{inner}{part}," for part in parts), f"{indent}{tail}"])
    fitting = [
        text
        for text in (one, each)
        if all(_measure(piece) <= width for piece in text.split("\n")[:-1])
        and _measure(f"{indent}{tail}") <= width
    ]
    if not fitting and _measure(f"{indent}{tail}") <= width:
        split = _split_string(f"{inner}{body}", width)
        if split is not None:
            fitting.append(f"{head}\n{split}\n{indent}{tail}")
    if not fitting and levels > 0 and _measure(f"{indent}{tail}") <= width:
        for nested in _splits(f"{inner}{body}", width, levels - 1):
            fitting.append(f"{head}\n{nested}\n{indent}{tail}")
            break
    return fitting


_STRING = re.compile(r"(?P<prefix>[rRuU]?)(?P<quote>['\"])(?P<text>[^\n]*)(?P=quote)", re.DOTALL)


def _split_string(line: str, width: int) -> str | None:
    """``line``, which sits inside brackets, with its one long string literal split at spaces
    into adjacent literals on lines of at most ``width`` (Python joins them: PEP 3126's
    implicit concatenation, the same syntax tree); None when that cannot be done."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(line).readline))
    except (tokenize.TokenError, SyntaxError):
        return None
    strings = [token for token in tokens if token.type == tokenize.STRING]
    if len(strings) != 1 or strings[0].start[0] != 1 or strings[0].end[0] != 1:
        return None
    token = strings[0]
    literal = _STRING.fullmatch(token.string)
    if literal is None or literal["quote"] * 3 in token.string:
        return None
    prefix, quote = literal["prefix"], literal["quote"]
    head, tail = line[: token.start[1]], line[token.end[1] :]
    indent = line[: len(line) - len(line.lstrip())]
    words = re.split(r"(?<=[^\\] )", literal["text"])  # each piece keeps its trailing space
    lines: list[str] = []
    lead, current = head, ""
    for word in words:
        if current and _measure(f"{lead}{prefix}{quote}{current}{word}{quote}") > width:
            lines.append(f"{lead}{prefix}{quote}{current}{quote}")
            lead, current = indent, word
        else:
            current += word
    lines.append(f"{lead}{prefix}{quote}{current}{quote}{tail}")
    if len(lines) < 2 or any(_measure(piece) > width for piece in lines):
        return None
    return "\n".join(lines)


def _fence_for(code: str) -> str:
    """A backtick fence longer than any backtick fence line inside ``code``."""
    runs = [len(m.group(1)) for m in re.finditer(r"(?m)^[ \t]*(`{3,})", code)]
    return "`" * max([3, *(run + 1 for run in runs)])


def _heading(line: str) -> tuple[str, str] | None:
    """The section a heading line opens and any text after it on the same line, else None."""
    match = _HEADING.match(line)
    if match is None or bool(match["open"]) != bool(match["close"]):
        return None
    name = " ".join(match["name"].lower().split())
    rest = match["rest"].strip()
    if match["hashes"] and rest.endswith("#"):
        unclosed = rest.rstrip("#")
        rest = unclosed.rstrip() if not unclosed or unclosed[-1] in " \t" else rest
    decorated = bool(match["hashes"] or match["open"])
    if match["marker"] and not match["open"]:
        return None  # "1. Example" is a step, "1. **Example**" a heading
    if name in _CANONICAL:
        section = _CANONICAL[name]
    elif name in _ALIASES and not rest:
        section = _ALIASES[name]
    else:
        return None
    if rest and not (match["colon"] or match["colon2"] or (decorated and match["open"])):
        return None  # an ordinary sentence that starts with a section word
    return section, rest


def _is_title(line: str) -> bool:
    """Whether ``line`` is the guide's title heading."""
    heading = _heading(line)
    return heading is not None and heading[0] == _TITLE


def _fence(line: str) -> tuple[str, str] | None:
    """The fence marker and lower-case info string if ``line`` is a code fence line, else None."""
    match = _FENCE.match(line)
    if match is None:
        return None
    words = (match["tail"] or "").split()
    return match["fence"], words[0].lower() if words else ""


def _closes(line: str, opener: str) -> bool:
    """Whether ``line`` closes a code fence opened with ``opener``."""
    stripped = line.strip()
    return stripped.startswith(opener) and not stripped.strip(opener[0])


def _unwrap(lines: list[str]) -> list[str]:
    """Drop a ```markdown (or bare) fence that wraps the whole answer, and its closing fence."""
    first_heading = next((i for i, line in enumerate(lines) if _heading(line)), None)
    if first_heading is None:
        return lines
    opener_at: int | None = None  # the fence still open when the first heading comes
    fence: tuple[str, str] | None = None
    for index in range(first_heading):
        if fence is not None:
            if _closes(lines[index], fence[0]):
                opener_at, fence = None, None
        elif (fence := _fence(lines[index])) is not None:
            opener_at = index
    if opener_at is None or fence is None or fence[1] not in _WRAPPER_INFO:
        return lines
    later = [
        index
        for index in range(first_heading, len(lines))
        if (other := _fence(lines[index])) is not None and other[0][0] == fence[0][0]
    ]
    drop = {opener_at, later[-1]} if len(later) % 2 == 1 else {opener_at}
    return [line for index, line in enumerate(lines) if index not in drop]


def _split_sections(lines: list[str]) -> dict[str, list[str]]:
    """Lines grouped under the heading they follow; lines inside code fences are never headings.

    A plain heading (a bare ``Example`` or ``Steps:`` line, no ``#``, bold or underline) counts
    only for a section that has no marked heading anywhere: in a guide with marked headings,
    such a line is text that wrapped onto a line of its own.
    """
    headings: dict[int, tuple[str, str]] = {}
    marked: set[str] = set()
    opener: str | None = None
    for index, line in enumerate(lines):
        if opener is not None:
            if _closes(line, opener):
                opener = None
        elif (fence := _fence(line)) is not None:
            opener = fence[0]
        elif (heading := _heading(line)) is not None:
            headings[index] = heading
            underlined = index + 1 < len(lines) and bool(_RULE.match(lines[index + 1]))
            if underlined or _MARKED.match(line):
                marked.add(heading[0])
            elif heading[0] in marked:
                del headings[index]  # a marked heading came first: this is text
    for index, (section, _rest) in list(headings.items()):
        underlined = index + 1 < len(lines) and bool(_RULE.match(lines[index + 1]))
        if section in marked and not (underlined or _MARKED.match(lines[index])):
            del headings[index]
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    after_heading = False
    for index, line in enumerate(lines):
        if after_heading and _RULE.match(line):
            after_heading = False
            continue
        after_heading = False
        if (heading := headings.get(index)) is not None:
            section, rest = heading
            current = sections.setdefault(section, [])
            if rest:
                current.append(rest)
            after_heading = True
            continue
        if current is not None:
            current.append(line)
    return sections


# A heading marked as one: "# …", "**…**", "- **…**", "1. **…**".
_MARKED = re.compile(r"^[ \t]*(?:#|(?:(?:[-*+]|\d+[.)])[ \t]+)?(?:\*\*|__))")


def _prose(lines: list[str]) -> list[str]:
    """The lines outside code fences, without horizontal rules."""
    kept: list[str] = []
    opener: str | None = None
    for line in lines:
        if opener is not None:
            if _closes(line, opener):
                opener = None
        elif (fence := _fence(line)) is not None:
            opener = fence[0]
        elif not _RULE.match(line):
            kept.append(line)
    return kept


def _paragraph(lines: list[str]) -> str:
    """Prose lines as one dedented block without surrounding blank lines."""
    return textwrap.dedent("\n".join(line.rstrip() for line in _prose(lines))).strip("\n")


def _parse_steps(lines: list[str]) -> tuple[tuple[str, ...], bool]:
    """The steps in a section and whether the source numbered them."""
    prose = [line for line in _prose(lines) if line.strip()]
    numbered = [m for line in prose if (m := _NUMBERED.match(line))]
    bullets = [m for line in prose if (m := _BULLET.match(line))]
    pattern = _NUMBERED if numbered else _BULLET if bullets else None
    if pattern is None:
        return tuple(line.strip() for line in prose), False
    base = len(((numbered or bullets)[0]["indent"]).expandtabs(4))
    steps: list[list[str]] = []
    for line in prose:
        match = pattern.match(line)
        if match is not None and len(match["indent"].expandtabs(4)) <= base + 1:
            text = (match["text"] or "").strip()
            if pattern is _NUMBERED and match["b1"] and not match["b2"]:
                text = match["b1"] + text  # "**1. Initialize**: …" keeps its bold title
            steps.append([text] if text else [])
        elif steps:
            steps[-1].append(line.strip())
    return tuple(" ".join(parts) for parts in steps if parts), pattern is _NUMBERED


def _code_blocks(lines: list[str]) -> list[tuple[str, list[str]]]:
    """Every fenced code block in ``lines``: its info string and its lines (to the end if open)."""
    blocks: list[tuple[str, list[str]]] = []
    opener: str | None = None
    for line in lines:
        if opener is not None:
            if _closes(line, opener):
                opener = None
            else:
                blocks[-1][1].append(line)
        elif (fence := _fence(line)) is not None:
            opener = fence[0]
            blocks.append((fence[1], []))
    return blocks


def _parse_example(section: list[str] | None, everything: list[str]) -> str | None:
    """The example code: the Usage Example's first Python fence, else its text; None if absent."""
    if section is None:
        blocks = [b for b in _code_blocks(everything) if b[0] in _PYTHON_INFO[1:]]
        return _code(blocks[-1][1]) if blocks else None
    blocks = _code_blocks(section)
    if not blocks:
        return _paragraph(section)
    python = [block for block in blocks if block[0] in _PYTHON_INFO]
    return _code((python or blocks)[0][1])


def _code(lines: list[str]) -> str:
    """Code lines dedented, without surrounding blank lines."""
    return textwrap.dedent("\n".join(lines)).strip("\n")


def parse_guide(text: str) -> ParsedGuide:
    """Read a guide from a model's answer, tolerating the usual variations; never raises."""
    lines = _unwrap(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    title = next((i for i, line in enumerate(lines) if _is_title(line)), 0)
    sections = _split_sections(lines[title:])  # whatever precedes the title is chatter
    problems: list[str] = []
    description_lines = sections.get(_DESCRIPTION)
    if description_lines is None and _paragraph(sections.get(_TITLE, [])):
        description_lines = sections[_TITLE]  # text right under the title is the description
    if description_lines is None:
        problems.append(f"{_DESCRIPTION} section is missing")
    description = _paragraph(description_lines or [])
    steps: tuple[str, ...] = ()
    if _STEPS in sections:
        steps, numbered = _parse_steps(sections[_STEPS])
        if steps and not numbered:
            problems.append(f"{_STEPS} are not numbered (write them as 1., 2., 3.)")
    else:
        problems.append(f"{_STEPS} section is missing")
    example = _parse_example(sections.get(_EXAMPLE), lines)
    if example is None:
        problems.append(f"{_EXAMPLE} section is missing")
    guide = Guide(description=description, steps=steps, example=example or "")
    return ParsedGuide(guide=guide, problems=tuple(problems))


VAGUE_TERMS = ("getting", "doing", "stuff", "things", "various")
"""Words that say nothing about what code does; guides name the action instead."""

_VAGUE = re.compile(r"\b(" + "|".join(VAGUE_TERMS) + r")\b", re.IGNORECASE)
_BACKTICKED = re.compile(r"`([^`\n]+)`")
_DOTTED = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*$")
_CALL_ARGUMENTS = re.compile(r"\([^()]*\)")
_HOST_SUFFIXES = frozenset({"com", "org", "net", "io", "ai", "dev", "app", "co", "gov", "edu"})
_ALWAYS_KNOWN = frozenset(dir(builtins)) | frozenset(keyword.kwlist) | {"self", "cls"}
_NAME_REAL = "name only calls, attributes and parameters the code has"
_STDLIB = frozenset(getattr(sys, "stdlib_module_names", ()))


def validate(
    guide: Guide,
    *,
    name: str,
    modules: Collection[str],
    kind: str | None = None,
    known_identifiers: Container[str] | None = None,
) -> list[str]:
    """Problems with a guide's content, each one sentence; an empty list means it is usable.

    ``name`` is the symbol's qualified name (or the module's dotted name when ``kind`` is
    ``"module"``); the example must import it from one of ``modules``. With ``known_identifiers``,
    backticked names in the prose that the code does not contain are reported as invented.
    """
    problems = [
        f"{section} section is empty"
        for section, text in zip(
            SECTIONS, (guide.description, "".join(guide.steps), guide.example), strict=True
        )
        if not text.strip()
    ]
    prose = [(_DESCRIPTION, guide.description)] + [
        (f"Step {number}", step) for number, step in enumerate(guide.steps, 1)
    ]
    for where, text in prose:
        problems.extend(_vague_terms(where, text))
    if known_identifiers is not None:
        for where, text in prose:
            problems.extend(_invented(where, text, known_identifiers))
    if guide.example.strip():
        try:
            tree = astutil.parse(guide.example)
        except SyntaxError as error:
            problems.append(
                f"{_EXAMPLE} does not parse as Python: line {error.lineno}: {error.msg}"
            )
        else:
            problem = _import_problem(tree, name, tuple(modules), kind == "module")
            if problem:
                problems.append(problem)
    return problems


def problems_text(problems: Sequence[str]) -> str:
    """Problems as a short numbered list, one per line."""
    return "\n".join(f"{number}. {problem}" for number, problem in enumerate(problems, 1))


_QUOTATION = re.compile(r"\"[^\"\n]*\"|\u201c[^\u201d\n]*\u201d")


def _vague_terms(where: str, text: str) -> list[str]:
    """One problem per vague term the guide's own prose uses in ``text``: code spans and
    quotations (a docstring the guide quotes) are a person's words, never asked to change."""
    prose = _QUOTATION.sub("", _BACKTICKED.sub("", text))
    found = dict.fromkeys(m.group(1).lower() for m in _VAGUE.finditer(prose))
    return [
        f'{where} uses the vague term "{term}"; name the specific action '
        '(for example "checks", "validates", "sends")'
        for term in found
    ]


def _invented(where: str, text: str, known: Container[str]) -> list[str]:
    """One problem per backticked identifier in ``text`` that names something not in the code."""
    problems = []
    for span in dict.fromkeys(m.group(1).strip() for m in _BACKTICKED.finditer(text)):
        names = _identifier_names(span)
        unknown = [name for name in names if name not in known and name not in _ALWAYS_KNOWN]
        if names and names[0] in _STDLIB:
            unknown = []  # asyncio.run, json.loads: the standard library is not invented
        if unknown == [span]:
            problems.append(f"{where} names `{span}`, which is not in the code; {_NAME_REAL}")
        elif unknown:
            listed = ", ".join(f"`{name}`" for name in dict.fromkeys(unknown))
            verb = "is" if len(set(unknown)) == 1 else "are"
            problems.append(
                f"{where} names `{span}`, but {listed} {verb} not in the code; {_NAME_REAL}"
            )
    return problems


def _identifier_names(span: str) -> list[str]:
    """The names in a backticked identifier like ``obj.method()``; [] for literals and paths."""
    path = span
    for _ in range(5):  # nested calls: f(g(x)).h()
        path = _CALL_ARGUMENTS.sub("", path)
    if not _DOTTED.match(path):
        return []  # strings, numbers, paths, URLs, expressions
    names = path.split(".")
    if path == span and len(names) > 1 and names[-1].lower() in _HOST_SUFFIXES:
        return []  # a host name such as gprochat.com
    return names


def _import_problem(tree: ast.Module, name: str, modules: tuple[str, ...], module: bool) -> str:
    """Why the example does not import ``name`` from one of ``modules``; "" when it does."""
    nodes = list(ast.walk(tree))
    if module:
        for node in nodes:
            if isinstance(node, ast.Import) and any(a.name == name for a in node.names):
                return ""
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                if node.module == name:
                    return ""
                if any(f"{node.module}.{a.name}" == name for a in node.names):
                    return ""
        return f"{_EXAMPLE} does not import the module `{name}`; add `import {name}`"
    top = name.split(".", maxsplit=1)[0]
    attributes = {_dotted(node) for node in nodes if isinstance(node, ast.Attribute)}
    for node in nodes:
        if (
            isinstance(node, ast.ImportFrom)
            and node.level == 0
            and node.module in modules
            and any(alias.name == top for alias in node.names)
        ):
            return ""
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in modules and f"{alias.asname or alias.name}.{top}" in attributes:
                    return ""
    if "." in name and _reached_through_api(nodes, name.rsplit(".", 1)[-1], modules):
        return ""
    where = " or ".join(f"`{module}`" for module in modules) or "its module"
    fix = f"; add `from {modules[0]} import {top}`" if modules else ""
    return f"{_EXAMPLE} does not import `{top}` from {where}{fix}"


def _reached_through_api(nodes: list[ast.AST], member: str, modules: tuple[str, ...]) -> bool:
    """Whether the example reaches the method or attribute ``member`` on an object it got from
    the package (``pm.hook.configure.call_historic(...)`` with ``pm`` built from an import of
    ``pluggy``): it imports from the top-level package of ``modules`` and reads ``.member``."""
    packages = {module.split(".", 1)[0] for module in modules}
    imports = any(
        (
            isinstance(node, ast.ImportFrom)
            and node.level == 0
            and (node.module or "").split(".", 1)[0] in packages
        )
        or (
            isinstance(node, ast.Import)
            and any(alias.name.split(".", 1)[0] in packages for alias in node.names)
        )
        for node in nodes
    )
    return imports and any(isinstance(n, ast.Attribute) and n.attr == member for n in nodes)


def _dotted(node: ast.expr) -> str:
    """``a.b.c`` for a chain of attribute accesses on a name; "" for anything else."""
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else ""
    return node.id if isinstance(node, ast.Name) else ""


MARKER_LINE = re.compile(
    r"[ \t]*" + re.escape(DOCSTRING_MARKER).replace(r"\{fingerprint\}", r"(?P<fp>[0-9A-Za-z]*)")
)


def find_block(text: str) -> tuple[int, int] | None:
    """The span of a previous guide in ``text``: heading to marker line (or to the end)."""
    lines = text.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    heading = None
    for number, line in enumerate(lines[:-1]):
        rule = lines[number + 1].strip()
        if line.strip() == HEADING and rule and set(rule) == {"="}:
            heading = number
            break
    if heading is None:
        return None
    start = starts[heading] + len(lines[heading]) - len(lines[heading].lstrip())
    end = len(text.rstrip())
    for number in range(len(lines) - 1, heading, -1):
        if MARKER_LINE.fullmatch(lines[number].rstrip()):
            end = starts[number] + len(lines[number].rstrip())
            break
    return start, max(end, start)


@functools.lru_cache(maxsize=1024)
def blank_guide_blocks(source: str) -> str:
    """``source`` (a Python file's text) with each guide block howto-ls wrote into one of its
    docstrings blanked: every line from a heading (:data:`HEADING` over a ``=`` rule) to the
    fingerprint marker line that closes it (:data:`DOCSTRING_MARKER`) made empty, so line
    numbers stay and the file parses as before. A heading no marker follows before the next
    heading is left alone: howto-ls did not write it. Readers that learn from the project's
    code how it uses a name (:mod:`howto_ls.offline.callers`,
    :mod:`howto_ls.offline.call_literals`) read this text, so the examples of guides already
    written never count as the project's own calls.
    Text without the heading comes back as it is, at the cost of one substring search."""
    if HEADING not in source:
        return source
    lines = source.split("\n")
    number = 0
    while number < len(lines) - 1:
        rule = lines[number + 1].strip()
        if lines[number].strip() != HEADING or not rule or set(rule) != {"="}:
            number += 1
            continue
        end = number + 2
        while end < len(lines) and lines[end].strip() != HEADING:
            if MARKER_LINE.fullmatch(lines[end].rstrip()):
                _blank_written_summary(lines, number, end)
                lines[number : end + 1] = [""] * (end + 1 - number)
                break
            end += 1
        number = end  # the marker's line (now empty) or the next heading
    return "\n".join(lines)


_DOCSTRING_OPENING = re.compile(r"^(\s*[rRuU]?(?:\"\"\"|'''))(.+)$")


def _blank_written_summary(lines: list[str], heading: int, marker: int) -> None:
    """Blank the summary line howto-ls opened a docstring with (:mod:`howto_ls.summary`) above
    the guide block ``lines[heading:marker + 1]``: the text of the docstring's opening line
    when it is the docstring's only text before the block and a written summary of the
    block's description. The quotes stay, so the file parses as before."""
    above = heading - 1
    while above >= 0 and not lines[above].strip():
        above -= 1
    opening = _DOCSTRING_OPENING.match(lines[above]) if above >= 0 else None
    if opening is None:
        return
    block = textwrap.dedent("\n".join(lines[heading:marker]))
    description = parse_guide(block).guide.description
    if description and is_written_summary(opening.group(2), description):
        lines[above] = opening.group(1)


def without_guide(docstring: str) -> str:
    """A docstring's own text: any guide block howto-ls wrote into it removed, with the summary
    line howto-ls opened it with when it created the docstring (:mod:`howto_ls.summary`)."""
    found = find_block(docstring)
    if found is None:
        return docstring
    start, end = found
    own = (docstring[:start] + docstring[end:]).strip()
    if own and "\n" not in own and not docstring[end:].strip():
        description = parse_guide(docstring[start:end]).guide.description
        if is_written_summary(own, description):
            return ""
    return own
