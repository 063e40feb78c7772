"""The offline writer: a specific guide from static analysis of the symbol's code, no model."""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from howto_ls.astutil import DEFINITION_TYPES, Definition, iter_definitions
from howto_ls.backends.analysis import (
    Clause,
    Facts,
    analyse,
    cap_steps,
    code,
    dotted,
    is_generator,
    join_words,
    listing,
    own_nodes,
    sentence,
    tick,
)
from howto_ls.backends.base import Progress
from howto_ls.guide import Guide
from howto_ls.model import GuideRequest, Parameter, Symbol, SymbolKind

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
MAX_STEPS = 12
MAIN_METHODS = ("create_async_generator", "create_completion", "run", "main", "__call__")
_VAGUE = re.compile(r"\b(getting|doing|stuff|things|various)\b", re.I)
_VAGUE_FIX = {
    "getting": "retrieving",
    "doing": "performing",
    "stuff": "data",
    "things": "items",
    "various": "several",
}
_NOT_A_SUMMARY = (
    "How to Use This Code Block", ":", ">>>", "@", "..", "Args:", "Arguments:", "Parameters",
)  # fmt: skip
_ASYNC_ITER = re.compile(r"\b(AsyncResult|AsyncGenerator|AsyncIterator|AsyncIterable)\b")
_SYNC_ITER = re.compile(r"\b(Iterator|Generator)\b")
_DUNDER_USE = {
    "__len__": "print(len({obj}))",
    "__repr__": "print(repr({obj}))",
    "__str__": "print(str({obj}))",
    "__bool__": "print(bool({obj}))",
    "__hash__": "print(hash({obj}))",
    "__iter__": "for item in {obj}:\n    print(item)",
    "__contains__": 'print("example" in {obj})',
    "__getitem__": 'print({obj}["example"])',
    "__setitem__": '{obj}["example"] = "value"',
    "__delitem__": 'del {obj}["example"]',
    "__eq__": "print({obj} == {obj})",
}


class OfflineBackend:
    """Writes guides from static analysis alone: nothing leaves the machine."""

    name = "offline"
    model = "static-analysis"

    def describe(self) -> str:
        """Where guides come from."""
        return "offline (static analysis)"

    async def generate(self, request: GuideRequest, progress: Progress | None = None) -> Guide:
        """A guide for ``request.symbol``, written from its code."""
        if progress is not None:
            progress("Analysing the code offline")
        return write_guide(request)


def write_guide(request: GuideRequest) -> Guide:
    """A specific guide for ``request.symbol`` from static analysis of ``module_source``."""
    writer = _Writer(request.symbol, request.module_source)
    description, steps, example = writer.write()
    return Guide(
        description=_unvague(description),
        steps=tuple(_unvague(s) for s in steps),
        example=example,
    )


@functools.lru_cache(maxsize=8)
def parse_module(source: str) -> ast.Module | None:
    """The module's AST (shared by the symbols of one file: never mutate it), or None."""
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError):
        return None


_BLOCK_START = ("def ", "async def ", "class ", "@")


def segment_of(source: str, symbol: Symbol) -> str | None:
    """The top-level statement holding ``symbol``, cut from ``source`` by lines.

    Parsing only this block keeps big modules fast; when the cut is wrong (a string at column
    0, a stale range) the block does not parse or lacks the symbol, and callers parse it all.
    """
    return _block_at(_lines(source), symbol.full_range.start.line)


def _block_at(lines: Sequence[str], first: int) -> str | None:
    """The top-level block of ``lines`` that holds line ``first``, or None."""
    if not 0 <= first < len(lines):
        return None
    start = first
    if lines[first][:1] in {"", " ", "\t"}:
        while start > 0 and lines[start][:1] in {"", " ", "\t", "\n", "\r", "#"}:
            start -= 1
        if not lines[start].startswith(_BLOCK_START):
            return None
    while start > 0 and lines[start - 1].startswith("@"):
        start -= 1
    end = start
    if lines[start].startswith("@"):
        while end < len(lines) and not lines[end].startswith(_BLOCK_START[:3]):
            if end > start and not (lines[end].startswith("@") or _continues(lines[end])):
                return None
            end += 1
    end += 1
    while end < len(lines) and _continues(lines[end]):
        end += 1
    return "".join(lines[start:end])


@functools.lru_cache(maxsize=8)
def _lines(source: str) -> tuple[str, ...]:
    """The lines of ``source`` with their endings (split once per source text)."""
    return tuple(source.splitlines(keepends=True))


@functools.lru_cache(maxsize=16)
def definitions(tree: ast.Module) -> dict[str, Definition]:
    """Every function and class of ``tree`` by qualified name.

    The first definition wins when a name is redefined, except that an implementation wins
    over the ``@overload`` signatures before it.
    """
    found: dict[str, Definition] = {}
    for qualname, node in iter_definitions(tree):
        if qualname not in found or _is_overload(found[qualname]):
            found[qualname] = node
    return found


def _is_overload(node: Definition) -> bool:
    """Whether ``node`` is a ``@typing.overload`` signature (its implementation comes later)."""
    return any(name.rsplit(".", 1)[-1] == "overload" for name in decorator_names(node))


def _definition(tree: ast.Module, qualname: str) -> Definition | None:
    """The function or class named ``qualname`` in ``tree``, through the cached index."""
    return definitions(tree).get(qualname)


def _continues(line: str) -> bool:
    """Whether ``line`` belongs to the top-level block above it (indented, blank, closing)."""
    return not line.strip() or line[:1] in " \t#)]}"


def _unvague(text: str) -> str:
    """Swap vague words (from a quoted docstring) for specific ones; code spans stay as they are."""
    pieces = re.split(r"(`[^`]*`)", text)
    return "".join(
        piece
        if piece.startswith("`")
        else _VAGUE.sub(lambda m: _match_case(m.group(0), _VAGUE_FIX[m.group(0).lower()]), piece)
        for piece in pieces
    )


def _match_case(original: str, word: str) -> str:
    return word.capitalize() if original[:1].isupper() else word


# -- reading the definition -------------------------------------------------------------------


