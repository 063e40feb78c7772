"""A realistic value for a parameter: from its annotation, then its name, then its code."""

from __future__ import annotations

import ast
import dataclasses
import re
import sys

from howto_ls.astutil import own_nodes
from howto_ls.model import Parameter
from howto_ls.offline import parameter_uses
from howto_ls.offline.aliases import find_alias
from howto_ls.offline.aliases import imported_names as _imported_names
from howto_ls.offline.analysis import code, parameters_of, parse_module, top_level_class
from howto_ls.offline.doctypes import documented_type
from howto_ls.offline.example.annotation_text import (
    MAPPING_TYPES,
    SEQUENCE_TYPES,
    allows_none,
    primary_type,
    split_top_level,
    union_members,
)
from howto_ls.offline.example.foreign import import_root
from howto_ls.offline.example.layout import assignment_lines
from howto_ls.offline.example.part import Part
from howto_ls.offline.example.reading import function_of, initializer, top_level_class_names
from howto_ls.offline.example.tables import (
    EXCEPTION_HANDLING_LINES,
    MAX_BUILD_DEPTH,
    MESSAGES,
    VALUES_BY_NAME,
    VALUES_BY_TYPE,
)
from howto_ls.offline.example.words import snake_case
from howto_ls.offline.narrowing import narrowed_class
from howto_ls.offline.state import refused_none, setter_of
from howto_ls.project import public_import_path
from howto_ls.usage import is_abstract

_ASYNC_ITERABLE = re.compile(r"(?:\w+\.)*Async(?:Iterable|Iterator|Generator)\b")


# standard-library classes built the way their documentation builds them: (import, expression)
_STDLIB_VALUES: dict[str, tuple[str, str]] = {
    "SSLContext": ("import ssl", "ssl.create_default_context()"),
    "datetime": ("import datetime", "datetime.datetime(2024, 1, 1, 12, 0)"),
    "date": ("import datetime", "datetime.date(2024, 1, 1)"),
    "time": ("import datetime", "datetime.time(12, 0)"),
    "timedelta": ("import datetime", "datetime.timedelta(seconds=5)"),
    "Decimal": ("import decimal", 'decimal.Decimal("1.5")'),
    "UUID": ("import uuid", 'uuid.UUID("12345678-1234-5678-1234-567812345678")'),
    "Pattern": ("import re", 're.compile("example")'),
    "Logger": ("import logging", 'logging.getLogger("example")'),
    "CookieJar": ("import http.cookiejar", "http.cookiejar.CookieJar()"),
    "Random": ("import random", "random.Random(0)"),
    "LogRecord": ("import logging", 'logging.makeLogRecord({"msg": "example"})'),
}


_IO_TEXT = frozenset({"TextIO", "TextIOWrapper", "StringIO", "TextIOBase"})


_IO_BYTES = frozenset({"BinaryIO", "BytesIO", "BufferedReader", "BufferedWriter", "RawIOBase"})


