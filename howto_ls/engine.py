"""The engine every front end shares: resolve a symbol, write its guide, plan the file change.

It knows nothing of LSP or of the command line. The language server, the CLI and the tests call
these methods; they convert positions and present errors themselves.
"""

from __future__ import annotations

import ast
import asyncio
import enum
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from howto_ls import astutil, edits, project, sidecar, sourcefile, style, symbols
from howto_ls.backends import Backend
from howto_ls.backends.factory import make_backend
from howto_ls.backends.offline import OfflineBackend
from howto_ls.cache import GuideCache
from howto_ls.checked import write_checked_guide
from howto_ls.config import Settings
from howto_ls.context import called_context
from howto_ls.definitions import describe_key, plain_qualname
from howto_ls.edits import TextEdit
from howto_ls.errors import HowtoError, NotWritableError, SourceError, SymbolNotFoundError
from howto_ls.exclusion import Exclusion, exclusion_for
from howto_ls.fingerprint import fingerprint_of, fingerprints_of
from howto_ls.guide import Guide, render, render_markdown
from howto_ls.identifiers import normalize
from howto_ls.jedi_worker import default_worker
from howto_ls.model import GuideRequest, Position, Span, Symbol, SymbolKind
from howto_ls.offline.index import index_for
from howto_ls.offline.writer import write_guide
from howto_ls.sourcefile import read_source
from howto_ls.syntax import parse_problem
from howto_ls.textdiff import minimal_span
from howto_ls.use_context import use_context
from howto_ls.verification import Verifier, verifier_for

__all__ = [
    "Engine",
    "ExistingGuide",
    "FileChange",
    "GuideState",
    "Inventory",
    "InventoryEntry",
    "Progress",
    "TextEdit",
]

TAB_WIDTH = style.TAB_WIDTH  # how wide a tab counts against the line length

Progress = Callable[[str], None]
"""Receives short progress messages: "Resolving symbol", "Asking gpt-4o at host", "Inserting"."""


@dataclass(frozen=True)
class FileChange:
    """What writing a guide does to one file: its old text (None if new) and its new text."""

    path: Path
    old_text: str | None
    new_text: str
    edits: tuple[TextEdit, ...]
    written: tuple[str, ...] = ()  # keys of the symbols whose guides it adds or replaces

    @property
    def changed(self) -> bool:
        """Whether the file's text changes at all (an empty new sidecar is no change)."""
        return (self.old_text or "") != self.new_text


@dataclass(frozen=True)
class ExistingGuide:
    """A guide already written for a symbol, and whether the code changed since."""

    qualname: str  # the key (``howto_ls.definitions``): the qualname, ``name#N`` if redefined
    markdown: str
    fingerprint: str | None
    current_fingerprint: str
    where: str  # "docstring" or "sidecar"
    span: Span  # the symbol's name in its file, for diagnostics
    which: str = ""  # which definition, for a name defined more than once (``describe_key``)
    intro: str = ""  # what a docstring says before its guide: the summary, the person's text

    @property
    def display_name(self) -> str:
        """The name users read: ``getchar (definition 1 of 2, under `if WIN:`)``; ``""`` for
        the module."""
        name = plain_qualname(self.qualname)
        return f"{name} ({self.which})" if self.which else name

    @property
    def stale(self) -> bool:
        """Whether the code changed since the guide was written."""
        return self.fingerprint != self.current_fingerprint


class GuideState(str, enum.Enum):
    """Where a symbol's guide stands against its code."""

    FRESH = "fresh"  # written for the code as it is now
    STALE = "stale"  # the code changed since the guide was written
    MISSING = "missing"  # no guide, in the docstring nor in the sidecar


