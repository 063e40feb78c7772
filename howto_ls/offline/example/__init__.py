"""The usage example of an offline guide: imports the symbol from its public path and uses it.

Arguments come from annotations, then parameter names; a parameter whose annotation names a class
of the same module (or a container of one) gets a real instance built from that class.

One :class:`Team` writes each example: collaborators with one job each (values, classes,
instances, stubs, imports, arguments, calls, the shape per kind of symbol) sharing one
:class:`~howto_ls.offline.example.draft.Draft`; :func:`~howto_ls.offline.example.layout.render`
lays it out. An example taken from the project's own tests or doctests
(:mod:`~howto_ls.offline.example.mined`) is preferred when one fits.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence

from howto_ls.errors import HowtoError
from howto_ls.model import Symbol
from howto_ls.offline.analysis import main_method, parameters_of
from howto_ls.offline.callers import method_calls
from howto_ls.offline.example.aliased import aliased_reference, called_as, find_function
from howto_ls.offline.example.arguments import Arguments
from howto_ls.offline.example.callables import Callables
from howto_ls.offline.example.calls import Calls
from howto_ls.offline.example.classes import Classes
from howto_ls.offline.example.draft import Draft
from howto_ls.offline.example.foreign import import_root
from howto_ls.offline.example.importer import Importer
from howto_ls.offline.example.instances import Instances
from howto_ls.offline.example.layout import example_that_parses
from howto_ls.offline.example.mined import MAX_CANDIDATES, Mined
from howto_ls.offline.example.reading import (
    exported_names,
    function_of,
    only_under_type_checking,
)
from howto_ls.offline.example.shapes import Shapes
from howto_ls.offline.example.stubs import Stubs
from howto_ls.offline.example.values import Values
from howto_ls.offline.example.variants import (
    Callee,
    positionally,
    project_literals,
    variants,
    with_contents,
)


def build_example(
    symbol: Symbol, node: ast.AST | None, source: str, parents: Sequence[ast.AST] = ()
) -> str:
    """A usage example for ``symbol`` that always parses and imports it from its import path.

    ``node`` is the symbol's definition (a function, class or assignment; the module's tree for
    a module; None when the source has none), ``source`` the module's text (read for classes the
    example builds) and ``parents`` the definitions around ``node``, outermost first.
    """
    return next(_candidates(symbol, node, source, parents, mined=1))


def build_examples(
    symbol: Symbol,
    node: ast.AST | None,
    source: str,
    parents: Sequence[ast.AST] = (),
    *,
    mined: int = MAX_CANDIDATES,
) -> list[str]:
    """Candidate usage examples for ``symbol``, best guess first, never empty: up to ``mined``
    adapted from the project's tests and doctests (functions and classes), then the one written
    from the code (left out when it repeats a mined one), then variants of that one with other
    values where the writer was unsure of one (:mod:`~howto_ls.offline.example.variants`).
    The first is :func:`build_example`'s
    answer; a run (:mod:`howto_ls.verification`) may prefer another. Pure: nothing runs. The
    arguments are :func:`build_example`'s.
    """
    return list(_candidates(symbol, node, source, parents, mined=mined))


def _candidates(
    symbol: Symbol, node: ast.AST | None, source: str, parents: Sequence[ast.AST], *, mined: int
) -> Iterator[str]:
    """:func:`build_examples`' candidates one at a time, so that :func:`build_example` (every
    guide's example) stops after the first and never builds the variants."""
    draft = Draft(symbol, source, node, tuple(parents))
    team = Team(draft)
    example = team.shapes
    if symbol.qualname and only_under_type_checking(source, draft.top):
        yield example.for_type_checking(parents[0] if parents else node)
        return
    if isinstance(node, ast.Module):
        written = example.for_module(node)
        members = _member_examples(draft, node)
        first = next(members, None)  # built only when the module offers no code of its own
        if first is not None:
            yield first
            yield from members
        yield written
        return
    if isinstance(node, ast.ClassDef):
        written = example.for_class(node, main_method(node, method_calls(symbol.path)))
        found = _with_written(team.mined.examples(mined), written)
        yield from found
        yield from _variants(written, [node], symbol, found)
        return
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        written = example.for_function(node, parameters_of(node))
        found = _with_written(team.mined.examples(mined), written)
        yield from found
        owner = [draft.owner_class] if draft.owner_class is not None else []
        more = _variants(written, [node, *owner], symbol, found)
        yield from more
        found += more
        if draft.owner_class is not None:  # an object built empty, then given contents
            filled = with_contents(written, draft.owner_class, node.name)
            yield from [text for text in filled if text not in found]
        return
    if isinstance(node, ast.Assign | ast.AnnAssign):
        written = example.for_variable()
        yield from _alias_called(draft, node)
        yield written
        return
    top = symbol.qualname.split(".")[0] or symbol.name
    text = f"from {draft.import_path} import {top}\n\nprint({symbol.qualname})\n"
    yield example_that_parses(text, draft.import_path, top)


