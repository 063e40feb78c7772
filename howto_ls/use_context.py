"""What a use of a symbol needs beyond its own code, read from the project: for the prompt.

A method is called on an instance, so the prompt names the owner class's constructor (its
``__init__``, found on the class or its project bases, or a dataclass's fields). A class (or
owner) with abstract methods cannot be built, so the prompt names the project's concrete
subclasses (classes of the project index whose bases name it, two levels deep). A real use also
needs the package's companion APIs (the markers a plugin manager's hooks are declared with,
the field types a schema is built from): the public names of the symbol's top-level package
that its code, its docstring or its owner's module mention, each with its call signature and
first docstring line. Every note is one line; the whole stays under :data:`MAX_CHARS`.
"""

from __future__ import annotations

import ast
import copy
import functools
import re
from collections.abc import Callable
from pathlib import Path

from howto_ls import astutil
from howto_ls.context import ParsedModule, Resolver, module_of_source
from howto_ls.model import Symbol, SymbolKind
from howto_ls.offline.index import ProjectIndex, file_text, index_of
from howto_ls.project import module_name, public_import_path
from howto_ls.symbols import meta_private
from howto_ls.usage import abstract_methods, is_abstract

MAX_CHARS = 2_500
"""The notes stop before this many characters, so the prompt stays bounded."""

MAX_COMPANIONS = 6
MAX_SUBCLASSES = 5
_INSTANCE_KINDS = (SymbolKind.METHOD, SymbolKind.PROPERTY)


def use_context(
    symbol: Symbol,
    module_source: str,
    root: Path,
    index: ProjectIndex | None = None,
    excluded: Callable[[Path], bool] | None = None,
) -> tuple[str, ...]:
    """One line per fact a use of ``symbol`` needs (see the module docstring), owner's
    constructor first, then abstractness with concrete subclasses (from ``index``), then the
    companion APIs; () when nothing applies. Files ``excluded`` answers True for are not read."""
    here_name = symbol.module or module_name(symbol.path, root)
    here = module_of_source(module_source, symbol.path, here_name)
    resolver = Resolver(here, root.resolve(), excluded)
    notes: list[str] = []
    owner = _owner(symbol, here)
    if owner is not None and symbol.kind in _INSTANCE_KINDS:
        notes.append(
            f"Owner class: `{symbol.qualname}` is used on an instance of `{owner}`, built as "
            f"`{constructor(resolver, here, owner)}`."
        )
    abstract = owner if owner is not None else _own_class(symbol, here)
    if abstract is not None:
        node = here.definitions[abstract]
        assert isinstance(node, ast.ClassDef)
        if abstract_methods(node):
            notes.append(_abstract_note(abstract, node, index, root))
    notes.extend(_companions(symbol, module_source, resolver, owner))
    kept: list[str] = []
    used = 0
    for note in notes:
        if used + len(note) > MAX_CHARS:
            break
        kept.append(note)
        used += len(note) + 1
    return tuple(kept)


def _owner(symbol: Symbol, here: ParsedModule) -> str | None:
    """The class a method, property or class method is defined in."""
    if "." not in symbol.qualname:
        return None
    owner = symbol.qualname.rsplit(".", 1)[0]
    return owner if isinstance(here.definitions.get(owner), ast.ClassDef) else None


def _own_class(symbol: Symbol, here: ParsedModule) -> str | None:
    node = here.definitions.get(symbol.qualname)
    return symbol.qualname if isinstance(node, ast.ClassDef) else None


