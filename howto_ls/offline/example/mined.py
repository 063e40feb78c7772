"""A usage example taken from the project's own use of the symbol: a test or a doctest.

The project index keeps each test function and docstring example as statements
(:mod:`howto_ls.offline.project_uses`). For the symbol, :class:`Mined` finds a statement that
calls it (a function or class called or used as a decorator; a method called, or a property
read, on an object the use built from the owner class), takes the statements before it that
the call needs (those binding the names it reads, transitively, and the calls that set up
those objects), and the assertion right after it, printed. The example is kept only when
every name it reads is bound by those statements, a builtin, or imported from the standard
library or a public module of the symbol's package, and when it passes the checks a model's
example passes (:mod:`howto_ls.example_check`, :mod:`howto_ls.example_safety`).
"""

from __future__ import annotations

import ast
import builtins
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from howto_ls.astutil import literal_value, parse
from howto_ls.example_check import example_problems
from howto_ls.example_safety import safety_problems
from howto_ls.model import SymbolKind
from howto_ls.offline import index
from howto_ls.offline.example.foreign import import_root
from howto_ls.offline.example.part import Part
from howto_ls.offline.example.reading import top_level_names
from howto_ls.offline.project_uses import StatementRecord, UseRecord
from howto_ls.project import public_import_path
from howto_ls.usage import usage_of


class UsesIn(NamedTuple):
    """A module whose uses are mined: its dotted name and what a parse of it tells."""

    module: str
    imported: dict[str, tuple[str, str]]
    classes: dict[str, index.ClassRecord]
    uses: tuple[UseRecord, ...]


MAX_FILES = 40
"""Files whose uses are read per symbol (the symbol's own file first)."""

MAX_TRIES = 30
"""Candidate calls adapted per symbol before giving up."""

MAX_CANDIDATES = 3
"""Examples :meth:`Mined.examples` adapts by default, for a run to choose from."""

MAX_SETUP = 12
"""Statements before the call an example may take; a use needing more is left out."""

LOOK_AHEAD = 6
"""Statements after a class is built searched for one that uses the object."""

MAX_COMMENT_CHARS = 60
"""Longer expected values are not shown as a comment."""

_MEMBER_KINDS = {
    SymbolKind.METHOD,
    SymbolKind.CLASSMETHOD,
    SymbolKind.STATICMETHOD,
    SymbolKind.PROPERTY,
}
_BUILTINS = frozenset(dir(builtins))


@dataclass(frozen=True)
class _Target:
    """What a use must reach: ``top`` (a top-level function or class), and for a member of a
    class, ``member`` on an object of ``top`` (or on ``top`` itself)."""

    top: str
    member: str
    called: bool  # whether the member is called (a method) or read (a property)


