"""Which class a name, a use or an abstract base means, and what building it takes."""

from __future__ import annotations

import ast
import dataclasses
import re

from howto_ls.astutil import own_nodes
from howto_ls.model import Parameter, Symbol
from howto_ls.offline.aliases import TypeAlias
from howto_ls.offline.aliases import imported_names as _imported_names
from howto_ls.offline.analysis import (
    FunctionNode,
    class_offer,
    dataclass_fields,
    decorator_names,
    dotted,
    find_method,
    is_dataclass,
    parameters_of,
    parse_module,
    top_level_class,
)
from howto_ls.offline.example.annotation_text import (
    MAPPING_TYPES,
    SEQUENCE_TYPES,
    primary_type,
    split_top_level,
)
from howto_ls.offline.example.foreign import (
    ForeignClass,
    find_class,
    import_root,
    package_classes,
)
from howto_ls.offline.example.part import Part
from howto_ls.offline.example.reading import function_of, top_level_class_names
from howto_ls.offline.example.words import plain_snake_case
from howto_ls.offline.fields import declared_fields, zipped_attribute
from howto_ls.offline.index import index_of
from howto_ls.offline.offers import NOT_INDEXED, indexed_offer
from howto_ls.offline.parameter_uses import use_of
from howto_ls.offline.standin import called_methods, implements
from howto_ls.offline.state import reached
from howto_ls.usage import is_abstract, is_exception

MAX_LINEAGE = 8  # bases followed to find a constructor that takes declared fields, at most


_ABBREVIATIONS = {
    "req": "request",
    "resp": "response",
    "sess": "session",
    "ctx": "context",
    "cj": "cookiejar",
    "jar": "cookiejar",
}


_IMMUTABLE_BUILTINS = frozenset({"str", "int", "float", "complex", "bytes", "tuple", "frozenset"})


def _names(function: FunctionNode) -> list[str]:
    """The names of ``function``'s parameters after its first (``self``, ``cls``)."""
    return [p.name for p in parameters_of(function)[1:]]


def _by_position(param: Parameter) -> Parameter:
    """``param`` passed by position: a named parameter becomes positional-only."""
    if param.kind != "positional_or_keyword":
        return param
    return dataclasses.replace(param, kind="positional_only")


def _covers(offered: frozenset[str], used: set[str]) -> bool:
    """Whether a class offering ``offered`` has at least two thirds of the attributes ``used``
    (code may also set attributes a class does not declare)."""
    return 3 * len(used & offered) >= 2 * len(used)