def parameters_of(node: FunctionNode) -> list[Parameter]:
    """The parameters of a function definition, with annotations and defaults as source text."""
    args = node.args
    positional = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
    defaults += list(args.defaults)
    out: list[Parameter] = []
    for index, (arg, default) in enumerate(zip(positional, defaults, strict=True)):
        kind = "positional_only" if index < len(args.posonlyargs) else "positional_or_keyword"
        out.append(_parameter(arg, default, kind))
    if args.vararg:
        out.append(_parameter(args.vararg, None, "var_positional"))
    for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        out.append(_parameter(arg, kw_default, "keyword_only"))
    if args.kwarg:
        out.append(_parameter(args.kwarg, None, "var_keyword"))
    return out


def _parameter(arg: ast.arg, default: ast.expr | None, kind: str) -> Parameter:
    annotation = code(arg.annotation, 200) if arg.annotation is not None else None
    text = code(default, 200) if default is not None else None
    return Parameter(name=arg.arg, annotation=annotation, default=text, kind=kind)


def decorator_names(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> list[str]:
    """Decorators as dotted names: ``classmethod``, ``functools.lru_cache``."""
    names = []
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        names.append(dotted(target) or code(decorator, 40))
    return names


def method_kind(node: FunctionNode, in_class: bool, nested: bool) -> str:
    """``class method``, ``static method``, ``property``, ``method``, ``nested function``..."""
    names = {n.rsplit(".", 1)[-1] for n in decorator_names(node)}
    if "classmethod" in names:
        return "class method"
    if "staticmethod" in names:
        return "static method"
    if names & {"property", "cached_property", "setter", "getter", "deleter"}:
        return "property"
    if in_class:
        return "method"
    return "nested function" if nested else "function"


def kind_phrase(node: FunctionNode, in_class: bool, nested: bool) -> str:
    """The full kind: ``asynchronous generator class method``."""
    base = method_kind(node, in_class, nested)
    is_async = isinstance(node, ast.AsyncFunctionDef)
    generator = is_generator(node)
    if is_async and generator:
        return f"asynchronous generator {base}"
    if is_async:
        return f"asynchronous {base}"
    if generator:
        return f"generator {base}"
    return base


def _article(phrase: str) -> str:
    return f"an {phrase}" if phrase[:1] in "aeiou" else f"a {phrase}"


def summary_line(docstring: str | None) -> str:
    """The first sentence-ish line of a docstring, without the guide block howto-ls adds."""
    if not docstring:
        return ""
    paragraph: list[str] = []
    for raw in docstring.strip().splitlines():
        line = raw.strip()
        if not line:
            break
        paragraph.append(line)
    text = " ".join(paragraph).replace("`", "'")
    if not text or text.startswith(_NOT_A_SUMMARY):
        return ""
    sentence_end = re.search(r"(?<=[.!?])\s", text)
    if sentence_end:
        text = text[: sentence_end.start()]
    return text if len(text) <= 200 else text[:197].rstrip() + "..."


def _describe_parameters(params: Sequence[Parameter], brief: bool = False) -> str:
    """``model`` (`str`), optional ``proxy`` (`str`, default `None`) and extra keyword arguments.

    ``brief`` names optional parameters without details when there are more than three.
    """
    parts: list[str] = []
    optional_names = [
        tick(p.name)
        for p in params
        if p.default is not None and p.kind not in {"var_positional", "var_keyword"}
    ]
    grouped = brief and len(optional_names) > 1
    for param in params:
        if grouped and param.default is not None:
            continue
        if param.name in {"self", "cls"} and param.kind != "keyword_only":
            continue
        if param.kind == "var_positional":
            parts.append(f"extra positional arguments ({tick('*' + param.name)})")
            continue
        if param.kind == "var_keyword":
            parts.append(f"extra keyword arguments ({tick('**' + param.name)})")
            continue
        details = [tick(param.annotation)] if param.annotation else []
        if param.default is not None:
            details.append(f"default {tick(param.default)}")
        suffix = f" ({', '.join(details)})" if details else ""
        optional = "optional " if param.default is not None else ""
        parts.append(f"{optional}{tick(param.name)}{suffix}")
    extras = [p for p in parts if p.startswith("extra ")]
    parts = [p for p in parts if not p.startswith("extra ")]
    if grouped:
        shown = optional_names[:5]
        if len(optional_names) > 5:
            shown.append(f"{len(optional_names) - 5} more")
        parts.append(f"the optional {join_words(shown)}")
    if len(parts) > 8:
        parts = [*parts[:7], f"{len(parts) - 7} more parameters"]
    text = join_words(parts)
    if extras:
        text = f"{text}, plus {join_words(extras)}" if text else join_words(extras)
    return text


def _signature_text(name: str, params: Sequence[Parameter]) -> str:
    shown = []
    for p in params:
        prefix = {"var_positional": "*", "var_keyword": "**"}.get(p.kind, "")
        text = prefix + p.name
        if p.annotation:
            text += f": {p.annotation}"
        if p.default is not None:
            text += f" = {p.default}"
        shown.append(text)
    full = f"{name}({', '.join(shown)})"
    return full if len(full) <= 90 else f"{name}({', '.join(prefix for prefix in _names(params))})"


def _names(params: Sequence[Parameter]) -> list[str]:
    star = {"var_positional": "*", "var_keyword": "**"}
    return [star.get(p.kind, "") + p.name for p in params]


# -- the writer --------------------------------------------------------------------------------


@dataclass
class _Writer:
    """Writes the three sections for one symbol."""

    symbol: Symbol
    source: str
    tree: ast.Module | None = None
    node: ast.AST | None = None
    parents: list[ast.AST] = field(default_factory=list)

    def module_tree(self) -> ast.Module | None:
        """The whole module's AST (parsed once per source text)."""
        return parse_module(self.source)

    def top_level_class(self, name: str) -> ast.ClassDef | None:
        """The module-level class ``name``, parsing only its block when it can."""
        match = re.search(rf"^class {re.escape(name)}\b", self.source, re.MULTILINE)
        if match is None:
            return None
        line = self.source.count("\n", 0, match.start())
        block = _block_at(_lines(self.source), line)
        for tree in (parse_module(block) if block else None, self.module_tree()):
            found = _definition(tree, name) if tree is not None else None
            if isinstance(found, ast.ClassDef):
                return found
        return None

    def write(self) -> tuple[str, list[str], str]:
        """Description, steps and example for the symbol."""
        symbol = self.symbol
        if symbol.kind is SymbolKind.MODULE or not symbol.qualname:
            self.tree = self.module_tree()
            return self._module()
        segment = segment_of(self.source, symbol)
        for whole in (False, True):
            if whole:
                self.tree = self.module_tree()
            else:
                self.tree = parse_module(segment) if segment else None
            if self.tree is None:
                continue
            self.node = _definition(self.tree, symbol.qualname) or _find_assignment(
                self.tree, symbol.qualname
            )
            if self.node is not None and not (
                isinstance(self.node, DEFINITION_TYPES) and _is_overload(self.node) and not whole
            ):
                self.parents = self._parents()
                break
        if isinstance(self.node, ast.ClassDef):
            return self._class(self.node)
        if isinstance(self.node, ast.FunctionDef | ast.AsyncFunctionDef):
            return self._function(self.node)
        if isinstance(self.node, ast.Assign | ast.AnnAssign):
            return self._variable(self.node)
        return self._fallback()

    def _parents(self) -> list[ast.AST]:
        parts = self.symbol.qualname.split(".")
        found: list[ast.AST] = []
        assert self.tree is not None
        for end in range(1, len(parts)):
            node = _definition(self.tree, ".".join(parts[:end]))
            if node is not None:
                found.append(node)
        return found

    @property
    def owner_class(self) -> ast.ClassDef | None:
        """The class the symbol is defined in directly, if any."""
        if self.parents and isinstance(self.parents[-1], ast.ClassDef):
            return self.parents[-1]
        return None

    @property
    def import_path(self) -> str:
        """Where users import the symbol from."""
        return self.symbol.import_path or self.symbol.module or "module"

    # -- functions ---------------------------------------------------------------------------

    def _function(self, node: FunctionNode) -> tuple[str, list[str], str]:
        facts = analyse(node.body)
        params = parameters_of(node)
        description = self._function_description(node, params, facts)
        steps: list[Clause] = []
        shown_params = [p for p in params if p.name not in {"self", "cls"}]
        if shown_params:
            steps.append(Clause(f"receives {_describe_parameters(params)}", 1))
        body_steps = facts.steps or [Clause(_stub_text(node), 1)]
        steps.extend(body_steps)
        texts = [sentence(c.text) for c in cap_steps(steps, MAX_STEPS)]
        example = _Example(self).for_function(node, params)
        return description, texts, example

    def _function_description(
        self, node: FunctionNode, params: Sequence[Parameter], facts: Facts
    ) -> str:
        owner = self.owner_class
        nested = bool(self.parents) and owner is None
        kind = kind_phrase(node, owner is not None, nested)
        where = f" of {tick(owner.name)}" if owner is not None else ""
        if nested:
            where = f" inside {tick(getattr(self.parents[-1], 'name', 'its parent'))}"
        decorators = [
            d
            for d in decorator_names(node)
            if d.rsplit(".", 1)[-1] not in {"classmethod", "staticmethod", "property"}
        ]
        decorated = (
            f", decorated with {join_words([tick('@' + d) for d in decorators])}"
            if decorators
            else ""
        )
        if not where and self.symbol.module:
            where = f" in {tick(self.symbol.module)}"
        parts = [f"{tick(self.symbol.qualname)} is {_article(kind)}{where}{decorated}."]
        summary = summary_line(ast.get_docstring(node, clean=True) or self.symbol.docstring)
        if summary:
            parts.append(f'Its docstring says: "{summary}"')
        takes = _describe_parameters(params, brief=True)
        result = self._result_phrase(node, facts)
        if kind.endswith("property"):
            parts.append(f"It is read like an attribute and {result}.")
        elif takes:
            parts.append(f"It takes {_and(takes, result)}.")
        else:
            parts.append(f"It takes no arguments and {result}.")
        actions = self._highlights(facts, ("yields", "returns"), result)
        if actions:
            parts.append(f"Along the way it {actions}.")
        return " ".join(parts)

    def _result_phrase(self, node: FunctionNode, facts: Facts) -> str:
        annotation = code(node.returns, 80) if node.returns is not None else ""
        annotated = f" (annotated {tick(annotation)})" if annotation else ""
        if is_generator(node):
            if facts.yields:
                values = [y for y in facts.yields if not y.isidentifier()] or facts.yields
                by_callee = {y.split("(", 1)[0] if "(" in y else y: y for y in reversed(values)}
                distinct = [y for y in dict.fromkeys(values) if y in by_callee.values()]
                shown = join_words([tick(y) for y in distinct[:3]], "or")
                return f"yields {shown}{annotated}"
            return f"is a generator{annotated}"
        if annotation and annotation != "None":
            if facts.returns and not facts.returns[0].isidentifier():
                return f"returns {tick(annotation)} from {tick(facts.returns[0])}"
            return f"returns {tick(annotation)}"
        if facts.returns:
            shown = join_words([tick(r) for r in dict.fromkeys(facts.returns[:2])], "or")
            return f"returns {shown}"
        if node.name == "__init__":
            return "sets up the new instance"
        return "returns `None`"

    def _highlights(self, facts: Facts, skip: tuple[str, ...] = (), said: str = "") -> str:
        """The weightiest highlights in body order, leaving out what ``said`` already names."""
        chosen = [
            h
            for h in facts.highlights
            if not h.text.startswith(skip) and not any(c in said for c in _codes(h.text))
        ]
        ranked = sorted(range(len(chosen)), key=lambda i: -chosen[i].weight)[:6]
        texts = [chosen[i].text for i in sorted(ranked)]
        return join_words(list(dict.fromkeys(texts)))

    # -- classes -----------------------------------------------------------------------------

    def _class(self, node: ast.ClassDef) -> tuple[str, list[str], str]:
        bases = [code(b, 50) for b in node.bases]
        decorators = decorator_names(node)
        methods = [n for n in node.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
        dataclass = _is_dataclass(decorators) and _find_method(node, "__init__") is None
        attributes = _class_attributes(node, skip_fields=dataclass)
        main = main_method(node)
        steps: list[Clause] = []
        parts = [f"{tick(self.symbol.qualname)} is a class"]
        if bases:
            parts[0] += f" deriving from {join_words([tick(b) for b in bases])}"
            steps.append(
                Clause(
                    f"{tick(node.name)} inherits the methods and attributes of "
                    f"{join_words([tick(b) for b in bases])}",
                    1,
                )
            )
        if decorators:
            parts[0] += f", decorated with {join_words([tick('@' + d) for d in decorators])}"
        parts[0] += "."
        summary = summary_line(ast.get_docstring(node, clean=True) or self.symbol.docstring)
        if summary:
            parts.append(f'Its docstring says: "{summary}"')
        if attributes:
            shown = [
                f"{tick(name)} = {tick(value)}" if len(value) <= 40 else tick(name)
                for name, value in attributes[:6]
            ]
            described = [
                f"{tick(name)} ({tick(value)})" if _URLISH.search(value) else tick(name)
                for name, value in attributes
            ]
            extra = [tick(name) for name, _ in attributes[6:]]
            steps.append(Clause(f"it sets the class attributes {listing(shown + extra, 6)}", 1))
            parts.append(f"It sets the class attributes {listing(described, 6)}.")
        init = _find_method(node, "__init__")
        if init is not None:
            init_params = parameters_of(init)
            init_facts = analyse(init.body)
            takes = _describe_parameters(init_params, brief=True) or "no arguments"
            stored = [c.text for c in init_facts.steps if c.weight >= 1 and len(c.text) < 140]
            does = f", and its constructor {join_words(stored[:3])}" if stored else ""
            steps.append(Clause(f"it is constructed with {takes}{does}", 2))
        elif dataclass:
            fields = [tick(_field_text(f)) for f in _fields(node)]
            steps.append(
                Clause(f"it is a dataclass built from the fields {listing(fields, 8)}", 2)
                if fields
                else Clause("it is a dataclass without fields", 1)
            )
            if fields:
                parts.append(f"It holds the fields {listing(fields, 8)}.")
        public = [m.name for m in methods if not m.name.startswith("_")]
        if len(methods) > 1:
            shown = [tick(f"{name}()") for name in public[:8]] or [
                tick(f"{m.name}()") for m in methods[:8]
            ]
            steps.append(Clause(f"it defines the methods {join_words(shown)}", 1))
            parts.append(f"It defines {len(methods)} methods, among them {join_words(shown[:5])}.")
        if main is not None:
            facts = analyse(main.body)
            params = parameters_of(main)
            kind = kind_phrase(main, True, False)
            takes = _describe_parameters(params, brief=True) or "no arguments"
            result = self._result_phrase(main, facts)
            steps.append(Clause(f"the {kind} {tick(main.name)} takes {_and(takes, result)}", 2))
            parts.append(
                f"Its main entry point is the {kind} {tick(main.name)}, which takes "
                f"{_and(takes, result)}."
            )
            actions = self._highlights(facts, ("yields", "returns"), result)
            if actions:
                parts.append(f"In it, the code {actions}.")
            room = max(MAX_STEPS - len(steps), 4)
            steps.extend(cap_steps(facts.steps, room))
        if not steps:
            steps.append(Clause(f"{tick(node.name)} defines no methods or attributes of its own"))
        texts = [sentence(c.text) for c in cap_steps(steps, MAX_STEPS + 2)]
        example = _Example(self).for_class(node, main)
        return " ".join(parts), texts, example

    # -- variables and modules ---------------------------------------------------------------

    def _variable(self, node: ast.Assign | ast.AnnAssign) -> tuple[str, list[str], str]:
        name = self.symbol.qualname
        value = node.value
        annotation = (
            f", annotated {tick(code(node.annotation))}" if isinstance(node, ast.AnnAssign) else ""
        )
        where = (
            f"a class attribute of {tick(self.owner_class.name)}"
            if self.owner_class is not None
            else f"a module-level variable of {tick(self.symbol.module)}"
        )
        shown = f" set to {tick(code(value))}" if value is not None else ""
        description = f"{tick(name)} is {where}{annotation}{shown}."
        facts = analyse([node])
        steps = [sentence(c.text) for c in facts.steps] or [sentence(f"declares {tick(name)}")]
        when = "the class body runs" if self.owner_class is not None else "the module is imported"
        steps.append(sentence(f"the value is computed once, when {when}"))
        summary = summary_line(self.symbol.docstring)
        if summary:
            description += f' Its documentation says: "{summary}"'
        example = _Example(self).for_variable()
        return description, steps, example

    def _module(self) -> tuple[str, list[str], str]:
        tree = self.tree or ast.Module(body=[], type_ignores=[])
        name = self.import_path
        classes = [n.name for n in tree.body if isinstance(n, ast.ClassDef)]
        functions = [
            n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
        ]
        parts = [f"{tick(name)} is a Python module."]
        summary = summary_line(ast.get_docstring(tree, clean=True) or self.symbol.docstring)
        if summary:
            parts.append(f'Its docstring says: "{summary}"')
        for noun, names in (("class", classes), ("function", functions)):
            if names:
                shown = listing([tick(n + ("()" if noun == "function" else "")) for n in names], 8)
                plural = (
                    noun if len(names) == 1 else f"{noun}es" if noun == "class" else "functions"
                )
                parts.append(f"It defines the {plural} {shown}.")
        steps: list[Clause] = []
        imports: list[str] = []
        for statement in tree.body:
            if isinstance(statement, ast.ImportFrom) and statement.module == "__future__":
                continue
            if isinstance(statement, ast.Import | ast.ImportFrom):
                imports.extend(a.asname or a.name for a in statement.names)
            elif isinstance(statement, ast.ClassDef):
                bases = [code(b, 40) for b in statement.bases]
                base_text = f" (from {join_words([tick(b) for b in bases])})" if bases else ""
                said = _said(statement)
                steps.append(
                    Clause(f"defines the class {tick(statement.name)}{base_text}{said}", 2)
                )
            elif isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
                signature = _signature_text(statement.name, parameters_of(statement))
                said = _said(statement)
                steps.append(Clause(f"defines the function {tick(signature)}{said}", 2))
            elif _exports(statement):
                names = _exports(statement)
                listed = listing([tick(repr(n)) for n in names], 6)
                steps.append(Clause(f"lists {listed} in `__all__`", 1))
            else:
                steps.extend(analyse([statement]).steps)
        if imports:
            listed = listing([tick(i) for i in imports], 6)
            steps.insert(0, Clause(f"imports {listed}", 1))
        if not steps:
            steps.append(Clause(f"{tick(name)} has no statements besides its docstring", 0))
        texts = [sentence(c.text) for c in cap_steps(steps, MAX_STEPS)]
        example = _Example(self).for_module(tree)
        return " ".join(parts), texts, example

    def _fallback(self) -> tuple[str, list[str], str]:
        """A guide from the Symbol's own fields when the source has no matching definition."""
        symbol = self.symbol
        kind = symbol.kind.value
        description = f"{tick(symbol.qualname)} is {_article(kind)} in {tick(symbol.module)}."
        if symbol.signature:
            description += f" Its signature is {tick(symbol.signature)}."
        summary = summary_line(symbol.docstring)
        if summary:
            description += f' Its docstring says: "{summary}"'
        steps = [sentence(f"imports {tick(symbol.name)} from {tick(self.import_path)}")]
        steps.append(sentence(f"uses {tick(symbol.qualname)} as its signature describes"))
        top = symbol.qualname.split(".")[0] or symbol.name
        example = f"from {self.import_path} import {top}\n\nprint({symbol.qualname})\n"
        return description, steps, _checked(example, self.import_path, top)


def _said(node: Definition) -> str:
    """``: "first docstring sentence"`` for a definition that has a docstring, else ""."""
    summary = summary_line(ast.get_docstring(node, clean=True))
    return f' ("{summary}")' if summary else ""


def _exports(statement: ast.stmt) -> list[str]:
    """The names an ``__all__ = [...]`` assignment lists."""
    if (
        isinstance(statement, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "__all__" for t in statement.targets)
        and isinstance(statement.value, ast.List | ast.Tuple)
    ):
        return [
            e.value
            for e in statement.value.elts
            if isinstance(e, ast.Constant) and isinstance(e.value, str)
        ]
    return []


def _and(first: str, second: str) -> str:
    """``first and second``, with a comma when ``first`` is itself a list."""
    return f"{first}, and {second}" if ", " in first else f"{first} and {second}"


def _codes(text: str) -> list[str]:
    """The backticked spans of ``text`` longer than a bare name."""
    return [span for span in re.findall(r"`([^`]+)`", text) if not span.isidentifier()]


def _stub_text(node: FunctionNode) -> str:
    body = [
        n for n in node.body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))
    ]
    if not body or all(isinstance(n, ast.Pass) for n in body):
        return f"has no body of its own: {tick(node.name)} is a stub that implementations fill in"
    return f"runs {tick(code(body[0]))}"


