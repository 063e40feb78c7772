"""A griffe extension that renders howto-ls guides in mkdocstrings pages.

mkdocstrings-python loads it by name from ``mkdocs.yml``::

    plugins:
      - mkdocstrings:
          handlers:
            python:
              options:
                extensions:
                  - howto_ls.griffe

As griffe creates each object (module, class, function, attribute), the extension replaces
each guide block of its docstring with Markdown: the title and section names in bold, the
Description as a paragraph, the Execution Steps as a numbered list and the Usage Example in a
fenced ``python`` block, without the fingerprint marker. No line of it reads as a Google,
NumPy or Sphinx docstring section, so mkdocstrings' parsers pass it through as text. Text
outside the block is left as it is.

Only this module needs griffe (which mkdocstrings-python brings); ``howto_ls`` does not.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

from howto_ls.doctools import rewrite_guides
from howto_ls.guide import HEADING, SECTIONS, Guide, inert_markdown

_DESCRIPTION, _STEPS, _EXAMPLE = SECTIONS


class HowtoGuides(griffe.Extension):
    """Rewrites the guide blocks of every docstring griffe reads into Markdown sections."""

    def on_instance(
        self,
        *,
        node: Any,
        obj: griffe.Object,
        agent: griffe.Visitor | griffe.Inspector,
        **kwargs: Any,
    ) -> None:
        """Rewrite ``obj``'s docstring in place when it holds a guide (griffe calls this once
        per object, static or inspected, before any docstring is parsed); ``node`` and
        ``agent`` are not used."""
        docstring = obj.docstring
        if docstring is None:
            return
        rewritten = rewrite_guides(docstring.value, to_markdown)
        if rewritten is not docstring.value:
            docstring.value = rewritten


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
