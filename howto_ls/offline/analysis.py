"""Static facts about a body of Python code: ordered steps in specific verbs, and its highlights.

Everything here works on the standard ``ast`` alone: no imports of the analysed code, no I/O.
A *clause* is a lower-case verb phrase naming the real code ("sends a POST request to
`f'{cls.url}/api/generate'`"); steps are clauses of the top-level statements, with ``with`` and
``try`` blocks flattened and branches folded into "if `cond`, ..." clauses. The helpers that
read definitions (parameters, decorators, dataclass fields, the main method) and find them in a
module's cached tree live here too, shared by the description and the example writers.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from howto_ls.astutil import (
    Definition,
    docstring_node,
    is_docstring,
    node_cache,
    parse,
    parse_shared,
)
from howto_ls.definitions import is_main_guard, units
from howto_ls.guide import without_guide
from howto_ls.model import Parameter, Symbol

HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options"})
HTTP_RECEIVER = re.compile(r"session|client|requests|http|aiohttp|transport|api|conn", re.I)
MAX_STEPS = 12
MAX_INNER = 4
INNER_TEXT_LIMIT = 300  # longer inner functions are summarised by what they call and return
CODE_LIMIT = 70

_LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical"})
_ADD_METHODS = frozenset({"append", "add", "extend", "insert", "appendleft", "put", "put_nowait"})
_CMP_WORDS = {
    ast.Eq: "equals",
    ast.NotEq: "differs from",
    ast.Lt: "is below",
    ast.Gt: "is above",
    ast.LtE: "is at most",
    ast.GtE: "is at least",
}


@dataclass(frozen=True)
class Clause:
    """One verb phrase about the code, and how much it matters (0 trivial .. 3 essential)."""

    text: str
    weight: int = 1


@dataclass
class Facts:
    """What a body does, collected while walking it."""

    steps: list[Clause] = field(default_factory=list)
    highlights: list[Clause] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    yields: list[str] = field(default_factory=list)
    returns: list[str] = field(default_factory=list)
    raises: list[str] = field(default_factory=list)


def code(node: ast.AST | None, limit: int = CODE_LIMIT) -> str:
    """Source text of ``node`` on one line, shortened to about ``limit`` characters."""
    if node is None:
        return ""
    try:
        text = ast.unparse(node)
    except Exception:  # ast.unparse rejects a few hand-built or exotic trees
        return "..."
    if len(text) > limit and isinstance(node, ast.Call):
        text = _short_call(node, limit)
    text = " ".join(text.split()).replace("`", "'")
    if len(text) > limit:
        text = text[: limit - 3].rstrip() + "..."
    return text


def _short_call(node: ast.Call, limit: int) -> str:
    """``func(a, b, key=...)`` with only the arguments that fit in ``limit``."""
    func = code(node.func, limit)
    parts: list[str] = []
    args: list[ast.AST] = [*node.args, *node.keywords]
    for arg in args:
        piece = code(arg, 200)
        if len(piece) > 30:
            if isinstance(arg, ast.keyword):
                piece = f"{arg.arg}=..." if arg.arg else "**..."
            elif isinstance(arg, ast.Call):
                piece = f"{dotted(arg.func) or '...'}(...)"
            else:
                piece = "..."
        if len(func) + sum(len(p) + 2 for p in parts) + len(piece) > limit - 8:
            parts.append("...")
            break
        parts.append(piece)
    return f"{func}({', '.join(parts)})"


def dotted(node: ast.AST) -> str | None:
    """The dotted name of a callee: ``session.post``, ``response.content.iter_any``."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr}" if base else node.attr
    if isinstance(node, ast.Call):
        base = dotted(node.func)
        return f"{base}()" if base else None
    if isinstance(node, ast.Subscript):
        return dotted(node.value)
    return None


def tick(text: str) -> str:
    """``text`` as inline code."""
    clean = text.replace("`", "'")
    return f"`{clean}`"


def join_words(items: Sequence[str], conjunction: str = "and") -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def listing(items: Sequence[str], limit: int) -> str:
    """``a, b and c``; past ``limit`` items: ``a, b, c and 4 more``."""
    shown = list(items[:limit])
    if len(items) > limit:
        shown.append(f"{len(items) - limit} more")
    return join_words(shown)


def join_clauses(clauses: Sequence[Clause], limit: int = MAX_INNER, lettered: bool = False) -> str:
    """Clauses as one phrase: ``a, b and then c`` or ``(a) x; (b) y; (c) z``.

    Runs longer than ``limit`` keep their weightiest clauses.
    """
    texts = [c.text for c in clauses if c.text]
    if len(texts) > limit:
        ranked = sorted(range(len(clauses)), key=lambda i: -clauses[i].weight)[:limit]
        kept = [clauses[i].text for i in sorted(ranked)]
        skipped = len(texts) - limit
        noun = "statement" if skipped == 1 else "statements"
        texts = [*kept[:-1], f"{kept[-1]} (plus {skipped} smaller {noun})"]
    if len(texts) <= 1:
        return "".join(texts)
    if lettered and len(texts) > 2:
        return "; ".join(f"({'abcdefghij'[i]}) {text}" for i, text in enumerate(texts))
    return f"{', '.join(texts[:-1])} and then {texts[-1]}"