def _field_text(field: Parameter) -> str:
    text = f"{field.name}: {field.annotation}"
    return f"{text} = {field.default}" if field.default is not None else text


def _class_attributes(node: ast.ClassDef, skip_fields: bool = False) -> list[tuple[str, str]]:
    """Class-level ``name = value`` pairs; annotated fields too unless ``skip_fields``."""
    out: list[tuple[str, str]] = []
    for statement in node.body:
        if skip_fields and isinstance(statement, ast.AnnAssign):
            continue
        if isinstance(statement, ast.Assign) and statement.value is not None:
            for target in statement.targets:
                if isinstance(target, ast.Name):
                    out.append((target.id, code(statement.value, 200)))
        elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            value = code(statement.value, 200) if statement.value is not None else "..."
            out.append((statement.target.id, value))
    return out


def _find_method(node: ast.ClassDef, name: str) -> FunctionNode | None:
    for statement in node.body:
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef) and statement.name == name:
            return statement
    return None


_URLISH = re.compile(r"^f?['\"](https?://|/)")
_ENUM_BASES = frozenset({"Enum", "IntEnum", "StrEnum", "Flag", "IntFlag"})


def _is_exception(name: str, bases: set[str]) -> bool:
    """Whether a class is an exception, judged by its own and its bases' names."""
    suffixes = ("Error", "Exception", "Warning", "Exit", "Interrupt")
    return name.endswith(suffixes) or any(b.endswith(suffixes) for b in bases)


