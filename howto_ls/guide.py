"""The Guide: three sections, rendered in the seed format, parsed back from model text, validated."""

from __future__ import annotations

from dataclasses import dataclass

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
