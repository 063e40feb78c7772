"""A Sphinx extension that renders howto-ls guides in autodoc pages.

Add it after autodoc (and napoleon or numpydoc, if used) in ``conf.py``::

    extensions = ["sphinx.ext.autodoc", "sphinx.ext.napoleon", "howto_ls.sphinx"]

On ``autodoc-process-docstring`` it takes each guide block out of a docstring before napoleon
and numpydoc read it (they would take the guide's underlined headings for sections, or the guide
for part of a NumPy-style section before it), and after them appends the guide as
reStructuredText: the title and section names as rubrics, the Description as a paragraph, the
Execution Steps as an enumerated list and the Usage Example as a ``code-block:: python``,
without the fingerprint marker. The guide's Markdown code spans become inline literals and
everything else in its prose is escaped, so it reads as the same characters. The docstring's
own text is left as it is; text written after a guide comes before it on the page.

Only this module needs Sphinx (and Pygments, which Sphinx brings); ``howto_ls`` does not.
"""

from __future__ import annotations

import re
import warnings
from typing import TYPE_CHECKING, Any

from howto_ls import __version__
from howto_ls.doctools import split_guides
from howto_ls.guide import HEADING, SECTIONS, Guide

if TYPE_CHECKING:
    from sphinx.application import Sphinx

PRIORITY = 300
"""When :func:`take_guides` runs among ``autodoc-process-docstring`` listeners (lower runs
first): before napoleon and numpydoc, which use Sphinx's default, 500."""

PRIORITY_BACK = 700
"""When :func:`put_guides_back` runs: after napoleon and numpydoc."""

