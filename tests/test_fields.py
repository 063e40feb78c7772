"""Classes whose fields a class attribute declares: ``__init__(self, *fields)`` pairs its
positional arguments with ``fields`` / ``_fields``; each example is built offline and run."""

from __future__ import annotations

import ast
from pathlib import Path

from howto_ls.offline.analysis import parse_module
from howto_ls.offline.fields import declared_fields, zipped_attribute
from tests.test_example import example_for, run_example

NODES = '''\
"""A tiny expression tree whose nodes declare their fields, as Jinja's nodes do."""

from __future__ import annotations

import typing as t


class NodeType(type):
    """Gathers each class's ``fields`` after its base's."""

    def __new__(mcs, name, bases, namespace):
        inherited = getattr(bases[0], "fields", ()) if bases else ()
        namespace["fields"] = tuple(inherited) + tuple(namespace.get("fields", ()))
        return super().__new__(mcs, name, bases, namespace)


class Node(metaclass=NodeType):
    """Base of all nodes: fields by position, attributes by keyword."""

    fields: t.Tuple[str, ...] = ()
    abstract = True

    def __init__(self, *fields: t.Any, **attributes: t.Any) -> None:
        if type(self).__dict__.get("abstract", False):  # set per class, as Jinja's metaclass does
            raise TypeError("abstract nodes are not instantiable")
        if fields and len(fields) != len(self.fields):
            raise TypeError(f"{type(self).__name__} takes {len(self.fields)} arguments")
        for name, value in zip(self.fields, fields):
            setattr(self, name, value)
        self.lineno = attributes.get("lineno")


class Block(Node):
    """The root of a tree: a list of nodes."""

    fields = ("body",)
    body: t.List[Node]


def count(node: Node) -> int:
    """How many fields the node has."""
    return len(node.fields)


class Expr(Node):
    """Base of expressions."""

    abstract = True

    def evaluate(self) -> t.Any:
        raise NotImplementedError


class Const(Expr):
    """A constant."""

    fields = ("value",)
    value: int

    def evaluate(self) -> t.Any:
        return self.value


class Add(Expr):
    """The sum of two expressions, shown in ``label`` when there is one."""

    fields = ("left", "right", "label")
    left: Expr
    right: Expr
    label: t.Optional[str]

    def evaluate(self) -> t.Any:
        if self.label is not None:
            print(self.label)
        return self.left.evaluate() + self.right.evaluate()


class Scaled(Add):
    """A sum times a factor: inherits the three fields of ``Add`` and adds one."""

    fields = ("factor",)
    factor: int

    def evaluate(self) -> t.Any:
        return super().evaluate() * self.factor
'''

AST_STYLE = '''\
"""Nodes in the style of :mod:`ast`: each class lists all of its fields in ``_fields``."""


class AST:
    _fields = ()

    def __init__(self, *args):
        for name, value in zip(self._fields, args):
            setattr(self, name, value)


class Pair(AST):
    _fields = ("first", "second")
    first: str
    second: str

    def joined(self) -> str:
        return self.first + self.second


class Triple(Pair):
    _fields = ("first", "second", "third")
    third: str

    def joined(self) -> str:
        return self.first + self.second + self.third
'''


def test_fields_are_passed_by_position_from_the_class_attribute(tmp_path: Path) -> None:
    _, example = example_for(tmp_path, "Const.evaluate", NODES)
    assert "const = Const(" in example
    assert "Const()" not in example
    run_example(tmp_path, example)


def test_inherited_fields_come_first_and_optional_fields_are_none(tmp_path: Path) -> None:
    _, example = example_for(tmp_path, "Scaled.evaluate", NODES)
    tree = ast.parse(example)
    built = next(
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "Scaled"
    )
    assert len(built.args) == 4 and not built.keywords  # left, right, label, factor
    assert isinstance(built.args[2], ast.Constant) and built.args[2].value is None
    run_example(tmp_path, example)


def test_an_abstract_field_type_is_built_through_a_concrete_descendant(tmp_path: Path) -> None:
    _, example = example_for(tmp_path, "Add.evaluate", NODES)
    assert "Expr(" not in example and "class My" not in example
    assert "Const(" in example
    run_example(tmp_path, example)


def test_ast_style_classes_that_list_all_their_fields(tmp_path: Path) -> None:
    _, example = example_for(tmp_path, "Triple.joined", AST_STYLE, package="tree")
    call = next(
        n
        for n in ast.walk(ast.parse(example))
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "Triple"
    )
    assert len(call.args) == 3  # the subclass's own tuple replaces the inherited one
    assert run_example(tmp_path, example).strip()


def test_a_plain_star_args_constructor_declares_no_fields() -> None:
    tree = parse_module(
        "class Bag:\n    items = ('a',)\n"
        "    def __init__(self, *items):\n        self.all = items\n"
    )
    assert tree is not None
    bag = tree.body[0]
    assert isinstance(bag, ast.ClassDef)
    init = bag.body[1]
    assert isinstance(init, ast.FunctionDef)
    assert zipped_attribute(init) is None


def test_declared_fields_read_names_and_annotations() -> None:
    tree = parse_module(NODES)
    assert tree is not None
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    lineage = [classes["Scaled"], classes["Add"], classes["Expr"], classes["Node"]]
    init = classes["Node"].body[3]
    assert isinstance(init, ast.FunctionDef)
    assert zipped_attribute(init) == "fields"
    found = declared_fields(lineage, "fields")
    assert found is not None
    assert [(p.name, p.annotation, p.kind) for p in found] == [
        ("left", "Expr", "positional_only"),
        ("right", "Expr", "positional_only"),
        ("label", "t.Optional[str]", "positional_only"),
        ("factor", "int", "positional_only"),
    ]
    assert declared_fields([classes["Const"]], "missing") is None


def test_without_a_metaclass_the_nearest_tuple_wins() -> None:
    tree = parse_module(AST_STYLE.replace('"first", "second", "third"', '"third",'))
    assert tree is not None
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    found = declared_fields([classes["Triple"], classes["Pair"], classes["AST"]], "_fields")
    assert found is not None and [p.name for p in found] == ["third"]


def test_a_composite_does_not_stand_in_for_its_own_base(tmp_path: Path) -> None:
    _, example = example_for(tmp_path, "count", NODES)
    assert "Block(" not in example  # it holds Nodes: a leaf is simpler
    assert "Const(" in example
    assert run_example(tmp_path, example).strip() == "1"