class Values(Part):
    """Writes the value passed for one parameter, binding built objects in the setup."""

    def value(self, param: Parameter, depth: int = 0, function: ast.AST | None = None) -> str:
        """A realistic argument for ``param`` from its annotation, then its name.

        An annotation naming a class of this module (or a container of one) gets a real
        instance, built at most ``MAX_BUILD_DEPTH`` classes deep; at the top level it is bound
        to a variable named after the parameter. Without an annotation, what the code of
        ``function`` (the definition ``param`` belongs to; by default the symbol's at the top
        level) does with it decides, when the name's value would not survive that
        (:mod:`howto_ls.offline.parameter_uses`).
        """
        name = param.name.lower().lstrip("_")
        if name in {"args", "argv"} and re.fullmatch(
            r"(?:\w+\.)?(?:List|list|Sequence|MutableSequence)\[str\]", param.annotation or ""
        ):
            return "[]"  # command-line arguments: none is what every command accepts
        if self.draft.least and param.annotation:
            head = primary_type(param.annotation).partition("[")[0].rsplit(".", 1)[-1]
            if head in SEQUENCE_TYPES or head == "list":
                return "[]"
            if head in MAPPING_TYPES:
                return "{}"
        if param.name in self._awaited_names():
            typed = (
                self.value_for_type(primary_type(param.annotation), name)
                if param.annotation
                else None
            )
            return typed if typed and typed.isidentifier() else self.stubs.async_stub(param.name)
        if name == "model":
            default_model = self.arguments.class_constant("default_model")
            if default_model:
                return default_model
        if not param.annotation and name in {"cls", "klass", "inst", "instance"}:
            example_class = self.stubs.example_class()  # what a module function takes as a class
            return example_class if name in {"cls", "klass"} else f"{example_class}()"
        definition = function if function is not None or depth else self.draft.node
        param = self._narrowed(param, definition)
        if not param.annotation:
            param = self._documented(param, definition)
        alternatives = union_members(param.annotation) if param.annotation else []
        # an async iterable only where nothing else will do: a Union offering a plain one is
        # usually read by a plain call (Jinja's filters take both)
        alternatives.sort(key=lambda a: bool(_ASYNC_ITERABLE.match(a)))
        if depth == 0 and (not alternatives or alternatives[0].rsplit(".", 1)[-1] == "str"):
            literal = self.arguments.compared_literal(param.name)
            if literal is not None:
                return literal
        if allows_none(param.annotation or "") and all(
            a.rsplit(".", 1)[-1] in {"Any", "object"} for a in alternatives
        ):
            return "None"
        kind = re.fullmatch(r"(?:\w+\.)?[Tt]ype\[(.+)\]", alternatives[0]) if alternatives else None
        if kind is not None:
            return self._class_value(kind.group(1).strip())
        local = [a for a in alternatives if self.classes.local_class_in(a)]
        for annotation in local:
            if annotation in self.draft.bound:
                return self.draft.bound[annotation]  # an instance the example already built
        for annotation in (a for a in alternatives if a not in local):
            by_type = self.value_for_type(annotation, name)
            if by_type is not None:
                return by_type
        for annotation in local:
            built = self.instances.built(annotation, depth)
            if built is not None and depth == 0:
                self.draft.bound[annotation] = self._bind(param.name, built)
                self._set_first(definition, param.name, annotation)
                return self.draft.bound[annotation]
            if built is not None:
                return built
        for annotation in local:
            by_type = self.value_for_type(annotation, name)
            if by_type is not None:
                return by_type
        if not alternatives:
            named = self.classes.class_named_like(name)
            built = self.instances.built(named, depth) if named else None
            for duck in (
                () if built is not None else self.classes.duck_classes(param.name, definition)
            ):
                built = self.instances.built(duck, depth)
                if built is not None:
                    break
            if built is not None:
                return self._bind(param.name, built) if depth == 0 else built
        for annotation in alternatives:
            shaped = self._private_protocol(annotation)
            if shaped is not None:
                return shaped
        for annotation in alternatives:
            expanded = self._alias_value(param, annotation, depth)
            if expanded is not None:
                return expanded
        if not alternatives:
            used = self._used_as(
                param, function if function is not None or depth else self.draft.node
            )
            if used is not None:
                return used
        for pattern, value in VALUES_BY_NAME:
            if re.search(pattern, name):
                return self._use(value)
        if alternatives and allows_none(param.annotation or ""):
            return "None"
        if alternatives:
            variable = self.draft.fresh(snake_case(param.name))
            wanted = alternatives[0]
            kind = re.fullmatch(r"(?:typing\.)?[Tt]ype\[(.+)\]", wanted)
            what = f"a {kind.group(1)} subclass" if kind else f"a {wanted} object"
            self.draft.setup.append(f"{variable} = ...  # fill in: {what}")
            return variable
        return '"example"'

    def _narrowed(self, param: Parameter, function: ast.AST | None) -> Parameter:
        """``param`` annotated with the class the code of ``function`` (a class means its
        constructor) refuses it unless it is an instance of
        (:mod:`howto_ls.offline.narrowing`), when the example can build that class."""
        function = function_of(function)
        if function is None:
            return param
        narrowed = narrowed_class(function, param.name)
        if (
            narrowed is None
            or narrowed == param.annotation
            or not self.classes.local_class_in(narrowed)
        ):
            return param
        return dataclasses.replace(param, annotation=narrowed)

    def _documented(self, param: Parameter, definition: ast.AST | None) -> Parameter:
        """``param`` annotated with the class the docstring of ``definition`` (a class: its
        own docstring, then its constructor's) says it is (:mod:`howto_ls.offline.doctypes`),
        when the example can build that class."""
        owners = [definition]
        if isinstance(definition, ast.ClassDef):
            owners.append(initializer(definition))
        for owner in owners:
            if not isinstance(owner, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                continue
            stated = documented_type(ast.get_docstring(owner) or "", param.name)
            if stated is None:
                continue
            for candidate in dict.fromkeys((stated, stated.rsplit(".", 1)[-1])):
                if self.classes.local_class_in(candidate):
                    return dataclasses.replace(param, annotation=candidate)
        return param

    def _used_as(self, param: Parameter, function: ast.AST | None) -> str | None:
        """A value for the unannotated ``param`` of ``function`` (a class means its
        constructor) that supports what the code does with it, when the value its name gives
        does not; None otherwise."""
        definition, function = function, function_of(function)
        if function is None:
            return None
        name = param.name.lower().lstrip("_")
        named = next((v for p, v in VALUES_BY_NAME if re.search(p, name)), '"example"')
        owner = (
            definition  # its constructor's ``super().__init__(...)`` is followed
            if isinstance(definition, ast.ClassDef)
            else self.draft.owner_class
            if function is self.draft.node
            else self._class_of(function)
        )
        found = parameter_uses.value_for(
            function, param.name, named, self.calls.parameter_scope(owner)
        )
        if found is None:
            return None
        self.draft.imports.extend(found.imports)
        return self._use(found.expression)

    def _class_of(self, function: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.ClassDef | None:
        """The class of the module being built that ``function`` is a method of (found by
        name and line: trees of one text may be separate parses); None for a function."""
        owner = self.calls.owner_of(function)
        if owner is not None:
            return owner
        tree = parse_module(self.draft.here_source)
        for statement in tree.body if tree is not None else ():
            if isinstance(statement, ast.ClassDef) and any(
                isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)
                and (s.name, s.lineno) == (function.name, function.lineno)
                for s in statement.body
            ):
                return statement
        return None

    def _alias_value(self, param: Parameter, annotation: str, depth: int) -> str | None:
        """A value for an annotation naming a type alias, NewType or TypeVar: the first of what
        it stands for that can be built, in the defining module's terms; None when none can."""
        head = annotation.partition("[")[0].strip()
        symbol = self.draft.symbol
        root = import_root(symbol.path, symbol.module) if symbol.module else None
        if root is None or not head:
            return None
        alias = find_alias(
            head, self.draft.here_source, self.draft.here_module, self.draft.here_filename, root
        )
        key = f"{alias.module}:{alias.name}" if alias is not None else ""
        if alias is None or key in self.draft.expanding:
            return None
        saved = (
            list(self.draft.setup),
            list(self.draft.imports),
            dict(self.draft.bound),
            set(self.draft.reserved),
        )
        outer = self.draft.scope
        self.draft.expanding.add(key)
        if alias.module != self.draft.here_module:
            self.draft.scope = alias  # the names inside it are the defining module's
        try:
            value = self.value(Parameter(param.name, alias.expansion), depth)
        finally:
            self.draft.scope = outer
            self.draft.expanding.discard(key)
        if any(line.startswith(f"{value} = ...  #") for line in self.draft.setup):
            self.draft.setup, self.draft.imports, self.draft.bound, self.draft.reserved = (
                saved  # nothing built
            )
            return None
        return value

    def _class_value(self, name: str) -> str:
        """A class for a ``type[X]`` parameter: ``X`` itself when it is a class of the project or
        a builtin (a concrete subclass of an abstract one), ``str`` for ``Any`` or ``object``,
        a type variable's bound, else ``object``."""
        short = name.strip("'\"")
        if short.rsplit(".", 1)[-1] in {"Any", "object"}:
            return "str"  # any class does: the one of the strings examples pass
        if short in VALUES_BY_TYPE and short not in {"Messages", "None"}:
            return short
        if short in {"BaseException", "Exception"}:
            return "ValueError"
        if short in top_level_class_names(self.draft.here_source):
            node = top_level_class(self.draft.here_source, short)
            abstract = node is not None and is_abstract(node)
            concrete = (
                self.classes.concrete(node, self.draft.here_source) if node and abstract else None
            )
            return self.importer.local_name(concrete.name if concrete is not None else short)
        foreign = self.classes._foreign_class(short)
        if foreign is not None:
            concrete = self.classes.concrete(foreign.node, foreign.source)
            if is_abstract(foreign.node) and concrete is not None:
                root = import_root(self.draft.symbol.path, self.draft.symbol.module)
                path = public_import_path(foreign.module, concrete.name, root) if root else ""
                self.draft.imports.append(f"from {path or foreign.module} import {concrete.name}")
                return concrete.name
            return self.importer.foreign_import(
                foreign.import_path, foreign.module, foreign.node.name
            )
        symbol = self.draft.symbol
        root = import_root(symbol.path, symbol.module) if symbol.module else None
        alias = (
            find_alias(
                short,
                self.draft.here_source,
                self.draft.here_module,
                self.draft.here_filename,
                root,
            )
            if root is not None
            else None
        )
        if (
            alias is not None
            and alias.expansion != "Any"
            and alias.name not in self.draft.expanding
        ):
            outer = self.draft.scope
            self.draft.expanding.add(alias.name)
            if alias.module != self.draft.here_module:
                self.draft.scope = alias
            try:
                return self._class_value(primary_type(alias.expansion))  # a TypeVar's bound
            finally:
                self.draft.scope = outer
                self.draft.expanding.discard(alias.name)
        return "object"

    def _set_first(self, definition: ast.AST | None, name: str, annotation: str) -> None:
        """Call, on the object just bound for the parameter ``name`` of ``definition``, the
        method of its class (``annotation``) that sets an attribute the code refuses as None
        (:func:`howto_ls.offline.state.refused_none`, :func:`~howto_ls.offline.state.
        setter_of`): ``retry_state.set_result(1)`` before ``if retry_state.outcome is None:
        raise``."""
        function = function_of(definition)
        refused = refused_none(function, name) if function is not None else []
        head = annotation.strip("'\"")
        if not refused or "." in head or "[" in head:
            return
        class_node = top_level_class(self.draft.here_source, head)
        foreign = None if class_node is not None else self.classes._foreign_class(head)
        class_node = foreign.node if foreign is not None else class_node
        if class_node is None:
            return
        variable = self.draft.bound[annotation]
        for attribute in refused:
            setter = setter_of(class_node, attribute)
            if setter is None:
                continue
            outer = self.draft.scope
            if foreign is not None:
                self.draft.scope = foreign  # its parameters as its own module names them
            try:
                arguments = self.arguments.for_call(
                    parameters_of(setter), 1, callee=setter.name, function=setter
                )
            finally:
                self.draft.scope = outer
            self.draft.setup.append(f"{variable}.{setter.name}({arguments})")

    def _bind(self, name: str, expression: str) -> str:
        """Assign ``expression`` to a fresh variable named after ``name`` in the setup."""
        base = snake_case(name)
        if base in {self.draft.top, self.draft.module_alias} or base in self.draft.reserved:
            base += "_obj"
        variable = self.draft.fresh(base)
        lines = assignment_lines(variable, expression)
        if expression.partition("(")[0] in self.draft.excepting:  # built while one is handled
            lines = [*EXCEPTION_HANDLING_LINES, *(f"    {line}" for line in lines)]
        self.draft.setup += lines
        return variable

    def _use(self, value: str) -> str:
        if value == "messages" and MESSAGES[0] not in self.draft.setup:
            self.draft.setup.extend(MESSAGES)
        if value in {'"data.txt"', 'Path("data.txt")'}:
            self._prepare('Path("data.txt").write_text("example\\n", encoding="utf-8")')
        elif value == '"data"':
            self._prepare('Path("data").mkdir(exist_ok=True)')
        return value

    def _prepare(self, line: str) -> None:
        """A setup line (once) that makes a file or folder the example reads exist."""
        self.draft.imports.append("from pathlib import Path")
        if line not in self.draft.setup:
            self.draft.setup.insert(0, line)

    def _awaited_names(self) -> set[str]:
        """Names the symbol's own code calls with ``await name(...)``: its async callables."""
        node = self.draft.node
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            return set()
        return {
            n.value.func.id
            for n in own_nodes(node)
            if isinstance(n, ast.Await)
            and isinstance(n.value, ast.Call)
            and isinstance(n.value.func, ast.Name)
        }

    def value_for_type(self, annotation: str, name: str) -> str | None:
        head, _, inner = annotation.partition("[")
        imported = self._imported_as(head.strip())
        if imported is not None:  # ``dt.timedelta``, ``dt_datetime``: what the module imports
            annotation = imported + annotation[len(head) :]
            head = imported
        head = head.rsplit(".", 1)[-1]
        inner = inner[:-1] if inner.endswith("]") else inner
        if head in {"str", "Any", "object", "AnyStr"} or head.endswith("Str"):
            for pattern, value in VALUES_BY_NAME:
                if re.search(pattern, name) and value.startswith(('"', "messages")):
                    return self._use(value)
            return VALUES_BY_TYPE["str"]
        if head in {"int", "float"}:
            for pattern, value in VALUES_BY_NAME:
                if re.search(pattern, name) and re.fullmatch(r"[\d.]+", value):
                    return value if head == "float" or "." not in value else value.split(".")[0]
            return VALUES_BY_TYPE[head]
        if head == "Messages" or (head in {"list", "List", "Sequence"} and name == "messages"):
            return self._use("messages")
        if head in SEQUENCE_TYPES:
            item = (
                self.value_for_type(primary_type(split_top_level(inner, ",")[0]), "")
                if inner
                else None
            )
            return f"[{item}]" if item else '["example"]'
        if head in {"tuple", "Tuple"} and inner:
            parts = [primary_type(part) for part in split_top_level(inner, ",")]
            if parts[-1].strip() == "...":
                parts = parts[:1]
            items = [self.value_for_type(part.strip(), "") or '"example"' for part in parts]
            return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"
        if head in {"dict", "Dict", "Mapping", "MutableMapping"}:
            return '{"Accept": "application/json"}' if name == "headers" else '{"key": "value"}'
        if head == "Callable":
            awaited = re.search(r"\b(?:Awaitable|Coroutine)\[(.*)\]\s*\]?$", inner)
            if awaited is not None or re.search(r"\b(Awaitable|Coroutine)\b", inner):
                result = split_top_level(awaited.group(1), ",")[-1].strip() if awaited else "None"
                returned = (
                    self.value_for_type(primary_type(result), "") if result != "None" else None
                )
                return self.stubs.async_stub(name or "callback", returned)
            return self.stubs.callable_for(inner, name)
        if re.search(r"[WA]SGIApp(lication)?$", head):
            return self.stubs.standard_app(head[head.index("SGI") - 1].lower() + "sgi", name)
        if head in {"ContextManager", "AbstractContextManager", "AsyncContextManager"}:
            self.draft.imports.append("import contextlib")
            return "contextlib.nullcontext()"  # a context manager and an async one
        if head in {"Iterator", "Generator"}:
            item = (
                self.value_for_type(primary_type(split_top_level(inner, ",")[0]), "")
                if inner
                else None
            )
            return f"iter([{item or VALUES_BY_TYPE['str']}])"
        if head in {"AsyncIterable", "AsyncIterator", "AsyncGenerator"}:
            item = (
                self.value_for_type(primary_type(split_top_level(inner, ",")[0]), "")
                if inner
                else None
            )
            return self.stubs.async_items(name or "items", item or VALUES_BY_TYPE["str"])
        if head in {"BaseException", "Exception"}:
            return 'ValueError("example")'
        if head in {"Type", "type"} and inner:
            return self._class_value(primary_type(inner))
        if head == "_version_info":
            self.draft.imports.append("import sys")
            return "sys.version_info"
        from_datetime = "datetime" in annotation or "from datetime import" in self.draft.here_source
        if head in _STDLIB_VALUES and (head[:1].isupper() or from_datetime):
            module, expression = _STDLIB_VALUES[head]
            self.draft.imports.append(module)
            return expression
        if head in {"IO", "TextIO", "BinaryIO", "IOBase"} | _IO_TEXT | _IO_BYTES:
            self.draft.imports.append("import io")
            if head in _IO_BYTES or inner.strip().rsplit(".", 1)[-1] == "bytes":
                return 'io.BytesIO(b"data")'
            return 'io.StringIO("example\\n")'
        if head in {"Path", "PurePath", "PathLike", "StrPath"}:
            if head == "Path":
                self.draft.imports.append("from pathlib import Path")
                return self._use('Path("data.txt")')
            return self._use('"data.txt"')
        if head == "Literal" and inner:
            return split_top_level(inner, ",")[0].strip()
        if head in VALUES_BY_TYPE:
            return VALUES_BY_TYPE[head]
        return None

    def _imported_as(self, dotted_name: str) -> str | None:
        """The standard-library name ``dotted_name`` means through the imports of the module
        being built (``dt.timedelta`` after ``import datetime as dt``: ``datetime.timedelta``;
        ``dt_datetime`` after ``from datetime import datetime as dt_datetime``:
        ``datetime.datetime``); None when its first part names no import, or a project's."""
        first, _, rest = dotted_name.partition(".")
        target = _imported_names(
            self.draft.here_source, self.draft.here_module, self.draft.here_filename
        ).get(first)
        if target is None or target[0].split(".", 1)[0] not in sys.stdlib_module_names:
            return None
        module, imported = target
        return ".".join(part for part in (module, imported, rest) if part)

    def _private_protocol(self, annotation: str) -> str | None:
        """An object of the shape of the private protocol ``annotation`` names (``_Client``,
        ``_Serializer[t.Any]``) when it is a class of this module; else None."""
        head = annotation.partition("[")[0].strip().strip("'\"")
        if not head.startswith("_") or not head.isidentifier():
            return None
        node = top_level_class(self.draft.here_source, head)
        if node is None or "Protocol" not in {
            code(b, 80).partition("[")[0].rsplit(".", 1)[-1] for b in node.bases
        }:
            return None
        return f"{self.stubs.shaped_class(node)}()"

    def returned(self, annotation: str) -> str:
        """A value of the return annotation ``annotation`` for a method the example defines;
        "None" when none can be built without a placeholder."""
        if primary_type(annotation).rsplit(".", 1)[-1] in {"None", "Any", "object", "NoReturn"}:
            return "None"
        saved = (
            list(self.draft.setup),
            list(self.draft.imports),
            dict(self.draft.bound),
            set(self.draft.reserved),
        )
        value = self.value(Parameter("result", annotation), MAX_BUILD_DEPTH - 1)
        if any(line.startswith(f"{value} = ...  #") for line in self.draft.setup):
            self.draft.setup, self.draft.imports, self.draft.bound, self.draft.reserved = saved
            return "None"
        return value
