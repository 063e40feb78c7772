"""Statements that call the symbol the way its kind needs, with the state it needs first."""

from __future__ import annotations

import ast
import dataclasses
import re
from collections.abc import Sequence

from howto_ls.astutil import is_docstring, is_generator, own_nodes
from howto_ls.model import Parameter
from howto_ls.offline import parameter_uses
from howto_ls.offline.analysis import FunctionNode, code, is_receiver, method_kind, parameters_of
from howto_ls.offline.environ import required_variables
from howto_ls.offline.example.annotation_text import primary_type, union_members
from howto_ls.offline.example.part import Part
from howto_ls.offline.example.reading import top_level_function
from howto_ls.offline.example.tables import EXCEPTION_HANDLING_LINES, VALUES_BY_TYPE
from howto_ls.offline.example.words import snake_case
from howto_ls.offline.state import (
    assigned_first,
    looked_up_key,
    preparation,
    reached,
    takes_any_item,
)
from howto_ls.usage import (
    ASYNC_CONTEXT_MANAGER_DECORATORS,
    CONTEXT_MANAGER_DECORATORS,
    has_setter,
    is_endless,
    raised_exception,
    returns_value,
)
from howto_ls.usage import short_decorator_names as short_decorators

_KEYED_ADDERS = ("__setitem__", "append", "add", "put", "set")
"""Methods that put a value under a key, in the order one is chosen."""


def _refuses(method: FunctionNode) -> bool:
    """Whether ``method`` ends by raising whatever it is given (an immutable class's
    ``__setitem__`` that says to use another method)."""
    body = [s for s in method.body if not is_docstring(s)]
    return bool(body) and isinstance(body[-1], ast.Raise)


_ASYNC_ITER = re.compile(r"\b(AsyncResult|AsyncGenerator|AsyncIterator|AsyncIterable)\b")


_SYNC_ITER = re.compile(r"\b(Iterator|Generator)\b")


_FORWARD_WORDS = {
    "loads": "dumps",
    "load": "dump",
    "unsign": "sign",
    "decode": "encode",
    "decrypt": "encrypt",
    "decompress": "compress",
    "deserialize": "serialize",
    "unserialize": "serialize",
    "unpack": "pack",
    "unquote": "quote",
    "unescape": "escape",
    "unwrap": "wrap",
}


_MAKER = re.compile(
    r"^(add|create|new|make|open|start|begin|register|build|insert|spawn|submit|schedule"
    r"|connect|acquire|allocate|issue)(_|$)"
)


def _forward_of(name: str) -> tuple[str, ...]:
    """Names the forward half of a reverse operation may have, best first: ``loads`` ->
    ``dumps``, ``unsign`` -> ``sign``, ``base64_decode`` -> ``base64_encode``,
    ``loads_unsafe`` -> ``dumps_unsafe``, ``dumps``; empty for other names."""
    words = name.split("_")
    found: list[str] = []
    for index, word in enumerate(words):
        forward = _FORWARD_WORDS.get(word)
        if forward is not None:
            found.append("_".join([*words[:index], forward, *words[index + 1 :]]))
            found.append("_".join([*words[:index], forward]))
    return tuple(dict.fromkeys(found))


