"""Prompt context from the AST alone: the project functions and classes a symbol calls.

Calls are resolved statically, without jedi: names defined in the same module, methods reached
through ``self``/``cls``/``super()`` or a local variable of a known class, and names imported
from other project modules (read and parsed once per file version, following re-exports one
level deep). Library and standard-library calls are left out.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from howto_ls import astutil
from howto_ls.model import ContextItem, Symbol
from howto_ls.project import absolute_module, import_folders, module_name, public_import_path
from howto_ls.sourcefile import context_text
from howto_ls.symbols import definition_signature, module_tree

__all__ = ["Found", "ParsedModule", "Resolver", "called_context", "module_of_source"]

_MAX_CALLS = 200
_MAX_BASES_DEPTH = 5
_MAX_REEXPORT_DEPTH = 2  # the module named in the import, then one re-export hop


@dataclass(frozen=True, eq=False)
class ParsedModule:
    """One parsed module: its definitions by qualname and the names its imports bind."""

    name: str
    tree: ast.Module
    definitions: dict[str, astutil.Definition]  # the first definition of each qualname
    repeated: dict[str, tuple[astutil.Definition, ...]]  # every one, for repeated qualnames
    imports: dict[str, tuple[str, str | None]]  # local name -> (module, attribute or None)


Found = tuple[ParsedModule, str]
"""A definition: the module holding it and its qualname there."""


def called_context(
    symbol: Symbol,
    module_source: str,
    root: Path,
    max_chars: int = 4000,
    excluded: Callable[[Path], bool] | None = None,
) -> tuple[ContextItem, ...]:
    """The project functions and classes ``symbol`` calls, with signatures and summaries.

    Items come in call order, each once, the symbol itself (and, for a class or module, what it
    defines itself) left out, until ``max_chars`` of qualnames, signatures and summaries are used.
    Modules whose file ``excluded`` answers True for (:mod:`howto_ls.exclusion`) are not read.
    """
    here_name = symbol.module or module_name(symbol.path, root)
    here = module_of_source(module_source, symbol.path, here_name)
    resolver = Resolver(here, root.resolve(), excluded)
    items: list[ContextItem] = []
    seen: set[tuple[str, str]] = set()
    used = 0
    for found in resolver.calls(symbol):
        module, qualname = found
        key = (module.name, qualname)
        if key in seen or _inside(symbol, module is here, qualname):
            continue
        seen.add(key)
        node = module.definitions[qualname]
        name = qualname if module is here else f"{_import_path(module, qualname, root)}.{qualname}"
        signature = definition_signature(node)
        doc = astutil.docstring_node(node)
        summary = str(doc.value).strip().split("\n", 1)[0].strip() if doc is not None else ""
        size = len(name) + len(signature) + len(summary) + 8
        if used + size > max_chars:
            break
        used += size
        items.append(ContextItem(qualname=name, signature=signature, summary=summary))
    return tuple(items)


def _inside(symbol: Symbol, same_module: bool, qualname: str) -> bool:
    """Whether ``qualname`` is the symbol itself or, for a class or module, part of it."""
    if not same_module:
        return False
    if not symbol.qualname:
        return True
    return qualname == symbol.qualname or (
        symbol.kind.value == "class" and qualname.startswith(f"{symbol.qualname}.")
    )


def _import_path(module: ParsedModule, qualname: str, root: Path) -> str:
    """The public module users import ``qualname``'s top-level name from."""
    return public_import_path(module.name, qualname.split(".", 1)[0], root)


# ----------------------------------------------------------------------------------- modules


@functools.lru_cache(maxsize=32)
def module_of_source(source: str, path: Path, name: str) -> ParsedModule:
    """The module for an open file's text (possibly unsaved, possibly broken)."""
    return _index(module_tree(source, path), name, path.name == "__init__.py")


def _module_file(name: str, root: Path) -> Path | None:
    """The file of project module ``name`` under ``root`` or ``root/src`` (the installation
    folder of an installed project: :func:`howto_ls.project.import_folders`); None if not
    there."""
    if not name:
        return None
    parts = name.split(".")
    for base in import_folders(root):
        folder = base.joinpath(*parts)
        for candidate in (folder / "__init__.py", folder.with_name(parts[-1] + ".py")):
            if candidate.is_file():
                return candidate
    return None


