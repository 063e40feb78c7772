"""Strings a function's own code can convert: what a parameter must look like to get through.

A parameter the code hands to a standard-library parser (``uuid.UUID(value)``,
``float(value)``, ``json.loads(text)``, ``datetime.strptime(value, "%Y-%m-%d")``,
``socket.inet_aton(ip)``) or unpacks from a split (``major, minor, patch = v.split(".")``)
only accepts text of that shape; ``"example"`` fails on the first line. This module reads the
function and returns a literal of the right shape, as Python source text.

Names the code derives from the parameter count as the parameter: ``norm =
value.strip().lower()`` then ``uuid.UUID(norm)``. Only the function's own code is read (not
nested functions), and only conversions whose accepted input the standard library documents.
"""

from __future__ import annotations

import ast
import datetime
from collections.abc import Mapping

from howto_ls.astutil import own_nodes
from howto_ls.offline.analysis import FunctionNode, dotted

_SAMPLE_TIME = datetime.datetime(2024, 1, 2, 3, 4, 5)
_SHAPE_KEEPING = frozenset({"strip", "lstrip", "rstrip", "lower", "upper", "casefold"})

# callee (as the code names it, last two parts at most) -> accepted text
_ACCEPTS: dict[str, str] = {
    "int": "1",
    "float": "1.5",
    "complex": "1.5",
    "Decimal": "1.5",
    "decimal.Decimal": "1.5",
    "Fraction": "1/2",
    "fractions.Fraction": "1/2",
    "UUID": "12345678-1234-5678-1234-567812345678",
    "uuid.UUID": "12345678-1234-5678-1234-567812345678",
    "json.loads": '{"key": "value"}',
    "loads": '{"key": "value"}',
    "socket.inet_aton": "192.168.0.1",
    "inet_aton": "192.168.0.1",
    "ipaddress.ip_address": "192.168.0.1",
    "ip_address": "192.168.0.1",
    "ipaddress.ip_network": "192.168.0.0/24",
    "ip_network": "192.168.0.0/24",
    "fromisoformat": "2024-01-02",
    "bytes.fromhex": "00ff",
    "fromhex": "00ff",
    "base64.b64decode": "aGVsbG8=",
    "b64decode": "aGVsbG8=",
}


def derived_names(function: FunctionNode, name: str) -> set[str]:
    """``name`` and the local names assigned from expressions rooted at it (``norm =
    name.strip().lower()``, ``text = name``), followed through later assignments."""
    names = {name}
    assignments = sorted(
        (n for n in own_nodes(function) if isinstance(n, ast.Assign) and len(n.targets) == 1),
        key=lambda n: (n.lineno, n.col_offset),
    )
    for node in assignments:
        target = node.targets[0]
        if isinstance(target, ast.Name) and _root(node.value) in names:
            names.add(target.id)
    return names


def accepted_literal(
    function: FunctionNode, name: str, methods: Mapping[str, FunctionNode] | None = None
) -> str | None:
    """A string literal (Python source) of the shape the code of ``function`` needs parameter
    ``name`` in, or None when the code puts no such demand on it.

    The first demand in source order wins: the parameter (or a name derived from it) passed
    as the first argument of a documented parser (:data:`_ACCEPTS`; ``strptime`` gets a time
    formatted with the code's literal format, else ISO 8601), or unpacked from
    ``.split(sep)`` into N names (N numbers joined by ``sep``, since the parts are often
    converted with ``int``). ``methods`` are the methods of the function's class by name:
    a call ``self.method(..., name, ...)`` counts with what ``method`` demands of the
    parameter it receives there (one call deep).
    """
    text = _accepted_text(function, name, methods)
    if text is None:
        return None
    return '"' + text + '"' if '"' not in text else repr(text)


def _accepted_text(
    function: FunctionNode, name: str, methods: Mapping[str, FunctionNode] | None = None
) -> str | None:
    """The text :func:`accepted_literal` quotes, unquoted."""
    found = _demands(function, name, methods)
    return min(found)[2] if found else None


def _demands(
    function: FunctionNode, name: str, methods: Mapping[str, FunctionNode] | None
) -> list[tuple[int, int, str]]:
    """``(line, column, text)`` of each demand the code puts on parameter ``name``."""
    names = derived_names(function, name)
    found: list[tuple[int, int, str]] = []
    splits: dict[str, str] = {}  # names holding ``x.split(sep)`` -> sep
    for node in sorted(own_nodes(function), key=_position):
        text: str | None = None
        if isinstance(node, ast.Call):
            if node.args and _root(node.args[0]) in names:
                text = _parsed_by(node)
            if text is None and methods:
                text = _demanded_by_method(node, names, methods)
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, separator = node.targets[0], _split_of(node.value, names)
            if isinstance(target, ast.Name) and separator is not None:
                splits[target.id] = separator
            elif isinstance(target, ast.Tuple) and all(
                isinstance(e, ast.Name) for e in target.elts
            ):
                if separator is None and isinstance(node.value, ast.Name):
                    separator = splits.get(node.value.id)
                if separator is not None:
                    text = separator.join("1" for _ in target.elts)
        if text is not None:
            found.append((*_position(node), text))
    return found


def _demanded_by_method(
    call: ast.Call, names: set[str], methods: Mapping[str, FunctionNode]
) -> str | None:
    """What ``self.method(...)`` demands of the argument it receives from one of ``names``."""
    func = call.func
    if not (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id == "self"
        and func.attr in methods
    ):
        return None
    method = methods[func.attr]
    receiving = [a.arg for a in (*method.args.posonlyargs, *method.args.args)][1:]
    for index, argument in enumerate(call.args):
        if isinstance(argument, ast.Name) and argument.id in names and index < len(receiving):
            text = _accepted_text(method, receiving[index])
            if text is not None:
                return text
    return None


def _parsed_by(call: ast.Call) -> str | None:
    """What the parser ``call`` accepts as its first argument, or None."""
    callee = dotted(call.func) or ""
    short = ".".join(callee.split(".")[-2:])
    if short.rsplit(".", 1)[-1] == "strptime" and len(call.args) > 1:
        fmt = call.args[1]
        if isinstance(fmt, ast.Constant) and isinstance(fmt.value, str):
            return _SAMPLE_TIME.strftime(fmt.value)
        return _SAMPLE_TIME.strftime("%Y-%m-%d")
    return _ACCEPTS.get(short) or (_ACCEPTS.get(callee) if "." not in callee else None)


def _split_of(value: ast.expr, names: set[str]) -> str | None:
    """The separator of ``x.split(sep)`` / ``x.rsplit(sep)`` with ``x`` among ``names``
    (``" "`` for a bare ``split()``), or None for any other expression."""
    if not (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Attribute)
        and value.func.attr in {"split", "rsplit"}
        and _root(value.func.value) in names
    ):
        return None
    if not value.args:
        return " "
    separator = value.args[0]
    if isinstance(separator, ast.Constant) and isinstance(separator.value, str):
        return separator.value or None
    return None


def _position(node: ast.AST) -> tuple[int, int]:
    return getattr(node, "lineno", 0), getattr(node, "col_offset", 0)


def _root(node: ast.expr) -> str | None:
    """The name an expression is, up to calls that keep the text's shape
    (``value.strip().lower()`` -> ``value``); None for anything else (a slice or an
    f-string changes what the parser sees)."""
    while True:
        if isinstance(node, ast.Name):
            return node.id
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _SHAPE_KEEPING
        ):
            node = node.func.value
        else:
            return None
