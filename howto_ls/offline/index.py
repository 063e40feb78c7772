"""One index of a project's modules, each parsed once, that every offline rule reads.

A :class:`ProjectIndex` holds, per Python file of a project (as ``generate`` finds them,
:func:`howto_ls.discovery.python_files`), a :class:`ModuleRecord`: its top-level classes with
their bases and the attributes their instances offer, the names its imports bind, the method
names its code calls, its calls with literal arguments (doctests first), and its test
functions and docstring examples as statements (:mod:`howto_ls.offline.project_uses`). A
record is built from one parse of the file's text and kept while the file's fingerprint
(modification time in nanoseconds and size in bytes) is unchanged; text an editor holds for a
file (``didChange``) replaces the file's own (:meth:`ProjectIndex.set_text`). Guides howto-ls
wrote into docstrings are blanked before anything is read
(:func:`howto_ls.guide.blank_guide_blocks`): their examples are not the project's code.

The command line keeps records between runs in the cache database
(:mod:`howto_ls.offline.index_store`), so a second run over an unchanged project parses nothing.
"""

from __future__ import annotations

import ast
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from howto_ls import discovery, project
from howto_ls.astutil import DEFINITION_TYPES, flatten_statements, parse
from howto_ls.guide import blank_guide_blocks
from howto_ls.identifiers import normalize
from howto_ls.offline.project_uses import UseRecord, uses_in
from howto_ls.sourcefile import cached_text, context_text

RECORD_VERSION = 4
"""Bumped when what a record holds changes: stored records of another version are rebuilt."""

MAX_FILES = 5000
"""Projects with more Python files than this are not indexed (rules then see no project)."""

LIST_SECONDS = 10.0
"""How long a project's list of files and their fingerprints is trusted before the folders are
walked and the files stat-ed again (the server also refreshes on every file event)."""

_ATTRIBUTE_CALL = re.compile(r"\.\s*([^\W\d]\w*)\s*\(")
_CALLED = re.compile(r"\b(\w+)\s*\(")
_CLASS_AT_TOP = re.compile(r"^class ([A-Za-z_]\w*)\b", re.MULTILINE)

Fingerprint = tuple[int, int]
"""(modification time in nanoseconds, size in bytes) of a file; (0, hash) for editor text."""


@dataclass(frozen=True)
class ClassRecord:
    """A class defined at column 0 of a module: the source text of its bases (``Base``,
    ``models.Model``) and what its own body offers instances (methods, class attributes,
    ``self.x`` assignments), without what its bases add."""

    name: str
    line: int  # 0-based line of its ``class`` statement
    bases: tuple[str, ...]
    offered: frozenset[str]


@dataclass(frozen=True)
class LiteralCallRecord:
    """A call with at least one literal argument (:class:`howto_ls.offline.call_literals.
    LiteralCall` without its path): callee name, positional and keyword argument text,
    whether it sits in a doctest, and the module constants among its arguments."""

    callee: str
    positional: tuple[str | None, ...]
    keywords: tuple[tuple[str, str], ...]
    in_doctest: bool
    constants: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ParsedFacts:
    """What only a parse of a module tells: its top-level classes, the names its imports bind,
    and its calls with literal arguments (doctests first)."""

    classes: dict[str, ClassRecord]
    imported: dict[str, tuple[str, str]]  # local name -> (absolute module, name; "" = module)
    literal_calls: tuple[LiteralCallRecord, ...]
    uses: tuple[UseRecord, ...] = ()  # test functions and docstring examples, as statements
    exports: project.Exports | None = None  # what the module makes importable at run time


NOT_PARSED = ParsedFacts({}, {}, ())
"""The facts of a module that does not parse."""


@dataclass(frozen=True)
class ModuleRecord:
    """What the index knows of one file: facts read from its text (every file, cheap), and
    those a parse gives (``parsed``: None until a rule first needs them; then one parse)."""

    path: Path
    module: str
    fingerprint: Fingerprint
    attribute_calls: Counter[str]  # ``obj.name(...)`` counts, NFKC-normalized (PEP 3131)
    called_names: frozenset[str]  # every ``name(`` the text may call
    parsed: ParsedFacts | None = None


class RecordStore(Protocol):
    """Where records persist between runs (:class:`howto_ls.offline.index_store.IndexStore`)."""

    def load(self, path: Path, fingerprint: Fingerprint) -> ModuleRecord | None:
        """The stored record of ``path`` at ``fingerprint``, or None."""

    def save(self, record: ModuleRecord) -> None:
        """Keep ``record`` for later runs."""

    def flush(self) -> None:
        """Write what :meth:`save` holds back."""