def _load(name: str, root: Path) -> ParsedModule | None:
    """The parsed project module ``name``; None if it is not in the project or cannot be read."""
    path = _module_file(name, root)
    if path is None:
        return None
    try:
        stat = path.stat()
    except OSError:
        return None
    return _load_file(path, name, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=512)
def _load_file(path: Path, name: str, mtime_ns: int, size: int) -> ParsedModule | None:
    """Read and parse one file version (path, mtime and size key the cache)."""
    source = context_text(path)
    if source is None:
        return None
    try:
        tree = astutil.parse_shared(source)
    except (SyntaxError, ValueError):
        return None
    return _index(tree, name, path.name == "__init__.py")


def _index(tree: ast.Module, name: str, is_package: bool) -> ParsedModule:
    """Definitions (first of each qualname) and imported names of a parsed module."""
    definitions: dict[str, astutil.Definition] = {}
    repeated: dict[str, tuple[astutil.Definition, ...]] = {}
    for qualname, node in astutil.iter_definitions(tree):
        if qualname in definitions:
            repeated[qualname] = (*repeated.get(qualname, (definitions[qualname],)), node)
        definitions.setdefault(qualname, node)
    package = name if is_package else name.rpartition(".")[0]
    imports: dict[str, tuple[str, str | None]] = {}
    nested: dict[str, tuple[str, str | None]] = {}
    for statement, top in _imports(tree):
        bound = imports if top else nested
        if isinstance(statement, ast.Import):
            for alias in statement.names:
                if alias.asname:
                    bound.setdefault(alias.asname, (alias.name, None))
                else:
                    head = alias.name.split(".", 1)[0]
                    bound.setdefault(head, (head, None))
        else:
            base = absolute_module(statement, package)
            for alias in statement.names:
                if alias.name != "*":
                    bound.setdefault(alias.asname or alias.name, (base, alias.name))
    for local, target in nested.items():
        imports.setdefault(local, target)
    return ParsedModule(name, tree, definitions, repeated, imports)


def _imports(tree: ast.Module) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every import statement, with whether it runs at module level (not inside a def)."""
    top = {id(node) for node in astutil.flatten_statements(tree.body)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node, id(node) in top


def _dotted(node: ast.expr) -> list[str] | None:
    """``a.b.c`` as ``["a", "b", "c"]``; None for anything but names and attributes."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return parts[::-1]


# ----------------------------------------------------------------------------------- resolving