def lead(head: str, inner: str, joiner: str = ",") -> str:
    """``head, inner``; a colon before a lettered list: ``head: (a) ...; (b) ...``."""
    return f"{head}: {inner}" if inner.startswith("(a) ") else f"{head}{joiner} {inner}"


def string_keys(node: ast.Dict) -> list[str]:
    """The string-literal keys of a dict display."""
    return [k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)]


def literal_text(node: ast.AST) -> str | None:
    """The literal parts of a string or f-string: ``f"{cls.url}/api/generate"`` -> the f-string."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return repr(node.value)
    if isinstance(node, ast.JoinedStr):
        return code(node, 90)
    return None


class Walker:
    """Turns statements into clauses and records the facts met on the way."""

    def __init__(self) -> None:
        self.facts = Facts()
        self.handed_on: frozenset[str] = frozenset()  # see _handed_on

    # -- statements -------------------------------------------------------------------------

    def steps(self, body: Sequence[ast.stmt], depth: int = 0) -> list[Clause]:
        """Clauses for ``body`` in order, trivial neighbours merged."""
        out: list[Clause] = []
        for index, node in enumerate(body):
            if index == 0 and is_docstring(node):
                continue
            out.extend(self.statement(node, depth))
        return _merge_trivial(out)

    def statement(self, node: ast.stmt, depth: int) -> list[Clause]:
        """Clauses for one statement; ``with`` and ``try`` bodies are flattened into the list."""
        if isinstance(node, ast.With | ast.AsyncWith):
            return [self._with(node), *self.steps(node.body, depth)]
        if isinstance(node, ast.Try) or _is_trystar(node):
            return self._try(node, depth)
        if isinstance(node, ast.If):
            return [self._if(node, depth)]
        if isinstance(node, ast.For | ast.AsyncFor):
            return [self._for(node, depth)]
        if isinstance(node, ast.While):
            return [self._while(node, depth)]
        if isinstance(node, ast.Match):
            return [self._match(node, depth)]
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            return [self._inner_def(node, depth)]
        if isinstance(node, ast.ClassDef):
            return [Clause(f"defines the inner class {tick(node.name)}", 1)]
        if isinstance(node, ast.Return):
            return [self._return(node)]
        if isinstance(node, ast.Raise):
            return [self._raise(node)]
        if isinstance(node, ast.Assert):
            return [Clause(f"asserts {tick(code(node.test))}", 1)]
        if isinstance(node, ast.Delete):
            names = [tick(code(t)) for t in node.targets]
            return [Clause(f"deletes {join_words(names)}", 0)]
        if isinstance(node, ast.Import | ast.ImportFrom):
            return [self._import(node)]
        if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            return self._assign(node)
        if isinstance(node, ast.Expr):
            return [self.expression(node.value)]
        if isinstance(node, ast.Break):
            return [Clause("stops the loop", 1)]
        if isinstance(node, ast.Continue):
            return [Clause("skips to the next item", 1)]
        return []

    def _join(self, body: Sequence[ast.stmt], depth: int) -> str:
        """The clauses of a nested block as one phrase; lettered at the top level."""
        return self._join_steps(self.steps(body, depth + 1), depth)

    def _join_steps(self, clauses: Sequence[Clause], depth: int) -> str:
        """Nested clauses as one phrase; the deeper the block, the fewer clauses are kept."""
        top = depth == 0
        limit = MAX_INNER + 2 if top else max(1, MAX_INNER - depth)
        return join_clauses(clauses, limit, lettered=top)

    def _with(self, node: ast.With | ast.AsyncWith) -> Clause:
        parts = []
        for item in node.items:
            self._record_calls(item.context_expr)
            name = f" as {tick(code(item.optional_vars))}" if item.optional_vars else ""
            parts.append(f"{tick(code(item.context_expr))}{name}")
        how = " with `async with`" if isinstance(node, ast.AsyncWith) else ""
        clause = Clause(f"opens {join_words(parts)}{how}", 2)
        http = [c for c in (self._http(i.context_expr) for i in node.items) if c]
        if http:
            clause = Clause(f"{http[0].text} and opens the response", 3)
        self._highlight(clause)
        return clause

    def _try(self, node: ast.stmt, depth: int) -> list[Clause]:
        out = self.steps(getattr(node, "body", []), depth)
        for handler in getattr(node, "handlers", []):
            caught = tick(code(handler.type)) if handler.type is not None else "any exception"
            inner = self._join(handler.body, depth) or "ignores it"
            out.append(Clause(lead(f"if {caught} is raised", inner), 2))
        orelse = getattr(node, "orelse", [])
        if orelse:
            out.append(Clause(lead("if nothing was raised", self._join(orelse, depth))))
        final = getattr(node, "finalbody", [])
        if final:
            out.append(Clause(lead("finally", self._join(final, depth)), 2))
        return out

    def _if(self, node: ast.If, depth: int) -> Clause:
        if is_main_guard(node.test):
            inner = self._join(node.body, depth)
            return Clause(lead("when run as a script", inner), 2)
        tests = [node.test]
        body = node.body
        while len(body) == 1 and isinstance(body[0], ast.If) and not body[0].orelse:
            tests.append(body[0].test)
            body = body[0].body
        branch = self.steps(body, depth + 1)
        shown = join_words([condition(t) for t in tests])
        if depth > 0 and len(branch) == 1 and not node.orelse and ";" not in branch[0].text:
            return Clause(f"{branch[0].text} when {shown}", max(1, branch[0].weight))
        text = lead(f"if {shown}", self._join_steps(branch, depth) or "continues")
        weight = max([1, *(c.weight for c in branch)])
        orelse = node.orelse
        while len(orelse) == 1 and isinstance(orelse[0], ast.If):
            elif_node = orelse[0]
            elif_steps = self.steps(elif_node.body, depth + 1)
            elif_text = self._join_steps(elif_steps, depth)
            text += "; " + lead(f"else if {condition(elif_node.test)}", elif_text)
            orelse = elif_node.orelse
        if orelse:
            text += "; " + lead("otherwise", self._join(orelse, depth))
        return Clause(text, weight)

    def _for(self, node: ast.For | ast.AsyncFor, depth: int) -> Clause:
        source = tick(code(node.iter))
        target = tick(code(node.target))
        self._record_calls(node.iter)
        asynchronously = " asynchronously" if isinstance(node, ast.AsyncFor) else ""
        body = [n for n in node.body if not isinstance(n, ast.Pass)]
        if len(body) == 1 and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Yield) and code(value.value) == code(node.target):
                self.facts.yields.append(code(node.target))
                clause = Clause(
                    f"iterates{asynchronously} over {source} and yields each {target}", 3
                )
                self._highlight(clause)
                return clause
        inner = self._join(body, depth) or "does nothing with it"
        clause = Clause(
            lead(f"iterates{asynchronously} over {source}; for each {target}", inner), 2
        )
        self._highlight(Clause(f"iterates{asynchronously} over {source}", 2))
        return clause

    def _while(self, node: ast.While, depth: int) -> Clause:
        inner = self._join(node.body, depth)
        if isinstance(node.test, ast.Constant) and node.test.value is True:
            return Clause(lead("loops until it breaks out or returns", inner, ":"), 2)
        return Clause(lead(f"repeats while {condition(node.test)}", inner, ":"), 2)

    def _match(self, node: ast.Match, depth: int) -> Clause:
        cases = listing([tick(code(c.pattern, 30)) for c in node.cases], 4)
        return Clause(f"matches {tick(code(node.subject))} against {cases}", 2)

    def _inner_def(self, node: ast.FunctionDef | ast.AsyncFunctionDef, depth: int) -> Clause:
        kind = "coroutine" if isinstance(node, ast.AsyncFunctionDef) else "function"
        head = f"defines the inner {kind} {tick(node.name + '()')}"
        facts = self.facts
        before = len(facts.highlights)
        kept = len(facts.returns), len(facts.yields), len(facts.raises)
        clauses = self.steps(node.body, depth + 1)
        found = [h.text for h in facts.highlights[before:]][:MAX_INNER]
        # what the inner function returns or yields is ITS result, never the outer function's;
        # what it raises and does happens when it is called: part of the outer function's
        # story only when the outer one calls or returns it (_handed_on)
        del facts.returns[kept[0] :], facts.yields[kept[1] :]
        if node.name in self.handed_on:
            facts.highlights[before:] = [
                h for h in facts.highlights[before:] if not h.text.startswith(("returns", "yields"))
            ]
        else:
            del facts.highlights[before:], facts.raises[kept[2] :]
        joined = self._join_steps(clauses, depth)
        if len(joined) <= INNER_TEXT_LIMIT:
            return Clause(lead(head, joined, " that"), 2)
        summary = join_words(found) if found else f"runs {len(clauses)} statements"
        return Clause(f"{head} that {summary}", 2)

    def _return(self, node: ast.Return) -> Clause:
        if node.value is None or (
            isinstance(node.value, ast.Constant) and node.value.value is None
        ):
            return Clause("returns", 1)
        http = self._http(node.value)
        if http is not None:
            self._record_calls(node.value)
            self._highlight(http)
            self.facts.returns.append(code(node.value))
            return Clause(f"{http.text} and returns the response", 3)
        self._record_calls(node.value)
        self.facts.returns.append(code(node.value))
        keys = string_keys(node.value) if isinstance(node.value, ast.Dict) else []
        if keys:
            shown = listing([tick(repr(k)) for k in keys], 6)
            clause = Clause(f"returns a dict with the keys {shown}", 2)
        else:
            clause = Clause(f"returns {tick(code(node.value))}", 2)
        self._highlight(clause)
        return clause

    def _raise(self, node: ast.Raise) -> Clause:
        if node.exc is None:
            return Clause("re-raises the exception", 2)
        if isinstance(node.exc, ast.Name) and node.exc.id[:1].islower():
            return Clause(f"re-raises {tick(node.exc.id)}", 2)
        name = dotted(node.exc.func if isinstance(node.exc, ast.Call) else node.exc) or "error"
        self.facts.raises.append(name)
        message = ""
        if isinstance(node.exc, ast.Call) and node.exc.args:
            text = literal_text(node.exc.args[0])
            if text:
                message = f" with the message {tick(code(node.exc.args[0], 80))}"
        clause = Clause(f"raises {tick(name)}{message}", 2)
        self._highlight(Clause(f"raises {tick(name)}", 2))
        return clause

    def _import(self, node: ast.Import | ast.ImportFrom) -> Clause:
        names = listing([tick(a.asname or a.name) for a in node.names], 4)
        where = (
            f" from {tick('.' * node.level + (node.module or ''))}"
            if isinstance(node, ast.ImportFrom)
            else ""
        )
        return Clause(f"imports {names}{where}", 0)

    def _assign(self, node: ast.Assign | ast.AnnAssign | ast.AugAssign) -> list[Clause]:
        value = node.value
        if value is None:
            return []
        targets: list[ast.expr] = (
            list(node.targets) if isinstance(node, ast.Assign) else [node.target]
        )
        target = join_words([tick(code(t, 40)) for t in targets])
        if isinstance(node, ast.AugAssign):
            op = {ast.Add: "adds", ast.Sub: "subtracts"}.get(type(node.op), "updates")
            self.expression(value)
            if op == "updates":
                return [Clause(f"updates {target} with {tick(code(node))}", 1)]
            joiner = "to" if op == "adds" else "from"
            return [Clause(f"{op} {tick(code(value))} {joiner} {target}", 1)]
        return [self._assign_value(target, targets, value)]

    def _assign_value(self, target: str, targets: list[ast.expr], value: ast.expr) -> Clause:
        name = code(targets[0]) if targets else ""
        if isinstance(value, ast.Dict):
            for item in value.values:
                self.expression(item)
            keys = string_keys(value)
            weight = 2 if re.search(r"header|data|payload|param|json|body|form", name, re.I) else 1
            if keys:
                shown = listing([tick(repr(k)) for k in keys], 6)
                sources = _computed_values(value)
                filled = f", filling {join_words(sources)}" if sources else ""
                text = f"builds {target} with the keys {shown}{filled}"
                return Clause(text, max(weight, 2) if sources else weight)
            if isinstance(value, ast.Dict) and not value.keys:
                return Clause(f"starts {target} as an empty dict", 0)
            return Clause(f"builds the dict {target}", weight)
        if isinstance(value, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp):
            gen = value.generators[0]
            self.expression(gen.iter)
            keep = f", keeping items where {tick(code(gen.ifs[0]))}" if gen.ifs else ""
            return Clause(f"builds {target} from {tick(code(gen.iter))}{keep}", 1)
        if isinstance(value, ast.Await):
            inner = self.expression(value.value, result=target)
            return Clause(inner.text, max(inner.weight, 1))
        if isinstance(value, ast.Call):
            inner = self.expression(value, result=target)
            return inner
        if isinstance(value, ast.Yield | ast.YieldFrom):
            inner = self.expression(value)
            return Clause(f"{inner.text} and receives the sent value in {target}", inner.weight)
        if isinstance(value, ast.Constant | ast.Name | ast.Attribute) or _is_simple(value):
            return Clause(f"sets {target} to {tick(code(value, 40))}", 0)
        if isinstance(value, ast.Subscript):
            self.expression(value)
            return Clause(f"extracts {target} from {tick(code(value))}", 1)
        if isinstance(value, ast.JoinedStr):
            return Clause(f"formats {target} as {tick(code(value))}", 1)
        if isinstance(value, ast.Lambda):
            return Clause(f"defines {target} as {tick(code(value))}", 1)
        self.expression(value)
        return Clause(f"computes {target} as {tick(code(value))}", 1)

    # -- expressions ------------------------------------------------------------------------

    def expression(self, node: ast.expr, result: str = "") -> Clause:
        """A clause for an expression statement (or an assigned value when ``result`` is set)."""
        into = f" into {result}" if result else ""
        if isinstance(node, ast.Yield | ast.YieldFrom):
            if node.value is None:
                return Clause("yields control", 2)
            self.expression(node.value)
            verb = "yields every item of" if isinstance(node, ast.YieldFrom) else "yields"
            self.facts.yields.append(code(node.value))
            clause = Clause(f"{verb} {tick(code(node.value))}", 3)
            self._highlight(clause)
            return clause
        if isinstance(node, ast.Await):
            inner = node.value
            if isinstance(inner, ast.Call):
                clause = self._call(inner, into, awaited=True)
                return clause
            return Clause(f"awaits {tick(code(inner))}{into}", 1)
        if isinstance(node, ast.Call):
            return self._call(node, into)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                self._record_calls(child)
        if result:
            return Clause(f"computes {result} as {tick(code(node))}", 1)
        return Clause(f"evaluates {tick(code(node))}", 0)

    def _record_calls(self, node: ast.AST) -> None:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Call):
                name = dotted(sub.func)
                if name and name not in self.facts.calls:
                    self.facts.calls.append(name)

    def _http(self, node: ast.expr) -> Clause | None:
        """A clause for an HTTP request call (``session.post(url, json=data)``), else None."""
        call = node.value if isinstance(node, ast.Await) else node
        if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Attribute):
            return None
        method = call.func.attr.lower()
        receiver = dotted(call.func.value) or ""
        url_arg = call.args[0] if call.args else _keyword(call, "url")
        if method in {"request", "stream"} and call.args and len(call.args) > 1:
            first = call.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                method = first.value.lower()
            else:
                method = "http"
            url_arg = call.args[1]
        elif method not in HTTP_METHODS:
            return None
        looks_http = HTTP_RECEIVER.search(receiver) is not None
        if url_arg is None or not (looks_http or _looks_like_url(url_arg)):
            return None
        if method not in HTTP_METHODS and method != "http":
            return None
        extras = [f"{k.arg}={code(k.value, 30)}" for k in call.keywords if k.arg and k.arg != "url"]
        carrying = f" with {listing([tick(e) for e in extras], 4)}" if extras else ""
        verb = f"a {method.upper()} request" if method != "http" else "an HTTP request"
        via = f" through {tick(receiver)}" if receiver else ""
        return Clause(f"sends {verb} to {tick(code(url_arg, 90))}{via}{carrying}", 3)

    def _call(self, node: ast.Call, into: str, awaited: bool = False) -> Clause:
        self._record_calls(node)
        name = dotted(node.func) or code(node.func)
        last = name.rsplit(".", 1)[-1]
        shown = tick(code(node))
        http = self._http(node)
        if http:
            clause = Clause(f"{http.text}{' and stores the response' + into if into else ''}", 3)
        elif last == "raise_for_status":
            clause = Clause(f"checks the HTTP status with {shown}, raising on an error status", 2)
        elif last in {"loads", "load", "json"} or last.startswith("parse"):
            clause = Clause(f"parses {shown}{into}", 2)
        elif last in {"dumps", "dump"}:
            clause = Clause(f"serializes with {shown}{into}", 1)
        elif last == "print":
            clause = Clause(f"prints {tick(code(node, 60))}", 1)
        elif last in _LOG_METHODS and re.search(r"log", name, re.I):
            clause = Clause(f"logs {shown}", 0)
        elif last in _ADD_METHODS and "." in name and node.args:
            owner = tick(name.rsplit(".", 1)[0])
            clause = Clause(f"adds {tick(code(node.args[0], 40))} to {owner}", 1)
        elif last in {"write", "writelines", "write_text", "write_bytes"}:
            clause = Clause(f"writes with {shown}", 2)
        elif last in {"read", "read_text", "read_bytes", "readlines", "readline"}:
            clause = Clause(f"reads with {shown}{into}", 2)
        elif last == "sleep":
            clause = Clause(f"waits with {shown}", 1)
        elif last in {"close", "aclose"}:
            clause = Clause(f"closes {tick(name.rsplit('.', 1)[0]) if '.' in name else shown}", 1)
        elif last in {"create_task", "ensure_future"}:
            clause = Clause(f"starts a background task with {shown}{into}", 2)
        elif name.startswith("super()"):
            clause = Clause(f"delegates to the parent class with {shown}{into}", 2)
        elif last in {"isinstance", "issubclass", "callable", "hasattr"}:
            clause = Clause(f"checks {shown}{into}", 1)
        elif last.startswith(("validate", "check", "verify", "ensure")):
            clause = Clause(f"validates with {shown}{into}", 2)
        elif last in {"setattr", "update", "setdefault"}:
            clause = Clause(f"updates with {shown}", 1)
        elif last in {"open"}:
            clause = Clause(f"opens the file {shown}{into}", 2)
        elif last in _TRIVIAL_CALLS:
            verb = "awaits" if awaited else "computes"
            target = into[len(" into ") :] if into else ""
            clause = (
                Clause(f"{verb} {target} as {shown}", 0) if target else Clause(f"{verb} {shown}", 0)
            )
        else:
            verb = "awaits" if awaited else "calls"
            stored = f" and stores the result in {into[len(' into ') :]}" if into else ""
            clause = Clause(f"{verb} {shown}{stored}", 2)
        if clause.weight >= 2:
            self._highlight(Clause(_highlight_text(clause.text), clause.weight))
        return clause

    def _highlight(self, clause: Clause) -> None:
        if all(h.text != clause.text for h in self.facts.highlights):
            self.facts.highlights.append(clause)


_TRIVIAL_CALLS = frozenset(
    {
        "int", "str", "float", "bool", "len", "list", "dict", "set", "tuple", "repr", "min",
        "max", "abs", "round", "sorted", "reversed", "enumerate", "zip", "range", "getattr",
        "type", "id", "hash", "format", "join", "strip", "lower", "upper", "split", "replace",
        "encode", "decode", "items", "keys", "values", "copy", "time", "monotonic", "get",
        "startswith", "endswith", "format_map", "rstrip", "lstrip", "hexdigest", "frozenset",
        "bytes", "iter", "next", "any", "all", "sum", "map", "filter", "vars", "cast",
    }
)  # fmt: skip


def _computed_values(node: ast.Dict) -> list[str]:
    """``'sign'`` from ``generate_signature(...)``: dict entries filled by a notable call."""
    out = []
    for key, value in zip(node.keys, node.values, strict=True):
        if not isinstance(key, ast.Constant) or not isinstance(value, ast.Call):
            continue
        name = dotted(value.func) or ""
        if name.rsplit(".", 1)[-1] in _TRIVIAL_CALLS:
            continue
        out.append(f"{tick(repr(key.value))} from {tick(code(value, 60))}")
    return out[:3]


def _highlight_text(text: str) -> str:
    """A clause trimmed to its verb and first named thing, for the description."""
    return text.split(" and stores the result", maxsplit=1)[0].split(", raising on", maxsplit=1)[0]


def condition(test: ast.expr) -> str:
    """What an ``if`` checks, as words around the code: "`response.status` equals `500`"."""
    if (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and type(test.ops[0]) in _CMP_WORDS
        and len(code(test)) < 60
    ):
        word = _CMP_WORDS[type(test.ops[0])]
        return f"{tick(code(test.left))} {word} {tick(code(test.comparators[0]))}"
    if (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.ops[0], ast.Is | ast.IsNot)
    ):
        right = test.comparators[0]
        if isinstance(right, ast.Constant) and right.value is None:
            verb = "is not set" if isinstance(test.ops[0], ast.Is) else "is set"
            return f"{tick(code(test.left))} {verb}"
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        if isinstance(test.operand, ast.Call) and _is_predicate(test.operand):
            return f"{tick(code(test.operand))} is false"
        return f"{tick(code(test.operand))} is falsy"
    if isinstance(test, ast.Name | ast.Attribute) and not _BOOLEAN_NAME.search(code(test)):
        return f"{tick(code(test))} is truthy"
    if isinstance(test, ast.Call) and (dotted(test.func) or "").rsplit(".", 1)[-1] in {
        "strip",
        "get",
        "read",
        "group",
        "len",
    }:
        return f"{tick(code(test))} is non-empty"
    return tick(code(test))


_BOOLEAN_NAME = re.compile(r"(^|[._])(is|has|should|can|use|allow|enable)[A-Z_]|_enabled$")


def _is_predicate(call: ast.Call) -> bool:
    """Whether a call reads as a yes/no question: ``os.path.isdir(p)``, ``s.startswith(x)``."""
    name = (dotted(call.func) or "").rsplit(".", 1)[-1].lstrip("_")
    return name.startswith(("is", "has", "exists", "startswith", "endswith", "can", "should"))


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _looks_like_url(node: ast.expr) -> bool:
    text = literal_text(node)
    if text is not None:
        return "/" in text
    return bool(re.search(r"url|endpoint|uri|api|path", code(node), re.I))


def _is_trystar(node: ast.stmt) -> bool:
    return type(node).__name__ == "TryStar"


_SIMPLE_NODES = (
    ast.Constant, ast.Name, ast.Load, ast.List, ast.Tuple, ast.Set, ast.UnaryOp, ast.USub,
    ast.Starred, ast.Attribute,
)  # fmt: skip


def _is_simple(node: ast.expr) -> bool:
    """Literals built only from constants and names: ``[1, 2]``, ``-1``, ``(a, b)``."""
    return all(isinstance(n, _SIMPLE_NODES) for n in ast.walk(node))


def _merge_trivial(clauses: list[Clause]) -> list[Clause]:
    """Fold runs of trivial "sets `x` to ..." clauses into one "sets `a`, `b` and `c`"."""
    out: list[Clause] = []
    run: list[Clause] = []

    def flush() -> None:
        if len(run) == 1:
            out.append(run[0])
        elif run:
            names = [c.text.split(" to ", 1)[0].removeprefix("sets ") for c in run]
            out.append(Clause(f"sets {join_words(names)}", 0))
        run.clear()

    for clause in clauses:
        if clause.weight == 0 and clause.text.startswith("sets ") and " to " in clause.text:
            run.append(clause)
        else:
            flush()
            out.append(clause)
    flush()
    return out


def cap_steps(clauses: list[Clause], limit: int = MAX_STEPS) -> list[Clause]:
    """At most ``limit`` clauses: the lightest neighbours are merged until it fits."""
    items = list(clauses)
    if len(items) > 2 * limit:
        ranked = sorted(range(len(items)), key=lambda i: -items[i].weight)[: 2 * limit]
        items = [items[i] for i in sorted(ranked)]
    while len(items) > limit:
        best = min(
            range(len(items) - 1),
            key=lambda i: (
                items[i].weight + items[i + 1].weight,
                len(items[i].text) + len(items[i + 1].text),
            ),
        )
        first, second = items[best], items[best + 1]
        merged = Clause(f"{first.text}; then {second.text}", first.weight + second.weight)
        items[best : best + 2] = [merged]
    return items


def analyse(body: Sequence[ast.stmt]) -> Facts:
    """Walk ``body`` and return its facts: steps in order and the highlights for a summary."""
    walker = Walker()
    walker.handed_on = _handed_on(body)
    walker.facts.steps = walker.steps(body)
    return walker.facts


def _handed_on(body: Sequence[ast.stmt]) -> frozenset[str]:
    """Names ``body`` calls or returns: an inner function among them runs as part of using the
    outer one (a decorator factory returns it, ``decorator(func)`` applies it), so what it
    raises and does belongs to the outer function's story too."""
    names: set[str] = set()
    for statement in body:
        for node in ast.walk(statement):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                names.add(node.func.id)
            elif isinstance(node, ast.Return) and isinstance(node.value, ast.Name):
                names.add(node.value.id)
    return frozenset(names)