class Mined(Part):
    """Writes the example from the project's own tests and doctests, when one fits."""

    def example(self) -> str | None:
        """The example adapted from the first use of the symbol that fits, or None."""
        found = self.examples(1)
        return found[0] if found else None

    def examples(self, limit: int = MAX_CANDIDATES) -> list[str]:
        """Up to ``limit`` different examples adapted from the uses of the symbol that fit, in
        the order :meth:`example` tries them (doctests first, the symbol's own file first);
        at most :data:`MAX_TRIES` uses are adapted."""
        target = self._target()
        if target is None:
            return []
        held = index.index_of(self.draft.symbol.path)
        tries = 0
        found: list[str] = []
        for record, use in self._uses(held, target):
            for anchor in _anchors(use, target, _locals(record, target.top, self._package())):
                tries += 1
                text = self._adapted(record, use, anchor, target)
                if text is not None and text not in found:
                    found.append(text)
                    if len(found) >= limit:
                        return found
                if tries >= MAX_TRIES:
                    return found
        return found

    # -- finding uses ----------------------------------------------------------------------

    def _target(self) -> _Target | None:
        symbol = self.draft.symbol
        parts = symbol.qualname.split(".")
        if symbol.kind in {SymbolKind.FUNCTION, SymbolKind.CLASS} and len(parts) == 1:
            return _Target(parts[0], "", True)
        if symbol.kind in _MEMBER_KINDS and len(parts) == 2 and not parts[1].startswith("__"):
            return _Target(parts[0], parts[1], symbol.kind is not SymbolKind.PROPERTY)
        return None

    def _package(self) -> str:
        return self.draft.symbol.module.split(".")[0]

    def _uses(
        self, held: index.ProjectIndex, target: _Target
    ) -> Iterator[tuple[UsesIn, UseRecord]]:
        """Doctests before tests; within each, the symbol's own file first."""
        own = self.draft.symbol.path
        own = own.resolve() if own.is_absolute() else own
        files = sorted(held.callers_of(target.top), key=lambda file: file != own)[:MAX_FILES]
        mined: list[UsesIn] = []
        for file in files:
            record, facts = held.record(file), held.parsed(file)
            if record is not None and facts is not None:
                mined.append(UsesIn(record.module, facts.imported, facts.classes, facts.uses))
        for in_doctest in (True, False):
            for module in mined:
                for use in module.uses:
                    if use.in_doctest is in_doctest:
                        yield module, use

    # -- adapting one use ------------------------------------------------------------------

    def _adapted(self, record: UsesIn, use: UseRecord, anchor: int, target: _Target) -> str | None:
        statements = use.statements
        built = anchor
        anchor, mention = _object_use(statements, anchor, target)
        is_class = self.draft.symbol.kind is SymbolKind.CLASS
        if is_class and anchor == built and statements[anchor].bound:
            return None  # an object printed as built shows its repr, not what it does
        chosen = _setup(statements, anchor)
        if chosen is None:
            return None
        lines = [statements[i].text for i in chosen]
        shown = _shown(statements, anchor, use.in_doctest, mention)
        if shown is None:
            return None
        lines += shown[0]
        used = [statements[i] for i in [*chosen, anchor]]
        if shown[1]:
            used.append(statements[anchor + 1])
        imports = self._imports(record, use, used, target)
        if imports is None:
            return None
        own = [line for line in lines if line.startswith(("import ", "from "))]
        lines = [line for line in lines if line not in own]
        definition = ("@", "def ", "async def ", "class ")
        lines = [  # two blank lines around a definition (PEP 8)
            part
            for line in lines
            for part in (["", line, "", ""] if line.startswith(definition) else [line])
        ]
        imports = sorted({*imports, *own}, key=lambda line: (not _is_std(line.split()[1]), line))
        text = "\n".join([*imports, "", *lines]).strip("\n") + "\n"
        return text if self._acceptable(text) else None

    def _imports(
        self,
        record: UsesIn,
        use: UseRecord,
        statements: Sequence[StatementRecord],
        target: _Target,
    ) -> list[str] | None:
        """The import lines the statements need, each from the standard library or a public
        module of the package; None when a name they read cannot be imported so."""
        symbol = self.draft.symbol
        bound: set[str] = set()
        free: set[str] = set()
        for statement in statements:
            importing = statement.text.startswith(("import ", "from "))
            if importing and not self._importable_statement(statement.text):
                return None
            free |= set(statement.used) - bound
            bound |= set(statement.bound)
        found: list[str] = []
        own_names = (
            top_level_names(self.draft.source) if record.module == symbol.module else frozenset()
        )
        for name in sorted(free - _BUILTINS):
            line = None
            if name in record.imported:
                line = self._import_line(name, *record.imported[name], target)
            elif (
                use.in_doctest
                and (name == target.top or name in own_names)
                and record.module == symbol.module
                and not name.startswith("_")
            ):
                path = self.importer.import_path_of(name)
                if name == target.top:
                    path = self.draft.import_path
                line = f"from {path} import {name}"
            if line is None:
                return None
            found.append(line)
        return sorted(found, key=lambda line: (not _is_std(line.split()[1]), line))

    def _import_line(self, local: str, module: str, name: str, target: _Target) -> str | None:
        """How the example imports ``name`` of ``module`` (a whole module when "") under
        ``local``; None when it is neither standard library nor public in the package."""
        alias = "" if local == (name or module) else f" as {local}"
        top = module.partition(".")[0]
        if top == self._package():
            if name == target.top:
                return f"from {self.draft.import_path} import {name}{alias}"
            if not name:
                public = not any(part.startswith("_") for part in module.split("."))
                return f"import {module}{alias}" if public and "." not in local else None
            if name.startswith("_"):
                return None
            symbol = self.draft.symbol
            root = import_root(symbol.path, symbol.module)
            path = public_import_path(module, name, root) if root is not None else module
            if any(part.startswith("_") for part in path.split(".")):
                return None
            return f"from {path} import {name}{alias}"
        if _is_std(module) or top in self._synthesized_imports():
            return f"from {module} import {name}{alias}" if name else f"import {module}{alias}"
        return None

    def _importable_statement(self, text: str) -> bool:
        try:
            tree = parse(text)
        except SyntaxError:
            return False
        for node in tree.body:
            if isinstance(node, ast.ImportFrom):
                module = node.module or ""
                if node.level or not (_is_std(module) or module.split(".")[0] == self._package()):
                    return False
                if any(part.startswith("_") for part in module.split(".")[1:]):
                    return False
            elif isinstance(node, ast.Import) and not all(_is_std(a.name) for a in node.names):
                return False
        return True

    def _synthesized_imports(self) -> frozenset[str]:
        return frozenset(
            line.split()[1].split(".")[0]
            for line in self.draft.imports
            if line.startswith(("import ", "from "))
        )

    def _acceptable(self, text: str) -> bool:
        """Whether ``text`` parses, prints something and passes the checks a model's example
        passes (the symbol used by its protocol, calls that bind, nothing unsafe)."""
        try:
            tree = parse(text)
        except (SyntaxError, ValueError):
            return False
        if any(_suspends(statement) for statement in tree.body):
            return False
        symbol = self.draft.symbol
        usage = usage_of(self.draft.node, self.draft.parents)
        return not example_problems(text, symbol, usage) and not safety_problems(
            text, symbol, self.draft.source
        )


