"""Tests for docstring edits: placement, human text kept, escaping, newlines and refusals."""

from __future__ import annotations

import ast
import inspect
import pydoc
from itertools import pairwise
from pathlib import Path

import h11
import httpx_sse
import pytest

from howto_ls.astutil import docstring_node, find_definition, same_code
from howto_ls.edits import (
    DocstringGuide,
    TextEdit,
    apply_edits,
    check_code_unchanged,
    docstring_edit,
    docstring_edits,
    docstring_text,
    plan_docstrings,
    read_docstring_guide,
    read_docstring_guides,
)
from howto_ls.errors import SourceError, SymbolNotFoundError, UnsafeEditError
from howto_ls.guide import HEADING, HEADING_RULE, SECTION_RULE
from howto_ls.model import Position, Span
from howto_ls.style import DocStyle
from howto_ls.symbols import list_symbols

FP = "0123456789ab"
GUIDE = f"""{HEADING}
{HEADING_RULE}

Description
{SECTION_RULE}
Fetches a page and returns its body.

Execution Steps
{SECTION_RULE}
1. Sends a GET request.
2. Returns the body.

Usage Example
{SECTION_RULE}

```python
from pkg import fetch

print(fetch("https://example.org"))
```"""
MARKER = f".. howto-ls: fingerprint={FP}"
DOES = "Fetch a page and return its body."  # a created function docstring's summary (D401)
SAYS = "Fetches a page and returns its body."  # ... a class's, module's or variable's


def insert(source: str, qualname: str, guide: str = GUIDE, fingerprint: str = FP) -> str:
    """Apply the docstring edit and check the invariants every edit must keep."""
    edit = docstring_edit(source, qualname, guide, fingerprint)
    assert edit is not None
    new = apply_edits(source, [edit])
    check_code_unchanged(source, new, qualname)
    assert (
        same_code(source, new)
        or qualname_is_variable(source, qualname)
        or not ast.parse(source).body
    )
    assert docstring_edit(new, qualname, guide, fingerprint) is None
    found = read_docstring_guide(new, qualname)
    normalized = guide.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n")
    assert found == DocstringGuide(normalized, fingerprint)
    return new


def qualname_is_variable(source: str, qualname: str) -> bool:
    tree = ast.parse(source)
    return qualname != "" and find_definition(tree, qualname) is None


def doc_of(source: str, qualname: str) -> str:
    tree = ast.parse(source)
    node = tree if qualname == "" else find_definition(tree, qualname)
    assert node is not None
    doc = docstring_node(node)
    assert doc is not None
    return str(doc.value)


def indented(text: str, indent: str) -> str:
    return "\n".join(indent + line if line else "" for line in text.split("\n"))


# --- apply_edits and docstring_text ---


def test_apply_edits_uses_lsp_lines_and_clamps_columns() -> None:
    text = "ab\r\ncd\ref\ngh"
    edits = [
        TextEdit(Span(Position(1, 1), Position(1, 99)), "X"),
        TextEdit(Span(Position(3, 0), Position(3, 0)), ">"),
        TextEdit(Span(Position(0, 0), Position(0, 1)), ""),
    ]
    assert apply_edits(text, edits) == "b\r\ncX\ref\n>gh"


def test_apply_edits_refuses_overlaps() -> None:
    span = Span(Position(0, 0), Position(0, 2))
    with pytest.raises(ValueError, match="overlap"):
        apply_edits("abc", [TextEdit(span, "x"), TextEdit(span, "y")])


def test_docstring_text_ends_with_the_marker() -> None:
    assert docstring_text("Guide\r\nline\n\n", FP) == f"Guide\nline\n\n{MARKER}"


# --- new docstrings: placement ---


def test_after_a_multiline_signature_and_decorators() -> None:
    source = (
        "import functools\n\n\n@functools.cache\n@other(\n    1,\n)\n"
        "def fetch(\n    url: str,\n    retries: int = 3,\n) -> bytes:  # fetch it\n"
        "    # the body\n    return url.encode()\n"
    )
    new = insert(source, "fetch")
    lines = new.split("\n")
    signature_end = lines.index(") -> bytes:  # fetch it")
    assert lines[signature_end + 1] == f'    """{DOES}'
    assert lines[signature_end + 2 : signature_end + 4] == ["", f"    {HEADING}"]
    assert lines[signature_end + 4] == "    " + HEADING_RULE
    assert new.startswith(source[: source.index(") -> bytes")])
    assert new.endswith(
        '    .. howto-ls: fingerprint=0123456789ab\n    """\n    # the body\n'
        "    return url.encode()\n"
    )
    guide_value = indented(docstring_text(GUIDE, FP), "    ")[4:]
    assert doc_of(new, "fetch") == f"{DOES}\n\n    {guide_value}\n    "
    assert inspect.cleandoc(doc_of(new, "fetch")) == f"{DOES}\n\n{docstring_text(GUIDE, FP)}"


