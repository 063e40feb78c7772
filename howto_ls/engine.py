"""The engine every front end shares: resolve a symbol, write its guide, plan the file change.

It knows nothing of LSP or of the command line. The language server, the CLI and the tests call
these methods; they convert positions and present errors themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from howto_ls.config import Settings
from howto_ls.guide import Guide
from howto_ls.model import Position, Span, Symbol

Progress = Callable[[str], None]
"""Receives short progress messages: "Resolving symbol", "Asking gpt-4o at host", "Inserting"."""


@dataclass(frozen=True)
class TextEdit:
    """Replace ``span`` of a document with ``new_text``."""

    span: Span
    new_text: str


@dataclass(frozen=True)
class FileChange:
    """What writing a guide does to one file: its old text (None if new) and its new text."""

    path: Path
    old_text: str | None
    new_text: str
    edits: tuple[TextEdit, ...]


@dataclass(frozen=True)
class ExistingGuide:
    """A guide already written for a symbol, and whether the code changed since."""

    qualname: str
    markdown: str
    fingerprint: str | None
    current_fingerprint: str
    where: str  # "docstring" or "sidecar"
    span: Span  # the symbol's name in its file, for diagnostics

    @property
    def stale(self) -> bool:
        """Whether the code changed since the guide was written."""
        return self.fingerprint != self.current_fingerprint


class Engine:
    """Resolves symbols, writes guides and plans edits for one project root."""

    def __init__(self, settings: Settings, root: Path) -> None:
        self.settings = settings
        self.root = root

    async def symbol_at(self, path: Path, source: str, position: Position) -> Symbol:
        """The symbol at ``position``: the definition there, or what a reference there names."""
        raise NotImplementedError

    def quick_symbol(self, path: Path, source: str, position: Position) -> Symbol | None:
        """The enclosing definition at ``position`` from the AST alone: cheap, no inference."""
        raise NotImplementedError

    def symbol_named(self, path: Path, source: str, qualname: str) -> Symbol:
        """The symbol with ``qualname`` in ``path`` (``""`` is the module)."""
        raise NotImplementedError

    async def write_guide(
        self, symbol: Symbol, module_source: str, progress: Progress | None = None
    ) -> Guide:
        """A guide for ``symbol`` from the configured backend."""
        raise NotImplementedError

    def plan_write(
        self, symbol: Symbol, source: str, guide: Guide, target: str | None = None
    ) -> FileChange:
        """The change that puts ``guide`` into the docstring or sidecar (``target``)."""
        raise NotImplementedError

    def guides_in(self, path: Path, source: str) -> list[ExistingGuide]:
        """Every guide written for symbols of ``path`` (docstrings and sidecar)."""
        raise NotImplementedError
