"""Text of the shape a parser the code hands a parameter to accepts; examples built and run."""

from __future__ import annotations

import ast
import datetime
import json
import uuid
from pathlib import Path

import pytest

from howto_ls.offline.analysis import parse_module
from howto_ls.offline.conversions import accepted_literal, derived_names
from tests.test_example import example_for, run_example

PARSERS = '''\
"""Functions that parse what they are given."""

from __future__ import annotations

import json
import socket
import struct
import uuid
from datetime import datetime


def to_uuid(value):
    """Parse a UUID, spaces around it allowed."""
    value = value.strip()
    return uuid.UUID(value)


def to_flag(value):
    """Parse a yes/no answer."""
    norm = value.strip().lower()
    if norm in {"1", "true", "yes"}:
        return True
    if norm in {"0", "false", "no"}:
        return False
    raise ValueError(f"{value!r} is not a valid boolean")


def to_day(value):
    """Parse a day written as 31/12/2024."""
    return datetime.strptime(value, "%d/%m/%Y").date()


def to_size(value):
    """A size in kilobytes."""
    return float(value) / 1024


def to_document(text):
    """Parse a JSON object."""
    return json.loads(text)


def to_address(ip):
    """An IPv4 address as an integer."""
    return struct.unpack("!L", socket.inet_aton(ip))[0]


def check_version(version):
    """Refuse versions below 1.0."""
    version = version.split(".")
    major, minor, patch = version
    if (int(major), int(minor)) < (1, 0):
        raise RuntimeError("too old")
    return int(patch)


class DayType:
    """Converts text to a date, trying each format in turn."""

    def __init__(self):
        self.formats = ["%Y-%m-%d", "%d.%m.%Y"]

    def _try(self, value, format):
        try:
            return datetime.strptime(value, format)
        except ValueError:
            return None

    def convert(self, value):
        for format in self.formats:
            converted = self._try(value, format)
            if converted is not None:
                return converted
        raise ValueError(f"{value!r} matches no format")


def parse_tag(tag):
    """Split interpreter-abi-platform."""
    interpreter, abi, platform = tag.split("-")
    return interpreter, abi, platform
'''


@pytest.mark.parametrize(
    ("function", "parsed"),
    [
        ("to_uuid", uuid.UUID),
        ("to_day", lambda text: datetime.datetime.strptime(text, "%d/%m/%Y")),
        ("to_size", float),
        ("to_document", json.loads),
        ("check_version", lambda text: text.count(".") == 2 or 1 / 0),
        ("parse_tag", lambda text: text.count("-") == 2 or 1 / 0),
    ],
)
def test_the_literal_has_the_shape_the_parser_accepts(function: str, parsed: object) -> None:
    tree = parse_module(PARSERS)
    assert tree is not None
    node = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == function)
    parameter = node.args.args[0].arg
    literal = accepted_literal(node, parameter)
    assert literal is not None
    assert callable(parsed)
    parsed(ast.literal_eval(literal))  # raises when the shape is wrong


@pytest.mark.parametrize(
    "function",
    [
        "to_uuid",
        "to_flag",
        "to_day",
        "to_size",
        "to_document",
        "to_address",
        "check_version",
        "DayType.convert",  # the demand is in the method it hands the value to
    ],
)
def test_examples_of_parsing_functions_run(tmp_path: Path, function: str) -> None:
    _, example = example_for(tmp_path, function, PARSERS)
    assert '"example"' not in example
    run_example(tmp_path, example)


def test_names_derived_from_the_parameter_count_as_it() -> None:
    tree = parse_module(PARSERS)
    assert tree is not None
    node = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "to_flag")
    assert derived_names(node, "value") == {"value", "norm"}


def test_no_demand_gives_no_literal() -> None:
    tree = parse_module("def greet(name):\n    return 'Hello, ' + name + str(len(name))\n")
    assert tree is not None
    node = tree.body[0]
    assert isinstance(node, ast.FunctionDef)
    assert accepted_literal(node, "name") is None
