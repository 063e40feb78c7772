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
from collections.abc import Sequence

from howto_ls.model import Symbol
from howto_ls.offline.analysis import main_method, parameters_of
from howto_ls.offline.callers import method_calls
from howto_ls.offline.example.arguments import Arguments
from howto_ls.offline.example.callables import Callables
from howto_ls.offline.example.calls import Calls
from howto_ls.offline.example.classes import Classes
from howto_ls.offline.example.draft import Draft
from howto_ls.offline.example.importer import Importer
from howto_ls.offline.example.instances import Instances
from howto_ls.offline.example.layout import example_that_parses
from howto_ls.offline.example.mined import MAX_CANDIDATES, Mined
from howto_ls.offline.example.reading import only_under_type_checking
from howto_ls.offline.example.shapes import Shapes
from howto_ls.offline.example.stubs import Stubs
from howto_ls.offline.example.values import Values


def build_example(
    symbol: Symbol, node: ast.AST | None, source: str, parents: Sequence[ast.AST] = ()
) -> str:
    """A usage example for ``symbol`` that always parses and imports it from its import path.

    ``node`` is the symbol's definition (a function, class or assignment; the module's tree for
    a module; None when the source has none), ``source`` the module's text (read for classes the
    example builds) and ``parents`` the definitions around ``node``, outermost first.
    """
    return build_examples(symbol, node, source, parents, mined=1)[0]


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
    from the code (left out when it repeats a mined one). The first is :func:`build_example`'s
    answer; a run (:mod:`howto_ls.verification`) may prefer another. Pure: nothing runs. The
    arguments are :func:`build_example`'s.
    """
    draft = Draft(symbol, source, node, tuple(parents))
    team = Team(draft)
    example = team.shapes
    if symbol.qualname and only_under_type_checking(source, draft.top):
        return [example.for_type_checking(parents[0] if parents else node)]
    if isinstance(node, ast.Module):
        return [example.for_module(node)]
    if isinstance(node, ast.ClassDef):
        written = example.for_class(node, main_method(node, method_calls(symbol.path)))
        return _with_written(team.mined.examples(mined), written)
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        written = example.for_function(node, parameters_of(node))
        return _with_written(team.mined.examples(mined), written)
    if isinstance(node, ast.Assign | ast.AnnAssign):
        return [example.for_variable()]
    top = symbol.qualname.split(".")[0] or symbol.name
    text = f"from {draft.import_path} import {top}\n\nprint({symbol.qualname})\n"
    return [example_that_parses(text, draft.import_path, top)]


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
