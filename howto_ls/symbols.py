"""The symbol under the cursor: exact ranges from the AST, references resolved with jedi."""

from __future__ import annotations

import ast
import difflib
import functools
import inspect
import itertools
import keyword
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from howto_ls import astutil
from howto_ls.definitions import units
from howto_ls.errors import HowtoError, SourceError, SymbolNotFoundError, shown_input
from howto_ls.identifiers import normalize, normalize_words, normalized_column
from howto_ls.jedi_worker import default_worker
from howto_ls.model import Parameter, Position, Span, Symbol, SymbolKind
from howto_ls.project import import_base, is_in_project, module_name, public_import_path
from howto_ls.sourcefile import context_text
from howto_ls.syntax import parse_problem

__all__ = [
    "OutlineItem",
    "definition_signature",
    "enclosing_symbol",
    "is_private",
    "list_symbols",
    "module_tree",
    "outline",
    "parse_source",
    "public_import_path",
    "redefinitions",
    "symbol_at",
    "symbol_named",
]

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
DefinitionNode = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
VariableNode = ast.Assign | ast.AnnAssign

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_DEF_KEYWORD = re.compile(r"(?:async\s+)?(?:def|class)\s+")
_INDENTED_AFTER = re.compile(r"expected an indented block after .* on line (\d+)")
_IDENTIFIER_CHAR = re.compile(r"\w")
_PROPERTY_DECORATORS = frozenset({"property", "cached_property", "abstractproperty"})
_PROPERTY_ACCESSORS = frozenset({"setter", "getter", "deleter"})
_MAX_REPAIRS = 25
_SIGNATURE_VALUE_CHARS = 80
_DEFINED_NAME = re.compile(r"\b(?:def|class)[ \t]+(\w+)")
_TOP_LEVEL_DEFINITION = re.compile(r"(?:@|def\s|async\s+def\s|class\s)")


# ----------------------------------------------------------------------------------- text


class _Text:
    """The lines of a source and conversions from ``ast`` offsets to code-point positions."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.lines = _LINE_BREAK.split(source)

    @functools.cached_property
    def starts(self) -> list[int]:
        """The index in the source string where each line starts."""
        if "\r" not in self.source:
            return [0, *itertools.accumulate(len(line) + 1 for line in self.lines[:-1])]
        return [0, *(match.end() for match in _LINE_BREAK.finditer(self.source))]

    def position(self, lineno: int, byte_column: int) -> Position:
        """The position of a 1-based ``lineno`` and UTF-8 byte column, as ``ast`` reports them."""
        line = self.lines[lineno - 1]
        if line.isascii():
            return Position(lineno - 1, byte_column)
        return Position(lineno - 1, len(line.encode()[:byte_column].decode(errors="ignore")))

    def offset(self, position: Position) -> int:
        """The index in the source string of ``position``."""
        return self.starts[position.line] + position.column

    def slice(self, span: Span) -> str:
        """The exact text of ``span``, line endings as written."""
        return self.source[self.offset(span.start) : self.offset(span.end)]

    @property
    def end(self) -> Position:
        """The position just past the last character."""
        return Position(len(self.lines) - 1, len(self.lines[-1]))

    def holds(self, position: Position) -> bool:
        """Whether ``position`` is a position inside the text (line ends included)."""
        return 0 <= position.line < len(self.lines) and 0 <= position.column <= len(
            self.lines[position.line]
        )


# ----------------------------------------------------------------------------------- parsing


def parse_source(source: str, path: Path) -> ast.Module:
    """Parse ``source``; a syntax error becomes a ``SourceError`` naming the file and line."""
    try:
        return astutil.parse(_parsable(source), filename=str(path))
    except (SyntaxError, ValueError):
        raise SourceError(_problem(source, path)) from None


def _not_found(file: _File, message: str) -> HowtoError:
    """``message`` as the error for a symbol not found, unless the file does not parse."""
    if file.parsed.broken:
        return SourceError(_problem(file.source, file.path))
    return SymbolNotFoundError(message)


def _problem(source: str, path: Path) -> str:
    """Why ``source`` does not parse, naming ``path``: the line and what to do."""
    problem = parse_problem(_parsable(source))
    if problem is None:
        return f"{path}: the file does not parse"
    return problem.sentence(str(path))


def module_tree(source: str, path: Path) -> ast.Module:
    """The tree of ``source``, parsed once per content and repaired where the code is broken."""
    return _parse(source, str(path)).tree


def _parsable(source: str) -> str:
    """``source`` with a leading BOM swapped for a form feed, which keeps every column."""
    return "\f" + source[1:] if source.startswith("\ufeff") else source


@dataclass(frozen=True)
class _Entry:
    """One documentable definition or module-level variable found in a file."""

    qualname: str
    node: DefinitionNode | VariableNode  # where the guide lives
    in_class: bool
    importable: bool
    attribute_doc: ast.Constant | None = None
    key: str = ""  # the identity in the file (``howto_ls.definitions``)
    members: tuple[DefinitionNode, ...] = ()  # every definition of it, ``node`` included
    count: int = 1  # definitions binding ``qualname`` at this level


@dataclass(frozen=True)
class _Parsed:
    """A parsed file: its text, the (possibly repaired) tree and its documentable entries."""

    text: _Text
    parse_text: _Text
    tree: ast.Module
    entries: tuple[_Entry, ...]
    broken: bool


@astutil.source_cache(entries=32)
def _parse(source: str, name: str) -> _Parsed:
    """Parse ``source`` once per content; broken code is repaired line by line where it can be."""
    parsable = _parsable(source)
    text = _text(source)
    broken = False
    try:
        tree = astutil.parse_shared(parsable)
    except (SyntaxError, ValueError):
        broken = True
        parsable, tree = _repair(parsable)
    parse_text = text if parsable == source else _Text(parsable)
    return _Parsed(text, parse_text, tree, tuple(_entries(tree)), broken)


def _parse_chunk(source: str, name: str, line: int) -> _Parsed | None:
    """Parse only the top-level definition around ``line`` and what follows it up to the next.

    Top-level definitions start at column 0 with ``def``, ``async def``, ``class`` or ``@``; a
    chunk that does not parse on its own (a false start inside a string) gives None, and the
    caller parses the whole file instead.
    """
    lines = _text(source).lines
    if not 0 <= line < len(lines):
        return None
    start = line
    while start >= 0 and not _TOP_LEVEL_DEFINITION.match(lines[start]):
        start -= 1
    if start < 0:
        return None
    while start > 0 and lines[start - 1].startswith("@"):
        start -= 1
    before = source[: _text(source).starts[start]]
    if before.count('"""') % 2 or before.count("'''") % 2:
        return None  # the line may sit inside a triple-quoted string
    end = start
    while end < len(lines) and lines[end].startswith("@"):
        end += 1
    end += 1
    while end < len(lines) and not _TOP_LEVEL_DEFINITION.match(lines[end]):
        end += 1
    return _parse_lines(source, name, start, end)


