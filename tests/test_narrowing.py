"""Parameters the code refuses unless they are of one subclass get an object of that class,
whatever the annotation says; each example is built offline and run."""

from __future__ import annotations

import ast
from pathlib import Path

from howto_ls.offline.analysis import parse_module
from howto_ls.offline.narrowing import narrowed_class
from tests.test_example import example_for, run_example

ELEMENTS = '''\
"""Elements of a document tree that accept only some kinds of children."""


class Element:
    """Any element."""

    def on_child_close(self, child: "Element") -> bool:
        return True


class Cell(Element):
    """A table cell."""

    def __init__(self) -> None:
        self.text = "cell"


class Row(Element):
    """A row holds cells only."""

    def __init__(self) -> None:
        self.cells: list[Cell] = []

    def on_child_close(self, child: Element) -> bool:
        assert isinstance(child, Cell)
        self.cells.append(child)
        return False


class Header(Element):
    """A header row."""


class Body(Element):
    """The table body."""


class Table(Element):
    """A table holds a header and a body, nothing else."""

    def on_child_close(self, child: Element) -> bool:
        if isinstance(child, Header):
            self.header = child
        elif isinstance(child, Body):
            self.body = child
        else:
            raise RuntimeError("not a table part")
        return False


class Strict(Element):
    """Refuses all but rows, with an explicit raise."""

    def on_child_close(self, child: Element) -> bool:
        if not isinstance(child, (Row, Cell)):
            raise TypeError("rows only")
        return False


class Lenient(Element):
    """Checks the kind but accepts anything: no narrowing."""

    def on_child_close(self, child: Element) -> bool:
        if isinstance(child, Cell):
            return True
        return False
'''


def test_an_asserted_class_is_built(tmp_path: Path) -> None:
    _, example = example_for(tmp_path, "Row.on_child_close", ELEMENTS)
    assert "Cell()" in example and "Element()" not in example
    assert run_example(tmp_path, example).strip() == "False"


def test_the_first_class_of_a_chain_whose_else_raises_is_built(tmp_path: Path) -> None:
    _, example = example_for(tmp_path, "Table.on_child_close", ELEMENTS)
    assert "Header()" in example
    assert run_example(tmp_path, example).strip() == "False"


def test_narrowing_rules() -> None:
    tree = parse_module(ELEMENTS)
    assert tree is not None
    methods = {
        f"{c.name}.{m.name}": m
        for c in tree.body
        if isinstance(c, ast.ClassDef)
        for m in c.body
        if isinstance(m, ast.FunctionDef)
    }
    assert narrowed_class(methods["Row.on_child_close"], "child") == "Cell"
    assert narrowed_class(methods["Table.on_child_close"], "child") == "Header"
    assert narrowed_class(methods["Strict.on_child_close"], "child") == "Row"
    assert narrowed_class(methods["Lenient.on_child_close"], "child") is None
    assert narrowed_class(methods["Row.on_child_close"], "other") is None