class Calls(Part):
    """Writes the statements that call the symbol, and those that prepare its object first."""

    def use_call(self, call: str, node: FunctionNode | None, loop_name: str = "item") -> None:
        """Append the statements that call ``call`` the way its kind needs; inside ``try`` /
        ``except`` for a function that ends by raising (what it raises, imported). The
        environment variables it (or what it reaches through ``self``) reads without a
        fallback are set first (:mod:`howto_ls.offline.environ`)."""
        if node is not None:
            owner = self.owner_of(node)
            reach = reached(owner, node) if owner is not None else [node]
            for variable, value in required_variables(reach).items():
                self.draft.imports.append("import os")
                self.draft.setup.append(f"os.environ[{variable!r}] = {value!r}".replace("'", '"'))
        start = len(self.draft.body)
        self._raising_call(call, node, loop_name)
        if node is not None and self.arguments.demand_of(node.name, None, 0).in_except:
            # it reads the exception being handled: call it while one is
            inside = [f"    {line}" for line in self.draft.body[start:]]
            self.draft.body[start:] = [*EXCEPTION_HANDLING_LINES, *inside]

    def _raising_call(self, call: str, node: FunctionNode | None, loop_name: str) -> None:
        raised = (
            raised_exception(node, self.owner_of(node))
            if isinstance(node, ast.FunctionDef)
            else None
        )
        if raised is None or node is None:
            self._use_call(call, node, loop_name)
            return
        start = len(self.draft.body)
        if any(isinstance(n, ast.Return) and n.value is not None for n in own_nodes(node)):
            self._use_call(call, node, loop_name)
        else:
            self.draft.body.append(call)  # nothing comes back from it
        inside = [f"    {line}" for line in self.draft.body[start:]]
        caught = self.importer.exception_class(raised)
        self.draft.body[start:] = [
            "try:",
            *inside,
            f"except {caught} as error:",
            "    print(error)",
        ]

    def owner_of(self, node: FunctionNode) -> ast.ClassDef | None:
        """The class ``node`` is a method of: the symbol's own class or the class documented."""
        for candidate in (self.draft.owner_class, self.draft.node):
            if isinstance(candidate, ast.ClassDef) and node in candidate.body:
                return candidate
        return None

    def _put_key(self, owner: ast.ClassDef, node: FunctionNode, variable: str) -> None:
        """Put in ``variable`` (an instance of ``owner``, just built) the key ``node`` looks up
        (:func:`howto_ls.offline.state.looked_up_key`), or any item for a method that takes
        one out (:func:`howto_ls.offline.state.takes_any_item`), through the class's
        ``__setitem__`` or an adder taking a key and a value (its own or a project base's),
        and have the call pass that key: ``cache["example"] = 1`` before
        ``cache.pop(key="example")``."""
        key = looked_up_key(node)
        if key is None and not takes_any_item(node):
            return
        if key is not None:
            param = next(p for p in parameters_of(node) if p.name == key)
            if key in self.draft.presets or (
                param.annotation
                and not {"str", "Any", "Hashable", "object"}
                & {a.rsplit(".", 1)[-1] for a in union_members(param.annotation)}
            ):
                return
        for name in _KEYED_ADDERS:
            adder = self.classes.inherited_method(owner, name)
            if adder is None or adder is node or _refuses(adder):
                continue
            taken = [
                p
                for p in parameters_of(adder)[1:]
                if p.kind in {"positional_only", "positional_or_keyword"}
            ]
            required = [p for p in taken if p.default is None]
            if len(required) > 2 or len(taken) < 2:
                continue
            value = self._content_value(taken[1])
            line = (
                f'{variable}["example"] = {value}'
                if name == "__setitem__"
                else f'{variable}.{name}("example", {value})'
            )
            self.draft.body.append(line)
            if key is not None:
                self.draft.presets[key] = '"example"'
            return

    def _content_value(self, param: Parameter) -> str:
        """What the example puts in a container for its adder's value parameter ``param``:
        1 unless its annotation asks for something else."""
        if not param.annotation or {"Any", "object", "int"} & {
            a.partition("[")[0].rsplit(".", 1)[-1] for a in union_members(param.annotation)
        }:
            return "1"
        return self.values.value(dataclasses.replace(param, default=None), 1)

    def _use_call(self, call: str, node: FunctionNode | None, loop_name: str = "item") -> None:
        returns = code(node.returns, 200) if node is not None and node.returns is not None else ""
        is_async = isinstance(node, ast.AsyncFunctionDef)
        generator = node is not None and is_generator(node)
        decorators = set(short_decorators(node)) if node is not None else set()
        if decorators & CONTEXT_MANAGER_DECORATORS:
            self.draft.body += [f"with {call} as value:", "    print(value)"]
        elif decorators & ASYNC_CONTEXT_MANAGER_DECORATORS:
            self.draft.needs_async = True
            self.draft.body += [f"async with {call} as value:", "    print(value)"]
        elif (is_async and generator) or (not is_async and _ASYNC_ITER.search(returns)):
            self.draft.needs_async = True
            self.draft.body += [f"async for {loop_name} in {call}:", f"    print({loop_name})"]
        elif is_async:
            self.draft.needs_async = True
            if node is not None and not returns_value(node):
                self.draft.body.append(f"await {call}")
            else:
                self.draft.body += [f"result = await {call}", "print(result)"]
        elif generator or _SYNC_ITER.search(returns):
            if node is not None and is_endless(node):
                self.draft.imports.append("from itertools import islice")
                call = f"islice({call}, 5)"  # it never ends: the first five
            self.draft.body += [f"for {loop_name} in {call}:", f"    print({loop_name})"]
        elif node is not None and not returns_value(node):
            self.draft.body.append(call)
        else:
            self.draft.body += [f"result = {call}", "print(result)"]

    def parameter_scope(self, owner: ast.ClassDef | None = None) -> parameter_uses.Scope:
        """Where the module being built is, for following names into its project (or
        library)."""
        return parameter_uses.Scope(
            self.draft.here_source,
            self.draft.here_module,
            self.draft.here_filename,
            self.draft.here_root,
            owner,
        )

    def prepare_state(self, owner: ast.ClassDef | None, node: FunctionNode, variable: str) -> None:
        """Bring ``variable`` (an instance of ``owner``) into the state ``node`` needs first
        (:func:`howto_ls.offline.state.preparation`): call the method that pushes or sets what
        it reads, or end the ``with`` block when ``__exit__`` sets it."""
        for attribute, value in assigned_first(owner, node) if owner is not None else ():
            if value.startswith("io."):
                self.draft.imports.append("import io")
            self.draft.body.append(f"{variable}.{attribute} = {value}")
        if owner is not None:
            self._put_key(owner, node, variable)
        prepared = preparation(owner, node) if owner is not None else None
        if prepared is None:
            return
        if prepared.after_exit:
            if self.draft.managed_from is not None:
                self.draft.body.append(f"print({variable})")
                self.draft.managed_until = len(self.draft.body)
            return
        if prepared.method is not None:
            params = parameters_of(prepared.method)
            name = prepared.method.name
            call = f"{variable}.{name}({self.arguments.for_call(params, callee=name)})"
            self.use_call(call, prepared.method)

    def round_trip(
        self,
        node: FunctionNode,
        params: Sequence[Parameter],
        owner: ast.ClassDef | None,
        prefix: str,
    ) -> None:
        """For the reverse half of a pair (``loads``/``dumps``, ``unsign``/``sign``,
        ``decode``/``encode``...), call the forward half first and pass what it returns as the
        first required argument: only its output is certain to be accepted. ``prefix`` is how
        the example reaches the forward half (``serializer.``, or "" for a module function)."""
        forward: FunctionNode | None = None
        for forward_name in _forward_of(node.name):
            forward = (
                self.classes.inherited_method(owner, forward_name)
                if owner is not None
                else top_level_function(self.draft.source, forward_name)
            )
            if forward is not None:
                break
        if forward is None or not returns_value(forward):
            return
        required = [
            p
            for index, p in enumerate(params)
            if not (index == 0 and is_receiver(p))
            and p.default is None
            and p.kind not in {"var_positional", "var_keyword"}
        ]
        if not required:
            return
        forward_params = parameters_of(forward)
        if owner is None and forward_name != self.draft.top:
            self.draft.imports.append(
                f"from {self.importer.import_path_of(forward_name)} import {forward_name}"
            )
        produced = self.draft.fresh(snake_case(required[0].name))
        if produced in {self.draft.top, self.draft.module_alias}:
            produced += "_value"
        arguments = self.arguments.for_call(forward_params, callee=forward_name)
        self.draft.body.append(f"{produced} = {prefix}{forward_name}({arguments})")
        self.draft.reserved.add(produced)
        self.draft.presets[required[0].name] = produced

    def produced(
        self, node: FunctionNode, params: Sequence[Parameter], owner: ast.ClassDef, variable: str
    ) -> None:
        """A required parameter whose annotated type another method of the class returns
        (``Progress.update(task_id: TaskID)`` and ``add_task(...) -> TaskID``) gets what that
        method returns, called first on the same instance: only the class makes such values
        (ids, handles, tokens) that it accepts back."""
        scalar = {*VALUES_BY_TYPE, "Optional", "Union", "Callable", "Iterable", "Sequence"}
        methods = [
            s
            for s in owner.body
            if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)
            and s is not node
            and not s.name.startswith("_")
            and s.returns is not None
        ]
        for index, param in enumerate(params):
            if (index == 0 and is_receiver(param)) or param.default is not None:
                continue
            if not param.annotation or param.name in self.draft.presets:
                continue
            wanted = primary_type(param.annotation).partition("[")[0].rsplit(".", 1)[-1]
            if wanted in scalar:
                continue
            maker = next(
                (
                    m
                    for m in methods
                    if code(m.returns, 200).strip("'\"").rsplit(".", 1)[-1] == wanted
                    and method_kind(m, True, False) == "method"
                    and _MAKER.match(m.name)
                ),
                None,
            )
            if maker is None:
                continue
            produced = self.draft.fresh(snake_case(param.name))
            self.draft.least = True  # a maker gets the least it needs: no made-up list items
            try:
                arguments = self.arguments.for_call(parameters_of(maker), callee=maker.name)
            finally:
                self.draft.least = False
            call = f"{variable}.{maker.name}({arguments})"
            if isinstance(maker, ast.AsyncFunctionDef):
                self.draft.needs_async = True
                call = f"await {call}"
            self.draft.body.append(f"{produced} = {call}")
            self.draft.reserved.add(produced)
            self.draft.presets[param.name] = produced

    def read_property(self, owner: ast.ClassDef | None, variable: str, name: str) -> None:
        """Read the property; with a setter, first assign it a value of the setter's type (a
        property may have nothing to read before it is set), then read it."""
        if owner is None or not has_setter(owner, name):
            self.draft.body.append(f"print({variable}.{name})")
            return
        setter = next(
            (
                s
                for s in owner.body
                if isinstance(s, ast.FunctionDef)
                and s.name == name
                and any(
                    isinstance(d, ast.Attribute) and d.attr == "setter" for d in s.decorator_list
                )
            ),
            None,
        )
        params = parameters_of(setter)[1:] if setter is not None else []
        value = self.values.value(params[0], 1) if params and params[0].annotation else ""
        if not value or value == "None" or value.startswith("..."):
            value = f"{variable}.{name}"
            self.draft.body.append(f"print({variable}.{name})")
        self.draft.body += [f"{variable}.{name} = {value}", f"print({variable}.{name})"]