class Resolver:
    """Resolves call targets seen from one module to project definitions."""

    def __init__(
        self, here: ParsedModule, root: Path, excluded: Callable[[Path], bool] | None = None
    ) -> None:
        self.here = here
        self.root = root
        self.excluded = excluded
        self.attributes: dict[str, dict[str, ast.expr]] = {}  # class -> attribute -> its class

    def module(self, name: str) -> ParsedModule | None:
        """A project module by name; the open file's own text for its own module."""
        if name == self.here.name:
            return self.here
        if self.excluded is not None:
            path = _module_file(name, self.root)
            if path is not None and self.excluded(path):
                return None
        return _load(name, self.root)

    def method(self, module: ParsedModule, cls: str, name: str) -> Found | None:
        """Method ``name`` of class ``cls`` in ``module``, or of its project bases."""
        return self._method(module, cls, name, 0)

    def export(self, module_name: str, name: str) -> Found | str | None:
        """What ``from module_name import name`` gives: a definition, a module name, or None."""
        return self._export(module_name, name, 0)

    def resolve(self, module: ParsedModule, expr: ast.expr) -> Found | None:
        """The project definition a name or dotted expression written in ``module`` means."""
        return self._name(module, expr)

    def base_classes(self, module: ParsedModule, cls: str) -> list[Found]:
        """The project classes ``cls`` derives from directly."""
        return list(self._bases(module, cls))

    def calls(self, symbol: Symbol) -> Iterator[Found]:
        """What the symbol's calls resolve to, in the order the calls are written."""
        node = self._node(symbol)
        if node is None:
            return
        owner = self._enclosing_class(symbol.qualname)
        variables: dict[str, ast.expr] = {}
        calls: list[ast.Call] = []
        for child in ast.walk(node):
            if isinstance(child, ast.Call):
                calls.append(child)
            else:
                _note_type(child, variables)
        calls.sort(key=lambda call: (call.func.lineno, call.func.col_offset))
        for call in calls[:_MAX_CALLS]:
            found = self._call(call.func, owner, variables)
            if found is not None:
                yield found

    def _node(self, symbol: Symbol) -> ast.AST | None:
        """The AST node of the symbol in its own module."""
        if not symbol.qualname:
            return self.here.tree
        node = self.here.definitions.get(symbol.qualname)
        if node is not None:
            return _exact(self.here.repeated.get(symbol.qualname, ()), symbol) or node
        return _assignment_value(self.here, symbol.qualname)

    def _enclosing_class(self, qualname: str) -> str | None:
        """The innermost class holding ``qualname`` (or the class itself)."""
        parts = qualname.split(".") if qualname else []
        for end in range(len(parts), 0, -1):
            candidate = ".".join(parts[:end])
            if isinstance(self.here.definitions.get(candidate), ast.ClassDef):
                return candidate
        return None

    def _call(
        self, func: ast.expr, owner: str | None, variables: dict[str, ast.expr]
    ) -> Found | None:
        """The definition a call's function expression names, if it is in the project."""
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Call)
            and _dotted(func.value.func) == ["super"]
        ):
            if owner is None:
                return None
            for base in self._bases(self.here, owner):
                found = self._method(base[0], base[1], func.attr, 0)
                if found is not None:
                    return found
            return None
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call):
            made = self._class_made_by(func.value.func, owner)
            return self._method(made[0], made[1], func.attr, 0) if made else None
        parts = _dotted(func)
        if parts is None:
            return None
        head = parts[0]
        if head in {"self", "cls"} and owner is not None and len(parts) == 2:
            return self._method(self.here, owner, parts[1], 0)
        if head == "self" and owner is not None and len(parts) == 3:
            made = self._attribute_class(owner, parts[1])
            return self._method(made[0], made[1], parts[2], 0) if made else None
        if head in variables and len(parts) == 2:
            kind = self._name(self.here, variables[head])
            if kind is not None and isinstance(kind[0].definitions[kind[1]], ast.ClassDef):
                return self._method(kind[0], kind[1], parts[1], 0)
            return None
        return self._dotted_in(self.here, parts)

    def _attribute_class(self, owner: str, name: str) -> Found | None:
        """The class of ``self.<name>`` from ``self.<name> = Cls(...)`` or ``<name>: Cls``."""
        if owner not in self.attributes:
            found: dict[str, ast.expr] = {}
            node = self.here.definitions[owner]
            for child in ast.walk(node):
                if isinstance(child, ast.AnnAssign) and _is_self_attribute(child.target):
                    assert isinstance(child.target, ast.Attribute)
                    found.setdefault(child.target.attr, child.annotation)
                elif isinstance(child, ast.Assign) and isinstance(child.value, ast.Call):
                    for target in child.targets:
                        if _is_self_attribute(target):
                            assert isinstance(target, ast.Attribute)
                            found.setdefault(target.attr, child.value.func)
            for statement in node.body if isinstance(node, ast.ClassDef) else []:
                if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
                    found.setdefault(statement.target.id, statement.annotation)
            self.attributes[owner] = found
        expr = self.attributes[owner].get(name)
        return self._class_made_by(expr, None) if expr is not None else None

    def _class_made_by(self, func: ast.expr, owner: str | None) -> Found | None:
        """The class a call like ``Cls(...)`` or ``cls(...)`` makes an instance of."""
        if isinstance(func, ast.Name) and func.id == "cls" and owner is not None:
            return self.here, owner
        found = self._name(self.here, func)
        if found is not None and isinstance(found[0].definitions[found[1]], ast.ClassDef):
            return found
        return None

    def _name(self, module: ParsedModule, expr: ast.expr) -> Found | None:
        """The definition a name or dotted expression refers to in ``module``."""
        parts = _dotted(expr)
        return self._dotted_in(module, parts) if parts else None

    def _dotted_in(self, module: ParsedModule, parts: list[str]) -> Found | None:
        """Resolve ``a.b.c`` as written in ``module``."""
        head, rest = parts[0], parts[1:]
        if head in module.definitions:
            return self._member((module, head), rest)
        target = module.imports.get(head)
        if target is None:
            return None
        source, attribute = target
        if attribute is None:
            return self._in_module(source, rest)
        found = self._export(source, attribute, 0)
        if isinstance(found, str):
            return self._in_module(found, rest)
        return self._member(found, rest) if found is not None else None

    def _in_module(self, name: str, rest: list[str]) -> Found | None:
        """Resolve ``rest`` inside module ``name``, stepping into submodules first."""
        index = 0
        while index < len(rest):
            module = self.module(name)
            if module is not None and rest[index] in module.definitions:
                break
            if _module_file(f"{name}.{rest[index]}", self.root) is None:
                break
            name = f"{name}.{rest[index]}"
            index += 1
        if index >= len(rest):
            return None
        found = self._export(name, rest[index], 0)
        if found is None or isinstance(found, str):
            return None
        return self._member(found, rest[index + 1 :])

    def _export(self, module_name: str, name: str, depth: int) -> Found | str | None:
        """What ``from module_name import name`` gives: a definition, a module name, or None."""
        module = self.module(module_name)
        if module is not None:
            if name in module.definitions:
                return module, name
            target = module.imports.get(name)
            if target is not None and depth < _MAX_REEXPORT_DEPTH:
                source, attribute = target
                if attribute is None:
                    return source if self.module(source) is not None else None
                return self._export(source, attribute, depth + 1)
        submodule = f"{module_name}.{name}"
        return submodule if _module_file(submodule, self.root) is not None else None

    def _member(self, found: Found, rest: list[str]) -> Found | None:
        """``found`` itself, or ``Class.method`` for one more attribute on a class."""
        if not rest:
            return found
        module, qualname = found
        if len(rest) == 1 and isinstance(module.definitions[qualname], ast.ClassDef):
            return self._method(module, qualname, rest[0], 0)
        return None

    def _method(self, module: ParsedModule, cls: str, name: str, depth: int) -> Found | None:
        """Method ``name`` of class ``cls`` or of its project bases (depth-first, bounded)."""
        qualname = f"{cls}.{name}"
        if isinstance(module.definitions.get(qualname), ast.FunctionDef | ast.AsyncFunctionDef):
            return module, qualname
        if depth >= _MAX_BASES_DEPTH:
            return None
        for base_module, base in self._bases(module, cls):
            found = self._method(base_module, base, name, depth + 1)
            if found is not None:
                return found
        return None

    def _bases(self, module: ParsedModule, cls: str) -> Iterator[Found]:
        """The project classes ``cls`` derives from."""
        node = module.definitions.get(cls)
        if not isinstance(node, ast.ClassDef):
            return
        for base in node.bases:
            found = self._name(module, base)
            if found is not None and isinstance(found[0].definitions[found[1]], ast.ClassDef):
                yield found