def test_one_line_function_body_is_split() -> None:
    new = insert("def f(): return 1\n", "f")
    assert new.startswith(f'def f():\n    """{DOES}\n\n    {HEADING}\n')
    assert new.endswith(f'    {MARKER}\n    """\n    return 1\n')


def test_one_line_class_and_semicolons() -> None:
    new = insert("class A: x = 1; y = 2\n", "A")
    assert new.startswith(f'class A:\n    """{SAYS}\n\n    {HEADING}\n')
    assert new.endswith('    """\n\n    x = 1; y = 2\n')  # D204: a blank line after


def test_one_line_method_in_an_indented_class() -> None:
    source = "class A:\n    def m(self): return 1\n"
    new = insert(source, "A.m")
    assert f'    def m(self):\n        """{DOES}\n\n        {HEADING}\n' in new
    assert new.endswith('        """\n        return 1\n')


def test_nested_classes_and_functions() -> None:
    source = (
        "class Outer:\n    class Inner:\n        def run(self):\n"
        "            def helper():\n                return 2\n            return helper()\n"
    )
    new = insert(source, "Outer.Inner.run")
    assert f'        def run(self):\n            """{DOES}\n\n            {HEADING}\n' in new
    new = insert(new, "Outer.Inner.run.helper")
    assert f'            def helper():\n                """{DOES}\n\n' in new
    assert new.endswith("                return 2\n            return helper()\n")


@pytest.mark.parametrize(
    "decorator",
    ["@memoize(cache={1: True})", "@app.route[1:2]", "@(lambda f: f)", "@  spaced(a=1)"],
)
def test_a_body_that_starts_with_a_decorated_definition(decorator: str) -> None:
    """A ``:`` in the decorator of the first statement is not the header's colon: the
    docstring goes after the outer header, never between the decorator and its ``def``."""
    for inner in ("def f(x):\n        return False", "class C:\n        pass"):
        source = f"def outer():\n    {decorator}\n    {inner}\n\n    return 1\n"
        new = insert(source, "outer")
        assert new.startswith(f'def outer():\n    """{DOES}\n\n    {HEADING}\n')
        assert new.endswith(f"    {decorator}\n    {inner}\n\n    return 1\n")
        klass = f"class Outer:\n    {decorator}\n    {inner.replace(chr(10), chr(10) + '    ')}\n"
        new = insert(klass, "Outer")
        assert new.startswith(f'class Outer:\n    """{SAYS}\n\n    {HEADING}\n')


def test_tabs_are_used_when_the_body_uses_tabs() -> None:
    source = "class A:\n\tdef m(self):\n\t\treturn 1\n"
    new = insert(source, "A.m")
    assert (
        f'\tdef m(self):\n\t\t"""{DOES}\n\n\t\t{HEADING}\n\t\t{HEADING_RULE}\n\n\t\tDescription\n'
        in new
    )
    assert "    " not in new[: new.index("```")]


def test_one_line_body_in_a_tab_indented_file() -> None:
    source = "class A:\n\tdef m(self): return 1\n"
    new = insert(source, "A.m")
    assert new.endswith('\t\t"""\n\t\treturn 1\n')


def test_crlf_file_gets_crlf_lines_only() -> None:
    source = "import os\r\n\r\ndef f():\r\n    return os.sep\r\n"
    new = insert(source, "f")
    assert "\n" not in new.replace("\r\n", "")
    summary_lines = 2  # the summary line and the blank line after it
    expected = source.count("\r\n") + docstring_text(GUIDE, FP).count("\n") + 2 + summary_lines
    assert new.count("\r\n") == expected


def test_cr_file_gets_cr_lines_only() -> None:
    source = "def f():\r    return 1\r"
    new = insert(source, "f")
    assert "\n" not in new
    assert new.startswith(f'def f():\r    """{DOES}\r\r    {HEADING}\r')


def test_blank_guide_lines_carry_no_trailing_whitespace() -> None:
    new = insert("def f():\n    return 1\n", "f")
    assert all(line == line.rstrip() for line in new.split("\n"))


