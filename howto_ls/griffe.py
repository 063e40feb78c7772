"""A griffe extension that renders howto-ls guides in mkdocstrings pages.

mkdocstrings-python loads it by name from ``mkdocs.yml``::

    plugins:
      - mkdocstrings:
          handlers:
            python:
              options:
                extensions:
                  - howto_ls.griffe

As griffe creates each object (module, class, function, attribute), the extension takes each
guide block out of its docstring, so that the Google, NumPy or Sphinx docstring parser never
reads it, and adds the guide after the parsed sections as Markdown: the title and section names
in bold, the Description as a paragraph, the Execution Steps as a numbered list and the Usage
Example in a fenced ``python`` block, without the fingerprint marker. The docstring's own text
is left as it is; text written after a guide comes before it on the page.

Only this module needs griffe (which mkdocstrings-python brings); ``howto_ls`` does not.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import griffe

from howto_ls.doctools import split_guides
from howto_ls.guide import HEADING, SECTIONS, Guide, inert_markdown

_DESCRIPTION, _STEPS, _EXAMPLE = SECTIONS


class HowtoGuides(griffe.Extension):
    """Keeps the guide blocks of every docstring griffe reads away from its docstring parser."""

    def on_instance(
        self,
        *,
        node: Any,
        obj: griffe.Object,
        agent: griffe.Visitor | griffe.Inspector,
        **kwargs: Any,
    ) -> None:
        """Give ``obj`` a :class:`GuidedDocstring` when its docstring holds a guide.

        griffe calls this once per object (module, class, function, attribute; static or
        inspected), before any docstring is parsed; ``node`` and ``agent`` are not used.
        """
        docstring = obj.docstring
        if docstring is None or isinstance(docstring, GuidedDocstring):
            return
        own, guides = split_guides(docstring.value)
        if guides:
            obj.docstring = GuidedDocstring(
                own,
                [to_markdown(guide) for guide in guides],
                lineno=docstring.lineno,
                endlineno=docstring.endlineno,
                parent=docstring.parent,
                parser=docstring.parser,
                parser_options=docstring.parser_options,
            )


class GuidedDocstring(griffe.Docstring):
    """A docstring whose guides are kept apart from its own text, as Markdown.

    ``value`` is the own text followed by the guides (what a reader of the plain value sees);
    parsing reads only the own text, with the docstring's parser, and adds each guide as a text
    section after it: a guide after a NumPy-style section would otherwise be read as part of it.
    """

    def __init__(self, own: str, guides: Sequence[str], **options: Any) -> None:
        """``own``: the docstring without its guide blocks; ``guides``: each guide's Markdown;
        ``options``: :class:`griffe.Docstring`'s keyword arguments."""
        super().__init__(own, **options)
        self.own = self.value
        self.guides = tuple(guides)
        self.value = "\n\n".join(part for part in (self.own, *self.guides) if part)

    def parse(
        self, parser: griffe.DocstringStyle | griffe.Parser | None = None, **options: Any
    ) -> list[griffe.DocstringSection]:
        """The own text's sections (as :meth:`griffe.Docstring.parse` gives them), then one text
        section per guide."""
        own = griffe.Docstring(
            self.own,
            lineno=self.lineno,
            endlineno=self.endlineno,
            parent=self.parent,
            parser=self.parser,
            parser_options=self.parser_options,
        )
        sections = own.parse(parser, **options) if self.own else []
        return [*sections, *(griffe.DocstringSectionText(guide) for guide in self.guides)]


def to_markdown(guide: Guide) -> str:
    """The guide as Markdown for a docstring page: bold title and section names.

    Bold lines, not headings, so the page's table of contents does not list every guide's
    sections. The prose goes through :func:`howto_ls.guide.inert_markdown` (no raw HTML, no
    links); each step is one line of a numbered list; the example is in a fence longer than any
    fence inside it. Empty sections are left out. No trailing newline.
    """
    lines = [f"**{HEADING}**", ""]
    description = guide.description.strip("\n")
    if description.strip():
        lines += [f"**{_DESCRIPTION}**", "", inert_markdown(description), ""]
    if guide.steps:
        steps = [
            f"{number}. {inert_markdown(' '.join(step.split()))}"
            for number, step in enumerate(guide.steps, 1)
        ]
        lines += [f"**{_STEPS}**", "", *steps, ""]
    example = guide.example.strip("\n")
    if example.strip():
        runs = [len(run) for run in re.findall(r"(?m)^[ \t]*(`{3,})", example)]
        fence = "`" * max([3, *(run + 1 for run in runs)])
        lines += [f"**{_EXAMPLE}**", "", f"{fence}python", example, fence, ""]
    return "\n".join(lines).rstrip("\n")