def _is_dataclass(decorators: Sequence[str]) -> bool:
    return any(
        d.rsplit(".", 1)[-1] in {"dataclass", "define", "frozen", "mutable", "attrs", "s"}
        for d in decorators
    )


def _fields(node: ast.ClassDef) -> list[Parameter]:
    """Dataclass-style fields (``name: type [= default]``) as constructor parameters."""
    out = []
    for statement in node.body:
        if not isinstance(statement, ast.AnnAssign) or not isinstance(statement.target, ast.Name):
            continue
        annotation = code(statement.annotation, 200)
        if annotation.startswith(("ClassVar", "typing.ClassVar", "InitVar")):
            continue
        default = code(statement.value, 200) if statement.value is not None else None
        out.append(Parameter(statement.target.id, annotation, default))
    return out


def main_method(node: ast.ClassDef) -> FunctionNode | None:
    """The method a guide walks: named in its docstring, a known entry point, or the biggest."""
    methods = [n for n in node.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    if not methods:
        return None
    docstring = ast.get_docstring(node) or ""
    for method in methods:
        if not method.name.startswith("_") and re.search(
            rf"\b{re.escape(method.name)}\b", docstring
        ):
            return method
    for name in MAIN_METHODS:
        for method in methods:
            if method.name == name:
                return method
    public = [m for m in methods if not m.name.startswith("_")]
    if public:
        return max(public, key=lambda m: sum(1 for _ in ast.walk(m)))
    init = _find_method(node, "__init__")
    return None if init is not None else methods[0]


def _find_assignment(tree: ast.Module, qualname: str) -> ast.Assign | ast.AnnAssign | None:
    """The assignment that binds ``qualname`` at module level or in a class body."""
    *owner, name = qualname.split(".")
    body: list[ast.stmt] = tree.body
    if owner:
        parent = _definition(tree, ".".join(owner))
        if not isinstance(parent, ast.ClassDef):
            return None
        body = parent.body
    for statement in _flatten(body):
        if isinstance(statement, ast.Assign):
            names = [
                n.id for t in statement.targets for n in ast.walk(t) if isinstance(n, ast.Name)
            ]
            if name in names:
                return statement
        if (
            isinstance(statement, ast.AnnAssign)
            and isinstance(statement.target, ast.Name)
            and statement.target.id == name
        ):
            return statement
    return None


def _flatten(body: list[ast.stmt]) -> list[ast.stmt]:
    out: list[ast.stmt] = []
    for statement in body:
        out.append(statement)
        if isinstance(statement, ast.If | ast.Try):
            out.extend(_flatten(statement.body))
            out.extend(_flatten(statement.orelse))
            if isinstance(statement, ast.Try):
                for handler in statement.handlers:
                    out.extend(_flatten(handler.body))
    return out


# -- usage example -----------------------------------------------------------------------------

MESSAGES = [
    "messages = [",
    '    {"role": "user", "content": "Hello, how are you?"},',
    "]",
]


def snake_case(name: str) -> str:
    """``AsyncClient`` -> ``async_client``; a safe variable name."""
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name.lstrip("_"))
    text = text.lower()
    text = re.sub(r"\W", "_", text) or "obj"
    if text in {"class", "def", "import", "from", "return", "yield", "async", "await", "lambda"}:
        text += "_obj"
    return text