def test_unicode_names_and_columns_are_code_points() -> None:
    source = "def größe(ä='ü' * 3): return 'naïve'\n"
    new = insert(source, "größe", GUIDE + "\n\nÜnïcödé ✓ 𝔘")
    assert new.startswith(f'def größe(ä=\'ü\' * 3):\n    """{DOES}\n\n    {HEADING}')
    assert "Ünïcödé ✓ 𝔘" in doc_of(new, "größe")


def test_async_function_and_property() -> None:
    source = "class A:\n    @property\n    async def value(self) -> int:\n        return 1\n"
    new = insert(source, "A.value")
    assert '    @property\n    async def value(self) -> int:\n        """' in new


# --- module and attribute docstrings ---


def test_module_docstring_after_shebang_coding_and_comments_before_future() -> None:
    source = (
        "#!/usr/bin/env python3\n# -*- coding: utf-8 -*-\n# Copyright 2024\n\n"
        "from __future__ import annotations\n\nimport os\n"
    )
    new = insert(source, "")
    assert new.startswith(
        "#!/usr/bin/env python3\n# -*- coding: utf-8 -*-\n# Copyright 2024\n"
        f'"""{SAYS}\n\n{HEADING}\n{HEADING_RULE}\n'
    )
    assert new.endswith(f'{MARKER}\n"""\n\nfrom __future__ import annotations\n\nimport os\n')


def test_module_docstring_in_an_empty_or_comment_only_file() -> None:
    assert insert("", "") == f'"""{SAYS}\n\n{docstring_text(GUIDE, FP)}\n"""\n'
    assert insert("# only a comment", "").startswith(f'# only a comment\n"""{SAYS}\n\nHow')


def test_existing_module_docstring_is_kept() -> None:
    source = '"""Tools for pages."""\n\nimport os\n'
    new = insert(source, "")
    assert new.startswith(f'"""Tools for pages.\n\n{HEADING}\n')
    assert doc_of(new, "").startswith("Tools for pages.\n\n")


def test_attribute_docstring_for_a_module_variable() -> None:
    source = "import os\n\nTIMEOUT: float = 5.0  # seconds\nOTHER = 1\n"
    new = insert(source, "TIMEOUT")
    assert new.startswith(f'import os\n\nTIMEOUT: float = 5.0  # seconds\n"""{SAYS}\n\n{HEADING}\n')
    assert new.endswith(f'{MARKER}\n"""\nOTHER = 1\n')
    check_code_unchanged(source, new, "TIMEOUT")


def test_attribute_docstring_for_a_multiline_assignment_at_the_end() -> None:
    source = "NAMES = [\n    'a',\n    'b',\n]"
    new = insert(source, "NAMES")
    assert new.startswith(f"NAMES = [\n    'a',\n    'b',\n]\n\"\"\"{SAYS}\n\nHow")
    assert read_docstring_guides(new)["NAMES"].fingerprint == FP


def test_existing_attribute_docstring_and_class_attribute() -> None:
    source = 'class A:\n    size = 3\n    """How big."""\n'
    new = insert(source, "A.size")
    assert new.startswith(f'class A:\n    size = 3\n    """How big.\n\n    {HEADING}\n')


def test_variable_sharing_a_line_is_refused() -> None:
    with pytest.raises(UnsafeEditError, match="shares a line"):
        docstring_edit("X = 1; Y = 2\n", "X", GUIDE, FP)


# --- existing docstrings ---


def test_human_text_is_kept_byte_for_byte_and_guide_appended() -> None:
    human = '    """Fetch a page.\n\n    Args:\n        url: where\\t (tab escape kept)\n    """\n'
    source = "def fetch(url):\n" + human + "    return url\n"
    new = insert(source, "fetch")
    assert new.startswith(
        'def fetch(url):\n    """Fetch a page.\n\n    Args:\n'
        "        url: where\\t (tab escape kept)\n"
        f"\n    {HEADING}\n"
    )
    assert new.endswith(f'    {MARKER}\n    """\n    return url\n')


def test_one_line_docstring_gets_the_guide_after_a_blank_line() -> None:
    new = insert('def f():\n    """Return one."""\n    return 1\n', "f")
    assert new.startswith(f'def f():\n    """Return one.\n\n    {HEADING}\n')