def constructor(resolver: Resolver, module: ParsedModule, cls: str) -> str:
    """How ``cls`` is built: ``Name(parameters)`` from its own or a project base's
    ``__init__``, a dataclass's annotated fields, ``Name()`` when nothing defines one, or
    ``Name(...)`` when a base from outside the project may."""
    name = cls.rsplit(".", 1)[-1]
    found = resolver.method(module, cls, "__init__")
    if found is not None:
        node = found[0].definitions[found[1]]
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            return f"{name}({_parameters(node)})"
    node = module.definitions[cls]
    assert isinstance(node, ast.ClassDef)
    decorators = {ast.unparse(d).split("(")[0].rsplit(".", 1)[-1] for d in node.decorator_list}
    if decorators & {"dataclass", "define", "frozen", "attrs", "s"}:
        fields = [
            ast.unparse(s.target)
            + f": {ast.unparse(s.annotation)}"
            + (f" = {ast.unparse(s.value)}" if s.value is not None else "")
            for s in node.body
            if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)
        ]
        return f"{name}({', '.join(fields)})"
    inside = {f[1] for f in resolver.base_classes(module, cls)}
    outside = [
        ast.unparse(b) for b in node.bases if ast.unparse(b).rsplit(".", 1)[-1] not in inside
    ]
    outside = [b for b in outside if b not in {"object", "ABC", "abc.ABC"}]
    return f"{name}(...)" if outside else f"{name}()"


def _parameters(node: ast.FunctionDef | ast.AsyncFunctionDef, bound: bool = True) -> str:
    """The parameters a caller passes (the first one dropped when ``bound``), as written."""
    arguments = copy.copy(node.args)
    if bound:
        if arguments.posonlyargs:
            arguments.posonlyargs = arguments.posonlyargs[1:]
        elif arguments.args:
            arguments.args = arguments.args[1:]
    return ast.unparse(arguments)


def _abstract_note(name: str, node: ast.ClassDef, index: ProjectIndex | None, root: Path) -> str:
    methods = ", ".join(f"`{m.name}`" for m in abstract_methods(node)[:4])
    concrete = concrete_subclasses(name, index) if index is not None else []
    if concrete:
        shown = ", ".join(
            f"`{cls}` (`from {public_import_path(mod, cls, root)} import {cls}`)"
            for mod, cls in concrete
        )
        use = f"build a concrete subclass from the project instead: {shown}"
    else:
        use = "define a subclass that implements them and build that"
    return (
        f"Abstract: `{name}` has abstract methods ({methods}), so `{name}(...)` cannot be "
        f"built; {use}."
    )


def concrete_subclasses(name: str, index: ProjectIndex, depth: int = 2) -> list[tuple[str, str]]:
    """(module, class name) of the project's classes deriving from a class called ``name``
    (their bases' source text names it, ``mod.Name`` or ``Name[T]`` too), followed
    ``depth`` levels down, that have no abstract methods of their own; at most
    :data:`MAX_SUBCLASSES`, in index order."""
    wanted = {name}
    found: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for _ in range(depth):
        level: set[str] = set()
        for record in index.records():
            text = file_text(record.path)
            facts = index.parsed(record.path) if text and any(w in text for w in wanted) else None
            for cls in facts.classes.values() if facts is not None else ():
                heads = {b.split("[", 1)[0].rsplit(".", 1)[-1].strip() for b in cls.bases}
                key = (record.module, cls.name)
                if heads & wanted and key not in seen:
                    seen.add(key)
                    level.add(cls.name)
                    if not _abstract_in(index, record.path, cls.name):
                        found.append(key)
        wanted = level
        if not wanted:
            break
    return found[:MAX_SUBCLASSES]


def _abstract_in(index: ProjectIndex, path: Path, name: str) -> bool:
    text = index.text(path)
    if text is None:
        return False
    try:
        tree = astutil.parse_shared(text)
    except (SyntaxError, ValueError):
        return False
    node = next((s for s in tree.body if isinstance(s, ast.ClassDef) and s.name == name), None)
    return node is not None and is_abstract(node)


def _companions(
    symbol: Symbol, module_source: str, resolver: Resolver, owner: str | None
) -> list[str]:
    """The companion APIs: public names of the top-level package the symbol's code and
    docstring mention first, then those its owner's module mentions."""
    top = (symbol.import_path or symbol.module).split(".", 1)[0]
    package = resolver.module(top)
    if package is None:
        return []
    exported = _public_names(package)
    own = set(_words(symbol.source))
    module_words = _module_words(module_source)
    skip = {symbol.qualname.split(".", 1)[0], symbol.name, owner or ""}
    ranked = [n for n in exported if n in own and n not in skip]
    ranked += [n for n in exported if n in module_words and n not in own and n not in skip]
    notes: list[str] = []
    for name in ranked[:MAX_COMPANIONS]:
        note = _companion(resolver, top, name)
        if note:
            notes.append(note)
    return notes