@functools.lru_cache(maxsize=64)
def _parse_lines(source: str, name: str, start: int, end: int) -> _Parsed | None:
    """Parse lines ``start`` to ``end`` of ``source`` alone, keeping their line numbers."""
    text = _text(source)
    chunk = _parsable("\n" * start + "\n".join(text.lines[start:end]))
    try:
        tree = astutil.parse(chunk, filename=name)
    except (SyntaxError, ValueError):
        return None
    return _Parsed(text, _Text(chunk), tree, tuple(_entries(tree)), False)


@functools.lru_cache(maxsize=8)
def _text(source: str) -> _Text:
    """The lines of ``source``, split once per content."""
    return _Text(source)


def _repair(source: str) -> tuple[str, ast.Module]:
    """Blank or stub out the lines Python complains about until the rest parses."""
    lines = _LINE_BREAK.split(source.replace("\0", " "))
    touched: dict[int, int] = {}
    for _ in range(_MAX_REPAIRS):
        candidate = "\n".join(lines)
        try:
            return candidate, astutil.parse(candidate)
        except SyntaxError as error:
            index = min(max((error.lineno or len(lines)) - 1, 0), len(lines) - 1)
            header = _INDENTED_AFTER.match(error.msg or "")
            if header is not None:
                target = int(header.group(1)) - 1
                if 0 <= target < len(lines) and target not in touched:
                    touched[target] = 1
                    lines[target] = _stub_body(lines[target])
                    continue
            if error.msg == "unexpected indent":
                indent = len(lines[index]) - len(lines[index].lstrip())
                end = index
                while end < len(lines) and (
                    not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) >= indent
                ):
                    lines[end] = ""
                    end += 1
                continue
            count = touched.get(index, 0)
            touched[index] = count + 1
            stripped = lines[index].lstrip()
            if count == 0 and stripped:
                lines[index] = lines[index][: len(lines[index]) - len(stripped)] + "pass"
            else:
                lines[index] = ""
    return source, ast.Module(body=[], type_ignores=[])


def _stub_body(line: str) -> str:
    """A block header line with ``pass`` after its colon."""
    code = re.sub(r"#[^'\"]*$", "", line)
    colon = code.rfind(":")
    if colon < 0:
        return line + ": pass"
    return line[: colon + 1] + " pass" + line[colon + 1 :]


