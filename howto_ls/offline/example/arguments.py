"""The arguments of a call: what the code compares against, the project passes, requires."""

from __future__ import annotations

import ast
import dataclasses
import functools
import re
from collections.abc import Mapping, Sequence

from howto_ls.astutil import own_nodes, parse
from howto_ls.model import Parameter
from howto_ls.offline import call_literals, parameter_uses
from howto_ls.offline.aliases import find_alias
from howto_ls.offline.aliases import imported_names as _imported_names
from howto_ls.offline.analysis import FunctionNode, find_method, is_receiver, parse_module
from howto_ls.offline.conversions import accepted_literal, derived_names
from howto_ls.offline.example.annotation_text import (
    MAPPING_TYPES,
    SEQUENCE_TYPES,
    allows_none,
    union_members,
)
from howto_ls.offline.example.foreign import import_root, project_file_text
from howto_ls.offline.example.part import Part
from howto_ls.offline.example.reading import function_of, initializer
from howto_ls.offline.example.tables import VALUES_BY_TYPE
from howto_ls.offline.required import Code, Demand, demand
from howto_ls.offline.state import methods_of
from howto_ls.project import module_file, public_import_path

_NOTABLE = re.compile(
    r"^(url|base_url|path|file|filename|source|code|text|data|content|message|messages|prompt|"
    r"query|name|host)$"
)


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


_LITERAL_TYPES: dict[type, frozenset[str]] = {
    str: frozenset({"str", "AnyStr", "Text", "StrPath", "StrOrBytesPath", "LiteralString"}),
    int: frozenset({"int", "float", "complex", "SupportsInt", "SupportsIndex", "Number"}),
    float: frozenset({"float", "complex", "SupportsFloat", "Number"}),
    bool: frozenset({"bool"}),
    bytes: frozenset({"bytes", "AnyStr", "ByteString", "Buffer", "ReadableBuffer"}),
    list: SEQUENCE_TYPES | frozenset({"list"}),
    tuple: frozenset({"tuple", "Tuple", "Sequence", "Iterable", "Collection"}),
    set: frozenset({"set", "Set", "AbstractSet", "MutableSet", "Iterable", "Collection"}),
    dict: MAPPING_TYPES,
}


_ANYTHING = frozenset({"Any", "object"})


