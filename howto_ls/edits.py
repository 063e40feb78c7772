"""Minimal, verified text edits that put a guide into a docstring without touching the code.

Every edit is checked before it is returned: the new source must parse to the same code (docstrings
ignored) and the docstring's value must hold the guide exactly; otherwise UnsafeEditError.
"""

from __future__ import annotations

import ast
import bisect
import inspect
import io
import re
import tokenize
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from howto_ls import astutil, summary
from howto_ls.astutil import Definition, docstring_node, find_definition, statement_start
from howto_ls.definitions import units
from howto_ls.errors import HowtoError, SourceError, SymbolNotFoundError, UnsafeEditError
from howto_ls.fingerprint import find_assignment, parse_source, same_code_trees
from howto_ls.guide import DOCSTRING_MARKER, MARKER_LINE, find_block, parse_guide, without_guide
from howto_ls.model import Position, Span
from howto_ls.sourcefile import newline_of
from howto_ls.style import TAB_WIDTH, DocStyle
from howto_ls.textdiff import minimal_span

_NEWLINE = re.compile(r"\r\n|\r|\n")
_LITERAL_START = re.compile(r"(?P<prefix>[A-Za-z]*)(?P<quotes>\"\"\"|'''|\"|')")
_UNSAFE_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\ud800-\udfff]")
_INDENTED_LINE = re.compile(r"^([ \t]+)\S", re.MULTILINE)
_TYPE_COMMENT_LINE = re.compile(r"[ \t]*#[ \t]*type:")


@dataclass(frozen=True)
class TextEdit:
    """Replace ``span`` of a document with ``new_text``."""

    span: Span
    new_text: str


@dataclass(frozen=True)
class DocstringGuide:
    """A guide found in a docstring and the fingerprint its marker recorded (None: no marker).

    ``intro`` is what the docstring says before the guide, dedented: its summary line and the
    person's own text ("" when the guide comes first); it does not take part in comparisons.
    """

    markdown: str
    fingerprint: str | None
    intro: str = field(default="", compare=False)