@dataclass
class ProjectIndex:
    """The index of the project under ``root``. Thread-safe; reads each file once per
    fingerprint, and parses it at most once, when a rule first needs what only a parse tells.
    ``reads`` and ``parses`` count the files read and parsed so far (tests assert them)."""

    root: Path
    store: RecordStore | None = None
    reads: int = 0
    parses: int = 0
    _records: dict[Path, ModuleRecord] = field(default_factory=dict)
    _texts: dict[Path, str] = field(default_factory=dict)  # editor buffers by path
    _files: tuple[Path, ...] = ()
    _file_set: frozenset[Path] = frozenset()
    _listed_at: float = -1e9
    _by_module: dict[str, Path] = field(default_factory=dict)
    _generation: int = 0
    _memo: dict[tuple[object, ...], object] = field(default_factory=dict)
    _lock: threading.RLock = field(default_factory=threading.RLock)

    # -- keeping up with the project -----------------------------------------------------

    @property
    def generation(self) -> int:
        """A number that grows whenever any record changes (memos keyed on it stay right)."""
        return self._generation

    def files(self) -> tuple[Path, ...]:
        """The project's Python files (absolute), walked again after :data:`LIST_SECONDS`."""
        with self._lock:
            if time.monotonic() - self._listed_at > LIST_SECONDS:
                self.refresh()
            return self._files

    def refresh(self) -> None:
        """Walk the project again: added files join, deleted ones leave, and a file whose
        fingerprint changed is read again when next asked for."""
        with self._lock:
            try:
                files = tuple(discovery.python_files([self.root]))
            except (OSError, ValueError):
                files = ()
            self._listed_at = time.monotonic()
            if len(files) > MAX_FILES:
                files = ()
            if files != self._files:
                self._files = files
                self._file_set = frozenset(files)
                self._by_module = {}
                self._changed()
            for path in list(self._records):
                if path not in self._texts and self._stamp(path) != self._records[path].fingerprint:
                    del self._records[path]
                    self._changed()
            listed = set(files)
            for path in [p for p in self._records if p not in listed]:
                del self._records[path]
                self._changed()

    def file_changed(self, path: Path) -> None:
        """``path`` was written, created, deleted or renamed (an editor's file event, a
        ``generate`` that wrote a guide): its record and the file list are read again."""
        with self._lock:
            self._records.pop(path, None)
            self._listed_at = -1e9
            self._changed()

    def set_text(self, path: Path, text: str) -> None:
        """An editor holds ``text`` for ``path`` (``didOpen``/``didChange``): the index reads
        it instead of the file until :meth:`forget_text`."""
        with self._lock:
            _buffers[path] = text
            if self._texts.get(path) != text:
                self._texts[path] = text
                self._records.pop(path, None)
                self._changed()

    def forget_text(self, path: Path) -> None:
        """The editor closed ``path`` (``didClose``): read the file on disk again."""
        with self._lock:
            _buffers.pop(path, None)
            if self._texts.pop(path, None) is not None:
                self._records.pop(path, None)
                self._changed()

    def _changed(self) -> None:
        self._generation += 1
        self._memo.clear()

    # -- reading ---------------------------------------------------------------------------

    def record(self, path: Path) -> ModuleRecord | None:
        """The record of the project file ``path`` (absolute), or None when the index does not
        hold it (outside the project, excluded, unreadable, over the size limit)."""
        with self._lock:
            found = self._records.get(path)
            if found is not None:
                return found
            self.files()
            if path not in self._texts and path not in self._file_set:
                return None
            return self._build(path)

    def records(self) -> Iterable[ModuleRecord]:
        """Every readable file's record, in the order of :meth:`files`."""
        for path in self.files():
            found = self.record(path)
            if found is not None:
                yield found

    def module_path(self, module: str) -> Path | None:
        """The project file of the dotted ``module`` (its ``__init__.py`` for a package)."""
        with self._lock:
            if not self._by_module:
                for path in self.files():
                    self._by_module.setdefault(self._module_of(path), path)
            return self._by_module.get(module)

    def text(self, path: Path) -> str | None:
        """The code text of ``path`` the records were built from (editor text first; guides
        blanked), or None when unreadable."""
        held = self._texts.get(path)
        raw = held if held is not None else context_text(path)
        return None if raw is None else blank_guide_blocks(raw)

    def memo(self, key: tuple[object, ...], compute: Callable[[], object]) -> object:
        """``compute()`` once per ``key`` while no record changes (the files are checked for
        changes first, at most every :data:`LIST_SECONDS`)."""
        with self._lock:
            self.files()
            if key not in self._memo:
                self._memo[key] = compute()
            return self._memo[key]

    def method_calls(self) -> Counter[str]:
        """Calls of each attribute name (``obj.name(...)``) over the whole project."""

        def total() -> Counter[str]:
            counts: Counter[str] = Counter()
            for found in self.records():
                counts.update(found.attribute_calls)
            return counts

        result = self.memo(("method_calls",), total)
        assert isinstance(result, Counter)
        return result

    def callers_of(self, name: str) -> tuple[Path, ...]:
        """The project files whose text may call ``name`` (``name(`` or ``obj.name(``), in
        the order of :meth:`files`; read from an inverted map built once per index change."""

        def build() -> dict[str, tuple[Path, ...]]:
            found: dict[str, list[Path]] = {}
            for record in self.records():
                for called in record.called_names:
                    found.setdefault(called, []).append(record.path)
            return {called: tuple(paths) for called, paths in found.items()}

        result = self.memo(("callers_of",), build)
        assert isinstance(result, dict)
        return tuple(result.get(name, ()))

    def _module_of(self, path: Path) -> str:
        """The dotted module of the project file ``path`` (as listed: absolute, resolved),
        counted from the folders the project is imported from without resolving it again."""
        for base in project.import_folders(self.root):
            if path != base and path.is_relative_to(base):
                return project.dotted_module(path.relative_to(base).parts)
        return project.module_name(path, self.root)

    def _stamp(self, path: Path) -> Fingerprint | None:
        held = self._texts.get(path)
        if held is not None:
            return (0, hash(held))
        try:
            status = path.stat()
        except OSError:
            return None
        return (status.st_mtime_ns, status.st_size)

    def parsed(self, path: Path) -> ParsedFacts | None:
        """What a parse of the project file ``path`` tells (parsing it the first time it is
        asked for in this version of the file), or None when the index does not hold it."""
        with self._lock:
            found = self.record(path)
            if found is None:
                return None
            if found.parsed is None:
                code = self.text(path)
                self.parses += 1
                facts = NOT_PARSED if code is None else parse_facts(path, found.module, code)
                found = replace(found, parsed=facts)
                self._records[path] = found
                if self.store is not None and found.fingerprint[0]:
                    self.store.save(found)
            return found.parsed

    def _build(self, path: Path) -> ModuleRecord | None:
        fingerprint = self._stamp(path)
        if fingerprint is None:
            return None
        module = self._module_of(path)
        stored = None
        if self.store is not None and fingerprint[0]:
            stored = self.store.load(path, fingerprint)
        if stored is None or stored.module != module:
            code = self.text(path)
            if code is None:
                return None
            self.reads += 1
            stored = read_module(path, module, code, fingerprint)
            if self.store is not None and fingerprint[0]:
                self.store.save(stored)
        self._records[path] = stored
        return stored