def sentence(text: str) -> str:
    """A clause as a sentence: capital first letter, final period."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else f"{text}."


# -- reading definitions ------------------------------------------------------------------------

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
MAIN_METHODS = ("create_async_generator", "create_completion", "run", "main", "__call__")


def parse_module(source: str) -> ast.Module | None:
    """The module's AST (shared by the symbols of one file: never mutate it), or None."""
    try:
        return parse_shared(source)
    except (SyntaxError, ValueError):
        return None


@functools.lru_cache(maxsize=256)  # each entry is a tree of its own
def parse_block(block: str) -> ast.Module | None:
    """One top-level block's AST (cached apart from whole modules: never mutate it), or None."""
    try:
        return parse(block)
    except (SyntaxError, ValueError):
        return None


_BLOCK_START = ("def ", "async def ", "class ", "@")


def segment_of(source: str, symbol: Symbol) -> str | None:
    """The top-level statement holding ``symbol``, cut from ``source`` by lines.

    Parsing only this block keeps big modules fast; when the cut is wrong (a string at column
    0, a stale range) the block does not parse or lacks the symbol, and callers parse it all.
    """
    return block_at(source_lines(source), symbol.full_range.start.line)


def block_at(lines: Sequence[str], first: int) -> str | None:
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
def source_lines(source: str) -> tuple[str, ...]:
    """The lines of ``source`` with their endings (split once per source text)."""
    return tuple(source.splitlines(keepends=True))