def test_regenerating_replaces_only_the_previous_guide() -> None:
    source = 'def f():\n    """Summary.\n\n    Details stay.\n    """\n    return 1\n'
    first = insert(source, "f")
    second_guide = GUIDE.replace("Fetches a page", "Downloads a page")
    second = insert(first, "f", second_guide, "ffffffffffff")
    assert second == first.replace("Fetches a page", "Downloads a page").replace(FP, "f" * 12)
    edit = docstring_edit(first, "f", second_guide, FP)
    assert edit is not None
    assert edit.span.start.line == edit.span.end.line == 10  # only the changed line is touched
    assert edit.new_text == "Download"


def test_guide_without_marker_is_replaced_to_the_end_of_the_docstring() -> None:
    source = (
        f'def f():\n    """Summary.\n\n    {HEADING}\n    {HEADING_RULE}\n    old text\n    """\n'
    )
    new = insert(source, "f")
    assert "old text" not in new
    assert new.startswith(f'def f():\n    """Summary.\n\n    {HEADING}\n')


def test_human_text_after_an_old_guide_is_kept() -> None:
    source = (
        f'def f():\n    """Summary.\n\n    {HEADING}\n    {HEADING_RULE}\n    old\n\n'
        f'    .. howto-ls: fingerprint=aaaaaaaaaaaa\n\n    Notes after.\n    """\n'
    )
    new = insert(source, "f")
    assert "    old\n" not in new
    assert new.endswith(f'    {MARKER}\n\n    Notes after.\n    """\n')


def test_single_quoted_docstring_is_rewritten_triple_quoted_same_value() -> None:
    source = "def f():\n    'It\\'s here: \\u00e9.'\n    return 1\n"
    new = insert(source, "f")
    assert new.startswith("def f():\n    '''It's here: é.\n\n")
    assert doc_of(new, "f").startswith("It's here: é.\n\n    " + HEADING)


def test_concatenated_docstring_becomes_one_literal() -> None:
    source = 'def f():\n    ("Part one, "\n     "part two.")\n    return 1\n'
    new = insert(source, "f")
    assert doc_of(new, "f").startswith("Part one, part two.\n\n    " + HEADING)
    assert new.count('"""') == 2


def test_prefix_and_quote_style_are_kept() -> None:
    new = insert("def f():\n    u'''Summary.'''\n", "f")
    assert new.startswith("def f():\n    u'''Summary.\n")


def test_raw_docstring_stays_raw_for_a_raw_safe_guide() -> None:
    source = 'def f():\n    r"""Match \\d+ and \\w*."""\n'
    guide = GUIDE + "\n\nA regex: `\\d+\\.\\d+` and a path C:\\temp\\"
    new = insert(source, "f", guide)
    assert new.startswith('def f():\n    r"""Match \\d+ and \\w*.\n')
    assert "`\\d+\\.\\d+` and a path C:\\temp\\\n" in new
    assert guide in inspect.cleandoc(doc_of(new, "f"))


def test_raw_docstring_with_unsafe_guide_is_rewritten_with_the_same_value() -> None:
    source = 'def f():\n    r"""Match \\d+."""\n'
    guide = GUIDE + '\n\nQuote: """ done'
    new = insert(source, "f", guide)
    assert doc_of(new, "f").startswith("Match \\d+.\n\n")
    assert guide in inspect.cleandoc(doc_of(new, "f"))


@pytest.mark.parametrize(
    "extra",
    [
        'three double """ quotes',
        "three single ''' quotes",
        'four """" and five """""',
        'ends with a quote"',
        "backslash \\ and \\n and \\N{BULLET} and \\x00 and \\",
        "tab\tinside and form\x0cfeed",
        "unicode: 😀 — ü ∑ \u2028 separator",
    ],
)
@pytest.mark.parametrize("opening", ['"""', "'''", "'", 'r"""', "r'''"])
def test_awkward_guides_arrive_exactly_in_the_value(opening: str, extra: str) -> None:
    closing = opening.lstrip("r")
    source = f"def f():\n    {opening}Summary.{closing}\n    return 1\n"
    guide = f"{GUIDE}\n\n{extra}"
    new = insert(source, "f", guide)
    value = doc_of(new, "f")
    assert indented(docstring_text(guide, FP), "    ")[4:] in value
    assert value.startswith("Summary.\n\n")


def test_guide_with_control_characters_new_docstring() -> None:
    new = insert("def f():\n    pass\n", "f", GUIDE + "\n\nbell \x07 nul \x00 cr \r done")
    assert "bell \x07 nul \x00 cr \n     done" in doc_of(new, "f")