def _companion(resolver: Resolver, top: str, name: str) -> str:
    found = resolver.export(top, name)
    if isinstance(found, str):
        module = resolver.module(found)
        names = _public_names(module)[:8] if module is not None else []
        listed = ", ".join(f"`{n}`" for n in names)
        return f"Companion API: module `{top}.{name}`" + (f" ({listed}, …)" if listed else "")
    if found is None:
        return ""
    node = found[0].definitions[found[1]]
    doc = astutil.docstring_node(node)
    summary = str(doc.value).strip().split("\n", 1)[0].strip()[:120] if doc is not None else ""
    if isinstance(node, ast.ClassDef):
        if abstract_methods(node):
            return ""  # never offered as something to build
        shown = f"`{constructor(resolver, found[0], found[1])}`"
        call = resolver.method(found[0], found[1], "__call__")
        if call is not None:
            method = call[0].definitions[call[1]]
            if isinstance(method, ast.FunctionDef | ast.AsyncFunctionDef):
                shown += f", its instances called as `obj({_parameters(method)})`"
    elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        shown = f"`{name}({_parameters(node, bound=False)})`"
    else:
        return ""
    text = f"Companion API: `from {top} import {name}`: {shown}"
    return f"{text} — {summary}" if summary else text


def _public_names(module: ParsedModule) -> list[str]:
    """The names ``module`` exports: its ``__all__`` when a literal list or tuple, else its
    top-level definitions and imported names not starting with ``_``; names whose docstring
    says ``:meta private:`` (Sphinx's autodoc) left out."""
    names = astutil.literal_all(module.tree)
    if names is None:
        top_level = [q for q in module.definitions if "." not in q]
        names = [*top_level, *module.imports]
    return [
        n
        for n in dict.fromkeys(names)
        if not n.startswith("_") and not meta_private(module.definitions.get(n))
    ]


@functools.lru_cache(maxsize=32)
def _module_words(module_source: str) -> frozenset[str]:
    return frozenset(_words(module_source))


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


_WORD = re.compile(r"(?!\d)\w+")


def abstract_instances(example: str, symbol: Symbol) -> list[str]:
    """One problem per project class with abstract methods that ``example`` (Python source)
    instantiates, naming the concrete subclasses the project index knows; [] when the example
    does not parse or builds none. Classes the example defines itself are fine."""
    try:
        tree = astutil.parse(example)
    except (SyntaxError, ValueError):
        return []
    index = index_of(symbol.path)
    module = module_of_source(example, symbol.path.with_name("__example__.py"), "__example__")
    resolver = Resolver(module, index.root)
    problems: list[str] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        found = resolver.resolve(module, node.func)
        if found is None or found[0] is module:
            continue
        definition = found[0].definitions[found[1]]
        if not isinstance(definition, ast.ClassDef) or not abstract_methods(definition):
            continue
        name = found[1].rsplit(".", 1)[-1]
        methods = ", ".join(f"`{m.name}`" for m in abstract_methods(definition)[:4])
        concrete = concrete_subclasses(name, index)
        if concrete:
            listed = ", ".join(
                f"`{cls}` (`from {public_import_path(mod, cls, index.root)} import {cls}`)"
                for mod, cls in concrete
            )
            fix = f"build one of its concrete subclasses instead: {listed}"
        else:
            fix = "define a subclass that implements them in the example and build that"
        problems.append(
            f"Usage Example builds `{ast.unparse(node.func)}(...)`, but `{name}` is abstract "
            f"(abstract methods: {methods}) and cannot be instantiated; {fix}"
        )
    return list(dict.fromkeys(problems))
