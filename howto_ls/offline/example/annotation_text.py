"""Annotations read as text: their alternatives, the inside of ``X[...]``, containers."""

from __future__ import annotations

import re

_LIST_TYPES = frozenset({"list", "List", "Sequence", "Iterable", "Collection", "MutableSequence"})


_DICT_TYPES = frozenset({"dict", "Dict", "Mapping", "MutableMapping"})


def _alternatives(annotation: str) -> list[str]:
    """``Optional[X]``, ``X | Y | None``, ``Union[X, Y]`` -> ``[X, Y]``; quotes dropped."""
    text = annotation.strip().strip("'\"").strip()
    match = re.fullmatch(r"(?:\w+\.)?Optional\[(.*)\]", text)
    if match:
        return _alternatives(match.group(1))
    match = re.fullmatch(r"(?:\w+\.)?Union\[(.*)\]", text)
    parts = _split_top(match.group(1), ",") if match else _split_top(text, "|")
    out: list[str] = []
    for part in (p.strip() for p in parts):
        if part not in {"None", "NoneType", ""}:
            out.extend(_alternatives(part) if part != text else [part])
    return out or ["None"]


def _unwrap(annotation: str) -> str:
    """The first alternative of an annotation: ``Optional[X]`` -> ``X``."""
    return _alternatives(annotation)[0]


def _split_top(text: str, sep: str) -> list[str]:
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


def _allows_none(annotation: str) -> bool:
    """Whether an annotation admits None: ``Optional[X]``, ``X | None``, ``Union[X, None]``."""
    return bool(re.search(r"\bOptional\[|\bNone\b", annotation))