@functools.lru_cache(maxsize=16)
def definitions(tree: ast.Module) -> dict[str, Definition]:
    """Every function and class of ``tree`` by key (``howto_ls.definitions``).

    A redefined name is the definition Python binds last (earlier ones are ``name#N``); an
    ``@overload``-ed function is its implementation, a property its getter.
    """
    return {unit.key: unit.node for unit in units(tree)}


def definition_named(tree: ast.Module, qualname: str) -> Definition | None:
    """The function or class named ``qualname`` in ``tree``, through the cached index."""
    return definitions(tree).get(qualname)


def top_level_class(source: str, name: str) -> ast.ClassDef | None:
    """The module-level class ``name`` of ``source``, parsing only its block when it can."""
    line = _class_lines(source).get(name)
    if line is None:
        return None
    block = block_at(source_lines(source), line)
    for tree in (parse_block(block) if block else None, parse_module(source)):
        found = definition_named(tree, name) if tree is not None else None
        if isinstance(found, ast.ClassDef):
            return found
    return None


_CLASS_STATEMENT = re.compile(r"^class[ \t]+([^\W\d]\w*)", re.MULTILINE)


@functools.lru_cache(maxsize=64)
def _class_lines(source: str) -> dict[str, int]:
    """Name -> 0-based line of the first ``class`` statement at column 0 of ``source`` naming
    it (found once per source text: asked for every class name a guide considers)."""
    found: dict[str, int] = {}
    for match in _CLASS_STATEMENT.finditer(source):
        found.setdefault(match.group(1), source.count("\n", 0, match.start()))
    return found


