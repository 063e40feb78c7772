"""The example being written: its imports, setup and body so far, shared by its writers."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from howto_ls.model import Symbol
from howto_ls.offline.aliases import TypeAlias
from howto_ls.offline.example.foreign import ForeignClass, import_root


@dataclass
class Draft:
    """The example being written for ``symbol`` (defined by ``node`` in ``source``, inside
    ``parents``): its imports, setup and body so far, and what its writers track."""

    symbol: Symbol
    source: str
    node: ast.AST | None = None
    parents: tuple[ast.AST, ...] = ()
    imports: list[str] = field(default_factory=list)
    setup: list[str] = field(default_factory=list)
    body: list[str] = field(default_factory=list)
    needs_async: bool = False
    managed_from: int | None = None  # body lines from here run inside a ``with`` block
    managed_until: int | None = None  # ... up to here, when the example goes on after it
    module_alias: str | None = None  # module examples reach the module's classes through it
    building: set[str] = field(default_factory=set)  # classes being built, against cycles
    foreign: dict[str, ForeignClass | None] = field(default_factory=dict)
    bound: dict[str, str] = field(default_factory=dict)  # class -> the variable holding one
    # the other module whose class (or type alias) is being built, if any
    scope: ForeignClass | TypeAlias | None = None
    expanding: set[str] = field(default_factory=set)  # type aliases being expanded
    reserved: set[str] = field(default_factory=set)  # variables the body assigns
    presets: dict[str, str] = field(default_factory=dict)  # parameter -> a value made before
    least: bool = False  # lists and dicts are passed empty (for a method making a value)
    excepting: set[str] = field(default_factory=set)  # callees that read the handled exception
    constant_imports: dict[str, str] = field(default_factory=dict)  # constant -> its import
    built_class: ast.ClassDef | None = None  # the class ``instance`` last built (a stand-in?)
    called: frozenset[str] | None = None  # the method names the symbol's code calls, once read

    @property
    def top(self) -> str:
        """The top-level name the example imports."""
        return self.symbol.qualname.split(".")[0]

    @property
    def import_path(self) -> str:
        """Where users import the symbol from."""
        return self.symbol.import_path or self.symbol.module or "module"

    @property
    def owner_class(self) -> ast.ClassDef | None:
        """The class the symbol is defined in directly, if any."""
        if self.parents and isinstance(self.parents[-1], ast.ClassDef):
            return self.parents[-1]
        return None

    @property
    def here_source(self) -> str:
        """The text of the module whose names are being resolved (the symbol's, or the module
        of the class being built)."""
        return self.scope.source if self.scope is not None else self.source

    @property
    def here_module(self) -> str:
        """The dotted name of that module."""
        return self.scope.module if self.scope is not None else self.symbol.module

    @property
    def here_root(self) -> Path | None:
        """The folder that module's imports are found in: a library's when the class being
        built is one (its code calls into its own modules), else the symbol's project's."""
        if isinstance(self.scope, ForeignClass) and self.scope.root is not None:
            return self.scope.root
        symbol = self.symbol
        return import_root(symbol.path, symbol.module) if symbol.module else None

    @property
    def here_filename(self) -> str:
        """The file name of that module (``__init__.py`` for a package)."""
        return self.scope.filename if self.scope is not None else self.symbol.path.name

    def fresh(self, base: str) -> str:
        """``base``, or ``base_2``, ``base_3``... when the setup already assigns it."""
        taken = {line.split(" = ", 1)[0] for line in self.setup if not line[:1].isspace()}
        variable, number = base, 2
        while variable in taken:
            variable, number = f"{base}_{number}", number + 1
        return variable
