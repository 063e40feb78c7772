"""Plain data shared by every part of the engine: positions, symbols, guide requests.

Positions are 0-based lines and 0-based columns counted in Unicode code points (Python ``str``
indices) of the line. Only the language server converts to and from UTF-16.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, order=True)
class Position:
    """A 0-based line and code-point column."""

    line: int
    column: int


@dataclass(frozen=True)
class Span:
    """A half-open range of text: ``start`` included, ``end`` excluded."""

    start: Position
    end: Position

    def contains(self, position: Position) -> bool:
        """Whether ``position`` lies inside the span (its end counts as inside)."""
        return self.start <= position <= self.end


class SymbolKind(str, enum.Enum):
    """What kind of documentable thing a symbol is."""

    MODULE = "module"
    CLASS = "class"
    FUNCTION = "function"
    METHOD = "method"
    CLASSMETHOD = "classmethod"
    STATICMETHOD = "staticmethod"
    PROPERTY = "property"
    VARIABLE = "variable"


@dataclass(frozen=True)
class Parameter:
    """One parameter of a function signature."""

    name: str
    annotation: str | None = None
    default: str | None = None
    # positional_or_keyword, positional_only, var_positional, keyword_only or var_keyword
    kind: str = "positional_or_keyword"


@dataclass(frozen=True)
class Symbol:
    """A documentable symbol: where it is, what it is, and how users import it.

    ``qualname`` is the dotted path inside its module (``Client.send``); the module itself has
    ``qualname == ""``. ``module`` is the defining module (``httpx._client``); ``import_path`` is
    the shortest public module that exposes it (``httpx``). ``identity`` is the symbol's key in
    its file (``howto_ls.definitions``): the qualname, except for a name defined more than once
    at one level, whose earlier definitions have ``key`` ``qualname#N``; docstring guides,
    sidecar blocks and fingerprints are found by it. ``related`` holds the source of the other
    definitions that belong to it: ``@overload`` signatures, a property's setter and deleter.
    """

    name: str
    qualname: str
    kind: SymbolKind
    path: Path
    module: str
    import_path: str
    signature: str
    source: str
    full_range: Span
    body_range: Span
    is_async: bool = False
    is_generator: bool = False
    parameters: tuple[Parameter, ...] = ()
    returns: str | None = None
    bases: tuple[str, ...] = ()
    decorators: tuple[str, ...] = ()
    docstring: str | None = None
    docstring_range: Span | None = None
    in_project: bool = True
    key: str | None = None
    related: tuple[str, ...] = ()

    @property
    def identity(self) -> str:
        """The key the symbol is found by in its file: ``key``, else the qualname."""
        return self.qualname if self.key is None else self.key

    @property
    def display_name(self) -> str:
        """The name users read: the qualified name, or the module name for a module."""
        return self.qualname or self.module


@dataclass(frozen=True)
class ContextItem:
    """A project function or class the symbol uses: its signature and first docstring line."""

    qualname: str
    signature: str
    summary: str = ""


@dataclass(frozen=True)
class GuideRequest:
    """Everything a backend needs to write a guide for one symbol."""

    symbol: Symbol
    module_source: str
    context: tuple[ContextItem, ...] = ()
    language: str = "English"
    extra: dict[str, str] = field(default_factory=dict)
    uses: tuple[str, ...] = ()  # what a use needs: owner's constructor, companion APIs, ...