def _continues(line: str) -> bool:
    """Whether ``line`` belongs to the top-level block above it (indented, blank, closing)."""
    return not line.strip() or line[:1] in " \t#)]}"


def parameters_of(node: FunctionNode) -> list[Parameter]:
    """The parameters of a function definition, with annotations and defaults as source text."""
    return list(_parameters(node))


@node_cache
def _parameters(node: FunctionNode) -> tuple[Parameter, ...]:
    """:func:`parameters_of`, once per definition (by identity; trees are never changed): the
    example builder asks for the same signatures many times per example."""
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
    return tuple(out)


def compares_to_none(test: ast.expr, operator: type[ast.cmpop]) -> bool:
    """Whether ``test`` is ``x is None`` (``operator`` ``ast.Is``) or ``x is not None``
    (``ast.IsNot``), for any single left operand ``x``."""
    return (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.ops[0], operator)
        and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value is None
    )


def is_receiver(param: Parameter) -> bool:
    """Whether a first parameter is the instance or class a method is called on: ``self``
    (annotated or not), ``cls`` unless annotated with something other than a type. The
    names may carry the leading ``__`` that marked positional-only parameters before PEP 570
    (``def invoke(__self, __callback, *args, **kwargs)`` in click and Jinja)."""
    name = param.name[2:] if param.name.startswith("__") else param.name
    if name == "self":
        return True
    if name not in {"cls", "mcs", "metacls"}:
        return False
    annotation = (param.annotation or "").strip("'\"")
    return not annotation or bool(re.match(r"(?:\w+\.)?[Tt]ype\[", annotation))


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


