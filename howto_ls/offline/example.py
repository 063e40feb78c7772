"""The usage example of an offline guide: imports the symbol from its public path and uses it.

Arguments come from annotations, then parameter names; a parameter whose annotation names a class
of the same module (or a container of one) gets a real instance built from that class.
"""

from __future__ import annotations

import ast
import builtins
import dataclasses
import functools
import keyword
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from howto_ls.astutil import parse, parse_expression, parse_shared
from howto_ls.model import Parameter, Symbol
from howto_ls.offline import call_literals, parameter_uses, wrappers
from howto_ls.offline.aliases import TypeAlias, find_alias
from howto_ls.offline.aliases import imported_names as _imported_names
from howto_ls.offline.analysis import (
    FunctionNode,
    class_attributes,
    code,
    dataclass_fields,
    decorator_names,
    dotted,
    find_method,
    is_dataclass,
    is_generator,
    is_receiver,
    main_method,
    method_kind,
    own_nodes,
    parameters_of,
    tick,
    top_level_class,
)
from howto_ls.offline.callers import method_calls
from howto_ls.offline.conversions import accepted_literal, derived_names
from howto_ls.offline.doctypes import documented_parameters, documented_type
from howto_ls.offline.environ import required_variables
from howto_ls.offline.fields import declared_fields, zipped_attribute
from howto_ls.offline.installed import installed_module_file
from howto_ls.offline.makers import empty_shell, maker_of
from howto_ls.offline.narrowing import narrowed_class
from howto_ls.offline.required import Code, Demand, demand
from howto_ls.offline.standin import called_methods, implements
from howto_ls.offline.state import (
    assigned_first,
    closes_only,
    guarded_parameters,
    methods_of,
    preparation,
    reached,
)
from howto_ls.project import module_file, public_import_path, type_checking_only
from howto_ls.sourcefile import cached_text
from howto_ls.usage import (
    ASYNC_CONTEXT_MANAGER_DECORATORS,
    CONTEXT_MANAGER_DECORATORS,
    has_setter,
    is_abstract,
    is_command,
    is_endless,
    raised_exception,
)
from howto_ls.usage import short_decorator_names as short_decorators

MAX_BUILD_DEPTH = 3  # classes built inside classes, at most
MAX_LINEAGE = 8  # bases followed to find a constructor that takes declared fields, at most
_ABBREVIATIONS = {
    "req": "request",
    "resp": "response",
    "sess": "session",
    "ctx": "context",
    "cj": "cookiejar",
    "jar": "cookiejar",
}
LINE_LIMIT = 88
_LIST_TYPES = frozenset({"list", "List", "Sequence", "Iterable", "Collection", "MutableSequence"})
_DICT_TYPES = frozenset({"dict", "Dict", "Mapping", "MutableMapping"})

_ASYNC_ITER = re.compile(r"\b(AsyncResult|AsyncGenerator|AsyncIterator|AsyncIterable)\b")
_SYNC_ITER = re.compile(r"\b(Iterator|Generator)\b")
_ASYNC_ITERABLE = re.compile(r"(?:\w+\.)*Async(?:Iterable|Iterator|Generator)\b")
_DUNDER_USE = {
    "__len__": "print(len({obj}))",
    "__repr__": "print(repr({obj}))",
    "__str__": "print(str({obj}))",
    "__bool__": "print(bool({obj}))",
    "__hash__": "print(hash({obj}))",
    "__iter__": "for item in {obj}:\n    print(item)",
    "__contains__": 'print("example" in {obj})',
    "__getitem__": 'print({obj}["example"])',
    "__setitem__": '{obj}["example"] = "value"',
    "__delitem__": 'del {obj}["example"]',
    "__eq__": "print({obj} == {obj})",
    "__ne__": "print({obj} != {obj})",
    "__lt__": "print({obj} < {obj})",
    "__le__": "print({obj} <= {obj})",
    "__gt__": "print({obj} > {obj})",
    "__ge__": "print({obj} >= {obj})",
    "__next__": "print(next({obj}))",
    "__format__": 'print(format({obj}, ""))',
    "__rich__": "print({obj}.__rich__())",
}
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

_ENUM_BASES = frozenset({"Enum", "IntEnum", "StrEnum", "Flag", "IntFlag"})
_BUILTINS = frozenset(n for n in dir(builtins) if not n.startswith("_"))


def _is_exception(name: str, bases: set[str]) -> bool:
    """Whether a class is an exception, judged by its own and its bases' names."""
    suffixes = ("Error", "Exception", "Warning", "Exit", "Interrupt")
    return name.endswith(suffixes) or any(b.endswith(suffixes) for b in bases)


# the lines an example runs code in while an exception is being handled (``sys.exc_info()``)
_HANDLING = ("try:", '    raise ValueError("example error")', "except ValueError:")

MESSAGES = [
    "messages = [",
    '    {"role": "user", "content": "Hello, how are you?"},',
    "]",
]


def _words(name: str) -> str:
    """``AsyncClient`` -> ``async_client``: the name in lower case, words joined by ``_``."""
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name.lstrip("_"))
    return re.sub(r"\W", "_", text.lower()) or "obj"


def snake_case(name: str) -> str:
    """``AsyncClient`` -> ``async_client``; a safe variable name: a keyword or a builtin
    (``Dict`` -> ``dict``, ``Import`` -> ``import``) gets ``_obj`` appended, as a variable
    named so would be a syntax error or hide the builtin from the reader's code."""
    text = _words(name)
    if keyword.iskeyword(text) or keyword.issoftkeyword(text) or text in _BUILTINS:
        text += "_obj"
    return text


def _alternatives(annotation: str) -> list[str]:
    """``Optional[X]``, ``X | Y | None``, ``Union[X, Y]`` -> ``[X, Y]``; quotes dropped."""
    text = annotation.strip().strip("'\"").strip()
    match = re.fullmatch(r"(?:\w+\.)?Optional\[(.*)\]", text)
    if match:
        return _alternatives(match.group(1))
    match = re.fullmatch(r"(?:\w+\.)?Union\[(.*)\]", text)
    parts = _split_top(match.group(1), ",") if match else _split_top(text, "|")
    out: list[str] = []
    for part in (p.strip() for p in parts):
        if part not in {"None", "NoneType", ""}:
            out.extend(_alternatives(part) if part != text else [part])
    return out or ["None"]


def _unwrap(annotation: str) -> str:
    """The first alternative of an annotation: ``Optional[X]`` -> ``X``."""
    return _alternatives(annotation)[0]


def _split_top(text: str, sep: str) -> list[str]:
    out, depth, current = [], 0, ""
    for char in text:
        depth += (char in "[(" and 1) or 0
        depth -= (char in "])" and 1) or 0
        if char == sep and depth == 0:
            out.append(current)
            current = ""
        else:
            current += char
    out.append(current)
    return out


_NAME_VALUES: tuple[tuple[str, str], ...] = (
    (r"^(base_)?(url|uri|href|link|endpoint|api_url|api_base)$|_url$", '"https://example.com"'),
    (r"^(host|hostname|domain)$", '"example.com"'),
    (r"^port$", "8080"),
    (r"^(iterable|iterables|iterator|seq|sequence|it|items_iterable)$", "[1, 2, 3]"),
    (r"^(status|status_code)$", "200"),
    (r"^(dir|directory|folder|root|cwd|dirname)$|_dir$", '"data"'),
    (r"^(path|file|filename|filepath|fname)$|_(path|file)$", '"data.txt"'),
    (r"^(messages|history|conversation)$", "messages"),
    (r"^(headers)$", '{"Accept": "application/json"}'),
    (r"^(data|payload|json|params|query_params|body|cookies|options|config|kwargs|mapping)$",
     '{"key": "value"}'),
    (r"^(timeout|delay|interval|seconds|wait)$|_seconds$", "5.0"),
    (r"^(n|r|k|count|size|limit|length|index|idx|line|column|col|number|num|retries|depth|level"
     r"|start|stop|step)$"
     r"|^(max|min|num)_|_(count|size|limit|index)$", "1"),
    (r"^(callback|func|fn|function|handler|hook|factory|key_func|keyfunc|predicate|pred|cb)$"
     r"|_callback$|^(key|value|reduce)func$|^(validator|converter)$|_(validator|converter)$",
     "lambda *args: None"),
    (r"^(is|has|use|enable|should|allow)_|^(verbose|strict|force|debug|quiet|stream)$", "True"),
    (r"^(encoding|charset)$", '"utf-8"'),
    (r"^(method)$", '"GET"'),
    (r"^(source|code|src)$", '"x = 1\\n"'),
    (r"^(items|values|elements|names|keys|args|lines|parts)$", '["example"]'),
    (r"^(text|message|prompt|content|query|question|string|s|msg|line_text)$",
     '"Hello, world"'),
)  # fmt: skip

_NOTABLE = re.compile(
    r"^(url|base_url|path|file|filename|source|code|text|data|content|message|messages|prompt|"
    r"query|name|host)$"
)

_TYPE_VALUES: dict[str, str] = {
    "str": '"example"',
    "int": "1",
    "float": "1.0",
    "bool": "True",
    "bytes": 'b"data"',
    "bytearray": 'bytearray(b"data")',
    "dict": '{"key": "value"}',
    "list": '["example"]',
    "tuple": '("example",)',
    "set": '{"example"}',
    "frozenset": 'frozenset({"example"})',
    "Any": '"example"',
    "object": '"example"',
    "Messages": "messages",
    "None": "None",
    "complex": "1j",
}


def build_example(
    symbol: Symbol, node: ast.AST | None, source: str, parents: Sequence[ast.AST] = ()
) -> str:
    """A usage example for ``symbol`` that always parses and imports it from its import path.

    ``node`` is the symbol's definition (a function, class or assignment; the module's tree for
    a module; None when the source has none), ``source`` the module's text (read for classes the
    example builds) and ``parents`` the definitions around ``node``, outermost first.
    """
    example = _Example(symbol, source, node, tuple(parents))
    if symbol.qualname and _type_checking_only(source, example.top):
        return example.for_type_checking(parents[0] if parents else node)
    if isinstance(node, ast.Module):
        return example.for_module(node)
    if isinstance(node, ast.ClassDef):
        return example.for_class(node, main_method(node, method_calls(symbol.path)))
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return example.for_function(node, parameters_of(node))
    if isinstance(node, ast.Assign | ast.AnnAssign):
        return example.for_variable()
    top = symbol.qualname.split(".")[0] or symbol.name
    text = f"from {example.import_path} import {top}\n\nprint({symbol.qualname})\n"
    return _checked(text, example.import_path, top)


@dataclass(frozen=True)
class _ForeignClass:
    """A project class defined in another module: its definition, that module's text and name,
    its file name, and the public module users import it from."""

    node: ast.ClassDef
    source: str
    import_path: str
    module: str
    filename: str
    root: Path | None = None  # the folder its modules are found in (a project's, a library's)


def _module_tree(source: str) -> ast.Module | None:
    """``source`` parsed once for all of howto-ls (:func:`howto_ls.astutil.parse_shared`:
    never change the tree), or None."""
    try:
        return parse_shared(source)
    except (SyntaxError, ValueError):
        return None


def _project_text(path: Path, root: Path) -> str | None:
    """The text of ``path`` when it lies under ``root``; None otherwise or when unreadable.
    Read once per file version (modification time and size)."""
    if not _inside(path, root):
        return None
    return cached_text(path)


@functools.lru_cache(maxsize=1024)
def _inside(path: Path, root: Path) -> bool:
    """Whether ``path`` resolves to a place under ``root`` (asked for the same few files by
    every symbol of a batch; resolving costs a system call per folder)."""
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError):
        return False
    return True


def _find_class(module: str, name: str, root: Path, depth: int) -> _ForeignClass | None:
    """The class ``name`` of project module ``module`` (following re-exports two deep), or of
    a library installed for the project (:mod:`howto_ls.offline.installed`), read from its
    source."""
    if depth > 2:
        return None
    path = module_file(module, root)
    source = _project_text(path, root) if path is not None else None
    if path is None or source is None:
        installed = installed_module_file(module, root)
        if installed is None:
            return None
        path, root = installed
        source = cached_text(path)
        if source is None:
            return None
    node = top_level_class(source, name)
    if node is not None:
        import_path = public_import_path(module, name, root)
        return _ForeignClass(node, source, import_path, module, path.name, root)
    target = _imported_names(source, module, path.name).get(name)
    if target is None:
        return None
    source_module, imported = target
    if not imported:
        return None
    return _find_class(source_module, imported, root, depth + 1)