def read_module(path: Path, module: str, code: str, fingerprint: Fingerprint) -> ModuleRecord:
    """A record of the module ``module`` at ``path`` from its ``code`` (guides blanked), with
    the facts its text tells (no parse: :func:`parse_facts` comes when a rule needs it)."""
    return ModuleRecord(
        path=path,
        module=module,
        fingerprint=fingerprint,
        attribute_calls=Counter(normalize(m.group(1)) for m in _ATTRIBUTE_CALL.finditer(code)),
        called_names=frozenset(normalize(name) for name in _CALLED.findall(code)),
    )


def parse_facts(path: Path, module: str, code: str) -> ParsedFacts:
    """What one parse of ``code`` (the module ``module`` at ``path``, guides blanked) tells;
    :data:`NOT_PARSED` for code that does not parse."""
    from howto_ls.offline import call_literals

    try:
        tree = parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return NOT_PARSED
    nodes = list(ast.walk(tree))
    top = list(dict.fromkeys(_CLASS_AT_TOP.findall(code)))  # in the order of the source
    return ParsedFacts(
        classes=top_level_classes(tree, top),
        imported=imported_names(tree, module, path.name, nodes),
        literal_calls=tuple(
            LiteralCallRecord(name, c.positional, c.keywords, c.in_doctest, c.constants)
            for name, c in call_literals.calls_in(tree, path, module, nodes)
        ),
        uses=uses_in(tree, code, path, module),
        exports=project.exports_of(tree.body, module, path.name),
    )


