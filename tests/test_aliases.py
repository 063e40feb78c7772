"""Type aliases, NewTypes and TypeVars found where they are defined or imported from."""

from __future__ import annotations

from pathlib import Path

from howto_ls.offline.aliases import aliases_in, find_alias

DEFINITIONS = """\
import typing as t
from typing import NewType, TypeAlias, TypeVar, Union

if t.TYPE_CHECKING:
    Checked = Union[int, str]
TaskID = NewType("TaskID", int)
Renderable = Union["Widget", str]
Handler: TypeAlias = "t.Callable[[str], None]"
Bounded = TypeVar("Bounded", bound="Widget")
Either = TypeVar("Either", bytes, str)
Free = TypeVar("Free")
Number = int | float
LIMIT = 10
"""


def test_each_form_of_alias_is_found_with_what_it_stands_for() -> None:
    found = aliases_in(DEFINITIONS)
    assert found == {
        "Checked": ("alias", "Union[int, str]"),
        "TaskID": ("newtype", "int"),
        "Renderable": ("alias", "Union['Widget', str]"),
        "Handler": ("alias", "t.Callable[[str], None]"),
        "Bounded": ("typevar", "Widget"),
        "Either": ("typevar", "bytes"),
        "Free": ("typevar", "Any"),
        "Number": ("alias", "int | float"),
    }


def test_an_imported_alias_is_found_in_its_defining_module(tmp_path: Path) -> None:
    package = tmp_path / "shop"
    package.mkdir()
    (package / "__init__.py").write_text("from shop.kinds import TaskID\n", encoding="utf-8")
    (package / "kinds.py").write_text(DEFINITIONS, encoding="utf-8")
    user = "from . import kinds\nfrom shop import TaskID as Tid\n"
    alias = find_alias("Tid", user, "shop.user", "user.py", tmp_path)
    assert alias is not None
    assert (alias.name, alias.kind, alias.expansion, alias.module) == (
        "TaskID",
        "newtype",
        "int",
        "shop.kinds",
    )
    through_module = find_alias("kinds.Number", user, "shop.user", "user.py", tmp_path)
    assert through_module is not None and through_module.expansion == "int | float"
    assert find_alias("kinds.LIMIT", user, "shop.user", "user.py", tmp_path) is None
    assert find_alias("Missing", user, "shop.user", "user.py", tmp_path) is None