def _entries(tree: ast.Module) -> list[_Entry]:
    """Every documentable definition and module-level variable, in file order, outer first.

    Definitions are units (``howto_ls.definitions``): an ``@overload``-ed function is one entry
    documented in its implementation, a property one entry documented in its getter.
    Variables are direct top-level assignments only: one bound inside ``if`` or ``try`` has no
    single place for an attribute docstring, and ``edits.docstring_edit`` does not look there.
    """
    ordered: list[tuple[int, int, _Entry]] = []
    top_line = 0
    for index, unit in enumerate(units(tree)):
        if "." not in unit.key:
            top_line = unit.first_line
        entry = _Entry(
            unit.qualname,
            unit.node,
            unit.in_class,
            unit.importable,
            key=unit.key,
            members=unit.members,
            count=unit.count,
        )
        ordered.append((top_line, index, entry))
    direct = {id(statement) for statement in tree.body}
    for node, following in _flatten(tree.body):
        if id(node) in direct and (name := _variable_name(node)) is not None:
            variable = cast(VariableNode, node)  # an Assign, AnnAssign or (3.12+) TypeAlias
            entry = _Entry(name, variable, False, True, _string_statement(following), key=name)
            ordered.append((node.lineno, -1, entry))
    ordered.sort(key=lambda item: (item[0], item[1]))
    return [entry for *_, entry in ordered]


def _flatten(body: list[ast.stmt]) -> Iterator[tuple[ast.stmt, ast.stmt | None]]:
    """Statements of ``body`` with the next one, looking into compound statements (not defs)."""
    for index, node in enumerate(body):
        yield node, body[index + 1] if index + 1 < len(body) else None
        if isinstance(node, ast.If | ast.For | ast.AsyncFor | ast.While | ast.With | ast.AsyncWith):
            yield from _flatten(node.body)
            if not isinstance(node, ast.With | ast.AsyncWith):
                yield from _flatten(node.orelse)
        elif isinstance(node, ast.Try):
            yield from _flatten(node.body)
            for handler in node.handlers:
                yield from _flatten(handler.body)
            yield from _flatten(node.orelse)
            yield from _flatten(node.finalbody)


def _is_alias(node: ast.AST) -> bool:
    """Whether ``node`` is a ``type X = ...`` statement (PEP 695, Python 3.12+)."""
    return isinstance(node, astutil.TYPE_ALIAS_TYPES)


def _variable_name(node: ast.stmt) -> str | None:
    """The single name a module-level assignment or ``type`` alias binds, if it is one."""
    alias = astutil.type_alias_name(node)
    if alias is not None:
        return alias
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return node.target.id
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target = node.targets[0]
        if isinstance(target, ast.Name):
            return target.id
    return None


def _string_statement(node: ast.stmt | None) -> ast.Constant | None:
    """The string literal of an expression statement that is only a string."""
    if (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    ):
        return node.value
    return None


def _clean(node: ast.Constant) -> str:
    """The cleaned text of a docstring literal."""
    return inspect.cleandoc(str(node.value))


def _docstring(node: ast.Module | DefinitionNode) -> ast.Constant | None:
    """The string constant that is ``node``'s docstring."""
    return _string_statement(node.body[0]) if node.body else None


# ----------------------------------------------------------------------------------- spans


