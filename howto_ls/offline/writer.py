"""The offline writer: a specific guide from static analysis of the symbol's code, no model.

This module writes the Description and the Execution Steps; ``example.build_example`` writes the
Usage Example.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from howto_ls.astutil import DEFINITION_TYPES, Definition, flatten_statements, is_generator
from howto_ls.definitions import call_forms, is_overload, unit_of
from howto_ls.guide import Guide, without_guide
from howto_ls.model import GuideRequest, Parameter, Symbol, SymbolKind
from howto_ls.offline.analysis import (
    Clause,
    Facts,
    FunctionNode,
    analyse,
    cap_steps,
    class_attributes,
    class_properties,
    code,
    dataclass_fields,
    decorator_names,
    definition_named,
    find_method,
    is_dataclass,
    is_receiver,
    join_words,
    listing,
    main_method,
    method_kind,
    parameters_of,
    parse_block,
    parse_module,
    segment_of,
    sentence,
    tick,
)
from howto_ls.offline.callers import method_calls
from howto_ls.offline.example import build_example, build_examples
from howto_ls.offline.example.mined import MAX_CANDIDATES

MAX_STEPS = 12
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
_URLISH = re.compile(r"^f?['\"](https?://|/)")


def write_guide(request: GuideRequest) -> Guide:
    """A specific guide for ``request.symbol`` from static analysis of ``module_source``."""
    writer = _Writer(request.symbol, request.module_source)
    description, steps, example = writer.write()
    return Guide(
        description=_unvague(description),
        steps=tuple(_unvague(s) for s in steps),
        example=example,
    )


def write_guide_candidates(request: GuideRequest, mined: int = MAX_CANDIDATES) -> list[Guide]:
    """:func:`write_guide`'s guide first, then the same guide with each other candidate example
    (up to ``mined`` adapted from the project's tests and doctests, and the one written from the
    code: :func:`howto_ls.offline.example.build_examples`), for a run to choose from. Pure:
    nothing runs."""
    writer = _Writer(request.symbol, request.module_source, mined=mined)
    description, steps, example = writer.write()
    description, shown = _unvague(description), tuple(_unvague(s) for s in steps)
    examples = [example, *(text for text in writer.candidates if text != example)]
    return [Guide(description=description, steps=shown, example=text) for text in examples]


# A person's words the writer quotes (a docstring's first sentence) sit between these two
# private-use characters until the text is final, so nothing rewrites them; then they become
# plain double quotes.
_QUOTE_OPEN, _QUOTE_CLOSE = "\ue000", "\ue001"
_PROTECTED = re.compile(f"(`[^`]*`|{_QUOTE_OPEN}[^{_QUOTE_CLOSE}]*{_QUOTE_CLOSE})")


def quoted(text: str) -> str:
    """``text``, a person's words, in double quotes that :func:`_unvague` leaves alone."""
    clean = text.replace(_QUOTE_OPEN, "").replace(_QUOTE_CLOSE, "")
    return f"{_QUOTE_OPEN}{clean}{_QUOTE_CLOSE}"


def _unvague(text: str) -> str:
    """Swap vague words in the writer's own prose for specific ones.

    Only prose the writer composed changes: code spans, and the person's words it quotes
    (:func:`quoted`, docstring sentences), stay exactly as written.
    """
    pieces = _PROTECTED.split(text)
    return "".join(
        piece
        if piece.startswith(("`", _QUOTE_OPEN))
        else _VAGUE.sub(lambda m: _match_case(m.group(0), _VAGUE_FIX[m.group(0).lower()]), piece)
        for piece in pieces
    ).translate({ord(_QUOTE_OPEN): '"', ord(_QUOTE_CLOSE): '"'})