@dataclass
class _Example:
    """Builds a usage example that imports the symbol from its public path."""

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
    foreign: dict[str, _ForeignClass | None] = field(default_factory=dict)
    bound: dict[str, str] = field(default_factory=dict)  # class -> the variable holding one
    # the other module whose class (or type alias) is being built, if any
    scope: _ForeignClass | TypeAlias | None = None
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

    # -- values -----------------------------------------------------------------------------

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
        if self.least and param.annotation:
            head = _unwrap(param.annotation).partition("[")[0].rsplit(".", 1)[-1]
            if head in _LIST_TYPES or head == "list":
                return "[]"
            if head in _DICT_TYPES:
                return "{}"
        if param.name in self._awaited_names():
            typed = (
                self._value_for_type(_unwrap(param.annotation), name) if param.annotation else None
            )
            return typed if typed and typed.isidentifier() else self._async_stub(param.name)
        if name == "model":
            default_model = self._class_constant("default_model")
            if default_model:
                return default_model
        if not param.annotation and name in {"cls", "klass", "inst", "instance"}:
            example_class = self._example_class()  # what a module function takes as a class
            return example_class if name in {"cls", "klass"} else f"{example_class}()"
        definition = function if function is not None or depth else self.node
        param = self._narrowed(param, definition)
        if not param.annotation:
            param = self._documented(param, definition)
        alternatives = _alternatives(param.annotation) if param.annotation else []
        # an async iterable only where nothing else will do: a Union offering a plain one is
        # usually read by a plain call (Jinja's filters take both)
        alternatives.sort(key=lambda a: bool(_ASYNC_ITERABLE.match(a)))
        if depth == 0 and (not alternatives or alternatives[0].rsplit(".", 1)[-1] == "str"):
            literal = self._compared_literal(param.name)
            if literal is not None:
                return literal
        if _allows_none(param.annotation or "") and all(
            a.rsplit(".", 1)[-1] in {"Any", "object"} for a in alternatives
        ):
            return "None"
        kind = re.fullmatch(r"(?:\w+\.)?[Tt]ype\[(.+)\]", alternatives[0]) if alternatives else None
        if kind is not None:
            return self._class_value(kind.group(1).strip())
        local = [a for a in alternatives if self._local_class_in(a)]
        for annotation in local:
            if annotation in self.bound:
                return self.bound[annotation]  # an instance the example already built
        for annotation in (a for a in alternatives if a not in local):
            by_type = self._value_for_type(annotation, name)
            if by_type is not None:
                return by_type
        for annotation in local:
            built = self._built(annotation, depth)
            if built is not None and depth == 0:
                self.bound[annotation] = self._bind(param.name, built)
                return self.bound[annotation]
            if built is not None:
                return built
        for annotation in local:
            by_type = self._value_for_type(annotation, name)
            if by_type is not None:
                return by_type
        if not alternatives:
            named = self._class_named_like(name)
            built = self._built(named, depth) if named else None
            for duck in () if built is not None else self._duck_classes(param.name, definition):
                built = self._built(duck, depth)
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
            used = self._used_as(param, function if function is not None or depth else self.node)
            if used is not None:
                return used
        for pattern, value in _NAME_VALUES:
            if re.search(pattern, name):
                return self._use(value)
        if alternatives and _allows_none(param.annotation or ""):
            return "None"
        if alternatives:
            variable = self._fresh(snake_case(param.name))
            wanted = alternatives[0]
            kind = re.fullmatch(r"(?:typing\.)?[Tt]ype\[(.+)\]", wanted)
            what = f"a {kind.group(1)} subclass" if kind else f"a {wanted} object"
            self.setup.append(f"{variable} = ...  # fill in: {what}")
            return variable
        return '"example"'

    def _narrowed(self, param: Parameter, function: ast.AST | None) -> Parameter:
        """``param`` annotated with the class the code of ``function`` (a class means its
        constructor) refuses it unless it is an instance of
        (:mod:`howto_ls.offline.narrowing`), when the example can build that class."""
        function = _code_of(function)
        if function is None:
            return param
        narrowed = narrowed_class(function, param.name)
        if narrowed is None or narrowed == param.annotation or not self._local_class_in(narrowed):
            return param
        return dataclasses.replace(param, annotation=narrowed)

    def _documented(self, param: Parameter, definition: ast.AST | None) -> Parameter:
        """``param`` annotated with the class the docstring of ``definition`` (a class: its
        own docstring, then its constructor's) says it is (:mod:`howto_ls.offline.doctypes`),
        when the example can build that class."""
        owners = [definition]
        if isinstance(definition, ast.ClassDef):
            owners.append(_initializer(definition))
        for owner in owners:
            if not isinstance(owner, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                continue
            stated = documented_type(ast.get_docstring(owner) or "", param.name)
            if stated is None:
                continue
            for candidate in dict.fromkeys((stated, stated.rsplit(".", 1)[-1])):
                if self._local_class_in(candidate):
                    return dataclasses.replace(param, annotation=candidate)
        return param

    def _used_as(self, param: Parameter, function: ast.AST | None) -> str | None:
        """A value for the unannotated ``param`` of ``function`` (a class means its
        constructor) that supports what the code does with it, when the value its name gives
        does not; None otherwise."""
        function = _code_of(function)
        if function is None:
            return None
        name = param.name.lower().lstrip("_")
        named = next((v for p, v in _NAME_VALUES if re.search(p, name)), '"example"')
        owner = self.owner_class if function is self.node else None
        found = parameter_uses.value_for(function, param.name, named, self._scope(owner))
        if found is None:
            return None
        self.imports.extend(found.imports)
        return self._use(found.expression)

    def _expanded(self, param: Parameter) -> Parameter:
        """``param`` with an annotation that names a type alias, NewType or TypeVar replaced
        by what it stands for (``UnparsedVersion`` -> ``Union[Version, str]``), one level."""
        annotation = param.annotation or ""
        head = annotation.partition("[")[0].strip()
        root = self.here_root
        if not head or root is None or head.rsplit(".", 1)[-1] in _TYPE_VALUES:
            return param
        alias = find_alias(head, self.here_source, self.here_module, self.here_filename, root)
        if alias is None:
            return param
        return dataclasses.replace(param, annotation=alias.expansion)

    def _alias_value(self, param: Parameter, annotation: str, depth: int) -> str | None:
        """A value for an annotation naming a type alias, NewType or TypeVar: the first of what
        it stands for that can be built, in the defining module's terms; None when none can."""
        head = annotation.partition("[")[0].strip()
        symbol = self.symbol
        root = _package_root(symbol.path, symbol.module) if symbol.module else None
        if root is None or not head:
            return None
        alias = find_alias(head, self.here_source, self.here_module, self.here_filename, root)
        key = f"{alias.module}:{alias.name}" if alias is not None else ""
        if alias is None or key in self.expanding:
            return None
        saved = list(self.setup), list(self.imports), dict(self.bound), set(self.reserved)
        outer = self.scope
        self.expanding.add(key)
        if alias.module != self.here_module:
            self.scope = alias  # the names inside it are the defining module's
        try:
            value = self.value(Parameter(param.name, alias.expansion), depth)
        finally:
            self.scope = outer
            self.expanding.discard(key)
        if any(line.startswith(f"{value} = ...  #") for line in self.setup):
            self.setup, self.imports, self.bound, self.reserved = saved  # nothing built
            return None
        return value

    def _callable(self, inner: str, name: str) -> str:
        """A function for ``Callable[[A, B], R]``: ``lambda *args: None`` when it takes anything
        and returns nothing useful, else a ``def`` in the setup taking one parameter per
        argument type (named after it when it is a class, else ``arg1``...) and returning a value
        of ``R``; its name."""
        parts = _split_top(inner, ",") if inner else []
        if len(parts) < 2:
            return "lambda *args: None"
        arguments, result = ",".join(parts[:-1]).strip(), _unwrap(parts[-1].strip())
        returned = None
        if result.rsplit(".", 1)[-1] not in {"None", "Any", "object", "NoReturn"}:
            returned = self._value_for_type(result, "")
        if arguments == "..." and returned is None:
            return "lambda *args: None"
        names: list[str] = []
        if arguments == "...":
            names = ["*args", "**kwargs"]
        elif arguments.startswith("[") and arguments.endswith("]"):
            for index, kind in enumerate(_split_top(arguments[1:-1], ",")):
                if not kind.strip():
                    continue
                short = _unwrap(kind.strip()).partition("[")[0].rsplit(".", 1)[-1]
                candidate = snake_case(short)
                if not short[:1].isupper() or not candidate.isidentifier() or candidate in names:
                    candidate = f"arg{index + 1}"
                names.append(candidate)
        function = snake_case(name or "callback")
        if function in {self.top, self.module_alias} or function in self.reserved:
            function += "_function"
        function = self._fresh(function)
        self.setup += ["", f"def {function}({', '.join(names)}):", f"    return {returned}", ""]
        return function

    def _standard_app(self, kind: str, name: str) -> str:
        """A minimal WSGI (PEP 3333) or ASGI (the ASGI specification's HTTP scope) application
        answering "Hello, world", defined in the setup; its name."""
        function = self._fresh(snake_case(name or "app"))
        if kind == "wsgi":
            self.setup += [
                "",
                f"def {function}(environ, start_response):",
                '    start_response("200 OK", [("Content-Type", "text/plain")])',
                '    return [b"Hello, world"]',
                "",
            ]
        else:
            self.setup += [
                "",
                f"async def {function}(scope, receive, send):",
                '    start = {"type": "http.response.start", "status": 200, "headers": []}',
                "    await send(start)",
                '    await send({"type": "http.response.body", "body": b"Hello, world"})',
                "",
            ]
        return function

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
        if isinstance(self.scope, _ForeignClass) and self.scope.root is not None:
            return self.scope.root
        symbol = self.symbol
        return _package_root(symbol.path, symbol.module) if symbol.module else None

    @property
    def here_filename(self) -> str:
        """The file name of that module (``__init__.py`` for a package)."""
        return self.scope.filename if self.scope is not None else self.symbol.path.name

    def _class_named_like(self, name: str) -> str | None:
        """The project class an unannotated parameter's name names: ``request`` ->
        ``Request``, ``prepared_request`` -> ``PreparedRequest``, ``resp`` -> ``Response``."""
        wanted = _ABBREVIATIONS.get(name, name)
        if len(wanted) < 3:
            return None
        names = set(_class_names(self.here_source))
        names |= {
            local
            for local in _imported_names(self.here_source, self.here_module, self.here_filename)
            if local[:1].isupper()
        }
        public = sorted(n for n in names if not n.startswith("_"))
        for candidate in public:
            if _words(candidate) == wanted:
                return candidate
        camel = "".join(part.capitalize() for part in wanted.split("_"))
        if self._foreign_class(camel) is not None:
            return camel
        squeezed = wanted.replace("_", "")
        if len(squeezed) >= 5:  # ``cookiejar`` -> ``RequestsCookieJar``
            for candidate in public:
                ending = _words(candidate).replace("_", "").endswith(squeezed)
                if ending and not self._raised_class(candidate):  # ``header``: no ``InvalidHeader``
                    return candidate
        return None

    def _raised_class(self, name: str) -> bool:
        """Whether the class ``name`` (of this module, or one it imports) is an exception."""
        node = top_level_class(self.here_source, name)
        if node is None:
            foreign = self._foreign_class(name)
            node = foreign.node if foreign is not None else None
        bases = {(dotted(b) or "").rsplit(".", 1)[-1] for b in node.bases} if node else set()
        return _is_exception(name, bases)

    def _duck_classes(self, name: str, function: ast.AST | None = None) -> list[str]:
        """Project classes an unannotated parameter ``name`` of ``function`` (by default the
        symbol; a class means its constructor) is used as: those offering the attributes its
        code reads, sets or calls on it (``r.headers``, ``r.register_hook(...)``), best first:
        most of those attributes (at least two thirds; code may also set some), then fewest
        attributes in all (the most specific)."""
        node = _code_of(self.node if function is None else function)
        if node is None:
            return []
        if name not in {a.arg for a in (*node.args.posonlyargs, *node.args.args)}:
            return []
        used = {
            n.attr
            for n in own_nodes(node)
            if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == name
        }
        if not used:
            return []
        names = set(_class_names(self.here_source))
        names |= {
            local
            for local in _imported_names(self.here_source, self.here_module, self.here_filename)
            if local[:1].isupper()
        }
        fitting: list[tuple[int, int, str]] = []
        for candidate in sorted(n for n in names if not n.startswith("_")):
            class_node = top_level_class(self.here_source, candidate)
            source = self.here_source
            if class_node is None:
                foreign = self._foreign_class(candidate)
                if foreign is None:
                    continue
                class_node, source = foreign.node, foreign.source
            offered = self._attributes_of(class_node, source, 0)
            if _covers(offered, used) and not _is_exception(candidate, set()):
                fitting.append((-len(used & offered), len(offered), candidate))
        if not fitting:  # a class of another module of the package, not imported here
            fitting = self._package_duck_classes(used)
        return [candidate for *_, candidate in sorted(fitting)]

    def _package_duck_classes(self, used: set[str]) -> list[tuple[int, int, str]]:
        """(minus the attributes of ``used`` covered, attribute count, name) of the public
        classes anywhere in the symbol's top-level package that cover ``used``."""
        symbol = self.symbol
        root = _package_root(symbol.path, symbol.module) if symbol.module else None
        if root is None:
            return []
        package = symbol.module.split(".", 1)[0]
        fitting: list[tuple[int, int, str]] = []
        for module, name in _package_classes(root, package):
            found = _find_class(module, name, root, 0)
            if found is None or _is_exception(name, set()):
                continue
            offered = self._attributes_of(found.node, found.source, 0, found)
            if _covers(offered, used):
                key = f"{self.here_module}:{name}"
                self.foreign.setdefault(key, found)  # so ``_built`` can build it
                fitting.append((-len(used & offered), len(offered), name))
        return fitting

    def _attributes_of(
        self,
        node: ast.ClassDef,
        source: str,
        depth: int,
        foreign: _ForeignClass | None = None,
    ) -> frozenset[str]:
        """What instances of ``node`` (defined in ``source``; in ``foreign``'s module when
        given) offer: methods, class attributes, ``self.x`` assignments, and the same of its
        project base classes (three deep)."""
        offered = {
            s.name for s in node.body if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)
        }
        offered |= {name for name, _ in class_attributes(node)}
        offered |= {
            n.attr
            for n in ast.walk(node)
            if isinstance(n, ast.Attribute)
            and isinstance(n.ctx, ast.Store)
            and isinstance(n.value, ast.Name)
            and n.value.id == "self"
        }
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

    def _class_value(self, name: str) -> str:
        """A class for a ``type[X]`` parameter: ``X`` itself when it is a class of the project or
        a builtin (a concrete subclass of an abstract one), ``str`` for ``Any`` or ``object``,
        a type variable's bound, else ``object``."""
        short = name.strip("'\"")
        if short.rsplit(".", 1)[-1] in {"Any", "object"}:
            return "str"  # any class does: the one of the strings examples pass
        if short in _TYPE_VALUES and short not in {"Messages", "None"}:
            return short
        if short in {"BaseException", "Exception"}:
            return "ValueError"
        if short in _class_names(self.here_source):
            node = top_level_class(self.here_source, short)
            abstract = node is not None and is_abstract(node)
            concrete = self._concrete(node, self.here_source) if node and abstract else None
            return self._local_name(concrete.name if concrete is not None else short)
        foreign = self._foreign_class(short)
        if foreign is not None:
            concrete = self._concrete(foreign.node, foreign.source)
            if is_abstract(foreign.node) and concrete is not None:
                root = _package_root(self.symbol.path, self.symbol.module)
                path = public_import_path(foreign.module, concrete.name, root) if root else ""
                self.imports.append(f"from {path or foreign.module} import {concrete.name}")
                return concrete.name
            return self._foreign_import(foreign.import_path, foreign.module, foreign.node.name)
        symbol = self.symbol
        root = _package_root(symbol.path, symbol.module) if symbol.module else None
        alias = (
            find_alias(short, self.here_source, self.here_module, self.here_filename, root)
            if root is not None
            else None
        )
        if alias is not None and alias.expansion != "Any" and alias.name not in self.expanding:
            outer = self.scope
            self.expanding.add(alias.name)
            if alias.module != self.here_module:
                self.scope = alias
            try:
                return self._class_value(_unwrap(alias.expansion))  # a TypeVar's bound
            finally:
                self.scope = outer
                self.expanding.discard(alias.name)
        return "object"

    def _example_class(self) -> str:
        """A class the example defines for a module function that takes one (``has(cls)``)
        or an instance of one: two fields with defaults, decorated with the package's own
        class decorator when its top level offers one (attrs' ``define``); its name."""
        header = "class Point:"
        if header in self.setup:
            return "Point"
        package = (self.symbol.module or self.import_path).split(".")[0]
        root = _package_root(self.symbol.path, self.symbol.module) if self.symbol.module else None
        path = module_file(package, root) if root is not None else None
        text = _project_text(path, root) if path is not None and root is not None else None
        offered = set(_imported_names(text, package, path.name)) if text and path else set()
        decorator = ["@define"] if "define" in offered | _top_level_names(text or "") else []
        if decorator:
            self.imports.append(f"from {package} import define")
        self.setup += ["", *decorator, header, "    x: int = 1", "    y: int = 2", ""]
        return "Point"

    def _local_class_in(self, annotation: str) -> bool:
        """Whether ``annotation`` names a public class of this module, or a container of one."""
        head, _, inner = annotation.partition("[")
        inner = inner[:-1] if inner.endswith("]") else inner
        short = head.rsplit(".", 1)[-1]
        if inner and short in _LIST_TYPES:
            return self._local_class_in(_unwrap(_split_top(inner, ",")[0]))
        if inner and short in _DICT_TYPES:
            rest = _split_top(inner, ",")[1:]
            return bool(rest) and self._local_class_in(_unwrap(rest[0]))
        if head.startswith("_") or head.rsplit(".", 1)[-1].startswith("_"):
            return False
        return head in _class_names(self.here_source) or self._foreign_class(head) is not None

    def _foreign_class(self, head: str) -> _ForeignClass | None:
        """The project class another module defines that ``head`` names here (through this
        module's imports, type-checking ones included), or None."""
        key = f"{self.here_module}:{head}"
        if key in self.foreign:
            return self.foreign[key]
        self.foreign[key] = None
        symbol = self.symbol
        root = _package_root(symbol.path, symbol.module) if symbol.module else None
        if root is not None:
            imports = _imported_names(self.here_source, self.here_module, self.here_filename)
            first, _, rest = head.partition(".")
            target = imports.get(first)
            if target is not None:
                module, name = target
                if rest and "." not in rest:
                    module, name = (f"{module}.{name}" if name else module), rest
                if name and not rest.count("."):
                    self.foreign[key] = _find_class(module, name, root, 0)
            elif head[:1].isupper() and head.isidentifier():
                # not imported here: a class the package itself exports (``requests.Request``)
                package = symbol.module.split(".", 1)[0]
                self.foreign[key] = _find_class(package, head, root, 0)
        return self.foreign[key]

    def _built(self, annotation: str, depth: int) -> str | None:
        """``StockItem(...)`` (or ``[StockItem(...)]``) when ``annotation`` names a class of
        this module that can be built; else None."""
        head, _, inner = annotation.partition("[")
        inner = inner[:-1] if inner.endswith("]") else inner
        short = head.rsplit(".", 1)[-1]
        if inner and short in _LIST_TYPES:
            item = self._built(_unwrap(_split_top(inner, ",")[0]), depth)
            return f"[{item}]" if item is not None else None
        if inner and short in _DICT_TYPES:
            key, *rest = _split_top(inner, ",")
            item = self._built(_unwrap(rest[0]), depth) if rest else None
            if item is None:
                return None
            key_value = self._value_for_type(_unwrap(key), "") or '"key"'
            return f"{{{key_value}: {item}}}"
        if depth >= MAX_BUILD_DEPTH or head in self.building or not self._local_class_in(head):
            return None
        class_node = top_level_class(self.here_source, head) if "." not in head else None
        foreign = None if class_node is not None else self._foreign_class(head)
        if foreign is not None:
            class_node = foreign.node
        if class_node is None:
            return None
        self.building.add(head)
        try:
            return self._construct(class_node, depth + 1, foreign, head.rsplit(".", 1)[-1])
        finally:
            self.building.discard(head)

    def _construct(
        self,
        node: ast.ClassDef,
        depth: int,
        foreign: _ForeignClass | None = None,
        local: str | None = None,
    ) -> str | None:
        """An expression that builds the class ``node`` (of this module, or ``foreign``'s,
        which the module names ``local``), or None for one that cannot be built directly (a
        protocol or an abstract class)."""
        bases = {code(b, 80).partition("[")[0].rsplit(".", 1)[-1] for b in node.bases}

        def named(name: str) -> str:
            if foreign is None:
                return self._local_name(name)
            return self._foreign_import(foreign.import_path, foreign.module, name, local)

        if bases & _ENUM_BASES:
            members = [name for name, _ in class_attributes(node) if not name.startswith("_")]
            return f"{named(node.name)}.{members[0]}" if members else None
        if "Protocol" in bases:  # any object of its shape: a class implementing its methods
            outer = self.scope
            if foreign is not None:
                self.scope = foreign  # its annotations name types as its own module sees them
            try:
                return f"{self._shaped_class(node)}()"
            finally:
                self.scope = outer
        source = foreign.source if foreign is not None else self.here_source
        if is_abstract(node):
            concrete = self._concrete(node, source)
            if concrete is None:
                base = self._subclass_in_setup(node, named(node.name))
                params = self.constructor(node, 0, source)
                return f"{base}({self.arguments(params, depth, callee=node.name)})"
            node = concrete
        elif self._refusing(node, source):
            node = self._concrete(node, source, working_only=True) or node
        made = self._made_by_maker(node, depth, foreign)
        if made is not None:
            return made
        outer = self.scope
        if foreign is not None:
            self.scope = foreign  # its parameters name classes as its own module sees them
        try:
            params = (
                dataclass_fields(node)
                if "TypedDict" in bases
                else self.constructor(node, 0, source)
            )
            arguments = self.arguments(
                params,
                depth,
                guarded_parameters(node),
                callee=node.name,
                function=_initializer(node),
            )
        finally:
            self.scope = outer
        return f"{named(node.name)}({arguments})"

    def _made_by_maker(
        self, node: ast.ClassDef, depth: int, foreign: _ForeignClass | None = None
    ) -> str | None:
        """``Request(...).prepare()`` for a class whose constructor leaves an empty shell
        that a method of another class of its module fills in and returns
        (:mod:`howto_ls.offline.makers`); None for a class built by its constructor."""
        if not empty_shell(node):
            return None
        tree = _module_tree(foreign.source if foreign is not None else self.here_source)
        made = maker_of(tree, node) if tree is not None else None
        if made is None or made[0].name in self.building:
            return None
        maker, method = made
        self.building.add(maker.name)
        outer = self.scope
        try:
            built = self._construct(maker, depth + 1, foreign)
            if built is None:
                return None
            if foreign is not None:
                self.scope = foreign
            arguments = self.arguments(
                parameters_of(method), depth + 1, callee=method.name, function=method
            )
        finally:
            self.scope = outer
            self.building.discard(maker.name)
        return f"{built}.{method.name}({arguments})"

    def _local_name(self, name: str) -> str:
        """How the example names the module's class ``name``, importing it when needed."""
        if self.scope is not None:
            symbol = self.symbol
            root = _package_root(symbol.path, symbol.module)
            module = self.scope.module
            path = public_import_path(module, name, root) if root is not None else module
            self.imports.append(f"from {path} import {name}")
            return name
        if self.module_alias is not None:
            return f"{self.module_alias}.{name}"
        if name != self.top:
            self.imports.append(f"from {self._import_path_of(name)} import {name}")
        return name

    def _foreign_import(
        self, import_path: str, module: str, name: str, local: str | None = None
    ) -> str:
        """Import the class ``name`` of another project module (``module``, imported from
        ``import_path``); the name the example uses for it. Each name binds one thing: a class
        named like the symbol or a class of the symbol's module (click's ``parser.Option``
        building a ``core.Option``) is imported under the name the module being built uses for
        it (``local``: ``CoreOption``), else under its module's name and its own
        (``CoreOption``)."""
        symbol = self.symbol
        clashes = module != symbol.module and (
            name == self.top or name in _class_names(self.source)
        )
        if not clashes:
            self.imports.append(f"from {import_path} import {name}")
            return name
        alias = local if local and local != name and local.isidentifier() else None
        if alias is None:
            alias = module.rsplit(".", 1)[-1].strip("_").capitalize() + name
        self.imports.append(f"from {import_path} import {name} as {alias}")
        return alias

    def _import_path_of(self, name: str) -> str:
        """The symbol's import path when it also exposes ``name``; else the defining module."""
        symbol = self.symbol
        if not symbol.module or symbol.import_path in {"", symbol.module}:
            return self.import_path
        root = _package_root(symbol.path, symbol.module)
        if root is not None and public_import_path(symbol.module, name, root) == self.import_path:
            return self.import_path
        return symbol.module

    def _bind(self, name: str, expression: str) -> str:
        """Assign ``expression`` to a fresh variable named after ``name`` in the setup."""
        base = snake_case(name)
        if base in {self.top, self.module_alias} or base in self.reserved:
            base += "_obj"
        variable = self._fresh(base)
        lines = _layout(variable, expression)
        if expression.partition("(")[0] in self.excepting:  # built while one is handled
            lines = [*_HANDLING, *(f"    {line}" for line in lines)]
        self.setup += lines
        return variable

    def _fresh(self, base: str) -> str:
        """``base``, or ``base_2``, ``base_3``... when the setup already assigns it."""
        taken = {line.split(" = ", 1)[0] for line in self.setup if not line[:1].isspace()}
        variable, number = base, 2
        while variable in taken:
            variable, number = f"{base}_{number}", number + 1
        return variable

    def _use(self, value: str) -> str:
        if value == "messages" and MESSAGES[0] not in self.setup:
            self.setup.extend(MESSAGES)
        if value in {'"data.txt"', 'Path("data.txt")'}:
            self._prepare('Path("data.txt").write_text("example\\n", encoding="utf-8")')
        elif value == '"data"':
            self._prepare('Path("data").mkdir(exist_ok=True)')
        return value

    def _prepare(self, line: str) -> None:
        """A setup line (once) that makes a file or folder the example reads exist."""
        self.imports.append("from pathlib import Path")
        if line not in self.setup:
            self.setup.insert(0, line)

    def _compared_literal(self, name: str, function: ast.AST | None = None) -> str | None:
        """A string the code of ``function`` (by default the symbol) compares parameter
        ``name`` against (``name == "default"``, ``name.lower() in ("a", "b")``), or a key
        of the module-level dict it looks ``name`` up in (``SPINNERS[name]``, ``name in
        STYLES``), else text of the shape a parser it hands ``name`` to accepts
        (:func:`howto_ls.offline.conversions.accepted_literal`): a value the code is
        written to accept. Names derived from ``name`` (``norm = name.strip().lower()``)
        count as ``name``."""
        node = self.node if function is None else function
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            return None
        if name not in {a.arg for a in (*node.args.posonlyargs, *node.args.args)}:
            return None
        key = self._looked_up_key(node, name)
        if key is not None:
            return key
        names = derived_names(node, name)
        compares = sorted(
            (n for n in own_nodes(node) if isinstance(n, ast.Compare)),
            key=lambda n: (n.lineno, n.col_offset),
        )
        for child in compares:
            if len(child.ops) != 1:
                continue
            if not isinstance(child.ops[0], ast.Eq | ast.In) or _root_name(child.left) not in names:
                continue
            target = child.comparators[0]
            options = (
                target.elts if isinstance(target, ast.Tuple | ast.List | ast.Set) else [target]
            )
            for option in options:
                if isinstance(option, ast.Constant) and isinstance(option.value, str):
                    return repr(option.value).replace("'", '"') if '"' not in option.value else None
        owner = self._owner_of(node)
        return accepted_literal(node, name, methods_of(owner) if owner is not None else None)

    def _looked_up_key(self, node: FunctionNode, name: str) -> str | None:
        """The first key of the module-level dict (of this module, or imported from a project
        module) that ``node`` indexes with ``name``: ``TABLE[name]``, ``TABLE.get(name)``,
        ``name in TABLE``."""
        for child in own_nodes(node):
            table = ""
            if isinstance(child, ast.Subscript) and isinstance(child.value, ast.Name):
                if isinstance(child.slice, ast.Name) and child.slice.id == name:
                    table = child.value.id
            elif isinstance(child, ast.Compare) and len(child.ops) == 1:
                left, right = child.left, child.comparators[0]
                if (
                    isinstance(child.ops[0], ast.In | ast.NotIn)
                    and isinstance(left, ast.Name)
                    and left.id == name
                    and isinstance(right, ast.Name)
                ):
                    table = right.id
            elif (
                isinstance(child, ast.Call)
                and isinstance(child.func, ast.Attribute)
                and child.func.attr == "get"
                and isinstance(child.func.value, ast.Name)
                and child.args
                and isinstance(child.args[0], ast.Name)
                and child.args[0].id == name
            ):
                table = child.func.value.id
            if table:
                key = self._first_key(table)
                if key is not None:
                    return key
        return None

    def _first_key(self, table: str) -> str | None:
        """The first string key of the module-level dict literal ``table``, looked up in this
        module and then in the project module it is imported from."""
        key = _first_dict_key(self.here_source, table)
        if key is not None:
            return key
        target = _imported_names(self.here_source, self.here_module, self.here_filename).get(table)
        symbol = self.symbol
        root = _package_root(symbol.path, symbol.module) if symbol.module else None
        if target is None or root is None or not target[1]:
            return None
        path = module_file(target[0], root)
        source = _project_text(path, root) if path is not None else None
        return _first_dict_key(source, target[1]) if source else None

    def _awaited_names(self) -> set[str]:
        """Names the symbol's own code calls with ``await name(...)``: its async callables."""
        node = self.node
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            return set()
        return {
            n.value.func.id
            for n in own_nodes(node)
            if isinstance(n, ast.Await)
            and isinstance(n.value, ast.Call)
            and isinstance(n.value.func, ast.Name)
        }

    def _async_stub(self, name: str, returns: str | None = "None") -> str:
        """An ``async def`` in the setup for a parameter the code awaits, returning ``returns``
        (an expression); its name."""
        return self._async_function(name, "*args, **kwargs", f"return {returns or 'None'}")

    def _async_items(self, name: str, item: str) -> str:
        """An async generator function in the setup that yields ``item`` (an expression)
        once, for a parameter the code iterates with ``async for``; a call of it."""
        return f"{self._async_function(name, '', f'yield {item}', suffix='_items')}()"

    def _async_function(self, name: str, parameters: str, line: str, suffix: str = "_stub") -> str:
        """Define ``async def <name>(<parameters>):`` whose body is ``line``, once, in the
        setup; its name (``suffix`` added when the example already uses the name)."""
        function = snake_case(name)
        if function in {self.top, self.module_alias} or function in self.reserved:
            function += suffix
        header = f"async def {function}({parameters}):"
        if header not in self.setup:
            self.setup += ["", header, f"    {line}"]
        return function

    def _value_for_type(self, annotation: str, name: str) -> str | None:
        head, _, inner = annotation.partition("[")
        head = head.rsplit(".", 1)[-1]
        inner = inner[:-1] if inner.endswith("]") else inner
        if head in {"str", "Any", "object", "AnyStr"} or head.endswith("Str"):
            for pattern, value in _NAME_VALUES:
                if re.search(pattern, name) and value.startswith(('"', "messages")):
                    return self._use(value)
            return _TYPE_VALUES["str"]
        if head in {"int", "float"}:
            for pattern, value in _NAME_VALUES:
                if re.search(pattern, name) and re.fullmatch(r"[\d.]+", value):
                    return value if head == "float" or "." not in value else value.split(".")[0]
            return _TYPE_VALUES[head]
        if head == "Messages" or (head in {"list", "List", "Sequence"} and name == "messages"):
            return self._use("messages")
        if head in {"list", "List", "Sequence", "Iterable", "Collection", "MutableSequence"}:
            item = self._value_for_type(_unwrap(_split_top(inner, ",")[0]), "") if inner else None
            return f"[{item}]" if item else '["example"]'
        if head in {"tuple", "Tuple"} and inner:
            parts = [_unwrap(part) for part in _split_top(inner, ",")]
            if parts[-1].strip() == "...":
                parts = parts[:1]
            items = [self._value_for_type(part.strip(), "") or '"example"' for part in parts]
            return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"
        if head in {"dict", "Dict", "Mapping", "MutableMapping"}:
            return '{"Accept": "application/json"}' if name == "headers" else '{"key": "value"}'
        if head == "Callable":
            awaited = re.search(r"\b(?:Awaitable|Coroutine)\[(.*)\]\s*\]?$", inner)
            if awaited is not None or re.search(r"\b(Awaitable|Coroutine)\b", inner):
                result = _split_top(awaited.group(1), ",")[-1].strip() if awaited else "None"
                returned = self._value_for_type(_unwrap(result), "") if result != "None" else None
                return self._async_stub(name or "callback", returned)
            return self._callable(inner, name)
        if re.search(r"[WA]SGIApp(lication)?$", head):
            return self._standard_app(head[head.index("SGI") - 1].lower() + "sgi", name)
        if head in {"ContextManager", "AbstractContextManager", "AsyncContextManager"}:
            self.imports.append("import contextlib")
            return "contextlib.nullcontext()"  # a context manager and an async one
        if head in {"Iterator", "Generator"}:
            item = self._value_for_type(_unwrap(_split_top(inner, ",")[0]), "") if inner else None
            return f"iter([{item or _TYPE_VALUES['str']}])"
        if head in {"AsyncIterable", "AsyncIterator", "AsyncGenerator"}:
            item = self._value_for_type(_unwrap(_split_top(inner, ",")[0]), "") if inner else None
            return self._async_items(name or "items", item or _TYPE_VALUES["str"])
        if head in {"BaseException", "Exception"}:
            return 'ValueError("example")'
        if head in {"Type", "type"} and inner:
            return self._class_value(_unwrap(inner))
        if head == "_version_info":
            self.imports.append("import sys")
            return "sys.version_info"
        from_datetime = "datetime" in annotation or "from datetime import" in self.here_source
        if head in _STDLIB_VALUES and (head[:1].isupper() or from_datetime):
            module, expression = _STDLIB_VALUES[head]
            self.imports.append(module)
            return expression
        if head in {"IO", "TextIO", "BinaryIO", "IOBase"} | _IO_TEXT | _IO_BYTES:
            self.imports.append("import io")
            if head in _IO_BYTES or inner.strip().rsplit(".", 1)[-1] == "bytes":
                return 'io.BytesIO(b"data")'
            return 'io.StringIO("example\\n")'
        if head in {"Path", "PurePath", "PathLike", "StrPath"}:
            if head == "Path":
                self.imports.append("from pathlib import Path")
                return self._use('Path("data.txt")')
            return self._use('"data.txt"')
        if head == "Literal" and inner:
            return _split_top(inner, ",")[0].strip()
        if head in _TYPE_VALUES:
            return _TYPE_VALUES[head]
        return None

    def _class_constant(self, name: str) -> str | None:
        owner = self.owner_class
        if owner is None and isinstance(self.node, ast.ClassDef):
            owner = self.node
        if owner is None:
            return None
        for statement in owner.body:
            if (
                isinstance(statement, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == name for t in statement.targets)
                and isinstance(statement.value, ast.Constant)
                and isinstance(statement.value.value, str)
            ):
                return repr(statement.value.value).replace("'", '"')
        return None

    def _call_literals(self, callee: str, signature: Sequence[Parameter]) -> dict[str, str]:
        """Parameter name -> a literal the project passes it in a call of ``callee`` that binds
        to ``signature``: doctest calls first, then calls giving the most parameters, then
        calls in the symbol's own file. Only literals of a type the parameter's annotation
        allows (any, without one)."""
        by_name = {p.name: p for p in signature}
        required = {
            p.name
            for p in signature
            if p.default is None and p.kind not in {"var_positional", "var_keyword"}
        }
        ranked: list[tuple[tuple[bool, int, bool], dict[str, str]]] = []
        constants: dict[str, str] = {}  # a constant's name -> its module
        for call in call_literals.literal_calls(self.symbol.path, callee):
            bound = call_literals.bind(call, signature)
            if not bound:
                continue
            constants.update(call.constants)
            fitting = {
                name: text
                for name, text in bound.items()
                if text in dict(call.constants)
                or _literal_fits(self._expanded(by_name[name]), text)
            }
            if not required <= fitting.keys():  # a lambda is written for the call's other values
                fitting = {n: t for n, t in fitting.items() if not t.startswith("lambda")}
            if fitting:
                rank = (call.in_doctest, len(fitting), call.path == self.symbol.path)
                ranked.append((rank, fitting))
        chosen: dict[str, str] = {}
        for _, fitting in sorted(ranked, key=lambda item: item[0], reverse=True):
            for name, text in fitting.items():
                chosen.setdefault(name, text.replace("'", '"') if _plain_quotes(text) else text)
        root = _package_root(self.symbol.path, self.symbol.module) if self.symbol.module else None
        for text in chosen.values():
            if text in constants:  # imported when an argument uses it
                module = constants[text]
                path = public_import_path(module, text, root) if root is not None else module
                self.constant_imports[text] = f"from {path} import {text}"
        return chosen

    def arguments(
        self,
        params: Sequence[Parameter],
        depth: int = 0,
        needed: Mapping[str, str] = {},
        receiver: bool = True,
        callee: str | None = None,
        function: ast.AST | None = None,
        by_position: bool = False,
    ) -> str:
        """Required arguments (positional-only ones by position, the rest by keyword; all by
        position while none is skipped when ``by_position``, for a wrapper that reads its
        ``*args`` by index: :mod:`howto_ls.offline.wrappers`).

        ``function`` is the definition being called (by default the symbol): the values its
        code compares a parameter against or looks it up by come first. ``callee`` names
        the function, method or class being called: the literals the
        project's own calls and doctests pass it (:mod:`howto_ls.offline.call_literals`) come before
        values made up from annotations and names. With nothing required, the optional
        parameters a doctest of the callee passes are passed, else the first optional
        parameter whose name says what it holds (``code``, ``url``, ``path``...), so the
        example shows real use. ``needed`` names optional parameters the code refuses to
        run without (see :func:`howto_ls.offline.state.guarded_parameters`): a ``"flag"``
        is passed True, a ``"value"`` a real value. ``receiver`` says whether ``params``
        are a method's, whose first parameter (``self``, ``cls``) is the object it is called
        on and takes no argument; a module function's ``cls`` or ``self`` is an argument like
        any other.
        """
        parts: list[str] = []
        signature = [
            p for index, p in enumerate(params) if not (receiver and index == 0 and is_receiver(p))
        ]
        usable = [p for p in signature if p.kind not in {"var_positional", "var_keyword"}]
        literals = self._call_literals(callee, signature) if callee else {}
        required = self._demand(callee, function, depth)
        if required.in_except and callee:
            self.excepting.add(callee)
        needed = {name: "value" for name in required.values} | dict(needed)
        prefixes = dict(required.prefixes)
        chosen: dict[str, str] = {}  # parameter -> the value passed
        for param in map(functools.partial(_other_than, dict(required.refused)), usable):
            if param.default is not None and param.name not in needed:
                by_position = False  # the positions after a skipped one shift
                continue
            if needed.get(param.name) == "flag":
                value = "True"
            elif param.name in prefixes:
                value = f'["{prefixes[param.name]}name"]'
            elif param.kind == "positional_only" and _allows_none(param.annotation or ""):
                value = "None"  # a required position the annotation lets one leave empty
            else:
                preset = self.presets.get(param.name) if depth == 0 else None
                compared = (
                    self._compared_literal(param.name, function)
                    if depth == 0 or function is not None
                    else None
                )
                if compared is not None and not _literal_fits(param, compared):
                    compared = None
                value = (
                    preset
                    or compared
                    or literals.get(param.name)
                    or self.value(param, depth, function)
                )
                if param.default is not None and value == "None":
                    by_position = False
                    continue
            positional = (
                param.kind == "positional_only"
                or (by_position and param.kind == "positional_or_keyword")
                or (
                    # ``__name`` parameters are mangled inside classes: only positions reach them
                    param.name.startswith("__") and not param.name.endswith("__")
                )
            )
            parts.append(value if positional else f"{param.name}={value}")
            chosen[param.name] = value
            if value in self.constant_imports:
                self.imports.append(self.constant_imports[value])
        if required.star:
            parts = self._with_positionals(signature, chosen, callee, depth) or parts
        if not parts and literals:
            written = [p for p in usable if p.name in literals]
            for param in written[:3]:
                value = literals[param.name]
                parts.append(value if param.kind == "positional_only" else f"{param.name}={value}")
                if value in self.constant_imports:
                    self.imports.append(self.constant_imports[value])
        if not parts:
            notable = next(
                (
                    p
                    for p in usable
                    if _NOTABLE.search(p.name)
                    and (not p.annotation or _alternatives(p.annotation)[0] in {"str", "Path"})
                ),
                None,
            )
            if notable is not None:
                value = self.value(notable, depth, function)
                shown = value if notable.kind == "positional_only" else f"{notable.name}={value}"
                parts.append(shown)
        return ", ".join(parts)

    def _demand(self, callee: str | None, function: ast.AST | None, depth: int) -> Demand:
        """What the code of the definition being called requires beyond its required
        parameters (:func:`howto_ls.offline.required.demand`): ``function`` (a constructor of
        the class ``callee``), else at the top level the symbol or the method of its class that
        ``callee`` names."""
        owner: str | None = None
        name: str | None = None
        classes = [c for c in (self.owner_class, self.node) if isinstance(c, ast.ClassDef)]
        module = _module_tree(self.here_source)
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            # a function of the module, a method of the class documented, else the
            # constructor of the class ``callee``
            if module is not None and any(
                isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)
                and (s.name, s.lineno) == (function.name, function.lineno)
                for s in module.body
            ):  # (the module's tree may be another parse of the same text)
                owner = None
            else:
                owner = next((c.name for c in classes if function in c.body), callee)
            name = function.name
        elif isinstance(self.node, ast.FunctionDef | ast.AsyncFunctionDef) and (
            self.node.name == callee and depth == 0
        ):
            owner = self.owner_class.name if self.owner_class is not None else None
            name = callee
        elif isinstance(self.node, ast.Module) and depth == 0:
            name = callee  # a function of the module documented
        elif depth == 0 and callee:
            for candidate in classes:
                found = _initializer(candidate) if candidate.name == callee else None
                found = found or find_method(candidate, callee)
                if found is not None:
                    owner, name = candidate.name, found.name
                    break
        tree = module
        located = _located(tree, owner, name) if tree is not None and name else None
        if tree is None or located is None:
            return Demand()
        code = Code(tree, self.here_module, self.here_filename, self.here_root)
        return demand(located[1], code, located[0])

    def _with_positionals(
        self,
        signature: Sequence[Parameter],
        chosen: Mapping[str, str],
        callee: str | None,
        depth: int,
    ) -> list[str]:
        """The arguments of a call whose ``*args`` needs at least one: the parameters before
        it by position (their default when ``chosen`` leaves them out), then the extra
        positional literals of the project's own calls of ``callee``, else one value for an
        element, then the keyword-only parameters ``chosen`` gives. Empty when a required
        parameter before it has no value."""
        star = next((p for p in signature if p.kind == "var_positional"), None)
        if star is None:
            return []
        before = [p for p in signature if p.kind in {"positional_only", "positional_or_keyword"}]
        leading = [chosen.get(p.name, p.default) for p in before]
        if any(value is None for value in leading):
            return []
        extra: list[str] = []
        for call in call_literals.literal_calls(self.symbol.path, callee) if callee else ():
            rest = call.positional[len(before) :]
            bound = call_literals.bind(call, signature)
            if rest and all(r is not None for r in rest) and bound is not None:
                extra = [str(r) for r in rest]
                break
        if not extra:
            element = Parameter(name=star.name.rstrip("s") or "value", annotation=star.annotation)
            extra = [self.value(element, depth)]
        keywords = [
            f"{p.name}={chosen[p.name]}"
            for p in signature
            if p.kind == "keyword_only" and p.name in chosen
        ]
        return [*(str(v) for v in leading), *extra, *keywords]

    # -- shapes -----------------------------------------------------------------------------

    def use_call(self, call: str, node: FunctionNode | None, loop_name: str = "item") -> None:
        """Append the statements that call ``call`` the way its kind needs; inside ``try`` /
        ``except`` for a function that ends by raising (what it raises, imported). The
        environment variables it (or what it reaches through ``self``) reads without a
        fallback are set first (:mod:`howto_ls.offline.environ`)."""
        if node is not None:
            owner = self._owner_of(node)
            reach = reached(owner, node) if owner is not None else [node]
            for variable, value in required_variables(reach).items():
                self.imports.append("import os")
                self.setup.append(f"os.environ[{variable!r}] = {value!r}".replace("'", '"'))
        start = len(self.body)
        self._raising_call(call, node, loop_name)
        if node is not None and self._demand(node.name, None, 0).in_except:
            # it reads the exception being handled: call it while one is
            inside = [f"    {line}" for line in self.body[start:]]
            self.body[start:] = [*_HANDLING, *inside]

    def _raising_call(self, call: str, node: FunctionNode | None, loop_name: str) -> None:
        raised = (
            raised_exception(node, self._owner_of(node))
            if isinstance(node, ast.FunctionDef)
            else None
        )
        if raised is None or node is None:
            self._use_call(call, node, loop_name)
            return
        start = len(self.body)
        if any(isinstance(n, ast.Return) and n.value is not None for n in own_nodes(node)):
            self._use_call(call, node, loop_name)
        else:
            self.body.append(call)  # nothing comes back from it
        inside = [f"    {line}" for line in self.body[start:]]
        caught = self._exception_class(raised)
        self.body[start:] = ["try:", *inside, f"except {caught} as error:", "    print(error)"]

    def _owner_of(self, node: FunctionNode) -> ast.ClassDef | None:
        """The class ``node`` is a method of: the symbol's own class or the class documented."""
        for candidate in (self.owner_class, self.node):
            if isinstance(candidate, ast.ClassDef) and node in candidate.body:
                return candidate
        return None

    def _exception_class(self, name: str) -> str:
        """How the example names the exception class ``name`` (as the code writes it),
        importing it from where the code gets it; ``Exception`` when it cannot be found."""
        if not name:
            return "Exception"
        short = name.rsplit(".", 1)[-1]
        if "." not in name and isinstance(getattr(builtins, name, None), type):
            return name
        if "." not in name and name in _class_names(self.here_source):
            return self._local_name(name)
        foreign = self._foreign_class(name)
        if foreign is not None:
            return self._foreign_import(foreign.import_path, foreign.module, foreign.node.name)
        imported = _imported_names(self.here_source, self.here_module, self.here_filename)
        module, imported_name = imported.get(name.split(".", 1)[0], ("", ""))
        if module and imported_name and "." not in name:
            self.imports.append(f"from {module} import {imported_name}")
            return imported_name
        if module and not imported_name and name.count(".") == 1:
            self.imports.append(f"from {module} import {short}")
            return short
        return "Exception"

    def _use_call(self, call: str, node: FunctionNode | None, loop_name: str = "item") -> None:
        returns = code(node.returns, 200) if node is not None and node.returns is not None else ""
        is_async = isinstance(node, ast.AsyncFunctionDef)
        generator = node is not None and is_generator(node)
        decorators = set(short_decorators(node)) if node is not None else set()
        if decorators & CONTEXT_MANAGER_DECORATORS:
            self.body += [f"with {call} as value:", "    print(value)"]
        elif decorators & ASYNC_CONTEXT_MANAGER_DECORATORS:
            self.needs_async = True
            self.body += [f"async with {call} as value:", "    print(value)"]
        elif (is_async and generator) or (not is_async and _ASYNC_ITER.search(returns)):
            self.needs_async = True
            self.body += [f"async for {loop_name} in {call}:", f"    print({loop_name})"]
        elif is_async:
            self.needs_async = True
            if returns == "None" or (node is not None and not _returns_value(node)):
                self.body.append(f"await {call}")
            else:
                self.body += [f"result = await {call}", "print(result)"]
        elif generator or _SYNC_ITER.search(returns):
            if node is not None and is_endless(node):
                self.imports.append("from itertools import islice")
                call = f"islice({call}, 5)"  # it never ends: the first five
            self.body += [f"for {loop_name} in {call}:", f"    print({loop_name})"]
        elif returns == "None" or (node is not None and not returns and not _returns_value(node)):
            self.body.append(call)
        else:
            self.body += [f"result = {call}", "print(result)"]

    def instance(
        self, class_node: ast.ClassDef | None, class_path: str, method: FunctionNode | None = None
    ) -> str:
        """Build an instance of the class at ``class_path``; return its variable name.

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
        if variable in {self.top, self.module_alias}:
            variable += "_obj"
        self.reserved.add(variable)
        if class_node is not None and is_abstract(class_node):
            concrete = self._concrete(class_node)
            if concrete is not None:
                class_node, class_path = concrete, self._local_name(concrete.name)
            else:
                class_path = self._subclass_in_setup(class_node, class_path)
        elif class_node is not None and self._refusing(class_node):
            concrete = self._concrete(class_node, working_only=True)
            if concrete is not None:
                class_node, class_path = concrete, self._local_name(concrete.name)
        self.built_class = class_node
        enum = class_node is not None and bool(
            {(dotted(b) or "").rsplit(".", 1)[-1] for b in class_node.bases} & _ENUM_BASES
        )
        members = (
            [n for n, _ in class_attributes(class_node) if not n.startswith("_")]
            if class_node is not None and enum
            else []
        )
        if members:  # an Enum is used by member, never called
            self.body.append(f"{variable} = {class_path}.{members[0]}")
            return variable
        made = self._made_by_maker(class_node, 0) if class_node is not None else None
        if made is not None:  # only another class of the module fills it in
            self.body.append(f"{variable} = {made}")
            return variable
        callee = class_node.name if class_node is not None else None
        init = _initializer(class_node) if class_node is not None else None
        args = self.arguments(
            self.constructor(class_node), needed=needed, callee=callee, function=init
        )
        if class_node is not None and find_method(class_node, "__aenter__") is not None:
            self.needs_async = True
            self.body.append(f"async with {class_path}({args}) as {variable}:")
            self.managed_from = len(self.body)
        elif (
            class_node is not None
            and find_method(class_node, "__enter__") is not None
            and not closes_only(class_node)
        ):
            self.body.append(f"with {class_path}({args}) as {variable}:")
            self.managed_from = len(self.body)
        else:
            self.body.append(f"{variable} = {class_path}({args})")
        return variable

    def _called_names(self) -> frozenset[str]:
        """The method names the symbol's code calls, with what its class's methods it reaches
        through ``self`` call (:func:`howto_ls.offline.state.reached`)."""
        if self.called is not None:
            return self.called
        node = self.node
        names = set(called_methods(node)) if node is not None else set()
        owner = self.owner_class
        if owner is not None and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for method in reached(owner, node):
                names |= called_methods(method)
        self.called = frozenset(names)
        return self.called

    def _refusing(self, node: ast.ClassDef, source: str | None = None) -> bool:
        """Whether an object of the class refuses a method the symbol's code calls
        (:func:`howto_ls.offline.standin.refuses`): a base that needs a subclass although
        nothing marks it abstract (Jinja's ``BaseLoader``, whose ``get_source`` raises)."""
        tree = _module_tree(source or self.source)
        return tree is not None and not implements(tree, node, self._called_names())

    def _concrete(
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
        tree = _module_tree(source or self.source)
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
        for found in tiers if working_only else (*tiers, *leaves, direct):
            if found:
                return min(found, key=lambda c: len(self.constructor(c, 0, source)))
        return None

    def _subclass_in_setup(self, node: ast.ClassDef, class_path: str) -> str:
        """Define ``MyName(Name)`` implementing each abstract method; its name."""
        from howto_ls.usage import abstract_methods

        name = f"My{class_path.rsplit('.', 1)[-1]}"
        lines = ["", f"class {name}({class_path}):"]
        for method in abstract_methods(node):
            prefix = "async def" if isinstance(method, ast.AsyncFunctionDef) else "def"
            lines += [f"    {prefix} {method.name}(self, *args, **kwargs):", "        return None"]
        if len(lines) == 2:
            lines.append("    pass")
        self.setup += [*lines, ""]
        return name

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
            parent = top_level_class(source or self.source, name) if "." not in name else None
            if parent is not None:
                found = self.constructor(parent, depth + 1, source)
            elif source is not None and source != self.here_source:
                continue  # names of a module other than the one being resolved
            elif (foreign := self._foreign_class(name)) is not None:
                outer, self.scope = self.scope, foreign
                try:
                    found = self.constructor(foreign.node, depth + 1, foreign.source)
                finally:
                    self.scope = outer
            else:
                continue
            if found:
                return found
        return []

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
            current = top_level_class(source or self.here_source, base) if base else None
            if current is not None:
                lineage.append(current)
        return None

    def for_function(self, node: FunctionNode, params: Sequence[Parameter]) -> str:
        """An example that calls a function, method, class method or property."""
        qualname = self.symbol.qualname
        owner = self.owner_class
        kind = method_kind(node, owner is not None, bool(self.parents) and owner is None)
        self.imports.append(f"from {self.import_path} import {self.top}")
        if kind == "nested function":
            outer = self.parents[0]
            if isinstance(outer, ast.FunctionDef | ast.AsyncFunctionDef):
                self.body.append(f"# {tick(node.name)} runs inside {tick(outer.name)}:")
                arguments = self.arguments(
                    _called(outer), receiver=False, callee=outer.name, function=outer
                )
                self.use_call(f"{outer.name}({arguments})", outer)
            else:
                self.body.append(f"print({self.top})")
            return self.render()
        class_path = qualname.rsplit(".", 1)[0] if owner is not None else ""
        loop_name = "chunk" if isinstance(node, ast.AsyncFunctionDef) else "item"
        if owner is None and self.command(node):
            return self.render()
        if kind in {"class method", "static method"}:
            if not self.doctest(node):
                call = f"{class_path}.{node.name}({self.arguments(params, callee=node.name)})"
                self.use_call(call, node, loop_name)
        elif kind == "property":
            variable = self.instance(owner, class_path, node)
            self.prepare_state(owner, node, variable)
            self._property(owner, variable, node.name)
        elif kind == "method":
            self._method(node, params, owner, class_path, loop_name)
        elif not self.doctest(node):
            self._round_trip(node, params, None, "")
            replaced = wrappers.replacement(node, self._scope())
            arguments = self.arguments(
                _called(node),
                receiver=False,
                callee=node.name,
                by_position=replaced is not None and replaced.positional,
            )
            called: FunctionNode | None = node
            if replaced is not None and replaced.plain and isinstance(node, ast.AsyncFunctionDef):
                # a plain wrapper returns what it calls: the plain function it was given
                called = replaced.delegate
            self.use_call(f"{node.name}({arguments})", called, loop_name)
        return self.render()

    def _scope(self, owner: ast.ClassDef | None = None) -> parameter_uses.Scope:
        """Where the module being built is, for following names into its project (or
        library)."""
        return parameter_uses.Scope(
            self.here_source, self.here_module, self.here_filename, self.here_root, owner
        )

    def prepare_state(self, owner: ast.ClassDef | None, node: FunctionNode, variable: str) -> None:
        """Bring ``variable`` (an instance of ``owner``) into the state ``node`` needs first
        (:func:`howto_ls.offline.state.preparation`): call the method that pushes or sets what
        it reads, or end the ``with`` block when ``__exit__`` sets it."""
        for attribute, value in assigned_first(owner, node) if owner is not None else ():
            if value.startswith("io."):
                self.imports.append("import io")
            self.body.append(f"{variable}.{attribute} = {value}")
        prepared = preparation(owner, node) if owner is not None else None
        if prepared is None:
            return
        if prepared.after_exit:
            if self.managed_from is not None:
                self.body.append(f"print({variable})")
                self.managed_until = len(self.body)
            return
        if prepared.method is not None:
            params = parameters_of(prepared.method)
            name = prepared.method.name
            call = f"{variable}.{name}({self.arguments(params, callee=name)})"
            self.use_call(call, prepared.method)

    def _round_trip(
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
                self._inherited_method(owner, forward_name)
                if owner is not None
                else _module_function(self.source, forward_name)
            )
            if forward is not None:
                break
        if forward is None or not _returns_value(forward):
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
        if owner is None and forward_name != self.top:
            self.imports.append(f"from {self._import_path_of(forward_name)} import {forward_name}")
        produced = self._fresh(snake_case(required[0].name))
        if produced in {self.top, self.module_alias}:
            produced += "_value"
        arguments = self.arguments(forward_params, callee=forward_name)
        self.body.append(f"{produced} = {prefix}{forward_name}({arguments})")
        self.reserved.add(produced)
        self.presets[required[0].name] = produced

    def _produced(
        self, node: FunctionNode, params: Sequence[Parameter], owner: ast.ClassDef, variable: str
    ) -> None:
        """A required parameter whose annotated type another method of the class returns
        (``Progress.update(task_id: TaskID)`` and ``add_task(...) -> TaskID``) gets what that
        method returns, called first on the same instance: only the class makes such values
        (ids, handles, tokens) that it accepts back."""
        scalar = {*_TYPE_VALUES, "Optional", "Union", "Callable", "Iterable", "Sequence"}
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
            if not param.annotation or param.name in self.presets:
                continue
            wanted = _unwrap(param.annotation).partition("[")[0].rsplit(".", 1)[-1]
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
            produced = self._fresh(snake_case(param.name))
            self.least = True  # a maker gets the least it needs: no made-up list items
            try:
                arguments = self.arguments(parameters_of(maker), callee=maker.name)
            finally:
                self.least = False
            call = f"{variable}.{maker.name}({arguments})"
            if isinstance(maker, ast.AsyncFunctionDef):
                self.needs_async = True
                call = f"await {call}"
            self.body.append(f"{produced} = {call}")
            self.reserved.add(produced)
            self.presets[param.name] = produced

    def _inherited_method(
        self, owner: ast.ClassDef, name: str, depth: int = 0
    ) -> FunctionNode | None:
        """Method ``name`` of ``owner`` or of a base class the project defines (three deep)."""
        found = find_method(owner, name)
        if found is not None or depth >= 3:
            return found
        for base in owner.bases:
            base_name = dotted(base) or ""
            parent = top_level_class(self.source, base_name) if "." not in base_name else None
            if parent is None:
                foreign = self._foreign_class(base_name)
                parent = foreign.node if foreign is not None else None
            if parent is not None and parent is not owner:
                found = self._inherited_method(parent, name, depth + 1)
                if found is not None:
                    return found
        return None

    def _property(self, owner: ast.ClassDef | None, variable: str, name: str) -> None:
        """Read the property; with a setter, first assign it a value of the setter's type (a
        property may have nothing to read before it is set), then read it."""
        if owner is None or not has_setter(owner, name):
            self.body.append(f"print({variable}.{name})")
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
        value = self.value(params[0], 1) if params and params[0].annotation else ""
        if not value or value == "None" or value.startswith("..."):
            value = f"{variable}.{name}"
            self.body.append(f"print({variable}.{name})")
        self.body += [f"{variable}.{name} = {value}", f"print({variable}.{name})"]

    def doctest(self, node: FunctionNode) -> bool:
        """Use the function's own docstring example (its ``>>>`` lines up to the first call of
        it), when those lines parse and need nothing but the module's names; else False."""
        docstring = ast.get_docstring(node) or ""
        lines: list[str] = []
        found = False
        raw_lines = [raw.strip() for raw in docstring.splitlines()]
        for index, text in enumerate(raw_lines):
            if text.startswith("... "):
                return False  # continuation lines: keep to simple examples
            if not text.startswith(">>> "):
                if lines and not text:
                    lines = []  # a new example starts after a blank line
                continue
            lines.append(text[4:])
            if re.search(rf"\b{re.escape(node.name)}\(", text):
                following = raw_lines[index + 1] if index + 1 < len(raw_lines) else ""
                if following.startswith("Traceback"):
                    lines = []  # this one shows an error: look for one that works
                    continue
                found = True
                break
        if not found:
            return False
        snippet = "\n".join(lines)
        try:
            tree = parse(snippet)
        except SyntaxError:
            return False
        assigned = {
            n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
        }
        assigned |= {
            (a.asname or a.name).split(".")[0]
            for n in ast.walk(tree)
            if isinstance(n, ast.Import | ast.ImportFrom)
            for a in n.names
        }
        loaded = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} - assigned
        known = set(dir(builtins))
        module_names = _top_level_names(self.source)
        for name in sorted(loaded - known):
            if name not in module_names:
                return False
            if name != self.top:
                self.imports.append(f"from {self._import_path_of(name)} import {name}")
        if any(isinstance(n, ast.Yield | ast.Await | ast.Return) for n in ast.walk(tree)):
            return False
        *before, last = tree.body
        self.body += [ast.unparse(statement) for statement in before]
        if isinstance(last, ast.Expr):
            self.body.append(f"print({ast.unparse(last.value)})")
        else:
            self.body.append(ast.unparse(last))
        return True

    def command(self, node: FunctionNode) -> bool:
        """A click/typer command run through its test runner; False for anything else."""
        if not is_command(node):
            return False
        receiver = ""
        for decorator in node.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            if isinstance(target, ast.Attribute):
                receiver = dotted(target.value) or ""
                break
        typer = re.search(r"^\s*(import typer|from typer\b)", self.source, re.MULTILINE)
        if typer and receiver and receiver != "typer":
            target_name = receiver.split(".")[0]
            self.imports += [
                "from typer.testing import CliRunner",
                f"from {self._import_path_of(target_name)} import {target_name}",
            ]
        else:
            target_name = node.name
            self.imports.append("from click.testing import CliRunner")
        self.body += [
            "runner = CliRunner()",
            f'result = runner.invoke({target_name}, ["--help"])',
            "print(result.output)",
        ]
        return True

    def _method(
        self,
        node: FunctionNode,
        params: Sequence[Parameter],
        owner: ast.ClassDef | None,
        class_path: str,
        loop_name: str,
    ) -> None:
        name = node.name
        owner_name = class_path.rsplit(".", 1)[-1]
        if name in {"__init__", "__new__"}:
            variable = snake_case(class_path.rsplit(".", 1)[-1])
            self.body += [
                f"{variable} = {class_path}({self.arguments(params, callee=owner_name)})",
                f"print({variable})",
            ]
            return
        if name in {"__enter__", "__exit__", "__aenter__", "__aexit__"}:
            args = self.arguments(self.constructor(owner), callee=owner_name)
            variable = snake_case(class_path.rsplit(".", 1)[-1])
            if name.startswith("__a"):
                self.needs_async = True
                self.body += [
                    f"async with {class_path}({args}) as {variable}:",
                    f"    print({variable})",
                ]
            else:
                self.body += [f"with {class_path}({args}) as {variable}:", f"    print({variable})"]
            return
        if not name.startswith("__") and self.doctest(node):
            return
        variable = self.instance(owner, class_path, node)
        stand_in = self.built_class
        if stand_in is not None and stand_in is not owner:
            # a concrete subclass stands in for the class: its version of the method runs
            override = find_method(stand_in, name)
            if override is not None:
                node, params = override, parameters_of(override)
        self.prepare_state(owner, node, variable)
        self._round_trip(node, params, owner, f"{variable}.")
        if owner is not None:
            self._produced(node, params, owner, variable)
        if name == "__call__":
            arguments = self.arguments(params, callee=name, function=node)
            self.use_call(f"{variable}({arguments})", node, loop_name)
        elif name in {"__aiter__", "__anext__"}:
            self.needs_async = True
            self.body += [f"async for {loop_name} in {variable}:", f"    print({loop_name})"]
        elif name in _DUNDER_USE:
            self.body += _DUNDER_USE[name].format(obj=variable).splitlines()
        else:
            call = f"{variable}.{name}({self.arguments(params, callee=name, function=node)})"
            self.use_call(call, node, loop_name)

    def for_class(self, node: ast.ClassDef, main: FunctionNode | None) -> str:
        """An example that builds the class and calls its main method."""
        qualname = self.symbol.qualname
        self.imports.append(f"from {self.import_path} import {self.top}")
        bases = {(dotted(b) or "").rsplit(".", 1)[-1] for b in node.bases}
        if bases & _ENUM_BASES:
            members = [name for name, _ in class_attributes(node) if not name.startswith("_")]
            if members:
                self.body.append(f"print({qualname}.{members[0]})")
            self.body += [f"for member in {qualname}:", "    print(member.name, member.value)"]
            return self.render()
        if _is_exception(node.name, bases):
            params = self.constructor(node)  # with ``self``: empty when Exception's is used
            args = self.arguments(params, callee=node.name) if params else '"example"'
            self.body += [
                "try:",
                f"    raise {qualname}({args})",
                f"except {qualname} as error:",
                "    print(error)",
            ]
            return self.render()
        if main is None or main.name in {"__init__", "__new__"}:
            variable = self.instance(node, qualname)
            self.body.append(f"print({variable})")
            return self.render()
        params = parameters_of(main)
        kind = method_kind(main, True, False)
        loop_name = "chunk" if isinstance(main, ast.AsyncFunctionDef) else "item"
        if kind in {"class method", "static method"}:
            call = f"{qualname}.{main.name}({self.arguments(params, callee=main.name)})"
            self.use_call(call, main, loop_name)
        elif kind == "property":
            variable = self.instance(node, qualname, main)
            self.prepare_state(node, main, variable)
            self._property(node, variable, main.name)
        else:
            self._method(main, params, node, qualname, loop_name)
        return self.render()

    def for_type_checking(self, node: ast.AST | None) -> str:
        """An example for a name that exists only for type checkers (``node``, its definition
        under ``if TYPE_CHECKING:``): imported there, annotating a function, and that function
        called with an object of the shape it describes (a class implementing a protocol's
        methods, or a value of what an alias stands for)."""
        top = self.top
        self.imports.append("from typing import TYPE_CHECKING")
        self.setup += ["if TYPE_CHECKING:", f"    from {self.symbol.module} import {top}", ""]
        if isinstance(node, ast.ClassDef):
            runtime = f"{self._shaped_class(node)}()"
        else:
            runtime = self.value(Parameter("value", top))
        function = f"use_{snake_case(top)}"
        self.setup += ["", f"def {function}(value: {top}) -> {top}:", "    return value", ""]
        self.body.append(f"print({function}({runtime}))")
        return "from __future__ import annotations\n\n" + self.render()

    def _private_protocol(self, annotation: str) -> str | None:
        """An object of the shape of the private protocol ``annotation`` names (``_Client``,
        ``_Serializer[t.Any]``) when it is a class of this module; else None."""
        head = annotation.partition("[")[0].strip().strip("'\"")
        if not head.startswith("_") or not head.isidentifier():
            return None
        node = top_level_class(self.here_source, head)
        if node is None or "Protocol" not in {
            code(b, 80).partition("[")[0].rsplit(".", 1)[-1] for b in node.bases
        }:
            return None
        return f"{self._shaped_class(node)}()"

    def _shaped_class(self, node: ast.ClassDef) -> str:
        """A class the example defines with the methods of the protocol ``node`` (structural
        typing, PEP 544: no base class needed), each returning a value of its return
        annotation (None when none can be built); its name."""
        name = f"My{node.name.lstrip('_')}"
        header = f"class {name}:"
        if header in self.setup:
            return name
        lines = ["", header]
        for method in node.body:
            if not isinstance(method, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            returns = code(method.returns, 200) if method.returns is not None else ""
            value = self._returned(returns) if returns else "None"
            prefix = "async def" if isinstance(method, ast.AsyncFunctionDef) else "def"
            if len(lines) > 2:
                lines.append("")  # a blank line between methods
            if any(isinstance(d, ast.Name) and d.id == "property" for d in method.decorator_list):
                lines.append("    @property")
                lines.append(f"    def {method.name}(self):")
            else:
                lines.append(f"    {prefix} {method.name}(self, *args, **kwargs):")
            lines.append(f"        return {value}")
        if len(lines) == 2:
            lines.append("    pass")
        self.setup += [*lines, ""]
        return name

    def _returned(self, annotation: str) -> str:
        """A value of the return annotation ``annotation`` for a method the example defines;
        "None" when none can be built without a placeholder."""
        if _unwrap(annotation).rsplit(".", 1)[-1] in {"None", "Any", "object", "NoReturn"}:
            return "None"
        saved = list(self.setup), list(self.imports), dict(self.bound), set(self.reserved)
        value = self.value(Parameter("result", annotation), MAX_BUILD_DEPTH - 1)
        if any(line.startswith(f"{value} = ...  #") for line in self.setup):
            self.setup, self.imports, self.bound, self.reserved = saved
            return "None"
        return value

    def for_variable(self) -> str:
        """An example that imports the variable (or its class) and prints it."""
        self.imports.append(f"from {self.import_path} import {self.top}")
        self.body.append(f"print({self.symbol.qualname})")
        return self.render()

    def for_module(self, tree: ast.Module) -> str:
        """An example that imports the module and calls its first public function."""
        path = self.import_path
        alias = path.rsplit(".", 1)[-1]
        self.module_alias = alias
        if "." in path:
            self.imports.append(f"from {path.rsplit('.', 1)[0]} import {alias}")
        else:
            self.imports.append(f"import {path}")
        functions = [
            n
            for n in tree.body
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and not n.name.startswith("_")
        ]
        classes = [
            n for n in tree.body if isinstance(n, ast.ClassDef) and not n.name.startswith("_")
        ]
        if functions:
            main = next((f for f in functions if f.name == "main"), functions[0])
            arguments = self.arguments(
                _called(main), receiver=False, callee=main.name, function=main
            )
            call = f"{alias}.{main.name}({arguments})"
            self.use_call(call, main)
        elif classes:
            variable = self.instance(classes[0], f"{alias}.{classes[0].name}")
            self.body.append(f"print({variable})")
        else:
            exported = _exported_names(tree)
            variables = _module_variables(tree)
            if exported:
                self.body += [f"print({alias}.{name})" for name in exported[:3]]
            elif variables:
                # the variables themselves: a package may bind the module's name to one of
                # them (``requests.__version__`` is a string once ``requests`` is imported)
                self.imports[-1] = f"from {path} import {', '.join(variables[:3])}"
                self.body += [f"print({name})" for name in variables[:3]]
            else:
                self.body.append(f"print({alias}.__name__)")
        return self.render()

    def render(self) -> str:
        """The example's source text."""
        lines: list[str] = []
        if self.needs_async:
            lines.append("import asyncio")
        imports = _merged(self.imports)
        std = [i for i in imports if i.startswith(("from pathlib", "from itertools", "import "))]
        lines += std
        if lines:
            lines.append("")
        lines += [i for i in imports if i not in std]
        if self.setup:
            lines += ["", *self.setup]
        body = self.body
        if self.managed_from is not None:
            start, end = self.managed_from, self.managed_until or len(body)
            inside = [f"    {line}" for line in body[start:end]] or ["    pass"]
            body = [*body[:start], *inside, *body[end:]]
        if self.needs_async:
            lines += ["", "", "async def main() -> None:"]
            lines += [f"    {line}" for line in body]
            lines += ["", "", "asyncio.run(main())"]
        else:
            lines += ["", *body]
        text = "\n".join(lines).strip("\n") + "\n"
        return _checked(text, self.import_path, self.top)


@functools.lru_cache(maxsize=8)
def _top_level_names(source: str) -> frozenset[str]:
    """Names defined or assigned at the top level of ``source`` (not imported ones)."""
    try:
        tree = parse(source)
    except SyntaxError:
        return frozenset()
    names: set[str] = set()
    for statement in tree.body:
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(statement.name)
        elif isinstance(statement, ast.Assign):
            names |= {t.id for t in statement.targets if isinstance(t, ast.Name)}
    return frozenset(names)


@functools.lru_cache(maxsize=8)
def _class_names(source: str) -> frozenset[str]:
    """The names of the classes defined at the top level of ``source``."""
    return frozenset(re.findall(r"^class[ \t]+(\w+)", source, re.MULTILINE))


@functools.lru_cache(maxsize=256)
def _type_checking_only(source: str, name: str) -> bool:
    """Whether ``source`` defines or imports ``name`` only under ``if TYPE_CHECKING:``."""
    tree = _module_tree(source)  # asked for every symbol: parse each module once
    return tree is not None and type_checking_only(tree, name)


def _is_abstract(node: ast.ClassDef) -> bool:
    """Whether the class declares abstract methods (``@abstractmethod`` and the like)."""
    for statement in node.body:
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef) and any(
            name.rsplit(".", 1)[-1].startswith("abstract") for name in decorator_names(statement)
        ):
            return True
    return False


def _package_root(path: Path, module: str) -> Path | None:
    """The folder ``module`` is imported from, when ``path`` lies where its name says."""
    parts = module.split(".")
    packages = parts if path.name == "__init__.py" else parts[:-1]
    if path.name != "__init__.py" and path.stem != parts[-1]:
        return None
    folder = path.parent
    for name in reversed(packages):
        if folder.name != name:
            return None
        folder = folder.parent
    return folder


def _layout(variable: str, expression: str) -> list[str]:
    """``variable = expression``, broken one item per line where a line would be too long."""
    return _broken(f"{variable} = ", expression, "", "")


def _broken(prefix: str, expression: str, suffix: str, indent: str) -> list[str]:
    """The lines of ``prefix + expression + suffix``, splitting lists, dicts and calls."""
    line = f"{indent}{prefix}{expression}{suffix}"
    if len(line) <= LINE_LIMIT:
        return [line]
    try:
        node = parse_expression(expression)
    except SyntaxError:
        return [line]

    def segment(part: ast.AST) -> str:
        return ast.get_source_segment(expression, part) or ""

    if isinstance(node, ast.List):
        opening, closing = "[", "]"
        pieces = [("", segment(item)) for item in node.elts]
    elif isinstance(node, ast.Dict) and all(key is not None for key in node.keys):
        opening, closing = "{", "}"
        pieces = [
            (f"{segment(key)}: ", segment(value))
            for key, value in zip(node.keys, node.values, strict=True)
            if key is not None
        ]
    elif isinstance(node, ast.Call):
        opening, closing = f"{segment(node.func)}(", ")"
        pieces = [("", segment(argument)) for argument in node.args]
        pieces += [(f"{k.arg}=" if k.arg else "**", segment(k.value)) for k in node.keywords]
    else:
        return [line]
    if not pieces or any(not text for _, text in pieces):
        return [line]
    lines = [f"{indent}{prefix}{opening}"]
    for head, text in pieces:
        lines += _broken(head, text, ",", indent + "    ")
    return [*lines, f"{indent}{closing}{suffix}"]


def _merged(imports: Sequence[str]) -> list[str]:
    """The import lines, with the names imported from one module joined into one line."""
    groups: dict[str, list[str]] = {}
    for line in dict.fromkeys(imports):
        match = re.fullmatch(r"from (\S+) import (\w+)", line)
        key, name = (match.group(1), match.group(2)) if match else (line, "")
        groups.setdefault(key, [])
        if name:
            groups[key].append(name)
    return [
        f"from {key} import {', '.join(sorted(names, key=_import_order))}" if names else key
        for key, names in groups.items()
    ]


def _import_order(name: str) -> tuple[int, str]:
    """isort's order by type: CONSTANTS, then Classes, then the rest."""
    kind = 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2
    return kind, name


def _exported_names(tree: ast.Module) -> list[str]:
    """What a module without functions or classes offers: the names of ``__all__`` it binds
    at run time (or its ``__getattr__`` answers), else public names it imports or assigns at
    its top level."""
    from howto_ls.project import runtime_names, runtime_statements

    for statement in tree.body:
        if (
            isinstance(statement, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__all__" for t in statement.targets)
            and isinstance(statement.value, ast.List | ast.Tuple)
        ):
            listed = [
                e.value
                for e in statement.value.elts
                if isinstance(e, ast.Constant) and isinstance(e.value, str)
            ]
            bound = runtime_names(tree)
            if "*" in bound:
                return listed  # a star import may bind any of them
            return [name for name in listed if name in bound]

    names: list[str] = []
    for statement in runtime_statements(tree.body):
        if isinstance(statement, ast.ImportFrom):
            names += [a.asname or a.name for a in statement.names if a.name != "*"]
        elif isinstance(statement, ast.Assign):
            names += [t.id for t in statement.targets if isinstance(t, ast.Name)]
    return [n for n in dict.fromkeys(names) if not n.startswith("_") and n != "annotations"]


def _module_variables(tree: ast.Module) -> list[str]:
    """The variables a module assigns at its top level, ``__version__``-style ones included
    (``__all__`` and the like left out)."""
    names = [
        target.id
        for statement in tree.body
        if isinstance(statement, ast.Assign | ast.AnnAssign)
        for target in (
            statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        )
        if isinstance(target, ast.Name)
    ]
    skipped = {"__all__", "__slots__", "__path__", "__getattr__"}
    return [n for n in dict.fromkeys(names) if n not in skipped]


def _root_name(node: ast.expr) -> str:
    """The name an expression starts from: ``x`` for ``x``, ``x.lower()``, ``x.strip().a``."""
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            node = node.value
        elif isinstance(node, ast.Name):
            return node.id
        else:
            return ""


def _called(node: FunctionNode) -> list[Parameter]:
    """The parameters a call of the module function ``node`` passes: its signature's, with the
    names its docstring documents but ``*args`` takes (``evolve(*args, **changes)`` documenting
    ``inst``) as positional-only parameters in the place of ``*args``."""
    params = parameters_of(node)
    if not any(p.kind == "var_positional" for p in params):
        return params
    named = {p.name for p in params}
    documented = documented_parameters(ast.get_docstring(node) or "")
    start = next(i for i, p in enumerate(params) if p.kind == "var_positional")
    extra = [
        Parameter(name, kind="positional_only")
        for name in dict.fromkeys(documented)
        if name not in named
    ]
    return [*params[:start], *extra, *params[start:]]


def _allows_none(annotation: str) -> bool:
    """Whether an annotation admits None: ``Optional[X]``, ``X | None``, ``Union[X, None]``."""
    return bool(re.search(r"\bOptional\[|\bNone\b", annotation))


def _returns_value(node: FunctionNode) -> bool:
    return any(
        isinstance(n, ast.Return)
        and n.value is not None
        and not (isinstance(n.value, ast.Constant) and n.value.value is None)
        for n in own_nodes(node)
    )


def _checked(text: str, import_path: str, top: str) -> str:
    """``text`` if it parses; otherwise a minimal example that does."""
    try:
        parse(text)
    except SyntaxError:
        safe_top = top if top.isidentifier() else "module"
        return f"from {import_path} import {safe_top}\n\nprint({safe_top})\n"
    return text


_LITERAL_TYPES: dict[type, frozenset[str]] = {
    str: frozenset({"str", "AnyStr", "Text", "StrPath", "StrOrBytesPath", "LiteralString"}),
    int: frozenset({"int", "float", "complex", "SupportsInt", "SupportsIndex", "Number"}),
    float: frozenset({"float", "complex", "SupportsFloat", "Number"}),
    bool: frozenset({"bool"}),
    bytes: frozenset({"bytes", "AnyStr", "ByteString", "Buffer", "ReadableBuffer"}),
    list: _LIST_TYPES | frozenset({"list"}),
    tuple: frozenset({"tuple", "Tuple", "Sequence", "Iterable", "Collection"}),
    set: frozenset({"set", "Set", "AbstractSet", "MutableSet", "Iterable", "Collection"}),
    dict: _DICT_TYPES,
}
_ANYTHING = frozenset({"Any", "object"})


def _literal_fits(param: Parameter, text: str) -> bool:
    """Whether the literal ``text`` is a value of a type ``param``'s annotation names (any
    literal fits an unannotated parameter; ``None`` fits none)."""
    if text.startswith("lambda"):
        return not param.annotation or any(
            a.partition("[")[0].rsplit(".", 1)[-1] in {"Callable", *_ANYTHING}
            for a in _alternatives(param.annotation)
        )
    try:
        value = ast.literal_eval(parse(text, mode="eval"))
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return False
    if value is None:
        return False
    if not param.annotation:
        return True
    accepted = _LITERAL_TYPES.get(type(value), frozenset())
    for alternative in _alternatives(param.annotation):
        head = alternative.partition("[")[0].rsplit(".", 1)[-1]
        if head in accepted or head in _ANYTHING:
            return True
    return False


def _plain_quotes(text: str) -> bool:
    """Whether ``text`` (a literal's source) holds single-quoted strings that read the same
    with double quotes, the way the rest of an example is written."""
    return "'" in text and '"' not in text and "\\" not in text


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
"""Method names that make a new value of the class's own (``add_task`` -> ``TaskID``), as
opposed to those that hand back one it holds (``pop``, ``get``)."""


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


def _module_function(source: str, name: str) -> FunctionNode | None:
    """The top-level function ``name`` of ``source``, or None."""
    try:
        tree = parse(source)
    except SyntaxError:
        return None
    for statement in tree.body:
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef) and statement.name == name:
            return statement
    return None


@functools.lru_cache(maxsize=16)
def _package_classes(root: Path, package: str) -> tuple[tuple[str, str], ...]:
    """(module, class name) of the public top-level classes in the package ``package`` under
    ``root`` (at most 400 files read; cached for the session)."""
    folder = root / package
    found: list[tuple[str, str]] = []
    files = sorted(folder.rglob("*.py"))[:400] if folder.is_dir() else []
    for path in files:
        relative = path.relative_to(root).with_suffix("")
        parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
        if any(part.startswith("_") and part != "__init__" for part in parts[1:]):
            continue
        text = _project_text(path, root)
        for name in re.findall(r"^class ([A-Za-z]\w*)", text or "", re.MULTILINE):
            found.append((".".join(parts), name))
    return tuple(found)


def _covers(offered: frozenset[str], used: set[str]) -> bool:
    """Whether a class offering ``offered`` has at least two thirds of the attributes ``used``
    (code may also set attributes a class does not declare)."""
    return 3 * len(used & offered) >= 2 * len(used)


@functools.lru_cache(maxsize=256)
def _first_dict_key(source: str, table: str) -> str | None:
    """The first string key of ``table = {...}`` (annotated or not) at the top of ``source``,
    as a double-quoted literal; None when there is no such dict."""
    if not re.search(rf"^{re.escape(table)}\b", source, re.MULTILINE):
        return None
    try:
        tree = parse(source)
    except SyntaxError:
        return None
    for statement in tree.body:
        targets = (
            statement.targets
            if isinstance(statement, ast.Assign)
            else [statement.target]
            if isinstance(statement, ast.AnnAssign)
            else []
        )
        value = getattr(statement, "value", None)
        if not any(isinstance(t, ast.Name) and t.id == table for t in targets):
            continue
        if isinstance(value, ast.Dict):
            for key in value.keys:
                text = key.value if isinstance(key, ast.Constant) else None
                if isinstance(text, str) and '"' not in text and "\\" not in text:
                    return f'"{text}"'
    return None


def _other_than(refused: Mapping[str, str], param: Parameter) -> Parameter:
    """``param`` with the alternative of its annotation the code refuses (``refused``:
    parameter -> class) left out: ``TimeoutTypes | UnsetType`` -> ``TimeoutTypes``."""
    kind = refused.get(param.name)
    if kind is None or not param.annotation:
        return param
    kept = [a for a in _alternatives(param.annotation) if a.rsplit(".", 1)[-1] != kind]
    return dataclasses.replace(param, annotation=" | ".join(kept) or None)


def _located(
    tree: ast.Module, owner: str | None, name: str
) -> tuple[ast.ClassDef | None, FunctionNode] | None:
    """Method ``name`` of the class ``owner`` of ``tree`` (its top-level class of that name,
    else any), or the module function ``name`` when ``owner`` is None; with its class."""
    if owner is None:
        function = next(
            (
                s
                for s in tree.body
                if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef) and s.name == name
            ),
            None,
        )
        return (None, function) if function is not None else None
    classes = [s for s in tree.body if isinstance(s, ast.ClassDef) and s.name == owner]
    if not classes:  # a class defined under ``if``/``try`` or in a function
        classes = [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.name == owner]
    for node in classes:
        method = find_method(node, name)
        if method is not None:
            return node, method
    return None


def _initializer(node: ast.ClassDef) -> FunctionNode | None:
    """The class's own ``__init__`` (else ``__new__``), or None."""
    return find_method(node, "__init__") or find_method(node, "__new__")


def _code_of(definition: ast.AST | None) -> FunctionNode | None:
    """The function whose code receives a definition's parameters: the function itself, a
    class's constructor (:func:`_initializer`); None for anything else."""
    if isinstance(definition, ast.ClassDef):
        return _initializer(definition)
    return definition if isinstance(definition, ast.FunctionDef | ast.AsyncFunctionDef) else None