def _suspends(statement: ast.stmt) -> bool:
    """Whether ``statement`` awaits or yields at the top level of a script (where neither
    runs); inside the functions it defines they may."""
    pending: list[ast.AST] = [statement]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Await | ast.Yield | ast.YieldFrom):
            return True
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        pending.extend(ast.iter_child_nodes(node))
    return False


def _is_std(module: str) -> bool:
    return module.partition(".")[0] in sys.stdlib_module_names


def _locals(record: UsesIn, top: str, package: str) -> tuple[set[str], set[str]]:
    """(names bound to ``top`` in the module of ``record``, names bound to a module of
    ``package`` there, through which ``module.top`` reaches it)."""
    names = {
        local
        for local, (module, name) in record.imported.items()
        if name == top and module.split(".")[0] == package
    }
    if top in record.classes or not names:
        names.add(top)  # defined there, or bound by a doctest's own lines
    modules = {
        local
        for local, (module, name) in record.imported.items()
        if not name and module.split(".")[0] == package
    }
    return names, modules


def _anchors(use: UseRecord, target: _Target, bound: tuple[set[str], set[str]]) -> Iterator[int]:
    """The indexes of the statements of ``use`` that call ``target`` (or read it, for a
    property), first to last."""
    names, modules = bound
    instances: set[str] = set()  # variables holding an object of ``target.top``
    for number, statement in enumerate(use.statements):
        if not statement.text:
            continue
        reads = set(statement.used)
        if not (reads & (names | modules)) and not (target.member and reads & instances):
            continue
        try:
            tree = parse(statement.text)
        except (SyntaxError, ValueError):
            continue
        made = [n for n in ast.walk(tree) if _makes(n, names, modules, target.top)]
        if target.member and made and isinstance(tree.body[0], ast.Assign):
            for node in tree.body[0].targets:
                if isinstance(node, ast.Name):
                    instances.add(node.id)
        if _reaches(tree, target, names, modules, instances):
            yield number


def _is_top(node: ast.expr, names: set[str], modules: set[str], top: str) -> bool:
    if isinstance(node, ast.Name):
        return node.id in names
    return (
        isinstance(node, ast.Attribute)
        and node.attr == top
        and isinstance(node.value, ast.Name)
        and node.value.id in modules
    )


def _makes(node: ast.AST, names: set[str], modules: set[str], top: str) -> bool:
    """Whether ``node`` calls the class ``top`` or one of its class methods."""
    if not isinstance(node, ast.Call):
        return False
    function = node.func
    if _is_top(function, names, modules, top):
        return True
    return isinstance(function, ast.Attribute) and _is_top(function.value, names, modules, top)


def _reaches(
    tree: ast.Module, target: _Target, names: set[str], modules: set[str], instances: set[str]
) -> bool:
    statement = tree.body[0]
    if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        # a definition's body runs later, if at all; a decorator of it runs now
        return not target.member and any(
            _is_top(d.func if isinstance(d, ast.Call) else d, names, modules, target.top)
            for d in statement.decorator_list
        )
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    for node in ast.walk(tree):
        if not target.member:
            if (
                isinstance(node, ast.Name | ast.Attribute)
                and id(node) in called
                and _is_top(node, names, modules, target.top)
            ):
                return True
            continue
        if not (isinstance(node, ast.Attribute) and node.attr == target.member):
            continue
        if target.called != (id(node) in called):
            continue
        owner = node.value
        if isinstance(owner, ast.Name) and owner.id in instances:
            return True
        if _is_top(owner, names, modules, target.top):
            return True  # ``Class.method(...)``
        if _makes(owner, names, modules, target.top):
            return True  # ``Class(...).method(...)``
    return False