@node_cache
def class_offer(node: ast.ClassDef) -> frozenset[str]:
    """:func:`read_class_offer`, cached per node (by identity; trees are shared, never
    changed): for the trees the writer keeps, not for one-off parses (the cache would keep
    them alive)."""
    return read_class_offer(node)


def read_class_offer(node: ast.ClassDef) -> frozenset[str]:
    """What the body of ``node`` offers its instances, without its bases: methods, class
    attributes (:func:`class_attributes`) and ``self.x`` assignments anywhere in it."""
    offered = {s.name for s in node.body if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)}
    offered |= {name for name, _ in class_attributes(node)}
    offered |= {
        n.attr
        for n in ast.walk(node)
        if isinstance(n, ast.Attribute)
        and isinstance(n.ctx, ast.Store)
        and isinstance(n.value, ast.Name)
        and n.value.id == "self"
    }
    return frozenset(offered)


def class_attributes(node: ast.ClassDef, skip_fields: bool = False) -> list[tuple[str, str]]:
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


def find_method(node: ast.ClassDef, name: str) -> FunctionNode | None:
    """The method ``name`` defined directly in the class body, if any."""
    for statement in node.body:
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef) and statement.name == name:
            return statement
    return None


def is_dataclass(decorators: Sequence[str]) -> bool:
    """Whether the decorators make a dataclass (or an attrs class)."""
    return any(
        d.rsplit(".", 1)[-1] in {"dataclass", "define", "frozen", "mutable", "attrs", "s"}
        for d in decorators
    )


