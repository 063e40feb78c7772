"""Parameter types a docstring states where the signature has no annotation.

Code written before annotations (or for Python 2 as well) states its types in the docstring:
Sphinx fields (``:type request: PreparedRequest``, ``:param str name:``), a class role in the
parameter's description (``:param request: The :class:`PreparedRequest <PreparedRequest>`
being sent.``, as requests writes), Google sections (``request (PreparedRequest): ...``) and
NumPy sections (``request : PreparedRequest``). The docstring is parsed with
`docstring_parser <https://pypi.org/project/docstring-parser/>`_, which reads all three
styles; this module only picks the type out of what it finds.
"""

from __future__ import annotations

import ast
import functools
import re

import docstring_parser

from howto_ls.astutil import parse_expression

# a description that opens with a class role: "The :class:`PreparedRequest <PreparedRequest>`
# being sent", "(optional) A :class:`~x.Response`" (not "URL for the new :class:`Request`")
_CLASS_ROLE = re.compile(
    r"(?:\(optional\)\s*)?(?:(?:[Tt]he|[Aa]n?)\s+)?"
    r":(?:py:)?(?:class|exc):`~?(?:[^`<]*<)?~?([\w.]+)>?`"
)


@functools.lru_cache(maxsize=512)
def _parsed(docstring: str) -> docstring_parser.Docstring | None:
    """The docstring parsed in whichever style it is written (cached: the example builder asks
    once per parameter); None when the parser refuses it."""
    try:
        return docstring_parser.parse(docstring)
    except docstring_parser.ParseError:
        return None


def documented_parameters(docstring: str) -> list[str]:
    """The names of the parameters the docstring documents, in its order (Sphinx
    ``:param name:`` fields, Google ``Args:`` entries, NumPy ``Parameters`` entries)."""
    parsed = _parsed(docstring)
    if parsed is None:
        return []
    return [p.arg_name for p in parsed.params if p.arg_name.isidentifier()]


def documented_type(docstring: str, name: str) -> str | None:
    """The type the docstring gives parameter ``name``, as source text (``PreparedRequest``,
    ``models.Response``, ``list[str]``), or None.

    The declared type is used when it is one type expression (``float or tuple`` and prose
    such as ``urllib3 Timeout object`` are not); else the ``:class:`` (or ``:exc:``) role a
    description opens with, after an article ("The :class:`PreparedRequest <PreparedRequest>`
    being sent"; not "URL for the new :class:`Request`"), whose target is the class's name.
    """
    parsed = _parsed(docstring)
    if parsed is None:
        return None
    param = next((p for p in parsed.params if p.arg_name == name), None)
    if param is None:
        return None
    declared = (param.type_name or "").strip()
    if declared and _is_type_expression(declared):
        return declared
    role = _CLASS_ROLE.match((param.description or "").strip())
    if role is not None:
        return role.group(1).lstrip("~.")
    return None


def _is_type_expression(text: str) -> bool:
    """Whether ``text`` is a (dotted, possibly subscripted) name: ``Request``, ``list[str]``."""
    try:
        node = parse_expression(text)
    except (SyntaxError, ValueError):
        return False
    if isinstance(node, ast.Subscript):
        node = node.value
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name)