class _Lines:
    """Line starts of a text split like LSP (``\\r\\n``, ``\\n``, ``\\r``) for offset conversion."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0, *(match.end() for match in _NEWLINE.finditer(text))]

    def offset(self, position: Position) -> int:
        """The text offset of ``position``, clamped to the line and the document."""
        if position.line >= len(self.starts):
            return len(self.text)
        start = self.starts[max(position.line, 0)]
        end = self.starts[position.line + 1] if position.line + 1 < len(self.starts) else None
        line = self.text[start:end]
        length = len(line) - (len(line) - len(line.rstrip("\r\n")))
        return start + min(max(position.column, 0), length)

    def position(self, offset: int) -> Position:
        """The position of ``offset``."""
        line = bisect.bisect_right(self.starts, offset) - 1
        return Position(line, offset - self.starts[line])

    def ast_offset(self, lineno: int, col_offset: int) -> int:
        """The text offset of an ``ast`` position (1-based line, UTF-8 byte column)."""
        start = self.starts[lineno - 1]
        line = self.text[start : start + col_offset]
        return start + len(line.encode("utf-8")[:col_offset].decode("utf-8", "ignore"))


def apply_edits(text: str, edits: Sequence[TextEdit]) -> str:
    """``text`` with non-overlapping ``edits`` applied (positions as in LSP, columns clamped)."""
    lines = _Lines(text)
    ranges = sorted(
        (lines.offset(edit.span.start), lines.offset(edit.span.end), edit.new_text)
        for edit in edits
    )
    parts: list[str] = []
    cursor = 0
    for start, end, new_text in ranges:
        if start < cursor:
            raise ValueError("edits overlap; give non-overlapping edits")
        parts += [text[cursor:start], new_text]
        cursor = max(end, start)
    parts.append(text[cursor:])
    return "".join(parts)


def docstring_text(guide_markdown: str, fingerprint: str) -> str:
    """The guide, a blank line, and the fingerprint marker: what goes into a docstring."""
    guide = _NEWLINE.sub("\n", guide_markdown).rstrip("\n")
    return f"{guide}\n\n{DOCSTRING_MARKER.format(fingerprint=fingerprint)}"


def check_code_unchanged(old: str, new: str, what: str) -> None:
    """Raise UnsafeEditError unless ``new`` is ``old``'s code with only docstrings changed.

    Docstrings of modules, classes and functions and attribute docstrings (string statements
    right after an assignment) are ignored; everything else must parse to the same AST.
    """
    _check_trees(parse_source(old, what), _parse_new(new, what), what)
    _check_type_comments(old, new, what)


def _parse_new(new: str, what: str) -> ast.Module:
    """The edited source parsed, or UnsafeEditError saying where it broke."""
    try:
        return astutil.parse_shared(new)  # the next edit of this file starts from this text
    except (SyntaxError, ValueError) as exc:
        where = f"line {exc.lineno}: {exc.msg}" if isinstance(exc, SyntaxError) else str(exc)
        raise UnsafeEditError(
            f"refusing to edit {what}: the result would change the code (it would not parse: "
            f"{where}); edit the docstring by hand"
        ) from None


def _check_trees(old_tree: ast.Module, new_tree: ast.Module, what: str) -> None:
    """Refuse unless two trees hold the same code with docstrings ignored (neither is changed)."""
    if not same_code_trees(old_tree, new_tree):
        raise UnsafeEditError(
            f"refusing to edit {what}: the result would change the code (its syntax tree "
            "differs beyond docstrings); edit the docstring by hand"
        )


def _check_type_comments(old: str, new: str, what: str) -> None:
    """Refuse unless both sources hold the same PEP 484 type comments in the same places.

    ``# type:`` comments are code to type checkers (``def f(a):  # type: (int) -> str``), so
    the trees are compared again parsed with ``type_comments=True``. A file whose comments
    Python does not read as type comments (one in a place PEP 484 does not allow) is only
    checked without them. Sources without ``type:`` skip the second parse.
    """
    if "type:" not in old and "type:" not in new:
        return
    typed_old = astutil.parse_typed(old)
    if typed_old is None:
        return
    typed_new = astutil.parse_typed(new)
    if typed_new is None or not same_code_trees(typed_old, typed_new):
        raise UnsafeEditError(
            f"refusing to edit {what}: the result would move or change a '# type:' comment;"
            " edit the docstring by hand"
        )


@dataclass(frozen=True)
class _Target:
    """Where a symbol's docstring is or would go."""

    doc: ast.Constant | None  # the existing docstring or attribute docstring
    indent: str  # indentation of the docstring's lines
    replace_from: int | None  # one-line body: replace from the colon (move body to new lines)
    insert_at: int  # no docstring yet: offset where the new statement goes
    insert_prefix: str  # text before the new literal
    insert_suffix: str  # text after the new literal
    insert_end: int | None = None  # one-line body: end of the space replaced before it
    kind: str = "variable"  # function, class, module or variable: what the summary names
    follows_directly: bool = False  # a statement follows the header's line right away
    blank_end: int | None = None  # end of the blank lines after a function's header


@dataclass(frozen=True)
class DocstringPlan:
    """Docstring edits for several symbols of one file, all against the same original text."""

    edits: tuple[TextEdit, ...]  # non-overlapping, in document order
    changed: tuple[str, ...]  # qualnames whose docstrings change
    unchanged: tuple[str, ...]  # qualnames whose docstrings already hold their guides
    failures: dict[str, HowtoError]  # qualnames that cannot be edited, and why


@dataclass(frozen=True)
class _Planned:
    """One symbol's replacement of ``norm[start:end]`` and the block its docstring must hold."""

    qualname: str
    start: int
    end: int
    replacement: str
    block: str


def docstring_edit(
    source: str,
    qualname: str,
    guide_markdown: str,
    fingerprint: str,
    doc_style: DocStyle | None = None,
) -> TextEdit | None:
    """The smallest edit putting the guide into ``qualname``'s docstring; None if already there."""
    plan = plan_docstrings(source, [(qualname, guide_markdown, fingerprint)], doc_style)
    if qualname in plan.failures:
        raise plan.failures[qualname]
    return plan.edits[0] if plan.edits else None