def _match_case(original: str, word: str) -> str:
    return word.capitalize() if original[:1].isupper() else word


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
    docstring = without_guide(docstring)
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
        if is_receiver(param) and param.kind != "keyword_only":
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
    mined: int = 0  # with candidates: examples adapted from the project's own uses, at most
    candidates: list[str] = field(default_factory=list)  # every example written, best guess first

    def _example(self, node: ast.AST | None, parents: Sequence[ast.AST] = ()) -> str:
        """The example for ``node`` (:func:`build_example`); with :attr:`mined` set, every
        candidate is kept in :attr:`candidates` (:func:`build_examples`, the same first)."""
        if not self.mined:  # a guide alone: the variants and other uses are never built
            self.candidates = [build_example(self.symbol, node, self.source, parents)]
        else:
            self.candidates = build_examples(
                self.symbol, node, self.source, parents, mined=self.mined
            )
        return self.candidates[0]

    def module_tree(self) -> ast.Module | None:
        """The whole module's AST (parsed once per source text)."""
        return parse_module(self.source)

    def write(self) -> tuple[str, list[str], str]:
        """Description, steps and example for the symbol."""
        symbol = self.symbol
        if symbol.kind is SymbolKind.MODULE or not symbol.qualname:
            self.tree = self.module_tree()
            return self._module()
        # A name defined more than once has a key (``name#N``) only the whole module gives.
        segment = segment_of(self.source, symbol) if symbol.key is None else None
        for whole in (False, True):
            if whole:
                self.tree = self.module_tree()
            else:
                self.tree = parse_block(segment) if segment else None
            if self.tree is None:
                continue
            self.node = definition_named(self.tree, symbol.identity) or _find_assignment(
                self.tree, symbol.qualname
            )
            if self.node is not None and not (
                isinstance(self.node, DEFINITION_TYPES) and is_overload(self.node) and not whole
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
        parts = self.symbol.identity.split(".")
        found: list[ast.AST] = []
        assert self.tree is not None
        for end in range(1, len(parts)):
            node = definition_named(self.tree, ".".join(parts[:end]))
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
        shown_params = [p for p in params if not is_receiver(p)]
        if shown_params:
            steps.append(Clause(f"receives {_describe_parameters(params)}", 1))
        body_steps = facts.steps or [Clause(_stub_text(node), 1)]
        steps.extend(body_steps)
        texts = [sentence(c.text) for c in cap_steps(steps, MAX_STEPS)]
        for role, accessor in self._accessors(node):
            said, step = _accessor_text(node.name, role, accessor)
            description += f" {said}"
            texts.append(step)
        # with no implementation, the symbol is the last signature: a call form too
        signatures = [*self.symbol.related, self.symbol.source]
        forms = call_forms(signatures, method=self.owner_class is not None)
        description += _overloads_text(forms)
        example = self._example(node, self.parents)
        return description, texts, example

    def _accessors(self, node: FunctionNode) -> list[tuple[str, FunctionNode]]:
        """A property getter's setter and deleter, in file order: ``(role, definition)``."""
        unit = unit_of(self.tree, node) if self.tree is not None else None
        if unit is None or unit.node is not node:
            return []
        found: list[tuple[str, FunctionNode]] = []
        for member in unit.members[1:]:
            for decorator in member.decorator_list:
                if (
                    isinstance(decorator, ast.Attribute)
                    and decorator.attr in _ACCESSOR_ROLES
                    and isinstance(member, ast.FunctionDef | ast.AsyncFunctionDef)
                ):
                    found.append((decorator.attr, member))
        return found

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
        dataclass = is_dataclass(decorators) and find_method(node, "__init__") is None
        attributes = class_attributes(node, skip_fields=dataclass)
        main = main_method(node, method_calls(self.symbol.path))
        properties = class_properties(node)
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
        init = find_method(node, "__init__")
        if init is not None:
            init_params = parameters_of(init)
            init_facts = analyse(init.body)
            takes = _describe_parameters(init_params, brief=True) or "no arguments"
            stored = [c.text for c in init_facts.steps if c.weight >= 1 and len(c.text) < 140]
            does = f", and its constructor {join_words(stored[:3])}" if stored else ""
            steps.append(Clause(f"it is constructed with {takes}{does}", 2))
        elif dataclass:
            fields = [tick(_field_text(f)) for f in dataclass_fields(node)]
            steps.append(
                Clause(f"it is a dataclass built from the fields {listing(fields, 8)}", 2)
                if fields
                else Clause("it is a dataclass without fields", 1)
            )
            if fields:
                parts.append(f"It holds the fields {listing(fields, 8)}.")
        callables = [m for m in methods if m.name not in properties]
        public = [m.name for m in callables if not m.name.startswith("_")]
        if len(callables) > 1:
            shown = [tick(f"{name}()") for name in public[:8]] or [
                tick(f"{m.name}()") for m in callables[:8]
            ]
            steps.append(Clause(f"it defines the methods {join_words(shown)}", 1))
            parts.append(
                f"It defines {len(callables)} methods, among them {join_words(shown[:5])}."
            )
        if properties:
            shown = [tick(name) for name in properties[:6]]
            noun, read = (
                ("property", "read like an attribute")
                if len(properties) == 1
                else ("properties", "read like attributes")
            )
            steps.append(Clause(f"it offers the {noun} {listing(shown, 6)}, {read}", 1))
            parts.append(f"It offers the {noun} {listing(shown, 6)}, {read}.")
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
        example = self._example(node, self.parents)
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
        example = self._example(node, self.parents)
        return description, steps, example

    def _module(self) -> tuple[str, list[str], str]:
        tree = self.tree or ast.Module(body=[], type_ignores=[])
        name = self.import_path
        classes = [n.name for n in tree.body if isinstance(n, ast.ClassDef)]
        functions = [
            n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
        ]
        parts = [f"{tick(name)} is a Python module."]
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
        example = self._example(tree)
        return " ".join(parts), texts, example

    def _fallback(self) -> tuple[str, list[str], str]:
        """A guide from the Symbol's own fields when the source has no matching definition."""
        symbol = self.symbol
        kind = symbol.kind.value
        description = f"{tick(symbol.qualname)} is {_article(kind)} in {tick(symbol.module)}."
        if symbol.signature:
            description += f" Its signature is {tick(symbol.signature)}."
        steps = [sentence(f"imports {tick(symbol.name)} from {tick(self.import_path)}")]
        steps.append(sentence(f"uses {tick(symbol.qualname)} as its signature describes"))
        example = self._example(None)
        return description, steps, example


def _said(node: Definition) -> str:
    """``: "first docstring sentence"`` for a definition that has a docstring, else ""."""
    summary = summary_line(ast.get_docstring(node, clean=True))
    return f" ({quoted(summary)})" if summary else ""


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


_ACCESSOR_ROLES = ("setter", "deleter")


MAX_CALL_FORMS = 4
"""How many ``@overload`` call forms a guide lists; the rest are counted."""


def _overloads_text(forms: Sequence[str]) -> str:
    """The sentence listing an overloaded function's call forms, with a leading space; or ``""``."""
    if not forms:
        return ""
    shown = [tick(form) for form in forms[:MAX_CALL_FORMS]]
    more = len(forms) - len(shown)
    if more:
        shown.append(f"{more} more")
    count = f"{len(forms)} call form{'s' if len(forms) != 1 else ''}"
    return f" Its `@overload` signatures give {count}: {join_words(shown, 'or')}."


def _accessor_text(name: str, role: str, accessor: FunctionNode) -> tuple[str, str]:
    """A sentence for the description and one step for a property's setter or deleter."""
    facts = analyse(accessor.body)
    inner = [c.text for c in cap_steps(facts.steps, 4)] or [_stub_text(accessor)]
    if role == "setter":
        value = accessor.args.args[1].arg if len(accessor.args.args) > 1 else "value"
        said = f"Assigning `obj.{name} = {value}` runs its setter."
        step = f"On assignment, the setter receives `{value}`, then " + "; then ".join(inner)
    else:
        said = f"Deleting it (`del obj.{name}`) runs its deleter."
        step = "On `del`, the deleter " + "; then ".join(inner)
    return said, sentence(step)


def _find_assignment(tree: ast.Module, qualname: str) -> ast.Assign | ast.AnnAssign | None:
    """The assignment that binds ``qualname`` at module level or in a class body."""
    *owner, name = qualname.split(".")
    body: list[ast.stmt] = tree.body
    if owner:
        parent = definition_named(tree, ".".join(owner))
        if not isinstance(parent, ast.ClassDef):
            return None
        body = parent.body
    for statement in flatten_statements(body):
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
