"""A module defining names more than once in every way Python allows, for placement tests.

``SOURCE`` is a module of the package ``shapes`` (``shapes/geo.py``); ``MAIN`` uses it from
another file. ``CASES`` lists, for a cursor on a line holding the first text, the line holding
the second text: the ``def`` whose docstring the guide belongs in.
"""

from __future__ import annotations

SOURCE = '''"""Shapes."""

import sys
from typing import Protocol, overload

import typing_extensions


@overload
def scale(value: int) -> int: ...
@overload
def scale(value: str) -> str: ...
def scale(value):
    return value * 2


if sys.platform == "win32":

    def getchar() -> str:
        return "windows key"

else:

    def getchar() -> str:
        return "posix key"


try:
    from fastsplit import split_words
except ImportError:

    def split_words(text: str) -> list[str]:
        return text.split()


def greet() -> str:
    return "old greeting"


def greet() -> str:
    return "new greeting"


class Box:
    @typing_extensions.overload
    def get(self, key: int) -> int: ...
    @typing_extensions.overload
    def get(self, key: str) -> str: ...
    def get(self, key):
        return key

    @property
    def size(self) -> int:
        return self._size

    @size.setter
    def size(self, value: int) -> None:
        if value < 0:
            raise ValueError("size must not be negative")
        self._size = value

    @size.deleter
    def size(self) -> None:
        del self._size


class Reader(Protocol):
    @overload
    def read(self, n: int) -> bytes: ...
    @overload
    def read(self) -> bytes: ...
'''

MAIN = "from shapes.geo import scale\\n\\nprint(scale(2))\\n"

CASES: tuple[tuple[str, str], ...] = (
    ("def scale(value: int)", "def scale(value):"),
    ("def scale(value: str)", "def scale(value):"),
    ("def scale(value):", "def scale(value):"),
    ('return "windows key"', 'return "windows key"'),
    ('return "posix key"', 'return "posix key"'),
    ("def split_words", "def split_words"),
    ('return "old greeting"', 'return "old greeting"'),
    ('return "new greeting"', 'return "new greeting"'),
    ("def get(self, key: int)", "def get(self, key):"),
    ("def get(self, key: str)", "def get(self, key):"),
    ("def get(self, key):", "def get(self, key):"),
    ("@size.setter", "def size(self) -> int"),
    ("raise ValueError", "def size(self) -> int"),
    ("@size.deleter", "def size(self) -> int"),
    ("def read(self, n: int)", "def read(self) -> bytes"),
    ("def read(self) -> bytes", "def read(self) -> bytes"),
)
"""(cursor text, text on or just inside the definition that gets the guide)."""