def docstring_edits(
    source: str, items: Sequence[tuple[str, str, str]], doc_style: DocStyle | None = None
) -> list[TextEdit]:
    """Edits putting every ``(qualname, guide markdown, fingerprint)`` into its docstring.

    Raises the first symbol's error when any symbol cannot be edited.
    """
    plan = plan_docstrings(source, items, doc_style)
    for qualname, _, _ in items:
        if qualname in plan.failures:
            raise plan.failures[qualname]
    return list(plan.edits)


def plan_docstrings(
    source: str, items: Sequence[tuple[str, str, str]], doc_style: DocStyle | None = None
) -> DocstringPlan:
    """Plan every guide on one parse, apply them all and check the result once.

    A docstring created for a guide opens with a summary sentence from its Description and a
    blank line (PEP 257), shaped by ``doc_style`` (the project's lint settings; the defaults
    when None): the summary's mood and width, a blank line after a class docstring (D204).
    When the combined result fails its check, each symbol is planned and checked alone on the
    text the previous ones produced, so a bad symbol is reported by itself. A file that does not
    parse raises SourceError.
    """
    doc_style = doc_style or DocStyle()
    norm = _NEWLINE.sub("\n", source)
    tree = parse_source(norm)
    lines = _Lines(norm)
    planned: list[_Planned] = []
    unchanged: list[str] = []
    failures: dict[str, HowtoError] = {}
    for qualname, markdown, fingerprint in items:
        try:
            one = _plan(tree, norm, lines, qualname, markdown, fingerprint, doc_style)
        except HowtoError as exc:
            failures[qualname] = exc
            continue
        if one is None:
            unchanged.append(qualname)
        else:
            planned.append(one)
    planned.sort(key=lambda one: (one.start, one.end))
    # Different symbols' docstrings sit in different places, so their edits cannot overlap;
    # if two ever touch (``A = B = 1`` shares one attribute docstring), plan them one by one.
    if any(later.start <= earlier.end for earlier, later in pairwise(planned)):
        return _one_by_one(source, items, planned, unchanged, failures, doc_style)
    parts: list[str] = []
    cursor = 0
    for one in planned:
        parts += [norm[cursor : one.start], one.replacement]
        cursor = one.end
    parts.append(norm[cursor:])
    try:
        if planned:
            _verify(tree, norm, "".join(parts), planned)
    except UnsafeEditError as exc:
        if len(planned) == 1:
            failures[planned[0].qualname] = exc
            planned = []
        else:
            return _one_by_one(source, items, planned, unchanged, failures, doc_style)
    newline = newline_of(source)
    edits = tuple(
        TextEdit(
            Span(lines.position(one.start), lines.position(one.end)),
            one.replacement.replace("\n", newline),
        )
        for one in planned
    )
    changed = tuple(one.qualname for one in planned)
    return DocstringPlan(edits, changed, tuple(unchanged), failures)


def _plan(
    tree: ast.Module,
    norm: str,
    lines: _Lines,
    qualname: str,
    markdown: str,
    fingerprint: str,
    doc_style: DocStyle,
) -> _Planned | None:
    """The replacement that puts the guide into ``qualname``'s docstring; None if it is there."""
    target = _target(tree, norm, lines, qualname)
    block = _indent_block(docstring_text(markdown, fingerprint), target.indent)
    if target.doc is None:
        value = f"{_summary(markdown, qualname, target, doc_style)}\n\n{target.indent}{block}"
        literal = _new_docstring(f"{value}\n{target.indent}")
        start = target.insert_at
        end = target.insert_at if target.insert_end is None else target.insert_end
        if target.doc is None and target.blank_end is not None:
            end = target.blank_end
        suffix = target.insert_suffix
        if target.kind == "class" and doc_style.blank_line_after_class_docstring:
            if target.insert_end is not None:  # one-line body: ``class A: pass``
                suffix = f"\n{suffix}"
            elif target.follows_directly:
                suffix = f"{suffix}\n"
        replacement = target.insert_prefix + literal + suffix
    else:
        doc = target.doc
        start = lines.ast_offset(doc.lineno, doc.col_offset)
        end = lines.ast_offset(_int(doc.end_lineno), _int(doc.end_col_offset))
        old_literal = norm[start:end]
        if _written_by_us(str(doc.value)):
            summary_text = _summary(markdown, qualname, target, doc_style)
            value = f"{summary_text}\n\n{target.indent}{block}\n{target.indent}"
            literal = _new_docstring(value, _LITERAL_START.match(old_literal))
        else:
            line_start = lines.starts[doc.lineno - 1]
            line_end = norm.find("\n", start)
            first = len(
                norm[line_start : len(norm) if line_end < 0 else line_end].expandtabs(TAB_WIDTH)
            )
            limit = doc_style.doc_line_length
            may_prefix = first < limit or first > limit  # an ``r`` would not make W505 fire
            literal = _new_literal(old_literal, doc.value, block, target.indent, may_prefix)
        replacement = literal
        if target.replace_from is not None:
            start = target.replace_from
            replacement = f"\n{target.indent}{literal}"
    if norm[start:end] == replacement:
        return None
    start, end, replacement = _trim(norm, start, end, replacement)
    return _Planned(qualname, start, end, replacement, block)