def _literal_fits(param: Parameter, text: str) -> bool:
    """Whether the literal ``text`` is a value of a type ``param``'s annotation names (any
    literal fits an unannotated parameter; ``None`` fits none)."""
    if text.startswith("lambda"):
        return not param.annotation or any(
            a.partition("[")[0].rsplit(".", 1)[-1] in {"Callable", *_ANYTHING}
            for a in union_members(param.annotation)
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
    for alternative in union_members(param.annotation):
        head = alternative.partition("[")[0].rsplit(".", 1)[-1]
        if head in accepted or head in _ANYTHING:
            return True
    return False


def _plain_quotes(text: str) -> bool:
    """Whether ``text`` (a literal's source) holds single-quoted strings that read the same
    with double quotes, the way the rest of an example is written."""
    return "'" in text and '"' not in text and "\\" not in text


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
    kept = [a for a in union_members(param.annotation) if a.rsplit(".", 1)[-1] != kind]
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


class Arguments(Part):
    """Writes the arguments of a call of the symbol, a constructor or a method."""

    def _expanded(self, param: Parameter) -> Parameter:
        """``param`` with an annotation that names a type alias, NewType or TypeVar replaced
        by what it stands for (``UnparsedVersion`` -> ``Union[Version, str]``), one level."""
        annotation = param.annotation or ""
        head = annotation.partition("[")[0].strip()
        root = self.draft.here_root
        if not head or root is None or head.rsplit(".", 1)[-1] in VALUES_BY_TYPE:
            return param
        alias = find_alias(
            head, self.draft.here_source, self.draft.here_module, self.draft.here_filename, root
        )
        if alias is None:
            return param
        return dataclasses.replace(param, annotation=alias.expansion)

    def compared_literal(self, name: str, function: ast.AST | None = None) -> str | None:
        """A string the code of ``function`` (by default the symbol) compares parameter
        ``name`` against (``name == "default"``, ``name.lower() in ("a", "b")``), or a key
        of the module-level dict it looks ``name`` up in (``SPINNERS[name]``, ``name in
        STYLES``), else text of the shape a parser it hands ``name`` to accepts
        (:func:`howto_ls.offline.conversions.accepted_literal`): a value the code is
        written to accept. Names derived from ``name`` (``norm = name.strip().lower()``)
        count as ``name``."""
        node = self.draft.node if function is None else function
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
        owner = self.calls.owner_of(node)
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
        key = _first_dict_key(self.draft.here_source, table)
        if key is not None:
            return key
        target = _imported_names(
            self.draft.here_source, self.draft.here_module, self.draft.here_filename
        ).get(table)
        symbol = self.draft.symbol
        root = import_root(symbol.path, symbol.module) if symbol.module else None
        if target is None or root is None or not target[1]:
            return None
        path = module_file(target[0], root)
        source = project_file_text(path, root) if path is not None else None
        return _first_dict_key(source, target[1]) if source else None

    def class_constant(self, name: str) -> str | None:
        owner = self.draft.owner_class
        if owner is None and isinstance(self.draft.node, ast.ClassDef):
            owner = self.draft.node
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
        for call in call_literals.literal_calls(self.draft.symbol.path, callee):
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
                rank = (call.in_doctest, len(fitting), call.path == self.draft.symbol.path)
                ranked.append((rank, fitting))
        chosen: dict[str, str] = {}
        for _, fitting in sorted(ranked, key=lambda item: item[0], reverse=True):
            for name, text in fitting.items():
                chosen.setdefault(name, text.replace("'", '"') if _plain_quotes(text) else text)
        root = (
            import_root(self.draft.symbol.path, self.draft.symbol.module)
            if self.draft.symbol.module
            else None
        )
        for text in chosen.values():
            if text in constants:  # imported when an argument uses it
                module = constants[text]
                path = public_import_path(module, text, root) if root is not None else module
                self.draft.constant_imports[text] = f"from {path} import {text}"
        return chosen

    def for_call(
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
        required = self.demand_of(callee, function, depth)
        if required.in_except and callee:
            self.draft.excepting.add(callee)
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
            elif param.kind == "positional_only" and allows_none(param.annotation or ""):
                value = "None"  # a required position the annotation lets one leave empty
            else:
                preset = self.draft.presets.get(param.name) if depth == 0 else None
                compared = (
                    self.compared_literal(param.name, function)
                    if depth == 0 or function is not None
                    else None
                )
                if compared is not None and not _literal_fits(param, compared):
                    compared = None
                value = (
                    preset
                    or compared
                    or literals.get(param.name)
                    or self.values.value(param, depth, function)
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
            if value in self.draft.constant_imports:
                self.draft.imports.append(self.draft.constant_imports[value])
        if required.star:
            parts = self._with_positionals(signature, chosen, callee, depth, function) or parts
        if not parts and literals:
            written = [p for p in usable if p.name in literals]
            for param in written[:3]:
                value = literals[param.name]
                parts.append(value if param.kind == "positional_only" else f"{param.name}={value}")
                if value in self.draft.constant_imports:
                    self.draft.imports.append(self.draft.constant_imports[value])
        if not parts:
            notable = next(
                (
                    p
                    for p in usable
                    if _NOTABLE.search(p.name)
                    and (not p.annotation or union_members(p.annotation)[0] in {"str", "Path"})
                ),
                None,
            )
            if notable is not None:
                value = self.values.value(notable, depth, function)
                shown = value if notable.kind == "positional_only" else f"{notable.name}={value}"
                parts.append(shown)
        return ", ".join(parts)

    def demand_of(self, callee: str | None, function: ast.AST | None, depth: int) -> Demand:
        """What the code of the definition being called requires beyond its required
        parameters (:func:`howto_ls.offline.required.demand`): ``function`` (a constructor of
        the class ``callee``), else at the top level the symbol or the method of its class that
        ``callee`` names."""
        owner: str | None = None
        name: str | None = None
        classes = [
            c for c in (self.draft.owner_class, self.draft.node) if isinstance(c, ast.ClassDef)
        ]
        module = parse_module(self.draft.here_source)
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
        elif isinstance(self.draft.node, ast.FunctionDef | ast.AsyncFunctionDef) and (
            self.draft.node.name == callee and depth == 0
        ):
            owner = self.draft.owner_class.name if self.draft.owner_class is not None else None
            name = callee
        elif isinstance(self.draft.node, ast.Module) and depth == 0:
            name = callee  # a function of the module documented
        elif depth == 0 and callee:
            for candidate in classes:
                found = initializer(candidate) if candidate.name == callee else None
                found = found or find_method(candidate, callee)
                if found is not None:
                    owner, name = candidate.name, found.name
                    break
        tree = module
        located = _located(tree, owner, name) if tree is not None and name else None
        if tree is None or located is None:
            return Demand()
        code = Code(tree, self.draft.here_module, self.draft.here_filename, self.draft.here_root)
        return demand(located[1], code, located[0])

    def _first_item(self, star: str, function: ast.AST | None) -> list[str]:
        """A value for the first item of ``*star`` that survives what ``function`` does with
        it (``func = args[0]; if not callable(func): raise``: a function), as a one-item
        list; empty when its code tells nothing or a string already fits."""
        node = function_of(function)
        if node is None:
            return []
        owner = self.calls.owner_of(node)
        use = parameter_uses.first_item_use(node, star, self.calls.parameter_scope(owner))
        if use is None or use.fits_text('"example"'):
            return []
        found = parameter_uses.guess(use)
        if found is None:
            return []
        self.draft.imports.extend(found.imports)
        return [found.expression]

    def _with_positionals(
        self,
        signature: Sequence[Parameter],
        chosen: Mapping[str, str],
        callee: str | None,
        depth: int,
        function: ast.AST | None = None,
    ) -> list[str]:
        """The arguments of a call whose ``*args`` needs at least one: the parameters before
        it by position (their default when ``chosen`` leaves them out), then the extra
        positional literals of the project's own calls of ``callee``, else one value for an
        element (one that survives what ``function``, the definition called, does with
        ``args[0]``: :func:`howto_ls.offline.parameter_uses.first_item_use`), then the
        keyword-only parameters ``chosen`` gives. Empty when a required parameter before it
        has no value."""
        star = next((p for p in signature if p.kind == "var_positional"), None)
        if star is None:
            return []
        before = [p for p in signature if p.kind in {"positional_only", "positional_or_keyword"}]
        leading = [chosen.get(p.name, p.default) for p in before]
        if any(value is None for value in leading):
            return []
        extra: list[str] = []
        for call in call_literals.literal_calls(self.draft.symbol.path, callee) if callee else ():
            rest = call.positional[len(before) :]
            bound = call_literals.bind(call, signature)
            if rest and all(r is not None for r in rest) and bound is not None:
                extra = [str(r) for r in rest]
                break
        if not extra and not star.annotation:
            extra = self._first_item(star.name, function)
        if not extra:
            element = Parameter(name=star.name.rstrip("s") or "value", annotation=star.annotation)
            extra = [self.values.value(element, depth)]
        keywords = [
            f"{p.name}={chosen[p.name]}"
            for p in signature
            if p.kind == "keyword_only" and p.name in chosen
        ]
        return [*(str(v) for v in leading), *extra, *keywords]
