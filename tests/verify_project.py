"""A project whose tests call a function twice: the first use fails when run, the second
demonstrates it. The offline writer mines both (and writes a third example from the code)."""

from __future__ import annotations

from pathlib import Path

NUMBERS = '''\
def parse_number(text):
    """Read a whole number written in decimal digits."""
    cleaned = text.strip()
    return int(cleaned)
'''

TESTS = """\
import json

from calc import parse_number


def test_null_is_refused():
    data = json.loads("null")
    assert parse_number(data) == 0


def test_digits():
    assert parse_number(" 42 ") == 42
"""

FIRST_CALL = "print(parse_number(data))"
SECOND_CALL = 'print(parse_number(" 42 "))'


def write_calc(root: Path) -> Path:
    """Write the ``calc`` project under ``root``; the path of ``calc/numbers.py``."""
    (root / "calc").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "pyproject.toml").write_text('[project]\nname = "calc"\nversion = "0"\n', "utf-8")
    (root / "calc" / "__init__.py").write_text(
        'from calc.numbers import parse_number\n\n__all__ = ["parse_number"]\n', "utf-8"
    )
    numbers = root / "calc" / "numbers.py"
    numbers.write_text(NUMBERS, "utf-8")
    (root / "tests" / "test_numbers.py").write_text(TESTS, "utf-8")
    return numbers