@dataclass(frozen=True)
class InventoryEntry:
    """One symbol of a file and the state of its guide.

    ``key`` is the symbol's identity in its file (``howto_ls.definitions``: the qualname,
    ``name#N`` for an earlier definition of a name defined more than once, ``""`` for the
    module); ``qualname`` the plain dotted name. ``span`` is where its name is written and
    ``range`` the whole definition, both 0-based code-point positions (``model.Span``).
    ``where`` is ``"docstring"`` or ``"sidecar"``, None for a missing guide; ``guide`` the guide
    read, None when missing. ``public`` tells whether the symbol counts as public API
    (``symbols.OutlineItem.public``).
    """

    key: str
    qualname: str
    display_name: str  # ``getchar (definition 1 of 2, under `if WIN:`)``; the module's name
    kind: SymbolKind
    span: Span
    range: Span
    state: GuideState
    where: str | None
    public: bool
    guide: ExistingGuide | None = None


@dataclass(frozen=True)
class Inventory:
    """A file's symbols with the state of their guides, in source order.

    ``reason`` says why symbols were left out: the file is excluded (its written guides are
    still listed, no symbol of it is missing one), over ``maxFileSize`` or does not parse
    (nothing is listed); None when nothing was.
    """

    path: Path
    entries: tuple[InventoryEntry, ...]
    reason: str | None = None

    def with_state(self, state: GuideState) -> list[InventoryEntry]:
        """The entries whose guide is in ``state``, in source order."""
        return [entry for entry in self.entries if entry.state is state]

    def entry(self, key: str) -> InventoryEntry | None:
        """The entry of the symbol whose identity is ``key``, if listed; for a symbol with a
        guide in its docstring and another in the sidecar, the sidecar's (listed last)."""
        return next((entry for entry in reversed(self.entries) if entry.key == key), None)


