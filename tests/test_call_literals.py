"""Literal arguments the project passes to a callable: found in code and doctests, bound to the
callee's signature the way Python binds them."""

from __future__ import annotations

from pathlib import Path

from howto_ls.model import Parameter
from howto_ls.offline.analysis import definitions, parameters_of, parse_module
from howto_ls.offline.call_literals import LiteralCall, bind, literal_calls
from howto_ls.offline.example import build_example
from howto_ls.symbols import symbol_named
from tests.test_example import run_example
from tests.test_guide import module_with_guide

VERSIONS = '''\
"""Release versions."""


class Version:
    """A release version.

    >>> Version("1.0a5").pre
    ('a', 5)
    >>> Version("nonsense")
    Traceback (most recent call last):
    InvalidVersion: nonsense
    """

    def __init__(self, text: str, strict: bool = False) -> None:
        self.text = text


def split_at(items, pred):
    """Split ``items`` where ``pred`` holds.

    >>> list(split_at("abcb", lambda x: x == "b"))
    [['a'], ['c']]
    >>> split_at("abc", lambda x: x == limit)
    """
    return [items, pred]


LATEST = Version(text="2.1", strict=True)
'''


def package_of(tmp_path: Path, name: str, modules: dict[str, str]) -> Path:
    """A project at ``tmp_path`` with the package ``name`` holding ``modules`` (file -> text);
    the package's folder."""
    (tmp_path / "pyproject.toml").write_text(f"[project]\nname = '{name}'\n", encoding="utf-8")
    package = tmp_path / name
    package.mkdir()
    for file, text in {"__init__.py": "", **modules}.items():
        (package / file).write_text(text, encoding="utf-8")
    return package


def write_project(tmp_path: Path) -> Path:
    use = "from versions.core import Version\n\nOLD = Version('0.9')\n"
    path = package_of(tmp_path, "versions", {"core.py": VERSIONS, "use.py": use}) / "core.py"
    return path


def test_doctest_and_code_calls_are_found_with_the_callees_own_file_first(tmp_path: Path) -> None:
    path = write_project(tmp_path)
    calls = literal_calls(path, "Version")
    written = [(c.positional, c.keywords, c.in_doctest, c.path.name) for c in calls]
    assert written == [
        (("'1.0a5'",), (), True, "core.py"),
        ((), (("text", "'2.1'"), ("strict", "True")), False, "core.py"),
        (("'0.9'",), (), False, "use.py"),
    ]  # "nonsense" is the doctest of a failure: not a value to use


def test_a_guides_example_gives_no_literals(tmp_path: Path) -> None:
    guided = module_with_guide(
        "from versions.core import Version\n\nNEXT = Version('3.0')\n",
        "from versions.core import Version\n\nprint(Version('9.9'))\n\n>>> Version('8.8')",
    )
    path = package_of(tmp_path, "versions", {"core.py": VERSIONS, "guided.py": guided})
    calls = literal_calls(path / "core.py", "Version")
    assert {c.positional for c in calls if c.path.name == "guided.py"} == {("'3.0'",)}


def test_a_lambda_counts_only_when_it_needs_nothing_but_its_parameters(tmp_path: Path) -> None:
    path = write_project(tmp_path)
    calls = literal_calls(path, "split_at")
    assert [c.positional for c in calls] == [
        ("'abcb'", "lambda x: x == 'b'"),
        ("'abc'", None),  # ``limit`` is not defined where the example runs
    ]


def test_short_and_dunder_names_match_nothing(tmp_path: Path) -> None:
    path = write_project(tmp_path)
    assert literal_calls(path, "get") == ()
    assert literal_calls(path, "__init__") == ()


def _signature(source: str) -> list[Parameter]:
    tree = parse_module(source)
    assert tree is not None
    function = tree.body[0]
    assert hasattr(function, "args")
    return parameters_of(function)  # type: ignore[arg-type]