def _one_by_one(
    source: str,
    items: Sequence[tuple[str, str, str]],
    planned: list[_Planned],
    unchanged: list[str],
    failures: dict[str, HowtoError],
    doc_style: DocStyle,
) -> DocstringPlan:
    """Plan the symbols of ``planned`` in turn, each on the text the previous ones produced."""
    todo = {one.qualname for one in planned}
    text = source
    changed: list[str] = []
    for qualname, markdown, fingerprint in items:
        if qualname not in todo:
            continue
        try:
            edit = docstring_edit(text, qualname, markdown, fingerprint, doc_style)
        except HowtoError as exc:
            failures[qualname] = exc
            continue
        if edit is None:
            unchanged.append(qualname)
            continue
        text = apply_edits(text, [edit])
        changed.append(qualname)
    change = minimal_span(source, text)
    edits = () if change is None else (TextEdit(*change),)
    return DocstringPlan(edits, tuple(changed), tuple(unchanged), failures)


def docstring_indents(source: str, keys: Sequence[str]) -> dict[str, str]:
    """The indentation of each symbol's docstring lines (existing or to be written), one parse.

    ``keys`` are symbol identities (qualnames, or ``qualname#N`` for earlier redefinitions).
    Symbols that are not found are left out; a file that does not parse gives ``{}``.
    """
    norm = _NEWLINE.sub("\n", source)
    try:
        tree = astutil.parse_shared(norm)
    except (SyntaxError, ValueError):
        return {}
    lines = _Lines(norm)
    indents: dict[str, str] = {}
    for key in keys:
        try:
            indents[key] = _target(tree, norm, lines, key).indent
        except HowtoError:
            continue
    return indents


def read_docstring_guide(source: str, qualname: str) -> DocstringGuide | None:
    """The guide inside ``qualname``'s docstring, if it holds one."""
    tree = parse_source(_NEWLINE.sub("\n", source))
    value = _docstring_value(tree, qualname)
    return None if value is None else _guide_in(value)


def read_docstring_guides(source: str) -> dict[str, DocstringGuide]:
    """Every guide in the module's docstrings, by key (``""`` is the module)."""
    tree = parse_source(_NEWLINE.sub("\n", source))
    values: dict[str, str] = {}
    module_doc = docstring_node(tree)
    if module_doc is not None:
        values[""] = str(module_doc.value)
    owners: list[tuple[str, ast.Module | ast.ClassDef]] = [("", tree)]
    for unit in units(tree):
        doc = docstring_node(unit.node)
        if doc is not None:
            values.setdefault(unit.key, str(doc.value))
        if isinstance(unit.node, ast.ClassDef):
            owners.append((f"{unit.key}.", unit.node))
    for prefix, owner in owners:
        for previous, stmt in zip(owner.body, owner.body[1:], strict=False):
            if _string_of(stmt) is None:
                continue
            if isinstance(previous, ast.Assign | ast.AnnAssign):
                names = _assigned_names(previous)
            else:
                names = astutil.assignment_names(previous)  # a ``type`` alias, 3.12+
            for name in names:
                values.setdefault(f"{prefix}{name}", _string_of(stmt) or "")
    found = {name: _guide_in(value) for name, value in values.items()}
    return {name: guide for name, guide in found.items() if guide is not None}