class Engine:
    """Resolves symbols, writes guides and plans edits for one project root."""

    def __init__(
        self,
        settings: Settings,
        root: Path,
        backend: Backend | None = None,
        cache: GuideCache | None = None,
    ) -> None:
        self.settings = settings
        self.root = root
        sourcefile.set_size_limit(settings.max_file_size)
        self._backend = backend
        self._cache: GuideCache | None = cache
        self._owns_cache = False
        self._verifier: Verifier | None = None
        self._verifier_known = False

    @property
    def backend(self) -> Backend:
        """The configured backend, made on first use."""
        if self._backend is None:
            self._backend = make_backend(self.settings, workspace=self.root)
        return self._backend

    async def symbol_at(self, path: Path, source: str, position: Position) -> Symbol:
        """The symbol at ``position``: the definition there, or what a reference there names."""
        return await default_worker.run(symbols.symbol_at, source, path, position, self.root)

    def quick_symbol(self, path: Path, source: str, position: Position) -> Symbol | None:
        """The enclosing definition at ``position`` from the AST alone: cheap, no inference."""
        try:
            return symbols.enclosing_symbol(source, path, position, self.root)
        except SourceError:
            return None

    def symbol_named(self, path: Path, source: str, qualname: str) -> Symbol:
        """The symbol with key ``qualname`` in ``path`` (``""`` is the module)."""
        return symbols.symbol_named(source, path, qualname, self.root)

    def symbol_by_key(self, path: Path, source: str, key: str, position: Position) -> Symbol:
        """The symbol ``key`` named when ``position`` was in it: found by position first.

        A code action carries the key of the definition under the cursor; when the file
        changed since (a definition of the same name added above), the definition at the
        position is still the one meant, whatever its key is now.
        """
        here = self.quick_symbol(path, source, position)
        if here is not None and here.qualname == plain_qualname(normalize(key)):
            return here
        return self.symbol_named(path, source, key)

    def relocate(self, symbol: Symbol, old: str, current: str) -> Symbol:
        """``symbol`` of text ``old`` in ``current``, the same file after edits elsewhere.

        The definition is found where its first line moved to (lines inserted or removed above
        it shift it); when the edit touched the definition itself, by its key.
        """
        start = symbol.full_range.start
        change = minimal_span(old, current)
        moved: Position | None = start
        if change is not None and symbol.qualname:
            span, text = change
            if span.end.line < start.line:
                added = text.count("\n") + text.count("\r") - text.count("\r\n")
                moved = Position(
                    start.line + added - (span.end.line - span.start.line), start.column
                )
            elif not start < span.start:
                moved = None
        if moved is not None and symbol.qualname:
            here = self.quick_symbol(symbol.path, current, moved)
            if here is not None and here.qualname == symbol.qualname:
                return here
        return self.symbol_named(symbol.path, current, symbol.identity)

    def require_parsable(self, path: Path, source: str) -> None:
        """Raise :class:`SourceError` saying why ``source`` (of ``path``) does not parse here.

        A guide is written into, and fingerprinted from, a file's syntax tree: a file this
        Python cannot parse (a mistake, or syntax of a newer Python) gets none.
        """
        problem = parse_problem(source)
        if problem is not None:
            raise SourceError(problem.sentence(path.name))

    def request_for(self, symbol: Symbol, module_source: str) -> GuideRequest:
        """The backend's input without context: the symbol, its module and its file."""
        return GuideRequest(
            symbol=symbol,
            module_source=module_source,
            language=self.settings.language,
            extra={"relpath": _relative(symbol.path, self.root)},
        )

    async def _with_context(self, request: GuideRequest) -> GuideRequest:
        """``request`` with the signatures and summaries of what the symbol calls."""
        try:
            context = await asyncio.to_thread(
                called_context,
                request.symbol,
                request.module_source,
                self.root,
                excluded=self.exclusion.excluded,
            )
        except Exception:  # context only grounds the prompt; never fail a guide for it
            return request
        try:
            uses = await asyncio.to_thread(
                use_context,
                request.symbol,
                request.module_source,
                self.root,
                index_for(self.root),
                self.exclusion.excluded,
            )
        except Exception:  # the same: a use's needs only ground the prompt
            uses = ()
        return replace(request, context=context, uses=uses)

    @property
    def exclusion(self) -> Exclusion:
        """The files of this project never documented nor read into a prompt."""
        return exclusion_for(self.root, self.settings.exclude)

    @property
    def cache(self) -> GuideCache:
        """The guide cache, opened on first use."""
        if self._cache is None:
            self._cache, self._owns_cache = GuideCache(), True
        return self._cache

    async def write_guide(
        self,
        symbol: Symbol,
        module_source: str,
        progress: Progress | None = None,
        *,
        fingerprint: str | None = None,
        verify: bool = False,
    ) -> Guide:
        """A guide for ``symbol``: from the cache (unless ``Settings.cache`` is ``off``), or the
        backend checked and repaired once.

        ``fingerprint`` saves computing it when the caller has it (a batch fingerprints a whole
        file at once). With ``verify`` (``doc``, ``generate``, the code action; never a hover),
        examples are run as ``Settings.verify_examples`` says (:mod:`howto_ls.verification`):
        a model's is repaired from its run, the offline writer's best candidate is kept.
        Raises :class:`GuideValidationError` when a model's guide still has problems (or its
        example still raises when run); callers offer :meth:`offline_guide` instead. Raises
        :class:`ExcludedError` for a symbol of an excluded file (:mod:`howto_ls.exclusion`).
        """
        self.exclusion.check(symbol.path)
        request = self.request_for(symbol, module_source)
        verifier = await self.verifier() if verify else None
        if self.backend.name == "offline":
            if verifier is not None and isinstance(self.backend, OfflineBackend):
                return await self.backend.generate_verified(request, verifier, progress)
            return await self.backend.generate(request, progress)
        if fingerprint is None:
            try:
                fingerprint = fingerprint_of(module_source, symbol.identity)
            except HowtoError:
                fingerprint = None
        return await write_checked_guide(
            self.backend,
            request,
            progress=progress,
            cache=self.cache if self.settings.cache == "on" else None,
            fingerprint=fingerprint,
            enrich=self._with_context,
            verifier=verifier,
        )

    async def verifier(self) -> Verifier | None:
        """The example verifier ``Settings.verify_examples`` asks for here, None when examples
        are not run (:func:`howto_ls.verification.verifier_for`); found once per engine."""
        if not self._verifier_known:
            self._verifier = await asyncio.to_thread(verifier_for, self.settings, self.root)
            self._verifier_known = True
        return self._verifier

    def offline_guide(self, symbol: Symbol, module_source: str) -> Guide:
        """The static-analysis guide, offered when a model's guide fails validation."""
        return write_guide(GuideRequest(symbol, module_source, language=self.settings.language))

    def warm_up(self) -> None:
        """Prepare the backend's slow one-time parts; blocking, so call it from a thread."""
        warm_up = getattr(self.backend, "warm_up", None)
        if warm_up is not None:
            warm_up()

    async def aclose(self) -> None:
        """Close the backend's connections, if it holds any, and the cache if it opened it."""
        close = getattr(self._backend, "aclose", None)
        if close is not None:
            await close()
        if self._owns_cache and self._cache is not None:
            await asyncio.to_thread(self._cache.close)

    def plan_write(
        self, symbol: Symbol, source: str, guide: Guide, target: str | None = None
    ) -> FileChange:
        """The change that puts ``guide`` into the docstring or sidecar (``target``).

        ``source`` is the current text of ``symbol.path``. Raises :class:`NotWritableError` for
        symbols outside the project and :class:`UnsafeEditError` if the code would change.
        """
        change, failures = self.plan_writes(symbol.path, source, [(symbol, guide)], target)
        if symbol.identity in failures:
            raise failures[symbol.identity]
        return change

    def plan_writes(
        self,
        path: Path,
        source: str,
        items: Sequence[tuple[Symbol, Guide]],
        target: str | None = None,
    ) -> tuple[FileChange, dict[str, HowtoError]]:
        """One change putting every guide of ``path``'s symbols into docstrings or the sidecar.

        ``source`` is the current text of ``path``; the file is parsed once for the fingerprints
        and once for the edits, and the result is checked once. Symbols that cannot be written
        (outside the project, not found, an unsafe edit) are left out and returned by qualname;
        a file that does not parse raises :class:`SourceError`.
        """
        failures: dict[str, HowtoError] = {}
        excluded = self.exclusion.error(path)
        for symbol, _ in items:
            if excluded is not None:
                failures[symbol.identity] = excluded
            elif not symbol.in_project:
                failures[symbol.identity] = NotWritableError(
                    f"{symbol.display_name} is defined outside the project ({symbol.path});"
                    " howto-ls only writes inside the project, so the guide is shown, not written"
                )
        wanted = [(s, g) for s, g in items if s.identity not in failures]
        fingerprints = _fingerprints(source, [s.identity for s, _ in wanted], failures)
        if (target or self.settings.target) == "sidecar":
            planned = [
                (symbol, render_markdown(guide), fingerprints[symbol.identity])
                for symbol, guide in wanted
                if symbol.identity in fingerprints
            ]
            return self._plan_sidecar(path, source, planned), failures
        doc_style = style.doc_style(path)
        widths = self._docstring_widths(doc_style, source, [s.identity for s, _ in wanted])
        planned = [
            (symbol, render(guide, widths.get(symbol.identity)), fingerprints[symbol.identity])
            for symbol, guide in wanted
            if symbol.identity in fingerprints
        ]
        plan = edits.plan_docstrings(
            source, [(s.identity, md, fp) for s, md, fp in planned], doc_style
        )
        failures.update(plan.failures)
        new_text = edits.apply_edits(source, plan.edits) if plan.edits else source
        return FileChange(path, source, new_text, plan.edits, plan.changed), failures

    def _docstring_widths(
        self, doc_style: style.DocStyle, source: str, keys: list[str]
    ) -> dict[str, int]:
        """Characters per guide line in each docstring: the project's limit for docstring lines
        (E501's line length, or W505's ``max-doc-length`` when shorter) less the indent."""
        limit = doc_style.doc_line_length
        return {
            key: limit - len(indent.expandtabs(TAB_WIDTH))
            for key, indent in edits.docstring_indents(source, keys).items()
        }

    def _plan_sidecar(
        self, path: Path, source: str, planned: list[tuple[Symbol, str, str]]
    ) -> FileChange:
        """Every guide's block upserted into ``path``'s sidecar, read once, in the given order."""
        sidecar_file = sidecar.sidecar_path(self.root, path, self.settings.sidecar_path)
        tree = astutil.parse_shared(source)
        old_text = read_source(sidecar_file).text if sidecar_file.exists() else None
        text = old_text
        written: list[str] = []
        for symbol, markdown, fingerprint in planned:
            title = f"How-to guides for `{symbol.module}`"
            key, module = symbol.identity, symbol.module
            which = describe_key(tree, key)
            new = sidecar.upsert_block(
                text, key, markdown, fingerprint, title, module=module, which=which
            )
            if new != text:
                written.append(symbol.identity)
            text = new
        new_text = old_text if text is None else text
        edits_made = _edits_between(old_text or "", new_text or "")
        return FileChange(sidecar_file, old_text, new_text or "", edits_made, tuple(written))

    def guides_in(self, path: Path, source: str) -> list[ExistingGuide]:
        """Every guide written for symbols of ``path`` (docstrings and sidecar), one parse each."""
        try:
            tree = astutil.parse_shared(source)
        except (SyntaxError, ValueError):
            return []
        written = [
            (qualname, guide.markdown, guide.fingerprint, "docstring", guide.intro)
            for qualname, guide in edits.read_docstring_guides(source).items()
        ] + [
            (qualname, block.markdown, block.fingerprint, "sidecar", "")
            for qualname, block in self._sidecar_blocks(path).items()
        ]
        lines = source.splitlines()
        spans = {qualname: _name_span(tree, lines, qualname) for qualname, *_ in written}
        present = [entry for entry in written if spans[entry[0]] is not None]
        current = fingerprints_of(source, {qualname for qualname, *_ in present})
        return [
            ExistingGuide(
                qualname,
                markdown,
                fingerprint,
                current[qualname],
                where,
                span,
                describe_key(tree, qualname),
                intro,
            )
            for qualname, markdown, fingerprint, where, intro in present
            if (span := spans[qualname]) is not None
        ]

    def inventory(
        self,
        path: Path,
        source: str,
        include_private: bool = False,
        *,
        guides: Sequence[ExistingGuide] | None = None,
    ) -> Inventory:
        """``path``'s symbols (``source`` is its current text) with the state of their guides.

        Every symbol with a guide is listed, fresh or stale, wherever it is defined; a symbol
        without one is listed as missing when it is public (:func:`symbols.list_symbols`:
        importable, no ``_`` part unless ``include_private``) and the file is not excluded.
        A file over ``maxFileSize`` or that does not parse lists nothing; ``Inventory.reason``
        says why. Cheap: the syntax tree and the sidecar only, no jedi, no model. Never raises
        for bad input. ``guides``, when given, is :meth:`guides_in` of the same text, already
        read (the language server caches it per document version).
        """
        size = len(source) if len(source) * 4 <= sourcefile.size_limit() else None
        if size is None:
            size = len(source.encode("utf-8", "surrogatepass"))
        too_large = sourcefile.too_large(path, size)
        if too_large is not None:
            return Inventory(path, (), str(too_large))
        try:
            tree = astutil.parse_shared(source)
            outline = symbols.outline(source, path, self.root)
        except (SyntaxError, ValueError, HowtoError):
            problem = parse_problem(source)
            why = problem.sentence(path.name) if problem else f"{path.name} does not parse"
            return Inventory(path, (), why)
        items: dict[str, symbols.OutlineItem] = {}
        for listed in outline:
            items.setdefault(listed.key, listed)
        module = project.module_name(path, self.root)
        entries: list[InventoryEntry] = []
        for guide in self.guides_in(path, source) if guides is None else guides:
            known = items.get(guide.qualname)
            entries.append(
                InventoryEntry(
                    guide.qualname,
                    plain_qualname(guide.qualname),
                    guide.display_name or module or path.stem,
                    known.kind if known else SymbolKind.VARIABLE,
                    guide.span,
                    known.range if known else guide.span,
                    GuideState.STALE if guide.stale else GuideState.FRESH,
                    guide.where,
                    known.public if known else False,
                    guide,
                )
            )
        reason = self.exclusion.reason(path)
        if reason is None:
            guided = {entry.key for entry in entries}
            lines = source.splitlines()
            for item in outline:
                if item.key in guided or not item.importable:
                    continue
                if not (item.public or include_private):
                    continue
                guided.add(item.key)
                span = _name_span(tree, lines, item.key) or Span(item.range.start, item.range.start)
                which = describe_key(tree, item.key)
                name = item.qualname or module or path.stem
                entries.append(
                    InventoryEntry(
                        item.key,
                        item.qualname,
                        f"{name} ({which})" if which else name,
                        item.kind,
                        span,
                        item.range,
                        GuideState.MISSING,
                        None,
                        item.public,
                    )
                )
        entries.sort(key=lambda entry: (entry.span.start, entry.key))
        return Inventory(path, tuple(entries), reason)

    def guide_for(self, symbol: Symbol, source: str) -> ExistingGuide | None:
        """The guide written for ``symbol``, from its docstring first, then its sidecar."""
        return next(
            (g for g in self.guides_in(symbol.path, source) if g.qualname == symbol.identity), None
        )

    def _sidecar_blocks(self, path: Path) -> dict[str, sidecar.SidecarBlock]:
        try:
            sidecar_file = sidecar.sidecar_path(self.root, path, self.settings.sidecar_path)
            if not sidecar_file.is_file():
                return {}
            return sidecar.read_blocks(read_source(sidecar_file).text)
        except HowtoError:
            return {}