def _alternatives(annotation: str) -> list[str]:
    """``Optional[X]``, ``X | Y | None``, ``Union[X, Y]`` -> ``[X, Y]``; quotes dropped."""
    text = annotation.strip().strip("'\"").strip()
    match = re.fullmatch(r"(?:typing\.)?Optional\[(.*)\]", text)
    if match:
        return _alternatives(match.group(1))
    match = re.fullmatch(r"(?:typing\.)?Union\[(.*)\]", text)
    parts = _split_top(match.group(1), ",") if match else _split_top(text, "|")
    out: list[str] = []
    for part in (p.strip() for p in parts):
        if part not in {"None", "NoneType", ""}:
            out.extend(_alternatives(part) if part != text else [part])
    return out or ["None"]


def _unwrap(annotation: str) -> str:
    """The first alternative of an annotation: ``Optional[X]`` -> ``X``."""
    return _alternatives(annotation)[0]


def _split_top(text: str, sep: str) -> list[str]:
    out, depth, current = [], 0, ""
    for char in text:
        depth += (char in "[(" and 1) or 0
        depth -= (char in "])" and 1) or 0
        if char == sep and depth == 0:
            out.append(current)
            current = ""
        else:
            current += char
    out.append(current)
    return out


_NAME_VALUES: tuple[tuple[str, str], ...] = (
    (r"^(base_)?(url|uri|href|link|endpoint|api_url|api_base)$|_url$", '"https://example.com"'),
    (r"^(host|hostname|domain)$", '"example.com"'),
    (r"^port$", "8080"),
    (r"^(status|status_code)$", "200"),
    (r"^(dir|directory|folder|root|cwd|dirname)$|_dir$", '"data"'),
    (r"^(path|file|filename|filepath|fname)$|_(path|file)$", '"data.txt"'),
    (r"^(messages|history|conversation)$", "messages"),
    (r"^(headers)$", '{"Accept": "application/json"}'),
    (r"^(data|payload|json|params|query_params|body|cookies|options|config|kwargs|mapping)$",
     '{"key": "value"}'),
    (r"^(timeout|delay|interval|seconds|wait)$", "5.0"),
    (r"^(n|count|size|limit|length|index|idx|line|column|col|number|num|retries|depth|level)$"
     r"|^(max|min|num)_|_(count|size|limit|index)$", "1"),
    (r"^(callback|func|fn|function|handler|hook|factory|key_func|predicate|cb)$|_callback$",
     "lambda *args: None"),
    (r"^(is|has|use|enable|should|allow)_|^(verbose|strict|force|debug|quiet|stream)$", "True"),
    (r"^(encoding|charset)$", '"utf-8"'),
    (r"^(method)$", '"GET"'),
    (r"^(source|code|src)$", '"x = 1\\n"'),
    (r"^(items|values|elements|names|keys|args|lines|parts)$", '["example"]'),
    (r"^(text|message|prompt|content|query|question|string|s|msg|line_text)$",
     '"Hello, world"'),
)  # fmt: skip