class _File:
    """One parsed file with what every symbol of it shares: module, root, project membership."""

    def __init__(self, source: str, path: Path, root: Path, parsed: _Parsed | None = None) -> None:
        self.source = source
        self.path = path
        self.root = root
        self.parsed = parsed or _parse(source, str(path))
        self.text = self.parsed.text
        self.module = module_name(path, root)
        self.in_project = is_in_project(path, root)

    def start(self, node: ast.AST) -> Position:
        """Where ``node`` starts."""
        return self.parsed.parse_text.position(node.lineno, node.col_offset)  # type: ignore[attr-defined]

    def statement_start(self, statement: ast.stmt) -> Position:
        """Where ``statement``'s text starts: a decorated definition at its first decorator
        (:func:`howto_ls.astutil.statement_start`)."""
        return self.parsed.parse_text.position(*astutil.statement_start(statement))

    def end(self, node: ast.AST) -> Position:
        """Where ``node`` ends (exclusive)."""
        end_line: int = node.end_lineno  # type: ignore[attr-defined]
        end_col: int = node.end_col_offset  # type: ignore[attr-defined]
        return self.parsed.parse_text.position(end_line, end_col)

    def span(self, node: ast.AST) -> Span:
        """The exact span of ``node``."""
        return Span(self.start(node), self.end(node))

    def code(self, node: ast.AST) -> str:
        """The text of an expression as written; multi-line ones are unparsed onto one line."""
        span = self.span(node)
        if span.start.line == span.end.line:
            return self.parsed.parse_text.slice(span)
        return ast.unparse(node)

    def statement_end(self, node: ast.stmt) -> Position:
        """The end of a statement, stretched over a trailing comment on its last line."""
        end = self.end(node)
        rest = self.text.lines[end.line][end.column :]
        if rest.lstrip().startswith("#"):
            return Position(end.line, len(rest.rstrip()) + end.column)
        return end

    def full_start(self, node: DefinitionNode | VariableNode) -> Position:
        """Where a definition starts, its first decorator's ``@`` included."""
        decorators = getattr(node, "decorator_list", [])
        if not decorators:
            return self.start(node)
        first = self.start(decorators[0])
        at = self.text.lines[first.line].rfind("@", 0, first.column)
        return Position(first.line, at) if at >= 0 else first

    def full_span(self, entry: _Entry) -> Span:
        """The whole definition: decorators, signature and body."""
        return Span(self.full_start(entry.node), self.statement_end(entry.node))

    def definition_name_line(self, node: DefinitionNode | VariableNode) -> int:
        """The 0-based line where a definition's own name is written."""
        return self.name_of(node).line

    def name_position(self, entry: _Entry) -> Position:
        """Where the entry's own name is written."""
        return self.name_of(entry.node)

    def name_of(self, node: DefinitionNode | VariableNode) -> Position:
        """Where a definition's or assignment's own name is written."""
        if astutil.type_alias_name(node) is not None:
            return self.start(cast(Any, node).name)
        if isinstance(node, ast.Assign):
            return self.start(node.targets[0])
        if isinstance(node, ast.AnnAssign):
            return self.start(node.target)
        start = self.start(node)
        line = self.parsed.parse_text.lines[start.line]
        match = _DEF_KEYWORD.match(line, start.column)
        return Position(start.line, match.end() if match else start.column)


# ----------------------------------------------------------------------------------- symbols


def _module_symbol(file: _File) -> Symbol:
    """The module itself as a symbol."""
    tree = file.parsed.tree
    full = Span(Position(0, 0), file.text.end)
    body = Span(file.statement_start(tree.body[0]), full.end) if tree.body else full
    doc = _docstring(tree)
    name = file.module.rsplit(".", 1)[-1] or file.path.stem
    return Symbol(
        name=name,
        qualname="",
        kind=SymbolKind.MODULE,
        path=file.path,
        module=file.module,
        import_path=file.module,
        signature=f"module {file.module or name}",
        source=file.source,
        full_range=full,
        body_range=body,
        docstring=_clean(doc) if doc else None,
        docstring_range=file.span(doc) if doc else None,
        in_project=file.in_project,
    )


def _entry_symbol(file: _File, entry: _Entry) -> Symbol:
    """The symbol for one definition or module-level variable."""
    node = entry.node
    full = file.full_span(entry)
    top = entry.qualname.split(".", 1)[0]
    import_path = (
        public_import_path(file.module, top, file.root) if entry.importable else file.module
    )
    common: dict[str, Any] = {
        "name": entry.qualname.rsplit(".", 1)[-1],
        "qualname": entry.qualname,
        "path": file.path,
        "module": file.module,
        "import_path": import_path,
        "source": file.text.slice(full),
        "full_range": full,
        "in_project": file.in_project,
        "key": entry.key if entry.key and entry.key != entry.qualname else None,
        "related": tuple(
            file.text.slice(Span(file.full_start(member), file.statement_end(member)))
            for member in entry.members
            if member is not node
        ),
    }
    if isinstance(node, ast.Assign | ast.AnnAssign) or _is_alias(node):
        return _variable_symbol(file, entry, cast(VariableNode, node), common)
    doc = _docstring(node)
    common["body_range"] = Span(file.statement_start(node.body[0]), full.end)
    common["decorators"] = tuple(file.code(d) for d in node.decorator_list)
    common["docstring"] = _clean(doc) if doc else None
    common["docstring_range"] = file.span(doc) if doc else None
    if isinstance(node, ast.ClassDef):
        bases = tuple(file.code(b) for b in node.bases)
        keywords = tuple(
            f"{k.arg}={file.code(k.value)}" if k.arg else f"**{file.code(k.value)}"
            for k in node.keywords
        )
        listed = ", ".join(bases + keywords)
        init = next(
            (n for n in node.body if isinstance(n, FunctionNode) and n.name == "__init__"), None
        )
        return Symbol(
            kind=SymbolKind.CLASS,
            signature=f"class {node.name}({listed})" if listed else f"class {node.name}",
            bases=bases,
            parameters=tuple(_parameters(file.code, init.args))[1:] if init else (),
            **common,
        )
    parameters = tuple(_parameters(file.code, node.args))
    returns = file.code(node.returns) if node.returns else None
    is_async = isinstance(node, ast.AsyncFunctionDef)
    signature = f"{'async ' if is_async else ''}def {node.name}({_format(parameters)})"
    return Symbol(
        kind=_function_kind(node, entry.in_class),
        signature=signature + (f" -> {returns}" if returns else ""),
        is_async=is_async,
        is_generator=astutil.is_generator(node),
        parameters=parameters,
        returns=returns,
        **common,
    )