def _exact(candidates: tuple[astutil.Definition, ...], symbol: Symbol) -> ast.AST | None:
    """Of a repeated qualname's definitions, the one starting on the symbol's first line."""
    for node in candidates:
        lines = [node.lineno, *(d.lineno for d in node.decorator_list)]
        if min(lines) - 1 == symbol.full_range.start.line:
            return node
    return None


def _assignment_value(module: ParsedModule, qualname: str) -> ast.AST | None:
    """The value of the module-level assignment to ``qualname``."""
    for statement in module.tree.body:
        if qualname in astutil.assignment_names(statement):
            assert isinstance(statement, ast.Assign | ast.AnnAssign)
            return statement.value
    return None


def _is_self_attribute(node: ast.expr) -> bool:
    """Whether ``node`` is ``self.<name>``."""
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "self"
    )


def _note_type(node: ast.AST, found: dict[str, ast.expr]) -> None:
    """Record a local name bound to a named class: ``x = Cls(...)`` or an annotation ``x: Cls``."""
    if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
        for target in node.targets:
            if isinstance(target, ast.Name):
                found.setdefault(target.id, node.value.func)
    elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        found.setdefault(node.target.id, node.annotation)
    elif isinstance(node, ast.arg) and node.annotation is not None:
        found.setdefault(node.arg, node.annotation)