def dataclass_fields(node: ast.ClassDef) -> list[Parameter]:
    """Dataclass-style fields (``name: type [= default]``) as constructor parameters; attrs'
    ``name = attrib(type=..., default=...)`` fields too, under the name attrs' ``__init__``
    gives them (a leading underscore dropped; ``init=False`` ones left out)."""
    out = []
    for statement in node.body:
        if isinstance(statement, ast.Assign):
            made = _attrs_field(statement)
            if made is not None:
                out.append(made)
            continue
        if not isinstance(statement, ast.AnnAssign) or not isinstance(statement.target, ast.Name):
            continue
        annotation = code(statement.annotation, 200)
        if annotation.startswith(("ClassVar", "typing.ClassVar", "InitVar")):
            continue
        default = code(statement.value, 200) if statement.value is not None else None
        out.append(Parameter(statement.target.id, annotation, default))
    return out


def _attrs_field(statement: ast.Assign) -> Parameter | None:
    """``x = attr.ib(...)`` (``attrib``, ``field``) as the constructor parameter it makes."""
    target, value = statement.targets[0], statement.value
    if len(statement.targets) != 1 or not isinstance(target, ast.Name):
        return None
    if not isinstance(value, ast.Call) or (dotted(value.func) or "").rsplit(".", 1)[-1] not in {
        "attrib",
        "ib",
        "field",
    }:
        return None
    keywords = {k.arg: k.value for k in value.keywords if k.arg}
    init = keywords.get("init")
    if isinstance(init, ast.Constant) and init.value is False:
        return None
    default = keywords.get("default", keywords.get("factory"))
    kind = keywords.get("type")
    return Parameter(
        target.id.lstrip("_") or target.id,
        code(kind, 200) if kind is not None else None,
        code(default, 200) if default is not None else None,
    )