def test_docstring_on_the_def_line_moves_to_its_own_line() -> None:
    new = insert('def f(): "Doc."; return 1\n', "f")
    assert new.startswith('def f():\n    """Doc.\n\n')
    assert new.endswith('    """; return 1\n')


# --- refusals and errors ---


def test_syntax_error_names_the_line() -> None:
    with pytest.raises(SourceError, match=r"line 2: "):
        docstring_edit("x = 1\ndef f(:\n    pass\n", "f", GUIDE, FP)


def test_unknown_symbol() -> None:
    with pytest.raises(SymbolNotFoundError, match="'nope'"):
        docstring_edit("def f():\n    pass\n", "nope", GUIDE, FP)


def test_backslash_continued_header_is_refused_not_broken() -> None:
    with pytest.raises(UnsafeEditError, match=r"refusing to edit f: .*would not parse: line \d+"):
        docstring_edit("def f(): \\\n    return 1\n", "f", GUIDE, FP)


def test_colons_inside_the_signature_do_not_confuse_placement() -> None:
    source = 'def f(x=lambda: 1, y: dict = {1: 2}) -> "A:B":\n    return x\n'
    new = insert(source, "f")
    assert new.startswith(
        f'def f(x=lambda: 1, y: dict = {{1: 2}}) -> "A:B":\n    """{DOES}\n\n    {HEADING}\n'
    )


def test_class_with_multiline_bases_inside_type_checking_block() -> None:
    source = (
        "if TYPE_CHECKING:\n    class A(\n        B,\n        metaclass=M,\n    ):\n        x = 1\n"
    )
    new = insert(source, "A")
    assert f'    ):\n        """{SAYS}\n\n        {HEADING}\n' in new
    assert new.endswith('        """\n\n        x = 1\n')  # D204: a blank line after


def test_escapes_in_human_text_are_kept_byte_for_byte() -> None:
    human = 'def f():\n    """Bullet \\N{BULLET} and \\u00e9 kept.\n\nColumn-0 line.\n    """\n'
    new = insert(human, "f")
    assert new.startswith(
        'def f():\n    """Bullet \\N{BULLET} and \\u00e9 kept.\n\nColumn-0 line.\n\n'
    )
    assert doc_of(new, "f").startswith("Bullet \N{BULLET} and \u00e9 kept.")


def test_check_code_unchanged_refuses_code_changes() -> None:
    check_code_unchanged(
        "def f():\n    return 1\n", 'def f():\n    """Doc."""\n    return 1\n', "f"
    )
    with pytest.raises(UnsafeEditError, match=r"refusing to edit f: the result would change"):
        check_code_unchanged("def f():\n    return 1\n", "def f():\n    return 2\n", "f")
    with pytest.raises(UnsafeEditError, match="would not parse"):
        check_code_unchanged("def f():\n    return 1\n", "def f(:\n    return 1\n", "f")


# --- reading guides back ---


def test_read_docstring_guides_finds_every_symbol() -> None:
    source = "X = 1\n\nclass A:\n    def m(self):\n        pass\n\ndef g():\n    '''Plain.'''\n"
    for qualname in ("", "X", "A", "A.m"):
        source = insert(source, qualname, GUIDE + f"\n\nfor {qualname or 'module'}")
    guides = read_docstring_guides(source)
    assert set(guides) == {"", "X", "A", "A.m"}
    assert guides["A.m"] == DocstringGuide(GUIDE + "\n\nfor A.m", FP)
    assert read_docstring_guide(source, "g") is None


def test_read_guide_without_marker_has_no_fingerprint() -> None:
    source = f'def f():\n    """Summary.\n\n    {HEADING}\n    {HEADING_RULE}\n    Text.\n    """\n'
    assert read_docstring_guide(source, "f") == DocstringGuide(
        f"{HEADING}\n{HEADING_RULE}\nText.", None
    )


def test_human_heading_without_rule_is_not_a_guide() -> None:
    source = f'def f():\n    """Summary.\n\n    {HEADING}\n    is what we call it.\n    """\n'
    assert read_docstring_guide(source, "f") is None
    new = insert(source, "f")
    assert f"    {HEADING}\n    is what we call it.\n\n    {HEADING}\n" in new


# --- batches: many symbols of one file, one parse, one check ---