@functools.lru_cache(maxsize=1024)
def _relative(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` for the prompt (resolving symlinks costs syscalls)."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name


def _fingerprints(
    source: str, qualnames: list[str], failures: dict[str, HowtoError]
) -> dict[str, str]:
    """Fingerprints from one parse; when a symbol is missing, each alone (misses to failures)."""
    try:
        return fingerprints_of(source, qualnames)
    except SymbolNotFoundError:
        pass
    found: dict[str, str] = {}
    for qualname in qualnames:
        try:
            found[qualname] = fingerprint_of(source, qualname)
        except SymbolNotFoundError as exc:
            failures[qualname] = exc
    return found


def _edits_between(old: str, new: str) -> tuple[TextEdit, ...]:
    change = minimal_span(old, new)
    if change is None:
        return ()
    span, text = change
    return (TextEdit(span, text),)


def name_span(tree: ast.Module, source: str, qualname: str) -> Span | None:
    """The span of the name of ``qualname``'s definition (the first line for the module)."""
    return _name_span(tree, source.splitlines(), qualname)


def _name_span(tree: ast.Module, lines: Sequence[str], qualname: str) -> Span | None:
    """:func:`name_span` with ``source`` split into lines once for many names."""
    if qualname == "":
        end = len(lines[0]) if lines else 0
        return Span(Position(0, 0), Position(0, end))
    node = astutil.find_definition(tree, qualname)
    if node is not None:
        line = lines[node.lineno - 1]
        keyword = "class" if isinstance(node, ast.ClassDef) else "def"
        start = _name_column(line, keyword, node.name)
        return Span(
            Position(node.lineno - 1, start), Position(node.lineno - 1, start + len(node.name))
        )
    for statement in tree.body:
        targets = astutil.assignment_names(statement)
        if qualname in targets:
            line = lines[statement.lineno - 1]
            start = max(line.find(qualname), 0)
            return Span(
                Position(statement.lineno - 1, start),
                Position(statement.lineno - 1, start + len(qualname)),
            )
    return None


def _name_column(line: str, keyword: str, name: str) -> int:
    index = line.find(f"{keyword} ")
    found = line.find(name, index + len(keyword) if index >= 0 else 0)
    return max(found, 0)
