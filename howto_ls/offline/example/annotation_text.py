"""Annotations read as text: their alternatives, the inside of ``X[...]``, containers."""

from __future__ import annotations

import re

SEQUENCE_TYPES = frozenset(
    {"list", "List", "Sequence", "Iterable", "Collection", "MutableSequence"}
)
"""Names of annotations whose value an example writes as a list literal (``list[X]`` and the
``collections.abc`` and ``typing`` types a list satisfies)."""


MAPPING_TYPES = frozenset({"dict", "Dict", "Mapping", "MutableMapping"})
"""Names of annotations whose value an example writes as a dict literal."""


def union_members(annotation: str) -> list[str]:
    """The members of a union annotation given as text, ``None`` left out: ``Optional[X]``,
    ``X | Y | None`` and ``Union[X, Y]`` give ``[X, Y]``; quotes are dropped, nested unions
    flattened, and an annotation that is only ``None`` gives ``["None"]`` (PEP 484, PEP 604)."""
    text = annotation.strip().strip("'\"").strip()
    match = re.fullmatch(r"(?:\w+\.)?Optional\[(.*)\]", text)
    if match:
        return union_members(match.group(1))
    match = re.fullmatch(r"(?:\w+\.)?Union\[(.*)\]", text)
    parts = split_top_level(match.group(1), ",") if match else split_top_level(text, "|")
    out: list[str] = []
    for part in (p.strip() for p in parts):
        if part not in {"None", "NoneType", ""}:
            out.extend(union_members(part) if part != text else [part])
    return out or ["None"]


def primary_type(annotation: str) -> str:
    """The type an example builds for an annotation given as text: the first member of a union
    (:func:`union_members`), so ``Optional[X]`` gives ``X`` and ``X | Y`` gives ``X``."""
    return union_members(annotation)[0]


def split_top_level(text: str, sep: str) -> list[str]:
    """``text`` split at each one-character separator ``sep`` that stands outside brackets and
    parentheses: ``split_top_level("dict[str, int], bool", ",")`` gives
    ``["dict[str, int]", " bool"]`` (parts are not stripped; no separator gives ``[text]``)."""
    out, depth, current = [], 0, ""
    for char in text:
        depth += (char in "[(" and 1) or 0
        depth -= (char in "])" and 1) or 0
        if char == sep and depth == 0:
            out.append(current)
            current = ""
        else:
            current += char
    out.append(current)
    return out


def allows_none(annotation: str) -> bool:
    """Whether an annotation given as text admits None: ``Optional[X]``, ``X | None``,
    ``Union[X, None]`` (the word ``None`` anywhere in it counts)."""
    return bool(re.search(r"\bOptional\[|\bNone\b", annotation))