def _variable_symbol(
    file: _File, entry: _Entry, node: VariableNode, common: dict[str, Any]
) -> Symbol:
    """The symbol for a module-level assignment, with its attribute docstring if any."""
    annotation = file.code(node.annotation) if isinstance(node, ast.AnnAssign) else None
    value = file.code(node.value) if node.value is not None else None
    if value is not None and len(value) > _SIGNATURE_VALUE_CHARS:
        value = value[: _SIGNATURE_VALUE_CHARS - 3] + "..."
    alias = astutil.type_alias_name(node) is not None
    signature = ("type " if alias else "") + common["name"]
    signature += f": {annotation}" if annotation else ""
    signature += f" = {value}" if value is not None else ""
    doc = entry.attribute_doc
    return Symbol(
        kind=SymbolKind.VARIABLE,
        signature=signature,
        body_range=file.span(node.value) if node.value is not None else common["full_range"],
        docstring=_clean(doc) if doc else None,
        docstring_range=file.span(doc) if doc else None,
        **common,
    )


def definition_signature(node: DefinitionNode) -> str:
    """The one-line signature of a def or class, rendered from its AST alone."""
    if isinstance(node, ast.ClassDef):
        listed = [ast.unparse(base) for base in node.bases]
        listed += [
            f"{k.arg}={ast.unparse(k.value)}" if k.arg else f"**{ast.unparse(k.value)}"
            for k in node.keywords
        ]
        return f"class {node.name}({', '.join(listed)})" if listed else f"class {node.name}"
    parameters = tuple(_parameters(ast.unparse, node.args))
    prefix = "async def" if isinstance(node, ast.AsyncFunctionDef) else "def"
    returns = f" -> {ast.unparse(node.returns)}" if node.returns else ""
    return f"{prefix} {node.name}({_format(parameters)}){returns}"


def _parameters(code: Callable[[ast.AST], str], args: ast.arguments) -> Iterator[Parameter]:
    """The parameters of a signature in order; ``code`` renders annotations and defaults."""

    def one(arg: ast.arg, kind: str, default: ast.expr | None) -> Parameter:
        return Parameter(
            name=arg.arg,
            annotation=code(arg.annotation) if arg.annotation else None,
            default=code(default) if default is not None else None,
            kind=kind,
        )

    positional = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
    defaults += args.defaults
    for index, arg in enumerate(positional):
        kind = "positional_only" if index < len(args.posonlyargs) else "positional_or_keyword"
        yield one(arg, kind, defaults[index])
    if args.vararg:
        yield one(args.vararg, "var_positional", None)
    for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        yield one(arg, "keyword_only", default)
    if args.kwarg:
        yield one(args.kwarg, "var_keyword", None)


def _format(parameters: tuple[Parameter, ...]) -> str:
    """Parameters as written in a ``def`` line, with ``/`` and ``*`` markers."""
    parts: list[str] = []
    star_written = False
    for index, parameter in enumerate(parameters):
        text = parameter.name
        if parameter.annotation:
            text += f": {parameter.annotation}"
        if parameter.default is not None:
            text += f" = {parameter.default}" if parameter.annotation else f"={parameter.default}"
        if parameter.kind == "var_positional":
            text, star_written = f"*{text}", True
        elif parameter.kind == "var_keyword":
            text = f"**{text}"
        elif parameter.kind == "keyword_only" and not star_written:
            parts.append("*")
            star_written = True
        parts.append(text)
        following = parameters[index + 1].kind if index + 1 < len(parameters) else None
        if parameter.kind == "positional_only" and following != "positional_only":
            parts.append("/")
    return ", ".join(parts)


def _function_kind(node: FunctionNode, in_class: bool) -> SymbolKind:
    """Method kinds from decorators; plain functions outside classes."""
    if not in_class:
        return SymbolKind.FUNCTION
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Name):
            last = target.id
        elif isinstance(target, ast.Attribute):
            last = target.attr
            if last in _PROPERTY_ACCESSORS:
                return SymbolKind.PROPERTY
        else:
            continue
        if last == "classmethod":
            return SymbolKind.CLASSMETHOD
        if last == "staticmethod":
            return SymbolKind.STATICMETHOD
        if last in _PROPERTY_DECORATORS:
            return SymbolKind.PROPERTY
    return SymbolKind.METHOD