def _code_size(function: FunctionNode) -> int:
    """How much code a function holds: its AST nodes, its docstring not counted."""
    docstring = docstring_node(function)
    skipped = 0 if docstring is None else sum(1 for _ in ast.walk(function.body[0]))
    return sum(1 for _ in ast.walk(function)) - skipped


def main_method(node: ast.ClassDef, calls: Mapping[str, int] | None = None) -> FunctionNode | None:
    """The method a guide walks: the class's real entry point, or None.

    Properties are never it (they are read, not called). In order: the public method the
    class docstring names (the most called of them when it names several), a conventional
    entry point (:data:`MAIN_METHODS`), the public method called most often in the project
    (``calls``: calls by method name, from :func:`howto_ls.offline.callers.method_calls`), the
    biggest public method, and for a class with no public method and no ``__init__``, its first
    method.
    """
    methods = [n for n in node.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    callables = [m for m in methods if method_kind(m, True, False) != "property"]
    if not callables:
        return None
    counts = calls or {}
    public = [m for m in callables if not m.name.startswith("_")]
    docstring = without_guide(ast.get_docstring(node) or "")  # our own guide names methods too
    named = [m for m in public if re.search(rf"\b{re.escape(m.name)}\b", docstring)]
    if named:
        return max(named, key=lambda m: counts.get(m.name, 0))  # the first of equals
    for name in MAIN_METHODS:
        for method in callables:
            if method.name == name:
                return method
    called = [m for m in public if counts.get(m.name, 0) > 0]
    if called:
        return max(called, key=lambda m: counts[m.name])
    if public:
        return max(public, key=_code_size)
    init = find_method(node, "__init__")
    return None if init is not None else callables[0]


def class_properties(node: ast.ClassDef) -> list[str]:
    """The names of the properties defined in the class body, in order, each once."""
    names = [
        n.name
        for n in node.body
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
        and method_kind(n, True, False) == "property"
    ]
    return list(dict.fromkeys(names))