# --- locating the docstring -------------------------------------------------------------------


def _target(tree: ast.Module, norm: str, lines: _Lines, qualname: str) -> _Target:
    """Where the docstring of ``qualname`` is, or where a new one goes."""
    if qualname == "":
        return _module_target(tree, norm, lines)
    definition = find_definition(tree, qualname)
    if definition is not None:
        return _definition_target(definition, norm, lines)
    found = find_assignment(tree, qualname)
    if found is None:
        raise SymbolNotFoundError(
            f"no function, class or variable named {qualname!r} in this file; check the name"
        )
    _, body, index = found
    return _variable_target(body, index, norm, lines, qualname)


def _module_target(tree: ast.Module, norm: str, lines: _Lines) -> _Target:
    """The module docstring, or a spot after the shebang, coding line and leading comments."""
    doc = docstring_node(tree)
    insert_line = 0
    for number, start in enumerate(lines.starts):
        line = norm[start : lines.starts[number + 1] if number + 1 < len(lines.starts) else None]
        stripped = line.strip()
        if stripped.startswith("#"):
            insert_line = number + 1
        elif stripped:
            break
    prefix = ""
    insert_at = len(norm) if insert_line >= len(lines.starts) else lines.starts[insert_line]
    if insert_at == len(norm) and norm and not norm.endswith("\n"):
        prefix = "\n"
    return _Target(doc, "", None, insert_at, prefix, "\n", kind="module")


def _definition_target(node: Definition, norm: str, lines: _Lines) -> _Target:
    """The docstring of a def or class, or the spot right after its header's colon."""
    first = node.body[0]
    first_line = statement_start(first)[0]  # a decorated body starts at its decorator
    colon = _header_colon(node, norm, lines)
    body_start = lines.ast_offset(*statement_start(first))
    one_line = "\n" not in norm[colon:body_start]
    header_indent = _leading_space(norm, lines, node.lineno)
    if one_line:
        indent = header_indent + _indent_unit(norm, header_indent)
    else:
        indent = _leading_space(norm, lines, first_line)
        if norm[lines.starts[first_line - 1] : body_start] != indent:
            indent = header_indent + _indent_unit(norm, header_indent)
    doc = docstring_node(node)
    kind = "class" if isinstance(node, ast.ClassDef) else "function"
    if one_line:
        return _Target(
            doc, indent, colon, colon, f"\n{indent}", f"\n{indent}", body_start, kind=kind
        )
    line_after_colon = lines.position(colon).line + 1
    if line_after_colon < first_line - 1 and _TYPE_COMMENT_LINE.match(
        norm, lines.starts[line_after_colon]
    ):
        line_after_colon += 1  # PEP 484: a signature type comment is the line after the colon
    insert_at = lines.starts[line_after_colon] if line_after_colon < len(lines.starts) else colon
    next_line = norm[insert_at : norm.find("\n", insert_at) if "\n" in norm[insert_at:] else None]
    follows = bool(next_line.strip())
    blank_end = None
    if kind == "function" and not follows and insert_at < len(norm):
        # pydocstyle D202: no blank line after a function docstring, so the docstring takes
        # the place of the blank lines between the header and the body.
        body_line = lines.starts[first_line - 1]
        first_text = _first_text_line(norm, lines, line_after_colon, first_line - 1)
        blank_end = min(body_line, first_text)
    return _Target(
        doc,
        indent,
        None,
        insert_at,
        indent,
        "\n",
        kind=kind,
        follows_directly=follows,
        blank_end=blank_end,
    )


def _first_text_line(norm: str, lines: _Lines, start: int, stop: int) -> int:
    """The offset of the first line from ``start`` to ``stop`` (0-based) holding more than
    white space, or of line ``stop`` when none does."""
    for number in range(start, stop):
        end = lines.starts[number + 1] if number + 1 < len(lines.starts) else len(norm)
        if norm[lines.starts[number] : end].strip():
            return lines.starts[number]
    return lines.starts[stop] if stop < len(lines.starts) else len(norm)