def test_a_call_binds_like_python_binds_it() -> None:
    signature = _signature("def f(text, /, strict=False, *, mode='r'): ...")
    here = Path("m.py")
    assert bind(LiteralCall(("'1.0'",), (("mode", "'w'"),), False, here), signature) == {
        "text": "'1.0'",
        "mode": "'w'",
    }
    assert bind(LiteralCall(("'1.0'", "True", "1"), (), False, here), signature) is None
    assert bind(LiteralCall(("'1.0'",), (("colour", "1"),), False, here), signature) is None
    assert bind(LiteralCall(("'1.0'", "True"), (("strict", "1"),), False, here), signature) is None
    assert bind(LiteralCall((), (("text", "'1.0'"),), False, here), signature) is None


def test_extra_arguments_bind_to_star_parameters() -> None:
    signature = _signature("def f(first, *rest, **options): ...")
    call = LiteralCall(("1", "2", "3"), (("colour", "'red'"),), False, Path("m.py"))
    assert bind(call, signature) == {"first": "1"}


def test_a_doctest_variable_holding_a_literal_is_read_through(tmp_path: Path) -> None:
    path = tmp_path / "mod.py"
    path.write_text(
        '"""Filters.\n\n'
        ">>> items = ['1', 'a']\n"
        ">>> list(filter_map(lambda s: int(s) if s.isnumeric() else None, items))\n"
        "[1]\n"
        '"""\n',
        encoding="utf-8",
    )
    (calls,) = literal_calls(path, "filter_map")
    assert calls.positional == ("lambda s: int(s) if s.isnumeric() else None", "['1', 'a']")


def test_absolute_paths_name_the_authors_machine_and_are_not_reused(tmp_path: Path) -> None:
    path = tmp_path / "mod.py"
    path.write_text("open_cache('/tmp/cache', 'r')\nopen_cache('cache', 'w')\n", encoding="utf-8")
    assert [c.positional for c in literal_calls(path, "open_cache")] == [
        (None, "'r'"),
        ("'cache'", "'w'"),
    ]


TOKENIZER = '''\
"""A tokenizer that needs the project's table of rules."""

import re

DEFAULT_RULES = {"NAME": re.compile(r"[a-z]+"), "WS": re.compile(r"\\\\s+")}


class Tokenizer:
    def __init__(self, source: str, *, rules: dict) -> None:
        self.source = source
        self.rules = rules

    def check(self, name: str) -> bool:
        """Whether the source starts with a token of rule ``name``."""
        assert name in self.rules, f"Unknown token name: {name!r}"
        return bool(self.rules[name].match(self.source))
'''

PARSER = '''\
"""Parses with the tokenizer and the default rules."""

import typing

from .tokens import DEFAULT_RULES, Tokenizer

if typing.TYPE_CHECKING:
    from .tokens import HIDDEN_RULES


def parse(source: str) -> bool:
    typed = Tokenizer(source, rules=HIDDEN_RULES) if False else None
    tokenizer = typed or Tokenizer(source, rules=DEFAULT_RULES)
    return tokenizer.check("NAME")
'''


def test_module_constants_passed_by_the_projects_calls_are_reused_with_their_import(
    tmp_path: Path,
) -> None:
    package = package_of(tmp_path, "lexing", {"tokens.py": TOKENIZER, "parser.py": PARSER})
    tokens = package / "tokens.py"
    calls = literal_calls(tokens, "Tokenizer")
    assert [dict(c.keywords).get("rules") for c in calls] == ["DEFAULT_RULES"]  # not HIDDEN_
    assert calls[0].constants == (("DEFAULT_RULES", "lexing.tokens"),)
    example = _example(tmp_path, tokens, "Tokenizer.check")
    assert "from lexing.tokens import DEFAULT_RULES, Tokenizer" in example
    assert "rules=DEFAULT_RULES" in example
    assert run_example(tmp_path, example).strip() == "True"


def _example(root: Path, path: Path, qualname: str) -> str:
    """The offline example for ``qualname`` of the module at ``path`` in the project ``root``."""
    source = path.read_text(encoding="utf-8")
    tree = parse_module(source)
    assert tree is not None
    found = definitions(tree)
    parts = qualname.split(".")
    parents = [found[".".join(parts[:end])] for end in range(1, len(parts))]
    symbol = symbol_named(source, path, qualname, root)
    return build_example(symbol, found[qualname], source, parents)
