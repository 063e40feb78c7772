"""Stand-ins for a base class: the subclass built for a parameter annotated with an abstract
base implements the methods the code calls on it (a subclass inheriting the base's refusal
would make the example fail); each example is built offline and run."""

from __future__ import annotations

import ast
from pathlib import Path

from howto_ls.offline.analysis import parse_module
from howto_ls.offline.example.words import snake_case
from howto_ls.offline.standin import (
    called_methods,
    implements,
    raises_only,
    refuses,
    resolve_method,
)
from tests.test_example import example_for, run_example

EXPRESSIONS = '''\
"""Expressions that fold to constants where they can, as a template compiler's nodes do."""


class Impossible(Exception):
    """The node cannot be folded."""


class Expr:
    """Base of expressions."""

    abstract = True

    def fold(self) -> object:
        """The constant value of the expression."""
        raise Impossible()


class Name(Expr):
    """A variable: known only when the template runs (first in the module, and simplest)."""

    def __init__(self) -> None:
        self.name = "x"


class Context(Expr):
    """The running context: inherits the refusal through ``Name``'s sibling."""


class Const(Expr):
    """A constant."""

    def __init__(self, value: int) -> None:
        self.value = value

    def fold(self) -> object:
        return self.value


class Add(Expr):
    """The sum of two expressions."""

    def __init__(self, left: Expr, right: Expr) -> None:
        self.left = left
        self.right = right

    def fold(self) -> object:
        return self.left.fold() + self.right.fold()


class Dict(Expr):
    """A mapping: its variable must not hide the builtin ``dict``."""

    def __init__(self, key: Expr) -> None:
        self.key = key

    def fold(self) -> object:
        return {self.key.fold(): True}
'''


def test_the_stand_in_implements_the_method_the_code_calls(tmp_path: Path) -> None:
    _, example = example_for(tmp_path, "Add.fold", EXPRESSIONS)
    assert "Const(" in example
    assert "Name()" not in example and "Context()" not in example
    assert run_example(tmp_path, example).strip() == "2"  # Const(1) + Const(1)


def test_a_class_named_like_a_builtin_gets_a_variable_that_does_not_hide_it(
    tmp_path: Path,
) -> None:
    _, example = example_for(tmp_path, "Dict.fold", EXPRESSIONS)
    targets = {
        t.id
        for n in ast.walk(ast.parse(example))
        if isinstance(n, ast.Assign)
        for t in n.targets
        if isinstance(t, ast.Name)
    }
    assert "dict" not in targets and "dict_obj" in targets
    run_example(tmp_path, example)


def test_variable_names_are_never_keywords_or_builtins() -> None:
    assert snake_case("Import") == "import_obj"
    assert snake_case("Match") == "match_obj"  # a soft keyword (PEP 634)
    assert snake_case("List") == "list_obj"
    assert snake_case("AsyncClient") == "async_client"


def test_methods_resolve_through_bases_and_refusals_are_recognised() -> None:
    tree = parse_module(EXPRESSIONS)
    assert tree is not None
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    inherited = resolve_method(tree, classes["Context"], "fold")
    assert inherited is not None and raises_only(inherited)
    own = resolve_method(tree, classes["Const"], "fold")
    assert own is not None and not raises_only(own)
    assert resolve_method(tree, classes["Const"], "missing") is None
    called = called_methods(classes["Add"])
    assert "fold" in called
    assert not implements(tree, classes["Name"], called)
    assert implements(tree, classes["Const"], called)
    assert implements(tree, classes["Name"], {"unknown"})  # not the module's concern


LOADERS = '''\
"""Loaders: the base refuses every name, although nothing marks it abstract."""


class TemplateNotFound(Exception):
    """No template of that name."""


class BaseLoader:
    """Loads templates; subclasses say where from."""

    def get_source(self, name: str) -> str:
        if not name:
            raise ValueError("a name is needed")
        raise TemplateNotFound(name)

    def load(self, name: str) -> str:
        source = self.get_source(name)
        return source.upper()

    def list_templates(self) -> list[str]:
        raise TypeError("this loader cannot list its templates")


class DictLoader(BaseLoader):
    """Templates from a dict."""

    def __init__(self, mapping: dict[str, str]) -> None:
        self.mapping = mapping

    def get_source(self, name: str) -> str:
        return self.mapping.get(name, "")

    def list_templates(self) -> list[str]:
        return sorted(self.mapping)


class Environment:
    """Where templates are configured."""

    def __init__(self, loader: BaseLoader) -> None:
        self.loader = loader

    def list_templates(self) -> list[str]:
        """Every template the loader knows."""
        return self._names()

    def _names(self) -> list[str]:
        return self.loader.list_templates()
'''


def test_a_base_whose_methods_always_raise_is_replaced_by_a_working_subclass(
    tmp_path: Path,
) -> None:
    _, example = example_for(tmp_path, "Environment.list_templates", LOADERS)
    assert "DictLoader(" in example and "BaseLoader()" not in example
    run_example(tmp_path, example)
    _, loading = example_for(tmp_path, "BaseLoader.load", LOADERS)
    assert "DictLoader(" in loading  # load() reaches get_source, which refuses every name
    run_example(tmp_path, loading)


def test_refusal_through_a_call_that_always_runs() -> None:
    tree = parse_module(LOADERS)
    assert tree is not None
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    assert refuses(tree, classes["BaseLoader"], "get_source")  # checks, then raises
    assert refuses(tree, classes["BaseLoader"], "load")  # through self.get_source
    assert not refuses(tree, classes["DictLoader"], "load")
    assert not refuses(tree, classes["Environment"], "list_templates")


AUTH = '''\
"""Authentication hooks: the base refuses, subclasses change a request."""


class Request:
    """A request with headers."""

    def __init__(self, url: str = "https://example.org/") -> None:
        self.url = url
        self.headers: dict[str, str] = {}


class AuthBase:
    """Base class that all auth implementations derive from."""

    def __call__(self, r):
        raise NotImplementedError("Auth hooks must be callable.")


class TokenAuth(AuthBase):
    """Adds a bearer token."""

    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, r):
        r.headers["Authorization"] = f"Bearer {self.token}"
        return r
'''


def test_a_stand_ins_own_method_decides_the_arguments(tmp_path: Path) -> None:
    _, example = example_for(tmp_path, "AuthBase", AUTH)
    assert "TokenAuth(" in example and "Request(" in example  # r is used as a Request
    run_example(tmp_path, example)


def test_a_classs_main_method_types_its_parameters_by_use(tmp_path: Path) -> None:
    _, example = example_for(tmp_path, "TokenAuth", AUTH)
    assert "r=1" not in example and "Request(" in example
    run_example(tmp_path, example)