def _real_files() -> list[Path]:
    """Real installed modules with many functions, classes, methods and variables."""
    return [
        Path(h11.__file__).parent / "_connection.py",
        Path(h11.__file__).parent / "_events.py",
        Path(httpx_sse.__file__).parent / "_decoders.py",
    ]


@pytest.mark.parametrize("path", _real_files(), ids=lambda p: p.name)
def test_a_batch_keeps_the_code_and_equals_single_edits_one_by_one(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    names = [s.qualname for s in list_symbols(source, path, path.parent, include_private=True)]
    names = [n for n in names if n != ""] + [""]  # the module last: it is first in the text
    items = [(name, GUIDE.replace("Fetches a page", f"Uses {name}"), FP) for name in names]
    assert len(items) > 5

    plan = plan_docstrings(source, items)
    batched = apply_edits(source, plan.edits)

    one_by_one = source
    for name, guide, fingerprint in items:
        edit = docstring_edit(one_by_one, name, guide, fingerprint)
        if edit is not None:
            one_by_one = apply_edits(one_by_one, [edit])
    assert batched == one_by_one
    assert not plan.failures and set(plan.changed) == set(names)
    check_code_unchanged(source, batched, path.name)
    found = read_docstring_guides(batched)
    for name, guide, _ in items:
        assert found[name].markdown == guide and found[name].fingerprint == FP
    assert docstring_edits(batched, items) == []  # everything already in place


def test_batch_edits_never_overlap_and_apply_against_the_original() -> None:
    source = (
        '"""Mod."""\nLIMIT = 3\n\n\nclass Box:\n    size = 1\n\n    def put(self) -> None: pass\n'
    )
    items = [(name, GUIDE, FP) for name in ("", "LIMIT", "Box", "Box.size", "Box.put")]
    found = docstring_edits(source, items)
    assert len(found) == 5
    ordered = sorted(found, key=lambda e: (e.span.start, e.span.end))
    for earlier, later in pairwise(ordered):
        assert earlier.span.end < later.span.start
    new = apply_edits(source, found)
    check_code_unchanged(source, new, "box")
    assert set(read_docstring_guides(new)) == {"", "LIMIT", "Box", "Box.size", "Box.put"}


def test_a_bad_symbol_among_good_ones_is_reported_alone() -> None:
    source = (
        "def good():\n    return 2\n\n"
        "def bad(): \\\n    return 1\n\n"  # planned fine, but the edit would not parse
        "A = 1; B = 2\n\n"  # refused while planning
        "class Fine:\n    x = 1\n"
    )
    items = [(name, GUIDE, FP) for name in ("good", "bad", "A", "Fine", "Fine.x", "nope")]
    plan = plan_docstrings(source, items)
    assert set(plan.failures) == {"bad", "A", "nope"}
    assert isinstance(plan.failures["bad"], UnsafeEditError)
    assert str(plan.failures["bad"]).startswith("refusing to edit bad: ")
    assert isinstance(plan.failures["A"], UnsafeEditError)
    assert isinstance(plan.failures["nope"], SymbolNotFoundError)
    assert set(plan.changed) == {"good", "Fine", "Fine.x"}
    new = apply_edits(source, plan.edits)
    check_code_unchanged(source, new, "mixed")
    assert set(read_docstring_guides(new)) == {"good", "Fine", "Fine.x"}
    with pytest.raises(UnsafeEditError, match="refusing to edit bad: "):
        docstring_edits(source, items)


def test_names_sharing_one_attribute_docstring_are_planned_one_by_one() -> None:
    source = "A = B = 1\n"
    plan = plan_docstrings(source, [("A", GUIDE, FP), ("B", GUIDE + "\n\nMore.", FP)])
    assert not plan.failures
    new = apply_edits(source, plan.edits)
    check_code_unchanged(source, new, "A")
    assert read_docstring_guides(new)["B"].markdown == GUIDE + "\n\nMore."


def test_a_batch_keeps_crlf_newlines() -> None:
    source = "def f():\r\n    return 1\r\n\r\n\r\ndef g():\r\n    return 2\r\n"
    new = apply_edits(source, docstring_edits(source, [("f", GUIDE, FP), ("g", GUIDE, FP)]))
    assert "\n" not in new.replace("\r\n", "")
    assert set(read_docstring_guides(new)) == {"f", "g"}


# ----------------------------------------------------------------------------- type comments

TYPED = """def tidy(text):
    # type: (str) -> str
    return text.strip()


def send(address,  # type: str
         retries,  # type: int
         ):
    # type: (...) -> bool
    return bool(address) and retries > 0
"""


@pytest.mark.parametrize("qualname", ["tidy", "send"])
def test_the_docstring_goes_after_a_signature_type_comment(qualname: str) -> None:
    edit = docstring_edit(TYPED, qualname, GUIDE, "abc123abc123")
    assert edit is not None
    new = apply_edits(TYPED, [edit])
    typed_old = ast.parse(TYPED, type_comments=True)
    typed_new = ast.parse(new, type_comments=True)  # still a valid signature type comment
    signature_comment = "# type: (str) -> str" if qualname == "tidy" else "# type: (...) -> bool"
    assert new.index(signature_comment) < new.index('"""')
    old_node = find_definition(typed_old, qualname)
    new_node = find_definition(typed_new, qualname)
    assert isinstance(new_node, ast.FunctionDef) and isinstance(old_node, ast.FunctionDef)
    assert new_node.type_comment == old_node.type_comment is not None
    assert [a.type_comment for a in new_node.args.args] == [
        a.type_comment for a in old_node.args.args
    ]
    assert docstring_node(new_node) is not None


def test_moving_a_type_comment_is_a_code_change() -> None:
    moved = TYPED.replace("def tidy(text):\n    # type: (str) -> str\n", "def tidy(text):\n")
    moved = moved.replace("    return text.strip()\n", "    return text.strip()  # type: str\n", 1)
    with pytest.raises(UnsafeEditError, match="type:"):
        check_code_unchanged(TYPED, moved, "tidy")
    retyped = TYPED.replace("# type: (str) -> str", "# type: (bytes) -> str")
    with pytest.raises(UnsafeEditError):
        check_code_unchanged(TYPED, retyped, "tidy")
    check_code_unchanged(TYPED, TYPED.replace("# type: int", "# type:  int"), "send")


def test_a_comment_python_does_not_read_as_a_type_comment_stays_a_comment() -> None:
    source = "x = [  # type: List[int]\n    1]\n\n\ndef f():\n    return x\n"
    edit = docstring_edit(source, "f", GUIDE, "abc123abc123")
    assert edit is not None and same_code(source, apply_edits(source, [edit]))


# --- docstrings that pass the project's docstring rules (PEP 257, pydocstyle) ---


def literal_of(source: str, qualname: str) -> str:
    """The docstring's source text, prefix and quotes included."""
    tree = ast.parse(source)
    node = tree if qualname == "" else find_definition(tree, qualname)
    assert node is not None
    doc = docstring_node(node)
    assert doc is not None
    return ast.get_source_segment(source, doc) or ""


BACKSLASH_GUIDE = GUIDE.replace("1. Sends a GET request.", "1. Splits the body on `'\\n'`.")


def test_a_created_docstring_holding_a_backslash_is_raw() -> None:
    new = insert("def f(): return 1\n", "f", BACKSLASH_GUIDE)
    literal = literal_of(new, "f")
    assert literal.startswith(f'r"""{DOES}\n')
    assert "Splits the body on `'\\n'`." in literal and "\\\\" not in literal


def test_a_persons_docstring_gaining_a_backslash_becomes_raw_with_its_text_unchanged() -> None:
    new = insert('def f():\n    """Split the body."""\n    return 1\n', "f", BACKSLASH_GUIDE)
    assert literal_of(new, "f").startswith('r"""Split the body.\n\n    How to Use')
    assert "\\\\" not in new


def test_an_escape_in_the_persons_text_keeps_the_literal_plain() -> None:
    source = 'def f():\n    """Tab\\tseparated."""\n    return 1\n'
    new = insert(source, "f", BACKSLASH_GUIDE)
    assert literal_of(new, "f").startswith('"""Tab\\tseparated.')  # an ``r`` would change it
    assert "`'\\\\n'`" in new


@pytest.mark.parametrize("prefix", ["r", "R"])
def test_an_existing_raw_docstring_keeps_its_prefix_and_content(prefix: str) -> None:
    source = f'def integral(x):\n    {prefix}"""Compute \\int x\\, dx."""\n    return x\n'
    new = insert(source, "integral", BACKSLASH_GUIDE)
    literal = literal_of(new, "integral")
    assert literal.startswith(f'{prefix}"""Compute \\int x\\, dx.\n\n    How to Use')
    assert "\\\\" not in literal


def test_a_unicode_prefix_is_kept() -> None:
    new = insert('def f():\n    u"""Say hi."""\n    return 1\n', "f", BACKSLASH_GUIDE)
    assert literal_of(new, "f").startswith('u"""Say hi.')


def test_a_backslash_at_a_line_end_is_kept_in_a_raw_docstring() -> None:
    guide = GUIDE.replace(
        'print(fetch("https://example.org"))',
        'total = 1 + \\\n    2\npath = "C:\\\\dir\\\\ "',
    )
    new = insert("def f(): return 1\n", "f", guide)
    literal = literal_of(new, "f")
    assert literal.startswith('r"""') and "total = 1 + \\\n        2" in literal
    assert 'path = "C:\\\\dir\\\\ "' in literal


def test_quotes_in_the_guide_are_escaped_and_the_literal_parses() -> None:
    guide = GUIDE.replace("1. Sends a GET request.", '1. Takes `x` (default `\'"""\'`).')
    new = insert('def f(x=\'"""\'): return x\n', "f", guide)
    assert '(default `\'\\"\\"\\"\'`)' in literal_of(new, "f")


def test_a_google_project_gets_a_summary_in_the_third_person_and_no_d204_blank_line() -> None:
    google = DocStyle(convention="google")
    new = apply_edits(
        "class A:\n    x = 1\n", [docstring_edit("class A:\n    x = 1\n", "A", GUIDE, FP, google)]
    )
    assert new.endswith('    """\n    x = 1\n')
    source = "def f():\n    return 1\n"
    new = apply_edits(source, [docstring_edit(source, "f", GUIDE, FP, google)])
    assert new.startswith(f'def f():\n    """{SAYS}\n\n')


def test_a_class_followed_by_a_blank_line_gets_no_second_one() -> None:
    new = insert("class A:\n\n    x = 1\n", "A")
    assert new.endswith('    """\n\n    x = 1\n') and "\n\n\n" not in new


def test_a_summary_howto_ls_wrote_is_rewritten_with_its_guide_a_persons_is_kept() -> None:
    source = insert("def f():\n    return 1\n", "f")
    other = GUIDE.replace(
        "Fetches a page and returns its body.", "Sends a ping and returns the reply."
    )
    new = insert(source, "f", other)
    assert new.startswith('def f():\n    """Send a ping and return the reply.\n\n    How to Use')
    assert "Fetch a page" not in new
    human = insert('def f():\n    """Fetch a page and return its body.\n\n    Mine."""\n', "f")
    assert "Mine." in insert(human, "f", other)
    assert insert(human, "f", other).startswith(
        'def f():\n    """Fetch a page and return its body.'
    )


def test_a_guide_written_before_summaries_is_read_and_gains_one() -> None:
    body = indented(docstring_text(GUIDE, FP), "    ")[4:]
    old = f'def f():\n    """{body}\n    """\n    return 1\n'
    assert read_docstring_guide(old, "f") == DocstringGuide(GUIDE, FP)
    new = insert(old, "f")
    assert new.startswith(f'def f():\n    """{DOES}\n\n    {HEADING}\n')


def test_the_docstring_reads_summary_text_then_guide_in_help_and_intro() -> None:
    new = insert('def f():\n    """Fetch it.\n\n    Person\'s notes.\n    """\n    return 1\n', "f")
    guide = read_docstring_guide(new, "f")
    assert guide is not None and guide.intro == "Fetch it.\n\nPerson's notes."
    namespace: dict[str, object] = {}
    exec(compile(new, "m.py", "exec"), namespace)
    shown = pydoc.plain(pydoc.render_doc(namespace["f"]))
    assert shown.index("Fetch it.") < shown.index("Person's notes.") < shown.index(HEADING)
    created = insert("def g():\n    return 1\n", "g")
    namespace = {}
    exec(compile(created, "m.py", "exec"), namespace)
    shown = pydoc.plain(pydoc.render_doc(namespace["g"]))
    assert shown.index(DOES) < shown.index(HEADING)
    assert read_docstring_guide(created, "g") == DocstringGuide(GUIDE, FP)


def test_a_function_docstring_takes_the_place_of_blank_lines_after_the_header() -> None:
    """pydocstyle D202: no blank line after a function docstring; D204 keeps a class's."""
    new = insert("def f():\n\n    \n    # note\n    return 1\n", "f")
    assert new.endswith(f'    {MARKER}\n    """\n    # note\n    return 1\n')
    new = insert("class A:\n\n    x = 1\n", "A")
    assert new.endswith('    """\n\n    x = 1\n')
