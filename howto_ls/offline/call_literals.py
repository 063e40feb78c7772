"""Literal arguments the project itself passes to a callable: values its authors wrote.

A usage example needs arguments the code accepts. The best witnesses are the project's own
calls and its docstrings' ``>>>`` examples (never the guides howto-ls wrote into them):
``Version("1.0a5")`` in a doctest says more about what ``Version`` takes than the annotation
``str``. This module finds, for a callee name, every call in the project whose arguments
include literals (strings, numbers, bytes, booleans, and lists, tuples, sets and dicts of them)
or module constants (``Tokenizer(source, rules=DEFAULT_RULES)``: a table only the project has)
and binds them to the callee's parameters.
"""

from __future__ import annotations

import ast
import builtins
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from howto_ls import project
from howto_ls.astutil import parse
from howto_ls.model import Parameter
from howto_ls.offline import index

MAX_FILES_PARSED = 40
"""At most this many files that mention a callee are parsed for its calls (its own first)."""

MAX_LITERAL_CHARS = 120
"""Longer literals are not reused: an example shows a value, not a data file."""


_LOCAL_PATH = re.compile(r"""^[bu]?['"](/|~|[A-Za-z]:\\)""")
"""An absolute path names a place on its author's machine, not one the reader has."""


@dataclass(frozen=True)
class LiteralCall:
    """One call of a callee, as written: its positional arguments' source text (None where an
    argument is neither a literal nor a module constant), its keyword ones, and whether it
    sits in a docstring's ``>>>`` example (written for readers) rather than in code."""

    positional: tuple[str | None, ...]
    keywords: tuple[tuple[str, str], ...]
    in_doctest: bool
    path: Path
    constants: tuple[tuple[str, str], ...] = ()
    """The module constants among the arguments: (name, the module to import it from)."""


def literal_calls(path: Path, callee: str) -> tuple[LiteralCall, ...]:
    """The calls of ``callee`` (a function, method or class name) with at least one literal
    argument, in the project holding ``path``: the calls in ``path`` first, doctests before
    code within a file, from the project index (:mod:`howto_ls.offline.index`: no file is
    parsed twice). Matching is by name (``f(...)``, ``obj.f(...)``), so callers must check
    that a call binds to the signature they mean (:func:`bind`). At most
    :data:`MAX_FILES_PARSED` files that mention the callee are read. Empty for names that are
    too short to mean one thing, and for projects the index does not hold (over
    :data:`howto_ls.offline.index.MAX_FILES` files)."""
    if len(callee) < 3 or callee.startswith("__"):
        return ()
    held = index.index_of(path)
    target = path.resolve() if path.is_absolute() else path
    mentioning = held.callers_of(callee)
    ordered = sorted(mentioning, key=lambda file: file != target)[:MAX_FILES_PARSED]
    found: list[LiteralCall] = []
    for file in ordered:
        facts = held.parsed(file)
        if facts is None:
            continue
        found += [
            LiteralCall(c.positional, c.keywords, c.in_doctest, file, c.constants)
            for c in facts.literal_calls
            if c.callee == callee
        ]
    return tuple(found)


def bind(call: LiteralCall, params: Sequence[Parameter]) -> dict[str, str] | None:
    """The literal arguments of ``call`` by parameter name, when the call binds to ``params``
    (the signature without its receiver) the way Python binds arguments: not too many
    positional arguments, no unknown keyword, no parameter given twice. None when it does not
    bind, which is how a call of another callable with the same name is told apart."""
    positional = [p for p in params if p.kind in {"positional_only", "positional_or_keyword"}]
    names = {p.name for p in params if p.kind not in {"positional_only", "var_positional"}}
    takes_more = any(p.kind == "var_positional" for p in params)
    takes_any_keyword = any(p.kind == "var_keyword" for p in params)
    if len(call.positional) > len(positional) and not takes_more:
        return None
    bound: dict[str, str] = {}
    given: set[str] = set()
    for param, value in zip(positional, call.positional, strict=False):
        given.add(param.name)
        if value is not None:
            bound[param.name] = value
    for name, value in call.keywords:
        if name in given or (name not in names and not takes_any_keyword):
            return None
        if name in names:
            bound[name] = value
    return bound


def calls_in(
    tree: ast.Module, file: Path, module: str, nodes: Sequence[ast.AST] | None = None
) -> tuple[tuple[str, LiteralCall], ...]:
    """Every call with a literal argument in ``tree`` (the module ``module`` at ``file``):
    (callee name, call), doctests first. In code, the module's constants count as literals.
    ``nodes`` is ``list(ast.walk(tree))`` when the caller has walked the tree already."""
    walked = list(ast.walk(tree)) if nodes is None else nodes
    in_docs = [
        (name, call)
        for snippet in _doctests(walked)
        for name, call in _calls(ast.walk(snippet), file)
    ]
    constants = _constants(tree, module, file.name)
    in_code = list(_calls(walked, file, in_doctest=False, constants=constants))
    return tuple(in_docs + in_code)


_CONSTANT = re.compile(r"[A-Z][A-Z0-9_]*")
"""A constant's name, by PEP 8's naming convention: capitals and underscores."""


