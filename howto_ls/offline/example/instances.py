"""Expressions and statements that build instances of project and library classes."""

from __future__ import annotations

import ast

from howto_ls.offline.analysis import (
    FunctionNode,
    class_attributes,
    code,
    dataclass_fields,
    dotted,
    find_method,
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
from howto_ls.offline.example.foreign import ForeignClass
from howto_ls.offline.example.part import Part
from howto_ls.offline.example.reading import initializer
from howto_ls.offline.example.tables import MAX_BUILD_DEPTH
from howto_ls.offline.example.words import snake_case
from howto_ls.offline.makers import empty_shell, maker_of
from howto_ls.offline.state import (
    closes_only,
    guarded_parameters,
    reached,
)
from howto_ls.usage import ENUM_BASES, is_abstract, is_exception


class Instances(Part):
    """Builds instances of classes: as an expression for an argument, or as the example's
    object whose method it then calls."""

    def built(self, annotation: str, depth: int) -> str | None:
        """``StockItem(...)`` (or ``[StockItem(...)]``) when ``annotation`` names a class of
        this module that can be built; else None."""
        head, _, inner = annotation.partition("[")
        inner = inner[:-1] if inner.endswith("]") else inner
        short = head.rsplit(".", 1)[-1]
        if inner and short in SEQUENCE_TYPES:
            item = self.built(primary_type(split_top_level(inner, ",")[0]), depth)
            return f"[{item}]" if item is not None else None
        if inner and short in MAPPING_TYPES:
            key, *rest = split_top_level(inner, ",")
            item = self.built(primary_type(rest[0]), depth) if rest else None
            if item is None:
                return None
            key_value = self.values.value_for_type(primary_type(key), "") or '"key"'
            return f"{{{key_value}: {item}}}"
        if (
            depth >= MAX_BUILD_DEPTH
            or head in self.draft.building
            or not self.classes.local_class_in(head)
        ):
            return None
        class_node = top_level_class(self.draft.here_source, head) if "." not in head else None
        foreign = None if class_node is not None else self.classes._foreign_class(head)
        if foreign is not None:
            class_node = foreign.node
        if class_node is None:
            return None
        self.draft.building.add(head)
        try:
            return self._construct(class_node, depth + 1, foreign, head.rsplit(".", 1)[-1])
        finally:
            self.draft.building.discard(head)

    def _construct(
        self,
        node: ast.ClassDef,
        depth: int,
        foreign: ForeignClass | None = None,
        local: str | None = None,
    ) -> str | None:
        """An expression that builds the class ``node`` (of this module, or ``foreign``'s,
        which the module names ``local``), or None for one that cannot be built directly (a
        protocol or an abstract class)."""
        bases = {code(b, 80).partition("[")[0].rsplit(".", 1)[-1] for b in node.bases}

        def named(name: str) -> str:
            if foreign is None:
                return self.importer.local_name(name)
            return self.importer.foreign_import(foreign.import_path, foreign.module, name, local)

        if bases & ENUM_BASES:
            members = [name for name, _ in class_attributes(node) if not name.startswith("_")]
            return f"{named(node.name)}.{members[0]}" if members else None
        if "Protocol" in bases:  # any object of its shape: a class implementing its methods
            outer = self.draft.scope
            if foreign is not None:
                self.draft.scope = foreign  # its annotations name types as its own module sees them
            try:
                return f"{self.stubs.shaped_class(node)}()"
            finally:
                self.draft.scope = outer
        source = foreign.source if foreign is not None else self.draft.here_source
        if is_abstract(node):
            concrete = self.classes.concrete(node, source)
            if concrete is None:
                base = self.stubs.subclass_in_setup(node, named(node.name))
                params = self.classes.constructor(node, 0, source)
                return f"{base}({self.arguments.for_call(params, depth, callee=node.name)})"
            node = concrete
        elif self.classes.refusing(node, source):
            node = self.classes.concrete(node, source, working_only=True) or node
        made = self._made_by_maker(node, depth, foreign)
        if made is not None:
            return made
        outer = self.draft.scope
        if foreign is not None:
            self.draft.scope = foreign  # its parameters name classes as its own module sees them
        try:
            params = (
                dataclass_fields(node)
                if "TypedDict" in bases
                else self.classes.constructor(node, 0, source)
            )
            arguments = self.arguments.for_call(
                params,
                depth,
                guarded_parameters(node),
                callee=node.name,
                function=initializer(node),
            )
        finally:
            self.draft.scope = outer
        return f"{named(node.name)}({arguments})"

    def _made_by_maker(
        self, node: ast.ClassDef, depth: int, foreign: ForeignClass | None = None
    ) -> str | None:
        """``Request(...).prepare()`` for a class whose constructor leaves an empty shell
        that a method of another class of its module fills in and returns
        (:mod:`howto_ls.offline.makers`); None for a class built by its constructor."""
        if not empty_shell(node):
            return None
        tree = parse_module(foreign.source if foreign is not None else self.draft.here_source)
        made = maker_of(tree, node) if tree is not None else None
        if made is None or made[0].name in self.draft.building:
            return None
        maker, method = made
        self.draft.building.add(maker.name)
        outer = self.draft.scope
        try:
            built = self._construct(maker, depth + 1, foreign)
            if built is None:
                return None
            if foreign is not None:
                self.draft.scope = foreign
            arguments = self.arguments.for_call(
                parameters_of(method), depth + 1, callee=method.name, function=method
            )
        finally:
            self.draft.scope = outer
            self.draft.building.discard(maker.name)
        return f"{built}.{method.name}({arguments})"

    def instance(
        self,
        class_node: ast.ClassDef | None,
        class_path: str,
        method: FunctionNode | None = None,
        message: str = "",
    ) -> str:
        """Build an instance of the class at ``class_path``; return its variable name.

        An exception class called with no argument gets ``message`` (a string literal's code),
        when one is given: a bare exception shows nothing when printed.

        An abstract class is built through a concrete subclass from its module, else through a
        subclass the example defines with each abstract method implemented. The optional
        constructor parameters the class's properties, or ``method`` (the one the example then
        calls) and what it reaches, refuse to run without are passed.
        """
        needed: dict[str, str] = {}
        if class_node is not None:
            needed = guarded_parameters(class_node)
            if method is not None and method in class_node.body:
                needed = guarded_parameters(class_node, reached(class_node, method)) | needed
        variable = snake_case(class_path.rsplit(".", 1)[-1])
        if variable in {self.draft.top, self.draft.module_alias}:
            variable += "_obj"
        self.draft.reserved.add(variable)
        if class_node is not None and is_abstract(class_node):
            concrete = self.classes.concrete(class_node)
            if concrete is not None:
                class_node, class_path = concrete, self.importer.local_name(concrete.name)
            else:
                class_path = self.stubs.subclass_in_setup(class_node, class_path)
        elif class_node is not None and self.classes.refusing(class_node):
            concrete = self.classes.concrete(class_node, working_only=True)
            if concrete is not None:
                class_node, class_path = concrete, self.importer.local_name(concrete.name)
        self.draft.built_class = class_node
        enum = class_node is not None and bool(
            {(dotted(b) or "").rsplit(".", 1)[-1] for b in class_node.bases} & ENUM_BASES
        )
        members = (
            [n for n, _ in class_attributes(class_node) if not n.startswith("_")]
            if class_node is not None and enum
            else []
        )
        if members:  # an Enum is used by member, never called
            self.draft.body.append(f"{variable} = {class_path}.{members[0]}")
            return variable
        made = self._made_by_maker(class_node, 0) if class_node is not None else None
        if made is not None:  # only another class of the module fills it in
            self.draft.body.append(f"{variable} = {made}")
            return variable
        callee = class_node.name if class_node is not None else None
        init = initializer(class_node) if class_node is not None else None
        args = self.arguments.for_call(
            self.classes.constructor(class_node), needed=needed, callee=callee, function=init
        )
        if not args and message and class_node is not None:
            bases = {(dotted(b) or "").rsplit(".", 1)[-1] for b in class_node.bases}
            args = message if is_exception(class_node.name, bases) else args
        if class_node is not None and find_method(class_node, "__aenter__") is not None:
            self.draft.needs_async = True
            self.draft.body.append(f"async with {class_path}({args}) as {variable}:")
            self.draft.managed_from = len(self.draft.body)
        elif (
            class_node is not None
            and find_method(class_node, "__enter__") is not None
            and not closes_only(class_node)
        ):
            self.draft.body.append(f"with {class_path}({args}) as {variable}:")
            self.draft.managed_from = len(self.draft.body)
        else:
            self.draft.body.append(f"{variable} = {class_path}({args})")
        return variable