def _variable_target(
    body: list[ast.stmt], index: int, norm: str, lines: _Lines, qualname: str
) -> _Target:
    """A variable's attribute docstring: the string statement on the line after it."""
    statement = body[index]
    indent = _leading_space(norm, lines, statement.lineno)
    start = lines.ast_offset(statement.lineno, statement.col_offset)
    following = body[index + 1] if index + 1 < len(body) else None
    doc = _string_node(following) if following is not None else None
    if doc is not None:
        return _Target(doc, indent, None, 0, "", "", kind="variable")
    end_line = _int(statement.end_lineno)
    shares_line = following is not None and following.lineno == end_line
    if norm[lines.starts[statement.lineno - 1] : start] != indent or shares_line:
        raise UnsafeEditError(
            f"refusing to edit {qualname}: its assignment shares a line with other code; "
            "put it on its own line first"
        )
    if end_line < len(lines.starts) and lines.starts[end_line] <= len(norm):
        if lines.starts[end_line] == len(norm) and not norm.endswith("\n"):
            return _Target(None, indent, None, len(norm), "\n" + indent, "")
        return _Target(None, indent, None, lines.starts[end_line], indent, "\n")
    return _Target(None, indent, None, len(norm), "\n" + indent, "")


def _header_colon(node: Definition, norm: str, lines: _Lines) -> int:
    """The offset just after the ``:`` that ends ``node``'s header."""
    first = node.body[0]
    header_start = lines.starts[node.lineno - 1]
    body_start = lines.ast_offset(*statement_start(first))
    end_line = statement_start(first)[0]
    stop = lines.starts[end_line] if end_line < len(lines.starts) else len(norm)
    fragment = norm[header_start:stop]
    colon = None
    try:
        for token in tokenize.generate_tokens(io.StringIO(fragment).readline):
            offset = lines.starts[node.lineno - 1 + token.start[0] - 1] + token.start[1]
            if offset >= body_start:
                break
            if token.type == tokenize.OP and token.string == ":":
                colon = offset + 1
    except (tokenize.TokenError, SyntaxError):
        pass
    if colon is None:
        raise UnsafeEditError(
            f"refusing to edit {node.name}: cannot find the ':' ending its header; "
            "edit the docstring by hand"
        )
    return colon


def _leading_space(norm: str, lines: _Lines, lineno: int) -> str:
    """The whitespace at the start of 1-based line ``lineno``."""
    start = lines.starts[lineno - 1]
    end = start
    while end < len(norm) and norm[end] in " \t":
        end += 1
    return norm[start:end]


def _indent_unit(norm: str, header_indent: str) -> str:
    """One level of indentation in the file's style: a tab or four spaces."""
    if "\t" in header_indent:
        return "\t"
    match = _INDENTED_LINE.search(norm)
    return "\t" if match and match.group(1).startswith("\t") and not header_indent else "    "


def _docstring_value(tree: ast.Module, qualname: str) -> str | None:
    """The value of ``qualname``'s docstring (attribute docstring for a variable)."""
    if qualname == "":
        doc = docstring_node(tree)
        return None if doc is None else str(doc.value)
    definition = find_definition(tree, qualname)
    if definition is not None:
        doc = docstring_node(definition)
        return None if doc is None else str(doc.value)
    found = find_assignment(tree, qualname)
    if found is None:
        raise SymbolNotFoundError(
            f"no function, class or variable named {qualname!r} in this file; check the name"
        )
    _, body, index = found
    return _string_of(body[index + 1]) if index + 1 < len(body) else None


def _string_node(stmt: ast.stmt) -> ast.Constant | None:
    if (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, str)
    ):
        return stmt.value
    return None


def _string_of(stmt: ast.stmt) -> str | None:
    node = _string_node(stmt)
    return None if node is None else str(node.value)


def _assigned_names(stmt: ast.Assign | ast.AnnAssign) -> list[str]:
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
    return [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]


def _int(value: int | None) -> int:
    if value is None:
        raise SourceError("the parser gave no end position; use Python 3.8 or newer")
    return value


