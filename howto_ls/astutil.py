"""Small helpers over the standard ``ast`` module shared by symbols, edits and writers."""

from __future__ import annotations

import ast
import functools
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from typing import Any, NamedTuple, TypeVar, cast

_PARSE_LOCK = threading.Lock()

MAX_DEPTH = 200
"""Deepest syntax tree howto-ls reads: CPython's own limit on nested parentheses (200, see
``MAXLEVEL`` in ``Parser/tokenizer.h``). Every recursive walk over a tree (``ast.unparse``,
``ast.NodeVisitor``, fingerprints) stays well inside Python's recursion limit below it."""

TOO_DEEP = "too deeply nested"


class TooDeeplyNestedError(SyntaxError):
    """Source whose syntax tree is deeper than :data:`MAX_DEPTH`, or too deep for the parser.

    A ``SyntaxError``, so every caller that treats an unparsable file as one keeps doing so;
    its ``msg`` starts with :data:`TOO_DEEP`.
    """


def parse(source: str | bytes, filename: str = "<unknown>", **options: Any) -> ast.Module:
    """``ast.parse`` behind one process-wide lock: every parse in howto-ls goes through here.

    CPython before 3.12 tracks the AST constructor's recursion depth per interpreter, not per
    thread, so two threads parsing at once can fail with "AST constructor recursion depth
    mismatch" (python/cpython#106905). The jedi worker and the event loop both parse.

    Raises ``SyntaxError`` (or ``ValueError`` for null bytes) when ``source`` does not parse,
    and :class:`TooDeeplyNestedError` when its tree is deeper than :data:`MAX_DEPTH` or the
    parser itself gives up (``RecursionError``, ``MemoryError``, "too many nested
    parentheses"), so no deep file ever reaches a recursive walk.
    """
    with _PARSE_LOCK:
        try:
            tree: ast.Module = ast.parse(source, filename, **options)
        except (RecursionError, MemoryError):
            line = _longest_line(source)
            raise TooDeeplyNestedError(
                f"{TOO_DEEP} for Python's parser", (filename, line, 0, None)
            ) from None
        except SyntaxError as error:
            if "too many nested" not in str(error.msg):
                raise
            raise TooDeeplyNestedError(
                f"{TOO_DEEP} (more than {MAX_DEPTH} levels of brackets)",
                (filename, error.lineno or 1, error.offset or 0, None),
            ) from None
    deep = deep_line(tree)
    if deep is not None:
        raise TooDeeplyNestedError(
            f"{TOO_DEEP} (more than {MAX_DEPTH} levels)", (filename, deep, 0, None)
        )
    return tree


def _longest_line(source: str | bytes) -> int:
    """The 1-based number of the longest line: where a parser without positions gave up, as
    near as can be told (a generated expression thousands of terms long)."""
    lengths = [len(line) for line in source.splitlines()]
    if not lengths:
        return 1
    return lengths.index(max(lengths)) + 1


