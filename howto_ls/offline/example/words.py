"""Names for what an example binds: ``snake_case`` of a class name, clear of keywords."""

from __future__ import annotations

import builtins
import keyword
import re

_BUILTINS = frozenset(n for n in dir(builtins) if not n.startswith("_"))


def plain_snake_case(name: str) -> str:
    """A name's words in lower case joined by ``_`` (``AsyncClient`` gives ``async_client``);
    leading underscores dropped, ``obj`` for a name with no words. Keywords and builtins are
    left as they are: :func:`snake_case` makes a safe variable name."""
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name.lstrip("_"))
    return re.sub(r"\W", "_", text.lower()) or "obj"


def snake_case(name: str) -> str:
    """``AsyncClient`` -> ``async_client``; a safe variable name: a keyword or a builtin
    (``Dict`` -> ``dict``, ``Import`` -> ``import``) gets ``_obj`` appended, as a variable
    named so would be a syntax error or hide the builtin from the reader's code."""
    text = plain_snake_case(name)
    if keyword.iskeyword(text) or keyword.issoftkeyword(text) or text in _BUILTINS:
        text += "_obj"
    return text
