"""Finding and taking out the guide blocks of a docstring for the documentation tools."""

from __future__ import annotations

from howto_ls.doctools import guide_blocks, split_guides
from howto_ls.edits import docstring_text
from howto_ls.guide import Guide, render

GUIDE = Guide(
    description="Splits `line` at `sep` (default `'\\t'`).",
    steps=("Receives `line`.", "Returns the fields."),
    example='from shelf.text import split_fields\n\nprint(split_fields("a\\tb"))',
)
BLOCK = docstring_text(render(GUIDE, width=72), "0123456789ab")  # as a docstring holds it


def test_a_docstring_without_a_guide_is_returned_as_it_is() -> None:
    text = "Summary.\n\nDescription\n-----------\nHow to Use This Code Block, said a human."
    assert guide_blocks(text) == []
    assert split_guides(text) == (text, [])


def test_the_guide_is_read_back_and_the_own_text_kept() -> None:
    text = f"Split a line.\n\nEmpty fields are kept.\n\n{BLOCK}\n"
    own, guides = split_guides(text)
    assert own == "Split a line.\n\nEmpty fields are kept."
    assert guides == [GUIDE]


def test_a_guide_alone_leaves_no_text() -> None:
    assert split_guides(BLOCK) == ("", [GUIDE])


def test_two_guides_are_two_blocks_and_the_text_between_them_stays() -> None:
    text = f"A class.\n\n{BLOCK}\n\nIts constructor.\n\n{BLOCK}\n"
    spans = guide_blocks(text)
    assert [text[start:end] for start, end in spans] == [BLOCK, BLOCK]
    assert split_guides(text) == ("A class.\n\nIts constructor.", [GUIDE, GUIDE])


def test_a_guide_without_its_marker_ends_where_the_next_guide_starts() -> None:
    unmarked = BLOCK.rsplit("\n\n", 1)[0]
    text = f"{unmarked}\n\n{BLOCK}"
    spans = guide_blocks(text)
    assert len(spans) == 2
    assert text[spans[0][0] : spans[0][1]].rstrip() == unmarked
    assert split_guides(text)[1] == [GUIDE, GUIDE]


def test_an_indented_block_is_found_from_its_title() -> None:
    indented = "\n".join(f"    {line}" if line else "" for line in BLOCK.split("\n"))
    text = f"Summary.\n\n{indented}\n    "
    own, guides = split_guides(text)
    assert own == "Summary."
    assert guides == [GUIDE]