_NOTABLE = re.compile(
    r"^(url|base_url|path|file|filename|source|code|text|data|content|message|messages|prompt|"
    r"query|name|host)$"
)

_TYPE_VALUES: dict[str, str] = {
    "str": '"example"',
    "int": "1",
    "float": "1.0",
    "bool": "True",
    "bytes": 'b"data"',
    "bytearray": 'bytearray(b"data")',
    "dict": '{"key": "value"}',
    "list": '["example"]',
    "tuple": '("example",)',
    "set": '{"example"}',
    "frozenset": 'frozenset({"example"})',
    "Any": '"example"',
    "object": '"example"',
    "Messages": "messages",
    "None": "None",
    "complex": "1j",
}


@dataclass
class _Example:
    """Builds a usage example that imports the symbol from its public path."""

    writer: _Writer
    imports: list[str] = field(default_factory=list)
    setup: list[str] = field(default_factory=list)
    body: list[str] = field(default_factory=list)
    needs_async: bool = False
    managed_from: int | None = None  # body lines from here run inside a ``with`` block

    @property
    def top(self) -> str:
        """The top-level name the example imports."""
        return self.writer.symbol.qualname.split(".")[0]

    # -- values -----------------------------------------------------------------------------

    def value(self, param: Parameter) -> str:
        """A realistic argument for ``param`` from its annotation, then its name."""
        name = param.name.lower().lstrip("_")
        if name == "model":
            default_model = self._class_constant("default_model")
            if default_model:
                return default_model
        alternatives = _alternatives(param.annotation) if param.annotation else []
        for annotation in alternatives:
            by_type = self._value_for_type(annotation, name)
            if by_type is not None:
                return by_type
        for pattern, value in _NAME_VALUES:
            if re.search(pattern, name):
                return self._use(value)
        if alternatives:
            variable = snake_case(param.name)
            wanted = alternatives[0]
            kind = re.fullmatch(r"(?:typing\.)?[Tt]ype\[(.+)\]", wanted)
            what = f"a {kind.group(1)} subclass" if kind else f"a {wanted} object"
            self.setup.append(f"{variable} = ...  # {what}")
            return variable
        return '"example"'

    def _use(self, value: str) -> str:
        if value == "messages" and MESSAGES[0] not in self.setup:
            self.setup.extend(MESSAGES)
        return value

    def _value_for_type(self, annotation: str, name: str) -> str | None:
        head, _, inner = annotation.partition("[")
        head = head.rsplit(".", 1)[-1]
        inner = inner[:-1] if inner.endswith("]") else inner
        if head in {"str", "Any", "object", "AnyStr"} or head.endswith("Str"):
            for pattern, value in _NAME_VALUES:
                if re.search(pattern, name) and value.startswith(('"', "messages")):
                    return self._use(value)
            return _TYPE_VALUES["str"]
        if head in {"int", "float"}:
            for pattern, value in _NAME_VALUES:
                if re.search(pattern, name) and re.fullmatch(r"[\d.]+", value):
                    return value if head == "float" or "." not in value else value.split(".")[0]
            return _TYPE_VALUES[head]
        if head == "Messages" or (head in {"list", "List", "Sequence"} and name == "messages"):
            return self._use("messages")
        if head in {"list", "List", "Sequence", "Iterable", "Collection", "MutableSequence"}:
            item = self._value_for_type(_unwrap(_split_top(inner, ",")[0]), "") if inner else None
            return f"[{item}]" if item else '["example"]'
        if head in {"dict", "Dict", "Mapping", "MutableMapping"}:
            return '{"Accept": "application/json"}' if name == "headers" else '{"key": "value"}'
        if head in {"Callable", "Awaitable"} and head == "Callable":
            return "lambda *args: None"
        if head in {"Path", "PurePath", "PathLike", "StrPath"}:
            if head == "Path":
                self.imports.append("from pathlib import Path")
                return 'Path("data.txt")'
            return '"data.txt"'
        if head == "Literal" and inner:
            return _split_top(inner, ",")[0].strip()
        if head in _TYPE_VALUES:
            return _TYPE_VALUES[head]
        return None

    def _class_constant(self, name: str) -> str | None:
        owner = self.writer.owner_class
        if owner is None and isinstance(self.writer.node, ast.ClassDef):
            owner = self.writer.node
        if owner is None:
            return None
        for statement in owner.body:
            if (
                isinstance(statement, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == name for t in statement.targets)
                and isinstance(statement.value, ast.Constant)
                and isinstance(statement.value.value, str)
            ):
                return repr(statement.value.value).replace("'", '"')
        return None

    def arguments(self, params: Sequence[Parameter]) -> str:
        """Required arguments (positional-only ones by position, the rest by keyword).

        With nothing required, the first optional parameter whose name says what it holds
        (``code``, ``url``, ``path``...) is passed, so the example shows real use.
        """
        parts: list[str] = []
        usable = [
            p
            for index, p in enumerate(params)
            if not (index == 0 and p.name in {"self", "cls"})
            and p.kind not in {"var_positional", "var_keyword"}
        ]
        for param in usable:
            if param.default is not None:
                continue
            value = self.value(param)
            parts.append(value if param.kind == "positional_only" else f"{param.name}={value}")
        if not parts:
            notable = next((p for p in usable if _NOTABLE.search(p.name)), None)
            if notable is not None:
                value = self.value(notable)
                shown = value if notable.kind == "positional_only" else f"{notable.name}={value}"
                parts.append(shown)
        return ", ".join(parts)

    # -- shapes -----------------------------------------------------------------------------

    def use_call(self, call: str, node: FunctionNode | None, loop_name: str = "item") -> None:
        """Append the statements that call ``call`` the way its kind needs."""
        returns = code(node.returns, 200) if node is not None and node.returns is not None else ""
        is_async = isinstance(node, ast.AsyncFunctionDef)
        generator = node is not None and is_generator(node)
        if (is_async and generator) or (not is_async and _ASYNC_ITER.search(returns)):
            self.needs_async = True
            self.body += [f"async for {loop_name} in {call}:", f"    print({loop_name})"]
        elif is_async:
            self.needs_async = True
            if returns == "None" or (node is not None and not _returns_value(node)):
                self.body.append(f"await {call}")
            else:
                self.body += [f"result = await {call}", "print(result)"]
        elif generator or _SYNC_ITER.search(returns):
            self.body += [f"for {loop_name} in {call}:", f"    print({loop_name})"]
        elif returns == "None" or (node is not None and not returns and not _returns_value(node)):
            self.body.append(call)
        else:
            self.body += [f"result = {call}", "print(result)"]

    def instance(self, class_node: ast.ClassDef | None, class_path: str) -> str:
        """Build an instance of the class at ``class_path``; return its variable name."""
        variable = snake_case(class_path.rsplit(".", 1)[-1])
        if variable == self.top:
            variable += "_obj"
        args = self.arguments(self.constructor(class_node))
        if class_node is not None and _find_method(class_node, "__aenter__") is not None:
            self.needs_async = True
            self.body.append(f"async with {class_path}({args}) as {variable}:")
            self.managed_from = len(self.body)
        elif class_node is not None and _find_method(class_node, "__enter__") is not None:
            self.body.append(f"with {class_path}({args}) as {variable}:")
            self.managed_from = len(self.body)
        else:
            self.body.append(f"{variable} = {class_path}({args})")
        return variable

    def constructor(self, class_node: ast.ClassDef | None, depth: int = 0) -> list[Parameter]:
        """What building the class takes: ``__init__``, dataclass or NamedTuple fields, or a
        base class's constructor when that base is defined in the same module."""
        if class_node is None or depth > 3:
            return []
        init = _find_method(class_node, "__init__")
        if init is not None:
            return parameters_of(init)
        bases = [dotted(b) or "" for b in class_node.bases]
        if _is_dataclass(decorator_names(class_node)) or any(
            b.rsplit(".", 1)[-1] == "NamedTuple" for b in bases
        ):
            return _fields(class_node)
        for base in class_node.bases:
            if isinstance(base, ast.Name):
                parent = self.writer.top_level_class(base.id)
                if parent is not None:
                    found = self.constructor(parent, depth + 1)
                    if found:
                        return found
        return []

    def for_function(self, node: FunctionNode, params: Sequence[Parameter]) -> str:
        """An example that calls a function, method, class method or property."""
        writer = self.writer
        qualname = writer.symbol.qualname
        owner = writer.owner_class
        kind = method_kind(node, owner is not None, bool(writer.parents) and owner is None)
        self.imports.append(f"from {writer.import_path} import {self.top}")
        if kind == "nested function":
            outer = writer.parents[0]
            if isinstance(outer, ast.FunctionDef | ast.AsyncFunctionDef):
                self.body.append(f"# {tick(node.name)} runs inside {tick(outer.name)}:")
                self.use_call(f"{outer.name}({self.arguments(parameters_of(outer))})", outer)
            else:
                self.body.append(f"print({self.top})")
            return self.render()
        class_path = qualname.rsplit(".", 1)[0] if owner is not None else ""
        loop_name = "chunk" if isinstance(node, ast.AsyncFunctionDef) else "item"
        if kind in {"class method", "static method"}:
            self.use_call(f"{class_path}.{node.name}({self.arguments(params)})", node, loop_name)
        elif kind == "property":
            variable = self.instance(owner, class_path)
            self.body.append(f"print({variable}.{node.name})")
        elif kind == "method":
            self._method(node, params, owner, class_path, loop_name)
        else:
            self.use_call(f"{node.name}({self.arguments(params)})", node, loop_name)
        return self.render()

    def _method(
        self,
        node: FunctionNode,
        params: Sequence[Parameter],
        owner: ast.ClassDef | None,
        class_path: str,
        loop_name: str,
    ) -> None:
        name = node.name
        if name == "__init__":
            variable = snake_case(class_path.rsplit(".", 1)[-1])
            self.body += [
                f"{variable} = {class_path}({self.arguments(params)})",
                f"print({variable})",
            ]
            return
        if name in {"__enter__", "__exit__", "__aenter__", "__aexit__"}:
            args = self.arguments(self.constructor(owner))
            variable = snake_case(class_path.rsplit(".", 1)[-1])
            if name.startswith("__a"):
                self.needs_async = True
                self.body += [
                    f"async with {class_path}({args}) as {variable}:",
                    f"    print({variable})",
                ]
            else:
                self.body += [f"with {class_path}({args}) as {variable}:", f"    print({variable})"]
            return
        variable = self.instance(owner, class_path)
        if name == "__call__":
            self.use_call(f"{variable}({self.arguments(params)})", node, loop_name)
        elif name in {"__aiter__", "__anext__"}:
            self.needs_async = True
            self.body += [f"async for {loop_name} in {variable}:", f"    print({loop_name})"]
        elif name in _DUNDER_USE:
            self.body += _DUNDER_USE[name].format(obj=variable).splitlines()
        else:
            self.use_call(f"{variable}.{name}({self.arguments(params)})", node, loop_name)

    def for_class(self, node: ast.ClassDef, main: FunctionNode | None) -> str:
        """An example that builds the class and calls its main method."""
        qualname = self.writer.symbol.qualname
        self.imports.append(f"from {self.writer.import_path} import {self.top}")
        bases = {(dotted(b) or "").rsplit(".", 1)[-1] for b in node.bases}
        if bases & _ENUM_BASES:
            members = [name for name, _ in _class_attributes(node) if not name.startswith("_")]
            if members:
                self.body.append(f"print({qualname}.{members[0]})")
            self.body += [f"for member in {qualname}:", "    print(member.name, member.value)"]
            return self.render()
        if _is_exception(node.name, bases):
            args = self.arguments(self.constructor(node)) or '"example"'
            self.body += [
                "try:",
                f"    raise {qualname}({args})",
                f"except {qualname} as error:",
                "    print(error)",
            ]
            return self.render()
        if main is None or main.name == "__init__":
            variable = self.instance(node, qualname)
            self.body.append(f"print({variable})")
            return self.render()
        params = parameters_of(main)
        kind = method_kind(main, True, False)
        loop_name = "chunk" if isinstance(main, ast.AsyncFunctionDef) else "item"
        if kind in {"class method", "static method"}:
            self.use_call(f"{qualname}.{main.name}({self.arguments(params)})", main, loop_name)
        elif kind == "property":
            variable = self.instance(node, qualname)
            self.body.append(f"print({variable}.{main.name})")
        else:
            self._method(main, params, node, qualname, loop_name)
        return self.render()

    def for_variable(self) -> str:
        """An example that imports the variable (or its class) and prints it."""
        self.imports.append(f"from {self.writer.import_path} import {self.top}")
        self.body.append(f"print({self.writer.symbol.qualname})")
        return self.render()

    def for_module(self, tree: ast.Module) -> str:
        """An example that imports the module and calls its first public function."""
        path = self.writer.import_path
        alias = path.rsplit(".", 1)[-1]
        if "." in path:
            self.imports.append(f"from {path.rsplit('.', 1)[0]} import {alias}")
        else:
            self.imports.append(f"import {path}")
        functions = [
            n
            for n in tree.body
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and not n.name.startswith("_")
        ]
        classes = [
            n for n in tree.body if isinstance(n, ast.ClassDef) and not n.name.startswith("_")
        ]
        if functions:
            main = next((f for f in functions if f.name == "main"), functions[0])
            call = f"{alias}.{main.name}({self.arguments(parameters_of(main))})"
            self.use_call(call, main)
        elif classes:
            variable = self.instance(classes[0], f"{alias}.{classes[0].name}")
            self.body.append(f"print({variable})")
        else:
            self.body.append(f"print(dir({alias}))")
        return self.render()

    def render(self) -> str:
        """The example's source text."""
        lines: list[str] = []
        if self.needs_async:
            lines.append("import asyncio")
        imports = list(dict.fromkeys(self.imports))
        std = [i for i in imports if i.startswith("from pathlib")]
        lines += std
        if lines:
            lines.append("")
        lines += [i for i in imports if i not in std]
        if self.setup:
            lines += ["", *self.setup]
        body = self.body
        if self.managed_from is not None:
            start = self.managed_from
            inside = [f"    {line}" for line in body[start:]] or ["    pass"]
            body = [*body[:start], *inside]
        if self.needs_async:
            lines += ["", "", "async def main() -> None:"]
            lines += [f"    {line}" for line in body]
            lines += ["", "", "asyncio.run(main())"]
        else:
            lines += ["", *body]
        text = "\n".join(lines).strip("\n") + "\n"
        return _checked(text, self.writer.import_path, self.top)


def _returns_value(node: FunctionNode) -> bool:
    return any(
        isinstance(n, ast.Return)
        and n.value is not None
        and not (isinstance(n.value, ast.Constant) and n.value.value is None)
        for n in own_nodes(node)
    )


def _checked(text: str, import_path: str, top: str) -> str:
    """``text`` if it parses; otherwise a minimal example that does."""
    try:
        ast.parse(text)
    except SyntaxError:
        safe_top = top if top.isidentifier() else "module"
        return f"from {import_path} import {safe_top}\n\nprint({safe_top})\n"
    return text