_DESCRIPTION, _STEPS, _EXAMPLE = SECTIONS
_SECTION_NAMES = "|".join(SECTIONS)
# numpydoc's messages (numpydoc/docscrape.py) about the seed format's underlined headings.
_NUMPYDOC_NOISE = (
    rf"Unknown section (?:{HEADING}|{_SECTION_NAMES}) in the docstring",
    rf"potentially wrong underline length\.\.\. \n(?:{HEADING} \n={{3,}}|"
    rf"(?:{_SECTION_NAMES}) \n-{{3,}}) in ",
)
_INDENT = "   "


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the extension with Sphinx (called by Sphinx for each entry of ``extensions``).

    Connects :func:`take_guides` and :func:`put_guides_back` to ``autodoc-process-docstring``
    at :data:`PRIORITY` and :data:`PRIORITY_BACK`, and silences the Python warnings numpydoc
    gives about a guide's headings when it reads a raw docstring for a signature
    (``autodoc-process-signature``), which this extension cannot reach; the page itself gets
    the converted guide. Returns the extension metadata Sphinx reads: the version, and that
    reading and writing may run in parallel.
    """
    app.connect("autodoc-process-docstring", take_guides, priority=PRIORITY)
    app.connect("autodoc-process-docstring", put_guides_back, priority=PRIORITY_BACK)
    for message in _NUMPYDOC_NOISE:
        warnings.filterwarnings("ignore", message, UserWarning, r"numpydoc\.")
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}


# Guides taken out of a docstring's lines, by the id of autodoc's list of lines, until the
# listeners after napoleon and numpydoc put them back (one event: one list object throughout).
_TAKEN: dict[int, list[str]] = {}


def take_guides(
    app: Sphinx, what: str, name: str, obj: object, options: object, lines: list[str]
) -> None:
    """Take the guide blocks out of autodoc's docstring ``lines``, in place, keeping their reST.

    The arguments are those of Sphinx's ``autodoc-process-docstring`` event; only ``lines``
    (the docstring, one string per line) is read and changed. Runs before the docstring parsers,
    which would read a guide after a NumPy-style section as part of that section;
    :func:`put_guides_back` adds the guides after what they made of the rest.
    """
    own, guides = split_guides("\n".join(lines))
    if not guides:
        _TAKEN.pop(id(lines), None)  # a list from an event that failed half-way is not ours
        return
    lines[:] = [*own.split("\n"), ""] if own else []
    _TAKEN[id(lines)] = [line for guide in guides for line in [*to_rest(guide).split("\n"), ""]]


def put_guides_back(
    app: Sphinx, what: str, name: str, obj: object, options: object, lines: list[str]
) -> None:
    """Append the guides :func:`take_guides` took from these ``lines`` as reST, in place.

    Same arguments as :func:`take_guides`; the docstring's own text (as napoleon or numpydoc
    rewrote it) comes first, then a blank line and the guides. Lines without a guide stay as
    they are.
    """
    rest = _TAKEN.pop(id(lines), None)
    if rest is None:
        return
    while lines and not lines[-1].strip():
        lines.pop()
    lines.extend(["", *rest] if lines else rest)


def to_rest(guide: Guide) -> str:
    """The guide as reStructuredText: its title and section names as rubrics.

    Rubrics, not section titles (docutils refuses those inside a docstring) and not a
    directive with content (autosummary takes a docstring's first line for its summary, and
    that line must stand alone). Steps are an auto-enumerated list; the example is a
    ``code-block`` in Python, or plain text when Pygments cannot lex it as Python (Sphinx
    warns about such a block). Empty sections are left out. No trailing newline.
    """
    lines = [f".. rubric:: {HEADING}", ""]
    if guide.description.strip():
        lines += [f".. rubric:: {_DESCRIPTION}", "", *_rest_prose(guide.description), ""]
    if guide.steps:
        steps = [f"#. {rest_inline(' '.join(step.split()))}" for step in guide.steps]
        lines += [f".. rubric:: {_STEPS}", "", *steps, ""]
    example = guide.example.strip("\n")
    if example.strip():
        language = "python" if _lexes_as_python(example) else "text"
        code = [f"{_INDENT}{line}" if line.strip() else "" for line in example.split("\n")]
        lines += [f".. rubric:: {_EXAMPLE}", "", f".. code-block:: {language}", "", *code, ""]
    return "\n".join(lines).rstrip("\n")


_LIST_ITEM = re.compile(r"^[ \t]*(?P<marker>[-*+]|\d{1,3}[.)])[ \t]+(?P<text>.*)$")


def _rest_prose(text: str) -> list[str]:
    """Markdown prose (paragraphs, simple lists) as reST lines: a line per paragraph or item."""
    lines: list[str] = []
    for paragraph in re.split(r"\n[ \t]*\n", text.strip("\n")):
        blocks: list[tuple[str, list[str]]] = []  # (list marker or "", lines)
        for line in paragraph.split("\n"):
            item = _LIST_ITEM.match(line)
            if item is not None:
                bullet = "#." if item["marker"][0].isdigit() else "-"
                blocks.append((bullet, [item["text"]]))
            elif blocks:
                blocks[-1][1].append(line)
            else:
                blocks.append(("", [line]))
        previous = None
        for bullet, parts in blocks:
            if lines and (not bullet or bullet != previous):
                lines.append("")  # a paragraph, and a list of another kind, stand apart
            words = rest_inline(" ".join(" ".join(parts).split()))
            lines.append(f"{bullet} {words}" if bullet else words)
            previous = bullet
    return lines


_CODE_SPAN = re.compile(r"(?<!`)(?P<ticks>`+)(?!`)(?P<code>.+?)(?<!`)(?P=ticks)(?!`)", re.DOTALL)
_STRONG = re.compile(r"\*\*(?=\S)(?P<text>[^*]+?)(?<=\S)\*\*")
_SPECIAL = re.compile(r"([\\`*_|])")
# docutils' inline markup recognition rules 5 and 6: what may stand before a start-string and
# after an end-string (besides whitespace and the ends of the text).
_BEFORE_MARKUP = frozenset("-:/'\"<([{")
_AFTER_MARKUP = frozenset("-.,:;!?\\/'\")]}>")
# A paragraph starting like this would open a list, comment, field, doctest block ...
_ENUMERATOR = re.compile(r"^(?:\(?[0-9A-Za-z]{1,4}[.)]|#\.)(?:\s|$)")


def rest_inline(text: str) -> str:
    """One line of Markdown prose as reST that renders as the same text.

    Code spans (`` `x` ``) become inline literals (````x````), ``**bold**`` stays strong, and
    every other character reST would read as markup (``\\ * ` _ |``) is escaped; escaped
    spaces (``\\ ``) separate markup from adjacent letters, as docutils' recognition rules
    require. A line that would open a block (a list, a comment, ``>>>``) gets its first
    character escaped, and a closing ``::`` (which announces a literal block) is kept as text.
    """
    pieces: list[tuple[bool, str]] = []  # (is markup, reST)
    cursor = 0
    for span in _CODE_SPAN.finditer(text):
        pieces += _strong_pieces(text[cursor : span.start()])
        code = span["code"].strip()
        if code and "``" not in code and not code.startswith("`") and not code.endswith("`"):
            pieces.append((True, f"``{code}``"))
        else:
            pieces.append((False, _escape(span.group())))
        cursor = span.end()
    pieces += _strong_pieces(text[cursor:])
    out = ""
    for index, (markup, piece) in enumerate(pieces):
        if not piece:
            continue
        if markup and out and not out[-1].isspace() and out[-1] not in _BEFORE_MARKUP:
            out += "\\ "
        out += piece
        following = next((p for p in pieces[index + 1 :] if p[1]), None)
        if markup and following is not None:
            first = following[1][0]
            if not first.isspace() and first not in _AFTER_MARKUP:
                out += "\\ "
    plain_start = out and not out.startswith(("\\", "``", "**"))
    if plain_start and (not out[0].isalnum() or _ENUMERATOR.match(out)):
        out = "\\" + out
    if out.endswith("::"):
        out = out[:-1] + "\\:"
    return out


def _strong_pieces(text: str) -> list[tuple[bool, str]]:
    """``text`` (no code spans) as escaped plain pieces and ``**strong**`` markup pieces."""
    pieces: list[tuple[bool, str]] = []
    cursor = 0
    for strong in _STRONG.finditer(text):
        pieces += [(False, _escape(text[cursor : strong.start()]))]
        pieces += [(True, f"**{_escape(strong['text'])}**")]
        cursor = strong.end()
    pieces.append((False, _escape(text[cursor:])))
    return pieces


def _escape(text: str) -> str:
    """``text`` with the characters reST reads as inline markup backslash-escaped."""
    return _SPECIAL.sub(r"\\\1", text)


def _lexes_as_python(code: str) -> bool:
    """Whether Pygments lexes ``code`` as Python (a console session if it starts with ``>>>``)
    without an error token, as Sphinx's highlighter requires for a warning-free build."""
    from pygments.lexers import PythonConsoleLexer, PythonLexer
    from pygments.token import Error

    lexer = PythonConsoleLexer() if code.startswith(">>>") else PythonLexer()
    return not any(kind in Error for kind, _ in lexer.get_tokens(code))