def top_level_classes(tree: ast.Module, names: Iterable[str]) -> dict[str, ClassRecord]:
    """The classes of ``tree`` named in ``names`` (those a ``class`` statement at column 0
    defines), each the one Python binds last, with what their own bodies offer instances."""
    from howto_ls.offline.analysis import dotted, read_class_offer

    found: dict[str, ClassRecord] = {}
    bound: dict[str, ast.stmt] = {}  # the definition Python binds last under each name
    for statement in flatten_statements(tree.body):
        if isinstance(statement, DEFINITION_TYPES):
            bound[statement.name] = statement
    for name in names:
        node = bound.get(name)
        if not isinstance(node, ast.ClassDef):
            continue
        bases = tuple(dotted(base) or "" for base in node.bases)
        found[name] = ClassRecord(name, node.lineno - 1, bases, read_class_offer(node))
    return found


def imported_names(
    tree: ast.Module, module: str, filename: str, nodes: Sequence[ast.AST] | None = None
) -> dict[str, tuple[str, str]]:
    """Local name -> (absolute module, imported name; "" for a whole module), from every import
    of ``tree`` (type-checking and function-local ones too). ``module`` is the tree's dotted
    module, ``filename`` its file name (``__init__.py``: relative imports start from the
    package itself, as the import system resolves them, PEP 328). ``nodes`` is
    ``list(ast.walk(tree))`` when the caller has walked the tree already."""
    package = module if filename == "__init__.py" else module.rpartition(".")[0]
    found: dict[str, tuple[str, str]] = {}
    for node in ast.walk(tree) if nodes is None else nodes:
        if isinstance(node, ast.ImportFrom):
            base = project.absolute_module(node, package)
            for alias in node.names:
                if alias.name != "*":
                    found.setdefault(alias.asname or alias.name, (base, alias.name))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    found.setdefault(alias.asname, (alias.name, ""))
                elif "." not in alias.name:  # ``import httpcore`` binds ``httpcore``
                    found.setdefault(alias.name, (alias.name, ""))
    return found


_buffers: dict[Path, str] = {}
"""Editor texts of open files, by resolved path, across every index."""


def file_text(path: Path) -> str | None:
    """The text of the Python file ``path`` as the offline rules read code: the editor's text
    when the file is open in the server (:meth:`ProjectIndex.set_text`), else the file's,
    read once per version (:func:`howto_ls.sourcefile.cached_text`); None when unreadable or
    over the size limit. Guides are not blanked here (rules that read a file's code for
    definitions see the text as it stands)."""
    held = _buffers.get(path)
    return held if held is not None else cached_text(path)


_indexes: dict[Path, ProjectIndex] = {}
_indexes_lock = threading.Lock()
_store_factory: list[Callable[[], RecordStore | None]] = []


def index_for(root: Path) -> ProjectIndex:
    """The one index of the project under ``root`` (resolved) in this process."""
    found = _indexes.get(root)  # roots come resolved from find_root: no system call then
    if found is not None:
        return found
    key = root.resolve()
    with _indexes_lock:
        found = _indexes.get(key)
        if found is None:
            store = _store_factory[0]() if _store_factory else None
            found = _indexes[key] = ProjectIndex(key, store)
        return found


_roots: dict[Path, tuple[float, Path]] = {}


def index_of(path: Path) -> ProjectIndex:
    """The index of the project holding ``path`` (:func:`howto_ls.project.find_root`, asked
    again after :data:`LIST_SECONDS`: rules ask for it many times per symbol)."""
    now = time.monotonic()
    with _indexes_lock:
        known = _roots.get(path)
    if known is None or now - known[0] > LIST_SECONDS:
        known = (now, project.find_root(path))
        with _indexes_lock:
            if len(_roots) > 4096:
                _roots.clear()
            _roots[path] = known
    return index_for(known[1])


def facts_of(path: Path) -> ParsedFacts | None:
    """What a parse of ``path`` tells, from the index that holds it as a project file (parsed
    there at most once); None when no index of this process holds it."""
    for held in indexes():
        if path.is_relative_to(held.root) and path in held._file_set:
            return held.parsed(path)
    return None


def indexes() -> list[ProjectIndex]:
    """The indexes this process holds."""
    with _indexes_lock:
        return list(_indexes.values())


def file_changed(path: Path) -> None:
    """Tell every index holding ``path`` that the file changed on disk."""
    resolved = path.resolve()
    for held in indexes():
        if resolved.is_relative_to(held.root):
            held.file_changed(resolved)


def persist_with(factory: Callable[[], RecordStore | None] | None) -> None:
    """Indexes made from now on keep their records in what ``factory`` returns (the command
    line's cache database), or in memory only when None."""
    _store_factory[:] = [] if factory is None else [factory]


def flush() -> None:
    """Write every index's held-back records to its store (at the end of a command)."""
    for held in indexes():
        if held.store is not None:
            held.store.flush()


def reset() -> None:
    """Forget every index (tests; a server's shutdown)."""
    with _indexes_lock:
        _indexes.clear()
        _roots.clear()
        _buffers.clear()