def deep_line(tree: ast.AST, limit: int = MAX_DEPTH) -> int | None:
    """The 1-based line where ``tree`` gets deeper than ``limit`` nodes, or None.

    Iterative, and cheap: a node on one line holds no more levels than it has characters (each
    level of an expression adds an operator, a dot, a bracket or a keyword), so a short
    one-line node whose depth plus twice its width stays under ``limit`` is not entered.
    """
    stack: list[tuple[ast.AST, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return getattr(node, "lineno", None) or 1
        line = getattr(node, "lineno", None)
        if line is not None and line == getattr(node, "end_lineno", None):
            width = (getattr(node, "end_col_offset", None) or 0) - getattr(node, "col_offset", 0)
            if depth + 2 * width + 8 < limit:
                continue
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return None


_Result = TypeVar("_Result")

TREE_CACHE_CHARS = 1_000_000
"""Characters of source whose syntax trees a :func:`source_cache` keeps (on top of its entry
limit): a tree costs about 150 objects per line, and every object kept makes each full pass
of Python's cyclic garbage collector longer (a 3,700-line file typed into 64 times kept 1.3
million objects, and requests waited a second for the collector)."""


class CacheInfo(NamedTuple):
    """What a :func:`source_cache` holds, with the fields of ``functools.lru_cache``'s."""

    hits: int
    misses: int
    maxsize: int
    currsize: int


def source_cache(
    entries: int, chars: int = TREE_CACHE_CHARS
) -> Callable[[Callable[..., _Result]], Callable[..., _Result]]:
    """Memoize ``function(source, *rest)`` for the ``entries`` most recently used arguments,
    least recently used dropped first, and fewer while their sources together pass ``chars``
    characters (the latest result is always kept). Like :func:`functools.lru_cache`, for
    results that hold a syntax tree of ``source``: the caches of a long editing session stay
    small however big the file. Exceptions are not cached. Thread-safe."""

    def decorate(function: Callable[..., _Result]) -> Callable[..., _Result]:
        memo: OrderedDict[tuple[Hashable, ...], _Result] = OrderedDict()
        held = [0]
        counts = [0, 0]  # hits, misses
        lock = threading.Lock()

        @functools.wraps(function)
        def cached(source: str, *rest: Hashable) -> _Result:
            key = (source, *rest)
            with lock:
                if key in memo:
                    memo.move_to_end(key)
                    counts[0] += 1
                    return memo[key]
                counts[1] += 1
            result = function(source, *rest)
            with lock:
                if key not in memo:
                    memo[key] = result
                    held[0] += len(source)
                while len(memo) > 1 and (len(memo) > entries or held[0] > chars):
                    dropped, _ = memo.popitem(last=False)
                    held[0] -= len(cast(str, dropped[0]))
            return result

        def cache_clear() -> None:
            with lock:
                memo.clear()
                held[0] = 0
                counts[:] = [0, 0]

        def cache_info() -> CacheInfo:
            """Hits, misses, the entry limit and the entries held, as ``lru_cache`` gives."""
            with lock:
                return CacheInfo(counts[0], counts[1], entries, len(memo))

        cached.cache_clear = cache_clear  # type: ignore[attr-defined]
        cached.cache_info = cache_info  # type: ignore[attr-defined]
        return cached

    return decorate


@source_cache(entries=64)
def parse_shared(source: str) -> ast.Module:
    """``source`` parsed once for every part of howto-ls that reads it: never change the tree.

    Listing symbols, fingerprints, prompt context, the offline writer and edit planning all
    read the same module; each parsing it again cost a batch several parses per file.
    """
    return parse(source)


@functools.lru_cache(maxsize=16)
def parse_typed(source: str) -> ast.Module | None:
    """``source`` parsed with ``type_comments=True`` (PEP 484), or None when it does not parse so.

    Python reads ``# type:`` comments only where PEP 484 allows them; a file with one elsewhere
    parses without them (the comment is then only a comment). The tree is shared: never change it.
    """
    try:
        return parse(source, type_comments=True)
    except (SyntaxError, ValueError):
        return None


def literal_all(tree: ast.Module) -> list[str] | None:
    """The names of the module's ``__all__`` when its top level assigns it a literal list or
    tuple (the last such assignment, the one Python keeps), strings only; else None."""
    names: list[str] | None = None
    for statement in tree.body:
        if (
            isinstance(statement, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__all__" for t in statement.targets)
            and isinstance(statement.value, ast.List | ast.Tuple)
        ):
            names = [
                e.value
                for e in statement.value.elts
                if isinstance(e, ast.Constant) and isinstance(e.value, str)
            ]
    return names


def literal_value(node: ast.expr) -> Any:
    """The value of the literal expression ``node`` (:func:`ast.literal_eval` of a node, which
    parses nothing). Raises ValueError, TypeError, MemoryError or RecursionError as it does."""
    return ast.literal_eval(node)


def parse_expression(source: str) -> ast.expr:
    """One expression parsed (``ast.parse`` in ``eval`` mode) behind the same lock."""
    return cast(ast.Expression, parse(source, mode="eval")).body


Definition = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
DEFINITION_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def statement_start(statement: ast.stmt) -> tuple[int, int]:
    """Where ``statement``'s text starts: its 1-based line and UTF-8 byte column, as ``ast``
    counts them. A decorated function or class starts at its first decorator's ``@`` (the
    node's own ``lineno`` is its ``def``/``class`` line since Python 3.8, so text between the
    two -- ``@memoize(cache={1: True})`` -- would otherwise count as the code before it)."""
    if isinstance(statement, DEFINITION_TYPES) and statement.decorator_list:
        # the ``@`` stands at the block's indentation, the column of ``def``/``class`` (PEP 318
        # grammar: decorators are lines of their own before the definition)
        return statement.decorator_list[0].lineno, statement.col_offset
    return statement.lineno, statement.col_offset


def iter_definitions(tree: ast.Module) -> Iterator[tuple[str, Definition]]:
    """Yield ``(qualname, node)`` for every function and class, outer before inner.

    Nested functions are named ``outer.inner`` (without ``<locals>``), as users write them.
    """

    def walk(body: list[ast.stmt], prefix: str) -> Iterator[tuple[str, Definition]]:
        for node in flatten_statements(body):
            if isinstance(node, DEFINITION_TYPES):
                qualname = f"{prefix}{node.name}"
                yield qualname, node
                yield from walk(node.body, f"{qualname}.")

    yield from walk(tree.body, "")


def flatten_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements of ``body``, looking inside ``if``/``for``/``while``/``with``/``try`` blocks (not
    into defs): what runs at the level of ``body``."""
    for node in body:
        yield node
        if isinstance(node, ast.If | ast.For | ast.AsyncFor | ast.While | ast.With | ast.AsyncWith):
            yield from flatten_statements(node.body)
            yield from flatten_statements(node.orelse if hasattr(node, "orelse") else [])
        elif isinstance(node, ast.Try):
            yield from flatten_statements(node.body)
            for handler in node.handlers:
                yield from flatten_statements(handler.body)
            yield from flatten_statements(node.orelse)
            yield from flatten_statements(node.finalbody)


def find_definition(tree: ast.Module, key: str) -> Definition | None:
    """The function or class whose key is ``key`` (see ``howto_ls.definitions``).

    A plain qualified name is the definition Python binds last at its level; ``name#N`` is the
    N-th of the earlier ones. For an ``@overload``-ed function it is the implementation, for a
    property the getter.
    """
    from howto_ls.definitions import unit_index

    unit = unit_index(tree).get(key)
    return None if unit is None else unit.node


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
"""Nodes that open a scope of their own: what runs inside them is not the enclosing code's."""


_Node = TypeVar("_Node", bound=ast.AST)


def node_cache(
    function: Callable[..., _Result],
) -> Callable[..., _Result]:
    """Memoize ``function(node, *rest)`` for as long as ``node`` (an AST node) lives: the memo
    holds the node weakly (:class:`weakref.WeakKeyDictionary`), so it never keeps a parsed
    tree alive, unlike :func:`functools.lru_cache` keyed by nodes (thousands of entries kept
    every tree of a big project in memory). ``rest`` must be hashable and must not refer to
    the node, nor may the result (else the entry would keep its own key alive). Thread-safe."""
    memo: weakref.WeakKeyDictionary[ast.AST, dict[tuple[Hashable, ...], _Result]]
    memo = weakref.WeakKeyDictionary()
    lock = threading.Lock()

    @functools.wraps(function)
    def cached(node: ast.AST, *rest: Hashable) -> _Result:
        with lock:
            entries = memo.get(node)
            if entries is not None and rest in entries:
                return entries[rest]
        result = function(node, *rest)
        with lock:
            memo.setdefault(node, {})[rest] = result
        return result

    def cache_clear() -> None:
        with lock:
            memo.clear()

    cached.cache_clear = cache_clear  # type: ignore[attr-defined]
    return cached


@functools.lru_cache(maxsize=4096)
def own_nodes(node: ast.AST) -> tuple[ast.AST, ...]:
    """Every node under ``node`` (a function, class or statement), in a fixed order, without
    descending into the functions, classes and lambdas nested in it (their node is included,
    their insides are not).

    Cached per node (by identity): the usage reader, the example builder and the state rules
    walk the same functions thousands of times in a batch, and trees are shared, never changed.
    """
    found: list[ast.AST] = []
    stack = list(ast.iter_child_nodes(node))
    while stack:
        current = stack.pop()
        found.append(current)
        if not isinstance(current, _SCOPES):
            stack.extend(ast.iter_child_nodes(current))
    return tuple(found)


@node_cache
def is_generator(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether the function ``node`` is a generator: its own body (not the functions, classes
    and lambdas nested in it, nor its decorators and defaults, which run in the enclosing
    scope) has a ``yield`` or ``yield from`` (the language reference, "Yield expressions")."""
    pending: list[ast.AST] = list(node.body)
    while pending:
        current = pending.pop()
        if isinstance(current, ast.Yield | ast.YieldFrom):
            return True
        if not isinstance(current, _SCOPES):
            pending.extend(ast.iter_child_nodes(current))
    return False


def is_docstring(statement: ast.stmt) -> bool:
    """Whether ``statement`` is a bare string expression: the docstring when it comes first
    in a body (PEP 257), a string left as a comment elsewhere."""
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    )


def docstring_node(node: ast.Module | Definition) -> ast.Constant | None:
    """The string constant that is ``node``'s docstring, if it has one."""
    body = node.body
    if body and isinstance(body[0], ast.Expr):
        value = body[0].value
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            return value
    return None


def same_code(old_source: str, new_source: str) -> bool:
    """Whether both sources parse to the same code once docstrings (and attribute docs) go."""
    from howto_ls.fingerprint import same_code_trees

    try:
        return same_code_trees(parse(old_source), parse(new_source))
    except (SyntaxError, ValueError):
        return False


TYPE_ALIAS_TYPES: tuple[type[ast.stmt], ...] = tuple(
    node_type for node_type in (getattr(ast, "TypeAlias", None),) if node_type is not None
)
"""``ast.TypeAlias`` (``type X = ...``, PEP 695) on Python 3.12 and newer; empty before."""


def type_alias_name(statement: ast.stmt) -> str | None:
    """The name a ``type X = ...`` statement (PEP 695, Python 3.12+) binds, else None."""
    if not isinstance(statement, TYPE_ALIAS_TYPES):
        return None
    name = getattr(statement, "name", None)
    return name.id if isinstance(name, ast.Name) else None


def assignment_names(statement: ast.stmt) -> list[str]:
    """The plain names a module-level assignment binds (``A = B = 1`` -> ``["A", "B"]``).

    A ``type X = ...`` alias (PEP 695) binds ``X``.
    """
    alias = type_alias_name(statement)
    if alias is not None:
        return [alias]
    if isinstance(statement, ast.Assign):
        return [t.id for t in statement.targets if isinstance(t, ast.Name)]
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
        return [statement.target.id]
    return []