def _setup(statements: Sequence[StatementRecord], anchor: int) -> list[int] | None:
    """The indexes of the statements before ``anchor`` it needs: those binding a name it (or
    another chosen statement) reads, and the calls on those objects in between (which bring
    them into the state the call expects); None when one of them cannot be reused or more
    than :data:`MAX_SETUP` are needed."""
    needed = set(statements[anchor].used)
    chosen: list[int] = []
    for number in range(anchor - 1, -1, -1):
        statement = statements[number]
        binds = set(statement.bound) & needed
        sets_up = (
            not statement.bound
            and bool(set(statement.used) & needed)
            and not statement.text.startswith("assert ")
        )
        if not (binds or sets_up):
            continue
        if not statement.text or len(chosen) >= MAX_SETUP:
            return None
        chosen.append(number)
        needed -= binds
        needed |= set(statement.used)
    return sorted(chosen)


def _object_use(
    statements: Sequence[StatementRecord], anchor: int, target: _Target
) -> tuple[int, str]:
    """For a class built into a variable (``cart = Cart(...)``), the first statement of the
    next :data:`LOOK_AHEAD` that checks or uses the object (``assert cart.total() == 7``): an
    object shows what it does through its methods, not its repr. Else ``anchor``. With the
    name the shown statement mentions."""
    mention = target.member or target.top
    if target.member:
        return anchor, mention
    try:
        node = parse(statements[anchor].text).body[0]
    except (SyntaxError, ValueError):
        return anchor, mention
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        variable = node.name  # decorated by the symbol: shown by what uses it next
    elif (
        isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
    ):
        variable = node.targets[0].id
    else:
        return anchor, mention
    defined = not isinstance(node, ast.Assign)
    for number in range(anchor + 1, min(anchor + 1 + LOOK_AHEAD, len(statements))):
        statement = statements[number]
        if variable not in statement.used or not statement.text:
            continue
        shows = statement.text.startswith("assert ") or bool(statement.expected)
        if shows or statement.bound or defined:
            return number, variable
    return anchor, mention


def _shown(
    statements: Sequence[StatementRecord], anchor: int, in_doctest: bool, mention: str
) -> tuple[list[str], bool] | None:
    """The call statement, then what shows its result: the assertion right after it printed
    (its expected value as a comment), or the call's value printed; and whether the
    assertion after it was taken."""
    statement = statements[anchor]
    node = parse(statement.text).body[0]
    following = statements[anchor + 1] if anchor + 1 < len(statements) else None
    check = _assertion(following, statement) if following is not None else None
    if isinstance(node, ast.Assert):
        shown, expected = _asserted(node.test, mention, statement.text)
        return [f"print({shown}){_comment(expected)}"], False
    if isinstance(node, ast.Expr):
        if check is not None:
            return [statement.text, *check], True
        if _is_print(node.value):
            return [statement.text], False
        expected = statement.expected if in_doctest else ""
        return [f"print({statement.text}){_comment(expected)}"], False
    if isinstance(node, ast.Assign | ast.AnnAssign):
        if check is not None:
            return [statement.text, *check], True
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if len(targets) == 1 and isinstance(targets[0], ast.Name):
            return [statement.text, f"print({targets[0].id})"], False
    return None


def _assertion(following: StatementRecord, call: StatementRecord) -> list[str] | None:
    """The assertion ``following`` as a ``print`` of what it checks, when it checks what
    ``call`` bound or changed; else None."""
    if not following.text.startswith("assert "):
        return None
    reach = set(call.bound) | set(call.used)
    if not set(following.used) & reach:
        return None
    node = parse(following.text).body[0]
    assert isinstance(node, ast.Assert)
    shown, expected = _asserted(node.test, "", following.text)
    return [f"print({shown}){_comment(expected)}"]


def _asserted(test: ast.expr, mention: str, source: str) -> tuple[str, str]:
    """(what an assertion checks, the literal it expects or ""), as ``source`` (the
    assertion's text) writes them; of a comparison, the side that mentions ``mention`` (the
    left one when "")."""

    def text(node: ast.expr) -> str:
        return ast.get_source_segment(source, node) or ast.unparse(node)

    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return text(test.operand), ""
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and mention:
        left_text, right_text = text(test.left), text(test.comparators[0])
        if mention not in left_text and mention in right_text:
            test = ast.Compare(test.comparators[0], test.ops, [test.left])
    if (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.ops[0], ast.Eq | ast.Is)
    ):
        right = test.comparators[0]
        try:
            literal_value(right)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            return text(test.left), ""
        return text(test.left), text(right)
    if isinstance(test, ast.Compare):
        return text(test.left), ""
    return text(test), ""


def _is_print(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print"
    )


def _comment(expected: str) -> str:
    if not expected or "\n" in expected or len(expected) > MAX_COMMENT_CHARS:
        return ""
    return f"  # {expected}"