def _variants(
    written: str, definitions: Sequence[ast.AST], symbol: Symbol, found: Sequence[str]
) -> list[str]:
    """Variants of ``written`` with other values where the writer was unsure
    (:mod:`~howto_ls.offline.example.variants`) for the calls of ``definitions`` (functions,
    and classes by their constructor), leaving out those already ``found``."""
    callees = []
    for definition in definitions:
        function = function_of(definition)
        if function is not None and isinstance(definition, ast.ClassDef | ast.FunctionDef):
            callees.append(Callee.of(definition.name, parameters_of(function)))
        elif isinstance(definition, ast.AsyncFunctionDef):
            callees.append(Callee.of(definition.name, parameters_of(definition)))
    written_variants = variants(
        written, callees, project_literals(symbol.path, definitions, symbol.module)
    )
    classes = [d for d in definitions if isinstance(d, ast.ClassDef)]
    written_variants += positionally(written, callees, classes)
    return [text for text in written_variants if text not in found]


MAX_MEMBER_EXAMPLES = 3
"""Examples of the functions a module offers that are candidates for the module's own."""


def _member_examples(draft: Draft, tree: ast.Module) -> Iterator[str]:
    """For a module that offers functions it imports (a package's ``__init__``), up to
    :data:`MAX_MEMBER_EXAMPLES` of their own examples, each importing the function from this
    module, built one at a time: using what a package offers is what its guide shows. None
    for a module that defines functions or classes itself."""
    if any(isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) for n in tree.body):
        return
    found: list[str] = []
    for name in exported_names(tree):
        if len(found) == MAX_MEMBER_EXAMPLES:
            return
        text = _function_example_as(draft, ast.Name(name), name)
        if text is not None and text not in found:
            found.append(text)
            yield text


def _alias_called(draft: Draft, node: ast.Assign | ast.AnnAssign) -> list[str]:
    """For a name bound to a function or a wrapper of one (:mod:`~howto_ls.offline.example.
    aliased`): the function's own example calling the name instead; empty otherwise."""
    symbol = draft.symbol
    reference = aliased_reference(node.value)
    if reference is None or symbol.qualname != draft.top:
        return []
    called = _function_example_as(draft, reference, symbol.qualname)
    return [called] if called is not None else []


def _function_example_as(draft: Draft, reference: ast.expr, name: str) -> str | None:
    """The example of the function ``reference`` names in the symbol's module, calling it as
    ``name`` imported from the symbol's module; None when it names no project function or its
    example does not import it by its own name."""
    from howto_ls.symbols import list_symbols  # the symbol lister reads examples' modules

    symbol = draft.symbol
    found = find_function(reference, draft.source, symbol.module, symbol.path)
    if found is None:
        return None
    function, text, module, path = found
    root = import_root(path, module)
    if root is None:
        return None
    try:
        listed = list_symbols(text, path, root)
    except HowtoError:
        return None
    own = next((s for s in listed if s.qualname == function.name), None)
    if own is None:
        return None
    written = build_example(own, function, text)
    alias_import = f"from {draft.import_path} import {name.split('.', maxsplit=1)[0]}"
    called = called_as(written, function.name, alias_import, name)
    return called if alias_import in called.splitlines() else None


def _with_written(mined: list[str], written: str) -> list[str]:
    """The mined examples, then ``written`` unless it is one of them."""
    return mined + ([written] if written not in mined else [])


class Team:
    """The collaborators that write one example, each with its job, sharing ``draft``."""

    def __init__(self, draft: Draft) -> None:
        self.draft = draft
        self.arguments = Arguments(self)
        self.callables = Callables(self)
        self.calls = Calls(self)
        self.classes = Classes(self)
        self.importer = Importer(self)
        self.instances = Instances(self)
        self.mined = Mined(self)
        self.shapes = Shapes(self)
        self.stubs = Stubs(self)
        self.values = Values(self)