def _constants(tree: ast.Module, module: str, filename: str) -> dict[str, str]:
    """Name -> the module to import it from, for the constants ``tree`` binds at its top level
    when it runs: assigned there (imported from ``module``) or imported from another module
    (imported from that one). Names bound only under ``if TYPE_CHECKING:`` are not bound at run
    time and are left out."""
    package = module if filename == "__init__.py" else module.rpartition(".")[0]
    found: dict[str, str] = {}
    for statement in project.runtime_statements(tree.body):
        if isinstance(statement, ast.Assign | ast.AnnAssign):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            for target in targets:
                if isinstance(target, ast.Name) and _CONSTANT.fullmatch(target.id):
                    found[target.id] = module
        elif isinstance(statement, ast.ImportFrom):
            origin = project.absolute_module(statement, package)
            for alias in statement.names:
                bound = alias.asname or alias.name
                if _CONSTANT.fullmatch(bound):
                    found[bound] = origin if alias.asname is None else module
    return found


def _doctests(nodes: Iterable[ast.AST]) -> Iterator[ast.Module]:
    """The ``>>>`` lines of every docstring among ``nodes`` that parse, one module each."""
    for node in nodes:
        if not isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        docstring = ast.get_docstring(node, clean=True)
        if not docstring or ">>>" not in docstring:
            continue
        lines = [line.strip() for line in docstring.splitlines()]
        assigned: dict[str, ast.expr] = {}  # ``x = [1, 2]`` lines earlier in this docstring
        for number, text in enumerate(lines):
            following = lines[number + 1] if number + 1 < len(lines) else ""
            if not text.startswith(">>> ") or following.startswith("Traceback"):
                continue  # an example of what fails shows values not to use
            try:
                snippet = parse(text[4:])
            except (SyntaxError, ValueError):
                continue
            _remember(snippet, assigned)
            yield _substituted(snippet, assigned)


def _calls(
    nodes: Iterable[ast.AST],
    file: Path,
    in_doctest: bool = True,
    constants: Mapping[str, str] = {},
) -> Iterator[tuple[str, LiteralCall]]:
    """The calls among ``nodes`` with a literal (or one of ``constants``) among their
    arguments."""

    def argument(node: ast.expr) -> str | None:
        if isinstance(node, ast.Name) and node.id in constants:
            used[node.id] = constants[node.id]
            return node.id
        return _literal(node)

    for node in nodes:
        if not isinstance(node, ast.Call):
            continue
        function = node.func
        if isinstance(function, ast.Attribute):
            name = function.attr
        elif isinstance(function, ast.Name):
            name = function.id
        else:
            continue
        if any(isinstance(a, ast.Starred) for a in node.args) or any(
            k.arg is None for k in node.keywords
        ):
            continue  # ``*args``/``**kwargs`` hide how the call binds
        used: dict[str, str] = {}
        positional = tuple(argument(a) for a in node.args)
        keywords = tuple(
            (k.arg, text) for k in node.keywords if k.arg and (text := argument(k.value))
        )
        if any(positional) or keywords:
            yield name, LiteralCall(positional, keywords, in_doctest, file, tuple(used.items()))


def _literal(node: ast.expr) -> str | None:
    """The source text of ``node`` when it is a literal worth reusing, or a lambda that needs
    nothing but its own parameters and builtins (``lambda x: x == "b"``); else None."""
    if not (_is_literal(node) or _is_closed_lambda(node)):
        return None
    text = ast.unparse(node)
    if len(text) > MAX_LITERAL_CHARS or text == "None" or _LOCAL_PATH.match(text):
        return None
    return text


def _is_literal(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return node.value is not Ellipsis
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        return isinstance(node.operand, ast.Constant) and isinstance(
            node.operand.value, int | float
        )
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return all(_is_literal(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(k is not None and _is_literal(k) for k in node.keys) and all(
            _is_literal(v) for v in node.values
        )
    return False


def _is_closed_lambda(node: ast.expr) -> bool:
    """Whether ``node`` is a lambda whose body reads only its parameters and builtins."""
    if not isinstance(node, ast.Lambda):
        return False
    arguments = node.args
    own = {a.arg for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)} | {
        a.arg for a in (arguments.vararg, arguments.kwarg) if a is not None
    }
    names = {n.id for n in ast.walk(node.body) if isinstance(n, ast.Name)}
    return not any(isinstance(n, ast.Lambda) for n in ast.walk(node.body)) and names <= (
        own | set(dir(builtins))
    )


def _remember(snippet: ast.Module, assigned: dict[str, ast.expr]) -> None:
    """Note ``name = <literal>`` statements of a doctest line in ``assigned``."""
    for statement in snippet.body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target = statement.targets[0]
            if isinstance(target, ast.Name):
                if _is_literal(statement.value) or _is_closed_lambda(statement.value):
                    assigned[target.id] = statement.value
                else:
                    assigned.pop(target.id, None)


def _substituted(snippet: ast.Module, assigned: dict[str, ast.expr]) -> ast.Module:
    """``snippet`` with call arguments that name an earlier literal replaced by it."""
    if not assigned:
        return snippet
    for node in ast.walk(snippet):
        if isinstance(node, ast.Call):
            node.args = [assigned.get(a.id, a) if isinstance(a, ast.Name) else a for a in node.args]
            for keyword in node.keywords:
                if isinstance(keyword.value, ast.Name):
                    keyword.value = assigned.get(keyword.value.id, keyword.value)
    return snippet