# --- building the new literal -----------------------------------------------------------------


def _summary(markdown: str, qualname: str, target: _Target, doc_style: DocStyle) -> str:
    """The summary line opening a docstring created for the guide ``markdown``."""
    indent = len(target.indent.expandtabs(TAB_WIDTH))
    return summary.summary_line(
        parse_guide(markdown).guide.description,
        name=qualname.split("#", 1)[0].rsplit(".", 1)[-1],
        kind=target.kind,
        imperative=doc_style.imperative,
        width=doc_style.doc_line_length - indent - len('r"""'),
    )


def _written_by_us(value: str) -> bool:
    """Whether a docstring holds nothing but a guide and the summary howto-ls opened it with
    (or, written before summaries, the guide alone): all of it may be written anew."""
    return find_block(value) is not None and not without_guide(value)


def _new_docstring(value: str, old: re.Match[str] | None = None) -> str:
    """A triple-double-quoted literal for ``value``: raw when it holds a backslash and a raw
    literal can hold it (pydocstyle D301), else with escapes. ``old`` is the start of the
    literal it replaces, whose ``u``/``r`` prefix and quotes are kept where they can be."""
    prefix = old.group("prefix") if old else ""
    quote = old.group("quotes")[0] if old else '"'
    plain = prefix.replace("r", "").replace("R", "")
    raw = "R" if "R" in prefix else "r"
    if ("\\" in value or prefix != plain) and "u" not in plain.lower() and _raw_fits(value, quote):
        candidate = raw + plain + quote * 3 + value + quote * 3
        if _evaluates_to(candidate, value):
            return candidate
    return plain + quote * 3 + _escape(value, quote, at_end=True) + quote * 3


def _raw_fits(value: str, quote: str) -> bool:
    """Whether a raw triple-quoted literal with ``quote`` holds ``value`` as written."""
    return _raw_safe(value, quote) and not value.endswith(("\\", quote))


def _indent_block(text: str, indent: str) -> str:
    """``text`` with every line but the first indented; empty lines stay empty."""
    first, *rest = text.split("\n")
    return "\n".join([first, *((indent + line) if line else "" for line in rest)])


def _splice(text: str, block: str, indent: str) -> str:
    """``text`` with its guide block replaced by ``block``, or ``block`` appended."""
    found = find_block(text)
    if found is not None:
        start, end = found
        return text[:start] + block + text[end:]
    content = text.rstrip()
    if not content:
        return f"{block}\n{indent}"
    tail = text[len(content) :]
    if "\n" in tail:
        return f"{content}\n\n{indent}{block}{tail}"
    return f"{text}\n\n{indent}{block}\n{indent}"


def _new_literal(
    old_literal: str, old_value: object, block: str, indent: str, may_prefix: bool = True
) -> str:
    """The docstring literal holding ``block``: edited in place when possible, else rewritten.

    A literal whose text gains a backslash becomes raw (pydocstyle D301) when ``may_prefix``
    (its first line has room for the ``r``) and the person's text holds no escape.
    """
    value = _splice(str(old_value), block, indent)
    match = _LITERAL_START.match(old_literal)
    prefix = match.group("prefix") if match else ""
    quotes = match.group("quotes") if match else '"""'
    quote = quotes[0]
    raw = "r" in prefix.lower()
    if len(quotes) == 3 and old_literal.endswith(quotes) and len(old_literal) >= len(prefix) + 6:
        body = old_literal[len(prefix) + 3 : -3]
        if raw:
            if _raw_safe(block, quote):
                candidate = prefix + quotes + _splice(body, block, indent) + quotes
                if _evaluates_to(candidate, value):
                    return candidate
        else:
            # pydocstyle D301: a docstring holding a backslash is raw; the person's text has no
            # escape, so it reads the same in a raw literal.
            if (
                may_prefix
                and "\\" in block
                and "\\" not in body
                and "u" not in prefix.lower()
                and _raw_safe(block, quote)
            ):
                candidate = "r" + prefix + quotes + _splice(body, block, indent) + quotes
                if _evaluates_to(candidate, value):
                    return candidate
            escaped = _escape(block, quote, at_end=False)
            candidate = prefix + quotes + _splice(body, escaped, indent) + quotes
            if _evaluates_to(candidate, value):
                return candidate
    triple = quote * 3
    if raw and _raw_safe(value, quote) and not value.endswith(("\\", quote)):
        candidate = prefix + triple + value + triple
        if _evaluates_to(candidate, value):
            return candidate
    plain = prefix.replace("r", "").replace("R", "")
    return plain + triple + _escape(value, quote, at_end=True) + triple