class Classes(Part):
    """Finds the classes an example builds or stands in with: by name, by use (duck typing),
    concrete subclasses of abstract ones, and their constructors' parameters."""

    # read as ``self.X`` by the rules that find duck classes, as they were written
    @property
    def symbol(self) -> Symbol:
        """The symbol the example is for."""
        return self.draft.symbol

    @property
    def here_module(self) -> str:
        """The dotted name of the module whose names are being resolved."""
        return self.draft.here_module

    @property
    def foreign(self) -> dict[str, ForeignClass | None]:
        """Classes of other modules found so far, by ``module:name``."""
        return self.draft.foreign

    @property
    def scope(self) -> ForeignClass | TypeAlias | None:
        """The other module whose class (or type alias) is being built, if any."""
        return self.draft.scope

    @scope.setter
    def scope(self, scope: ForeignClass | TypeAlias | None) -> None:
        self.draft.scope = scope

    def class_named_like(self, name: str) -> str | None:
        """The project class an unannotated parameter's name names: ``request`` ->
        ``Request``, ``prepared_request`` -> ``PreparedRequest``, ``resp`` -> ``Response``."""
        wanted = _ABBREVIATIONS.get(name, name)
        if len(wanted) < 3:
            return None
        names = set(top_level_class_names(self.draft.here_source))
        names |= {
            local
            for local in _imported_names(
                self.draft.here_source, self.draft.here_module, self.draft.here_filename
            )
            if local[:1].isupper()
        }
        public = sorted(n for n in names if not n.startswith("_"))
        for candidate in public:
            if plain_snake_case(candidate) == wanted:
                return candidate
        camel = "".join(part.capitalize() for part in wanted.split("_"))
        if self._foreign_class(camel) is not None:
            return camel
        squeezed = wanted.replace("_", "")
        if len(squeezed) >= 5:  # ``cookiejar`` -> ``RequestsCookieJar``
            for candidate in public:
                ending = plain_snake_case(candidate).replace("_", "").endswith(squeezed)
                if ending and not self._raised_class(candidate):  # ``header``: no ``InvalidHeader``
                    return candidate
        return None

    def _raised_class(self, name: str) -> bool:
        """Whether the class ``name`` (of this module, or one it imports) is an exception."""
        node = top_level_class(self.draft.here_source, name)
        if node is None:
            foreign = self._foreign_class(name)
            node = foreign.node if foreign is not None else None
        bases = {(dotted(b) or "").rsplit(".", 1)[-1] for b in node.bases} if node else set()
        return is_exception(name, bases)

    def duck_classes(self, name: str, function: ast.AST | None = None) -> list[str]:
        """Project classes an unannotated parameter ``name`` of ``function`` (by default the
        symbol; a class means its constructor) is used as: those offering the attributes its
        code reads, sets or calls on it (``r.headers``, ``r.register_hook(...)``), or the
        project function it is passed to does (:func:`howto_ls.offline.parameter_uses.use_of`,
        one call deep), best first:
        most of those attributes (at least two thirds; code may also set some), then fewest
        attributes in all (the most specific)."""
        node = function_of(self.draft.node if function is None else function)
        if node is None:
            return []
        if name not in {a.arg for a in (*node.args.posonlyargs, *node.args.args)}:
            return []
        used = {
            n.attr
            for n in own_nodes(node)
            if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == name
        }
        owner = self.draft.owner_class if node is function_of(self.draft.node) else None
        passed_on = use_of(node, name, self.calls.parameter_scope(owner))
        if passed_on is not None:  # what the project functions it is passed to read on it
            used |= passed_on.attributes
        if not used:
            return []
        names = set(top_level_class_names(self.draft.here_source))
        names |= {
            local
            for local in _imported_names(
                self.draft.here_source, self.draft.here_module, self.draft.here_filename
            )
            if local[:1].isupper()
        }
        fitting: list[tuple[int, int, str]] = []
        for candidate in sorted(n for n in names if not n.startswith("_")):
            class_node = top_level_class(self.draft.here_source, candidate)
            source = self.draft.here_source
            if class_node is None:
                foreign = self._foreign_class(candidate)
                if foreign is None:
                    continue
                class_node, source = foreign.node, foreign.source
            offered = self._attributes_of(class_node, source, 0)
            if _covers(offered, used) and not is_exception(candidate, set()):
                fitting.append((-len(used & offered), len(offered), candidate))
        if not fitting:  # a class of another module of the package, not imported here
            fitting = self._package_duck_classes(used)
        return [candidate for *_, candidate in sorted(fitting)]

    def _package_duck_classes(self, used: set[str]) -> list[tuple[int, int, str]]:
        """(minus the attributes of ``used`` covered, attribute count, name) of the public
        classes anywhere in the symbol's top-level package that cover ``used``: what each
        class offers comes from the project index, and only the classes that fit are read."""
        symbol = self.symbol
        root = import_root(symbol.path, symbol.module) if symbol.module else None
        if root is None:
            return []
        package = symbol.module.split(".", 1)[0]
        held = index_of(symbol.path)
        fitting: list[tuple[int, int, str]] = []
        for module, name in package_classes(root, package):
            if is_exception(name, set()):
                continue
            offered = indexed_offer(held, module, name, root, package)
            if offered is NOT_INDEXED:  # an installed library's class: read from its source
                found = find_class(module, name, root, 0)
                offered = (
                    None
                    if found is None
                    else self._attributes_of(found.node, found.source, 0, found)
                )
            if not isinstance(offered, frozenset) or not _covers(offered, used):
                continue
            found = find_class(module, name, root, 0)
            if found is not None:
                key = f"{self.here_module}:{name}"
                self.foreign.setdefault(key, found)  # so ``_built`` can build it
                fitting.append((-len(used & offered), len(offered), name))
        return fitting

    def _attributes_of(
        self,
        node: ast.ClassDef,
        source: str,
        depth: int,
        foreign: ForeignClass | None = None,
    ) -> frozenset[str]:
        """What instances of ``node`` (defined in ``source``; in ``foreign``'s module when
        given) offer: methods, class attributes, ``self.x`` assignments, and the same of its
        project base classes (three deep)."""
        offered = set(class_offer(node))
        if depth < 3:
            for base in node.bases:
                base_name = dotted(base) or ""
                parent = top_level_class(source, base_name) if "." not in base_name else None
                parent_source, parent_module = source, foreign
                if parent is None and "." not in base_name:
                    outer = self.scope
                    self.scope = foreign  # resolve the base as the class's own module sees it
                    try:
                        parent_module = self._foreign_class(base_name)
                    finally:
                        self.scope = outer
                    if parent_module is not None:
                        parent, parent_source = parent_module.node, parent_module.source
                if parent is not None and parent is not node:
                    offered |= self._attributes_of(parent, parent_source, depth + 1, parent_module)
        return frozenset(offered)

    def local_class_in(self, annotation: str) -> bool:
        """Whether ``annotation`` names a public class of this module, or a container of one."""
        head, _, inner = annotation.partition("[")
        inner = inner[:-1] if inner.endswith("]") else inner
        short = head.rsplit(".", 1)[-1]
        if inner and short in SEQUENCE_TYPES:
            return self.local_class_in(primary_type(split_top_level(inner, ",")[0]))
        if inner and short in MAPPING_TYPES:
            rest = split_top_level(inner, ",")[1:]
            return bool(rest) and self.local_class_in(primary_type(rest[0]))
        if head.startswith("_") or head.rsplit(".", 1)[-1].startswith("_"):
            return False
        return (
            head in top_level_class_names(self.draft.here_source)
            or self._foreign_class(head) is not None
        )

    def _foreign_class(self, head: str) -> ForeignClass | None:
        """The project class another module defines that ``head`` names here (through this
        module's imports, type-checking ones included), or None."""
        key = f"{self.draft.here_module}:{head}"
        if key in self.draft.foreign:
            return self.draft.foreign[key]
        self.draft.foreign[key] = None
        symbol = self.draft.symbol
        root = import_root(symbol.path, symbol.module) if symbol.module else None
        if root is not None:
            imports = _imported_names(
                self.draft.here_source, self.draft.here_module, self.draft.here_filename
            )
            first, _, rest = head.partition(".")
            target = imports.get(first)
            if target is not None:
                module, name = target
                if rest and "." not in rest:
                    module, name = (f"{module}.{name}" if name else module), rest
                if name and not rest.count("."):
                    self.draft.foreign[key] = find_class(module, name, root, 0)
            elif head[:1].isupper() and head.isidentifier():
                # not imported here: a class the package itself exports (``requests.Request``)
                package = symbol.module.split(".", 1)[0]
                self.draft.foreign[key] = find_class(package, head, root, 0)
        return self.draft.foreign[key]

    def _called_names(self) -> frozenset[str]:
        """The method names the symbol's code calls, with what its class's methods it reaches
        through ``self`` call (:func:`howto_ls.offline.state.reached`)."""
        if self.draft.called is not None:
            return self.draft.called
        node = self.draft.node
        names = set(called_methods(node)) if node is not None else set()
        owner = self.draft.owner_class
        if owner is not None and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for method in reached(owner, node):
                names |= called_methods(method)
        self.draft.called = frozenset(names)
        return self.draft.called

    def refusing(self, node: ast.ClassDef, source: str | None = None) -> bool:
        """Whether an object of the class refuses a method the symbol's code calls
        (:func:`howto_ls.offline.standin.refuses`): a base that needs a subclass although
        nothing marks it abstract (Jinja's ``BaseLoader``, whose ``get_source`` raises)."""
        tree = parse_module(source or self.draft.source)
        return tree is not None and not implements(tree, node, self._called_names())

    def concrete(
        self, node: ast.ClassDef, source: str | None = None, working_only: bool = False
    ) -> ast.ClassDef | None:
        """The simplest public class of the module (``source``, by default the symbol's) that
        derives from ``node`` and is not abstract: the one whose constructor takes the fewest
        parameters (optional ones left out can leave a richer subclass unusable).

        With ``working_only``, only subclasses that implement what the symbol's code calls
        are considered. Direct subclasses come first; classes deriving through other classes
        of the module are considered when no direct one is a leaf, that is when each requires
        an object of ``node``'s own type (a composite such as a tree's root node, which cannot
        stand in for any node). Subclasses whose version of a method the symbol's code calls merely
        raises come last (:mod:`howto_ls.offline.standin`)."""
        tree = parse_module(source or self.draft.source)
        if tree is None:
            return None
        derived = {node.name}
        direct: list[ast.ClassDef] = []
        deeper: list[ast.ClassDef] = []
        for statement in tree.body:  # bases come before the classes deriving from them
            if not isinstance(statement, ast.ClassDef):
                continue
            bases = {(dotted(b) or "").rsplit(".", 1)[-1] for b in statement.bases}
            if not bases & derived:
                continue
            derived.add(statement.name)
            if not statement.name.startswith("_") and not is_abstract(statement):
                (direct if node.name in bases else deeper).append(statement)

        def required(candidate: ast.ClassDef) -> list[Parameter]:
            return [
                p
                for p in self.constructor(candidate, 0, source)
                if p.default is None and p.kind not in {"var_positional", "var_keyword"}
            ]

        def leaf(candidate: ast.ClassDef) -> bool:
            return not any(
                re.search(rf"\b{re.escape(node.name)}\b", p.annotation or "")
                for p in required(candidate)
            )

        called = self._called_names()

        def working(candidates: list[ast.ClassDef]) -> list[ast.ClassDef]:
            return [c for c in candidates if implements(tree, c, called)]

        leaves = ([c for c in direct if leaf(c)], [c for c in deeper if leaf(c)])
        tiers = (*map(working, leaves), working(direct))
        member = self._member_name(node)
        by_name = {c.name: c for c in tree.body if isinstance(c, ast.ClassDef)}

        def overrides(candidate: ast.ClassDef) -> bool:
            """Whether ``candidate`` (or a class between it and ``node``) defines the symbol
            itself: the example would then run that version, not the symbol's own body."""
            current: ast.ClassDef | None = candidate
            seen = 0
            while current is not None and current.name != node.name and seen < MAX_LINEAGE:
                if member is not None and find_method(current, member) is not None:
                    return True
                bases = [(dotted(b) or "").rsplit(".", 1)[-1] for b in current.bases]
                current = next((by_name[b] for b in bases if b in by_name and b in derived), None)
                seen += 1
            return False

        for found in tiers if working_only else (*tiers, *leaves, direct):
            if found:
                return min(found, key=lambda c: (overrides(c), len(self.constructor(c, 0, source))))
        return None

    def _member_name(self, node: ast.ClassDef) -> str | None:
        """The name of the symbol when it is a method or property of ``node``, else None."""
        symbol, owner = self.draft.node, self.draft.owner_class
        same = owner is not None and (owner.name, owner.lineno) == (node.name, node.lineno)
        if same and isinstance(symbol, ast.FunctionDef | ast.AsyncFunctionDef):
            return symbol.name
        return None

    def constructor(
        self, class_node: ast.ClassDef | None, depth: int = 0, source: str | None = None
    ) -> list[Parameter]:
        """What building the class takes: ``__init__`` (else ``__new__``), dataclass, attrs or
        NamedTuple fields, or else the constructor its bases provide, searched in method
        resolution order (depth first, left to right: mixins and ``Generic[T]`` bases too), in
        the class's module (``source``, by default the symbol's) or the modules it imports
        them from."""
        if class_node is None or depth > 3:
            return []
        if depth == 0:
            declared = self._declared_fields(class_node, source)
            if declared is not None:
                return declared
        init = find_method(class_node, "__init__") or find_method(class_node, "__new__")
        if init is not None:
            if init.name == "__init__" and self._new_refuses(class_node, init, source):
                return [_by_position(p) for p in parameters_of(init)]
            return parameters_of(init)
        bases = [dotted(b) or "" for b in class_node.bases]
        if is_dataclass(decorator_names(class_node)) or any(
            b.rsplit(".", 1)[-1] == "NamedTuple" for b in bases
        ):
            return dataclass_fields(class_node)
        for base in class_node.bases:
            name = dotted(base.value if isinstance(base, ast.Subscript) else base) or ""
            if name.rsplit(".", 1)[-1] in {"", "object", "Generic", "Protocol", "ABC"}:
                continue
            parent = top_level_class(source or self.draft.source, name) if "." not in name else None
            if parent is not None:
                found = self.constructor(parent, depth + 1, source)
            elif source is not None and source != self.draft.here_source:
                continue  # names of a module other than the one being resolved
            elif (foreign := self._foreign_class(name)) is not None:
                outer, self.draft.scope = self.draft.scope, foreign
                try:
                    found = self.constructor(foreign.node, depth + 1, foreign.source)
                finally:
                    self.draft.scope = outer
            else:
                continue
            if found:
                return found
        return []

    def _new_refuses(
        self, class_node: ast.ClassDef, init: FunctionNode, source: str | None, depth: int = 0
    ) -> bool:
        """Whether the ``__new__`` that building ``class_node`` calls with ``init``'s arguments
        refuses them by keyword: one of an immutable builtin base (``class Source(str)``,
        whose ``__init__`` takes ``_``: ``str()`` takes no such keyword) or one naming its
        parameters otherwise than ``init`` does. Bases are followed in method resolution
        order, in the class's module (``source``) or the project modules it imports them
        from, three deep."""
        new = find_method(class_node, "__new__")
        if new is not None:
            return _names(new) != _names(init)
        if depth >= 3:
            return False
        for base in class_node.bases:
            name = dotted(base.value if isinstance(base, ast.Subscript) else base) or ""
            if name in _IMMUTABLE_BUILTINS or name.removeprefix("builtins.") in _IMMUTABLE_BUILTINS:
                return True
            parent = top_level_class(source or self.draft.source, name) if "." not in name else None
            if parent is not None and parent is not class_node:
                if self._new_refuses(parent, init, source, depth + 1):
                    return True
            elif parent is None and (foreign := self._foreign_class(name)) is not None:
                outer, self.draft.scope = self.draft.scope, foreign
                try:
                    refused = self._new_refuses(foreign.node, init, foreign.source, depth + 1)
                finally:
                    self.draft.scope = outer
                if refused:
                    return True
        return False

    def _declared_fields(
        self, class_node: ast.ClassDef, source: str | None = None
    ) -> list[Parameter] | None:
        """The fields the class names in a class attribute its inherited ``__init__`` pairs
        with its ``*args`` (:mod:`howto_ls.offline.fields`), or None for a class built some
        other way. Bases are followed through the first base in the class's module
        (``source``, by default the symbol's), at most ``MAX_LINEAGE`` classes deep."""
        lineage = [class_node]
        current: ast.ClassDef | None = class_node
        while current is not None and len(lineage) <= MAX_LINEAGE:
            init = find_method(current, "__init__") or find_method(current, "__new__")
            if init is not None:
                attribute = zipped_attribute(init)
                return declared_fields(lineage, attribute) if attribute is not None else None
            base = dotted(current.bases[0]) if current.bases else None
            current = top_level_class(source or self.draft.here_source, base) if base else None
            if current is not None:
                lineage.append(current)
        return None

    def inherited_method(
        self, owner: ast.ClassDef, name: str, depth: int = 0
    ) -> FunctionNode | None:
        """Method ``name`` of ``owner`` or of a base class the project defines (three deep)."""
        found = find_method(owner, name)
        if found is not None or depth >= 3:
            return found
        for base in owner.bases:
            base_name = dotted(base) or ""
            parent = top_level_class(self.draft.source, base_name) if "." not in base_name else None
            if parent is None:
                foreign = self._foreign_class(base_name)
                parent = foreign.node if foreign is not None else None
            if parent is not None and parent is not owner:
                found = self.inherited_method(parent, name, depth + 1)
                if found is not None:
                    return found
        return None