# ----------------------------------------------------------------------------------- lookups


def _containing(file: _File, position: Position) -> _Entry | None:
    """The innermost entry one of whose definitions (or attribute docstring) holds ``position``.

    A position on an ``@overload`` signature or a property's setter gives the entry that
    documents them (the implementation, the getter).
    """
    found: _Entry | None = None
    for entry in file.parsed.entries:
        for node in entry.members or (entry.node,):
            first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
            last = (entry.attribute_doc or node).end_lineno or node.lineno
            if not first - 1 <= position.line <= last - 1:
                continue
            if Span(file.full_start(node), file.statement_end(node)).contains(position) or (
                entry.attribute_doc is not None
                and file.span(entry.attribute_doc).contains(position)
            ):
                found = entry
                break
    return found


def _on_module_header(file: _File, position: Position) -> bool:
    """Whether ``position`` is on the module docstring or before the first statement."""
    tree = file.parsed.tree
    if not tree.body:
        if not file.parsed.broken:
            return True
        header = 0
        while header < len(file.text.lines) and (
            not file.text.lines[header].strip() or file.text.lines[header].lstrip().startswith("#")
        ):
            header += 1
        return position.line <= header
    first = tree.body[0]
    doc = _docstring(tree)
    if doc is not None and Span(Position(0, 0), file.statement_end(first)).contains(position):
        return True
    start = file.full_start(first) if isinstance(first, DefinitionNode) else file.start(first)
    return position < start


def enclosing_symbol(source: str, path: Path, position: Position, root: Path) -> Symbol | None:
    """The innermost definition or module-level variable holding ``position``, from the AST only."""
    chunk = _parse_chunk(source, str(path), position.line)
    if chunk is not None and chunk.text.holds(position):
        file = _File(source, path, root, chunk)
        entry = _containing(file, position)
        if entry is not None and _defined_once(source, entry.qualname.split(".", 1)[0]):
            return _entry_symbol(file, entry)
    file = _File(source, path, root)
    if not file.text.holds(position):
        return None
    entry = _containing(file, position)
    if entry is not None:
        return _entry_symbol(file, entry)
    if _on_module_header(file, position):
        return _module_symbol(file)
    return None


def _defined_once(source: str, name: str) -> bool:
    """Whether ``def name``/``class name`` is written at most once in ``source`` (any depth).

    A part of the file parsed alone cannot tell overloads, accessors and redefinitions of a
    top-level name written elsewhere; a name written once needs no more than its part.
    """
    return _definition_counts(source)[name] <= 1


@functools.lru_cache(maxsize=4)
def _definition_counts(source: str) -> Counter[str]:
    """How often each name (NFKC, as the AST has it) follows ``def``/``class`` in ``source``."""
    return Counter(normalize(name) for name in _DEFINED_NAME.findall(source))