def _escape(text: str, quote: str, *, at_end: bool) -> str:
    """``text`` as the body of a non-raw triple-quoted literal using ``quote``."""
    result = text.replace("\\", "\\\\")
    result = _UNSAFE_CHARS.sub(_escape_char, result)
    result = re.sub(re.escape(quote) + "{3,}", lambda m: ("\\" + quote) * len(m.group()), result)
    if at_end:
        result = re.sub(re.escape(quote) + "+$", lambda m: ("\\" + quote) * len(m.group()), result)
    return result


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _raw_safe(text: str, quote: str) -> bool:
    """Whether ``text`` can sit unescaped in a raw triple-quoted literal using ``quote``."""
    return quote * 3 not in text and not _UNSAFE_CHARS.search(text)


def _evaluates_to(literal: str, value: str) -> bool:
    """Whether the literal source ``literal`` evaluates to exactly ``value``."""
    try:
        return bool(ast.literal_eval(astutil.parse(literal, mode="eval")) == value)
    except (SyntaxError, ValueError):
        return False


def _trim(text: str, start: int, end: int, replacement: str) -> tuple[int, int, str]:
    """Shrink a replacement of ``text[start:end]`` to the part that actually changes."""
    old = text[start:end]
    head = 0
    limit = min(len(old), len(replacement))
    while head < limit and old[head] == replacement[head]:
        head += 1
    tail = 0
    while (
        tail < limit - head and old[len(old) - 1 - tail] == replacement[len(replacement) - 1 - tail]
    ):
        tail += 1
    return start + head, end - tail, replacement[head : len(replacement) - tail]


# --- verification and reading -----------------------------------------------------------------


def _verify(
    old_tree: ast.Module, old_norm: str, new_norm: str, planned: Sequence[_Planned]
) -> None:
    """Refuse the edits unless the code is unchanged and every docstring holds its guide.

    ``old_tree`` is only read.
    """
    what = planned[0].qualname or "the module" if len(planned) == 1 else "the file"
    new_tree = _parse_new(new_norm, what)
    for one in planned:
        value = _docstring_value(new_tree, one.qualname)
        if value is None or one.block not in value:
            raise UnsafeEditError(
                f"refusing to edit {one.qualname or 'the module'}: the new docstring would not "
                "hold the guide exactly; edit the docstring by hand"
            )
    _check_trees(old_tree, new_tree, what)
    _check_type_comments(old_norm, new_norm, what)


def _guide_in(value: str) -> DocstringGuide | None:
    """The guide block inside a docstring value, dedented, with its marker's fingerprint."""
    found = find_block(value)
    if found is None:
        return None
    start, end = found
    lines = value[start:end].split("\n")
    marker = MARKER_LINE.fullmatch(lines[-1].rstrip()) if len(lines) > 1 else None
    if marker is not None:
        indent = lines[-1][: len(lines[-1]) - len(lines[-1].lstrip())]
        lines = lines[:-1]
    else:
        indents = [line[: len(line) - len(line.lstrip())] for line in lines[1:] if line.strip()]
        indent = _common_prefix(indents)
    body = [lines[0]] + [line.removeprefix(indent) for line in lines[1:]]
    markdown = "\n".join(body).rstrip("\n")
    intro = inspect.cleandoc(value[:start]).strip()
    return DocstringGuide(markdown, marker.group("fp") if marker else None, intro)


def _common_prefix(values: list[str]) -> str:
    if not values:
        return ""
    shortest, longest = min(values), max(values)
    size = 0
    while size < len(shortest) and shortest[size] == longest[size]:
        size += 1
    return shortest[:size]