def symbol_named(source: str, path: Path, qualname: str, root: Path) -> Symbol:
    """The symbol with key ``qualname`` in this file (``""`` is the module).

    A plain qualified name of a name defined more than once is the definition Python binds
    last (``redefinitions`` lists the others); ``name#N`` is the N-th of the earlier ones.
    Names compare as Python compares them (NFKC, PEP 3131): ``𝔣𝔬𝔬`` finds ``foo``.
    """
    file = _File(source, path, root)
    qualname = normalize(qualname)
    if not qualname:
        return _module_symbol(file)
    for entry in file.parsed.entries:
        if entry.key == qualname:
            return _entry_symbol(file, entry)
    names = [entry.key for entry in file.parsed.entries]
    close = difflib.get_close_matches(qualname, names, n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else "; check the spelling"
    shown = shown_input(qualname)
    raise _not_found(file, f"no function, class or module-level name {shown} in {path}{hint}")


def redefinitions(source: str, path: Path, key: str, root: Path) -> list[tuple[str, int]]:
    """The other definitions of ``key``'s qualified name at its level: ``(key, 1-based line)``."""
    file = _File(source, path, root)
    same = [e for e in file.parsed.entries if e.key == key]
    if not same or same[0].count == 1:
        return []
    qualname = same[0].qualname
    parent = key.rsplit(".", 1)[0] if "." in key else ""
    return [
        (entry.key, file.name_position(entry).line + 1)
        for entry in file.parsed.entries
        if entry.qualname == qualname
        and entry.key != key
        and (entry.key.rsplit(".", 1)[0] if "." in entry.key else "") == parent
    ]


def list_symbols(
    source: str, path: Path, root: Path, include_private: bool = False
) -> list[Symbol]:
    """Every public documentable symbol of the file in order, the module first; each key once.

    Public means reachable from outside: definitions nested in a function (which stay
    documentable from the cursor) are left out, and so are names with a leading underscore
    unless ``include_private``, and so are definitions whose docstring, or whose class's, says
    ``:meta private:`` (:data:`META_PRIVATE`).
    """
    file = _File(source, path, root)
    symbols = [_module_symbol(file)]
    hidden = _meta_private_names(file.parsed.entries)
    for entry in _keyed_entries(file.parsed.entries):
        if entry.importable and (include_private or not _private(entry.qualname, hidden)):
            symbols.append(_entry_symbol(file, entry))
    return symbols


@dataclass(frozen=True)
class OutlineItem:
    """One documentable definition of a file, from its syntax tree alone (no import paths).

    ``key`` is its identity (``howto_ls.definitions``), ``range`` the whole definition
    (decorators to body, 0-based code-point positions), ``public`` whether
    :func:`list_symbols` lists it without ``include_private`` (importable, no part of the
    qualified name starting with ``_``) and ``importable`` whether it is reachable from outside
    at all (not nested in a function).
    """

    key: str
    qualname: str
    kind: SymbolKind
    range: Span
    importable: bool
    public: bool


def outline(source: str, path: Path, root: Path) -> list[OutlineItem]:
    """Every documentable definition of the file, the module first, each key once, in the
    order of :func:`list_symbols` (which lists the public, importable ones of the same file).

    Cheap: one cached parse, no jedi, no reading of other files.
    """
    file = _File(source, path, root)
    items = [
        OutlineItem("", "", SymbolKind.MODULE, Span(Position(0, 0), file.text.end), True, True)
    ]
    hidden = _meta_private_names(file.parsed.entries)
    for entry in _keyed_entries(file.parsed.entries):
        node = entry.node
        if isinstance(node, ast.ClassDef):
            kind = SymbolKind.CLASS
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            kind = _function_kind(node, entry.in_class)
        else:
            kind = SymbolKind.VARIABLE
        public = entry.importable and not _private(entry.qualname, hidden)
        items.append(
            OutlineItem(
                entry.key, entry.qualname, kind, file.full_span(entry), entry.importable, public
            )
        )
    return items


def is_private(qualname: str) -> bool:
    """Whether any part of ``qualname`` starts with ``_`` (``_helper``, ``Client._send``)."""
    return any(part.startswith("_") for part in qualname.split("."))


META_PRIVATE = ":meta private:"
"""The docstring field by which Sphinx's autodoc marks a public-looking name private."""


def meta_private(node: ast.AST | None) -> bool:
    """Whether ``node`` (a class or function) says :data:`META_PRIVATE` in its docstring."""
    if not isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
        return False
    doc = astutil.docstring_node(node)
    return doc is not None and isinstance(doc.value, str) and META_PRIVATE in doc.value


def _meta_private_names(entries: Sequence[_Entry]) -> frozenset[str]:
    """Qualnames of the entries whose docstring says :data:`META_PRIVATE`."""
    return frozenset(e.qualname for e in entries if meta_private(e.node))


def _private(qualname: str, hidden: frozenset[str]) -> bool:
    """Whether ``qualname`` is private: :func:`is_private`, or it or a class it is defined in
    is in ``hidden`` (marked ``:meta private:``)."""
    if is_private(qualname):
        return True
    parts = qualname.split(".")
    return any(".".join(parts[:end]) in hidden for end in range(1, len(parts) + 1))


def _keyed_entries(entries: Sequence[_Entry]) -> Iterator[_Entry]:
    """``entries`` with each key once (the first entry that has it), counted apart for
    importable entries and nested ones."""
    seen: set[tuple[bool, str]] = set()
    for entry in entries:
        if (entry.importable, entry.key) not in seen:
            seen.add((entry.importable, entry.key))
            yield entry


# ----------------------------------------------------------------------------------- jedi


@dataclass(frozen=True)
class _Target:
    """Where a jedi definition lives."""

    path: Path
    line: int  # 0-based
    name: str
    type: str


@functools.lru_cache(maxsize=8)
def _project(root: Path) -> Any:
    """One jedi project per root, at the folder its modules are imported from (an installed
    project's installation folder: :func:`howto_ls.project.import_base`), so that jedi finds
    them by their import names and no module of a package passes for a top-level one."""
    import jedi  # imported on first use: it costs half a second of start-up

    return jedi.Project(import_base(root))


def _goto(source: str, path: Path, root: Path, points: tuple[Position, ...]) -> list[list[_Target]]:
    """Definitions of the names at ``points`` (on the jedi worker thread).

    jedi compares names as written; Python compares them NFKC-normalized (PEP 3131), so jedi
    reads a copy of ``source`` whose identifiers are normalized (``f.ｒｕｎ`` -> ``f.run``).
    """
    import jedi

    normalized = normalize_words(source)
    if normalized is not source:
        lines = _LINE_BREAK.split(source)
        points = tuple(
            Position(p.line, normalized_column(lines[p.line], p.column))
            if p.line < len(lines)
            else p
            for p in points
        )
    script = jedi.Script(code=normalized, path=path, project=_project(root))
    results: list[list[_Target]] = []
    for point in points:
        try:
            names = script.goto(point.line + 1, point.column, follow_imports=True)
        except Exception:  # jedi raises assorted errors on odd code; treat as unresolved
            names = []
        results.append(
            [
                _Target(Path(n.module_path), (n.line or 1) - 1, n.name, n.type)
                for n in names
                if n.module_path is not None
            ]
        )
    return results


def _resolve(
    source: str, path: Path, root: Path, points: tuple[Position, ...]
) -> list[list[_Target]]:
    """Run ``_goto`` on the shared jedi worker."""
    return default_worker.run_sync(_goto, source, path, root, points)


def _read(path: Path) -> str | None:
    """A source file's text, or None if it cannot be read as UTF-8 or is over the size limit."""
    return context_text(path)


def _definition_symbol(target: _Target, here: Path, here_source: str, root: Path) -> Symbol | None:
    """The documentable symbol jedi points at, read from its own file; None if not documentable."""
    if target.path.suffix != ".py":
        return None
    same = target.path.resolve() == here.resolve()
    source = here_source if same else _read(target.path)
    if source is None:
        return None
    file = _File(source, here if same else target.path, root)
    if target.type == "module":
        return _module_symbol(file)
    if target.type not in {"function", "class", "statement", "property", "instance"}:
        return None
    name = normalize(target.name)  # jedi gives a name as written in its file
    for entry in file.parsed.entries:
        if entry.qualname.rsplit(".", 1)[-1] != name:
            continue
        for member in entry.members or (entry.node,):
            if file.definition_name_line(member) == target.line:
                return _entry_symbol(file, entry)
    return None


def _word_at(line: str, column: int) -> tuple[int, str] | None:
    """The identifier touching ``column`` (start column and text), if any."""
    start = column
    if start >= len(line) or not _IDENTIFIER_CHAR.match(line[start]):
        start -= 1
    if start < 0 or not _IDENTIFIER_CHAR.match(line[start]):
        return None
    end = start
    while start > 0 and _IDENTIFIER_CHAR.match(line[start - 1]):
        start -= 1
    while end < len(line) and _IDENTIFIER_CHAR.match(line[end]):
        end += 1
    word = line[start:end]
    if not word.isidentifier() or keyword.iskeyword(word):
        return None
    return start, word


def _in_header(file: _File, entry: _Entry, position: Position) -> bool:
    """Whether ``position`` is on the entry's decorators, signature or assigned name."""
    node = entry.node
    if isinstance(node, ast.Assign | ast.AnnAssign) or _is_alias(node):
        value = cast(VariableNode, node).value
        if value is None:
            return True
        return position < file.start(value)
    return position < file.statement_start(node.body[0])


def symbol_at(source: str, path: Path, position: Position, root: Path) -> Symbol:
    """The definition at ``position``, or the documentable definition a reference there names."""
    file = _File(source, path, root)
    where = f"line {position.line + 1}, column {position.column + 1} of {path}"
    if not 0 <= position.line < len(file.text.lines):
        raise SymbolNotFoundError(
            f"{where} is past the end of the file; move the cursor onto a name"
        )
    if not file.text.holds(position):
        raise SymbolNotFoundError(
            f"{where} is past the end of line {position.line + 1}, which has"
            f" {len(file.text.lines[position.line])} characters; move the cursor onto a name"
        )
    entry = _containing(file, position)
    word = _word_at(file.text.lines[position.line], position.column)
    if word is not None and not (entry is not None and _in_header(file, entry, position)):
        (targets,) = _resolve(source, path, root, (Position(position.line, word[0]),))
        for target in targets:
            symbol = _definition_symbol(target, path, source, root)
            if symbol is not None:
                return symbol
    if entry is not None:
        return _entry_symbol(file, entry)
    if _on_module_header(file, position):
        return _module_symbol(file)
    raise _not_found(
        file,
        f"no function, class or module-level name at {where}; put the cursor on a definition"
        " or a reference to one",
    )
