"""The project index kept between command-line runs, in the cache database.

Each file's :class:`~howto_ls.offline.index.ModuleRecord` is stored as JSON under its resolved
path and fingerprint (modification time in nanoseconds and size in bytes, plus the record
version), in the ``modules`` table of the guide cache (:mod:`howto_ls.cache`); a second run
over an unchanged project loads records instead of parsing. What is read back is checked field
by field: a damaged or foreign row is a miss, never an error. Writes are batched (one
transaction per :data:`BATCH` records, the rest at :meth:`IndexStore.flush`).
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from pathlib import Path
from typing import Any

from howto_ls.cache import GuideCache
from howto_ls.offline.index import (
    RECORD_VERSION,
    ClassRecord,
    Fingerprint,
    LiteralCallRecord,
    ModuleRecord,
    ParsedFacts,
)
from howto_ls.offline.project_uses import StatementRecord, UseRecord
from howto_ls.project import Exports

BATCH = 200
"""Records written per transaction."""


class IndexStore:
    """Loads and saves index records in ``cache``'s database."""

    def __init__(self, cache: GuideCache) -> None:
        self.cache = cache
        self._pending: list[tuple[str, str, str]] = []
        self._lock = threading.Lock()

    def load(self, path: Path, fingerprint: Fingerprint) -> ModuleRecord | None:
        """The stored record of ``path`` at ``fingerprint``, or None (absent, damaged)."""
        text = self.cache.get_module(str(path), _key(fingerprint))
        if text is None:
            return None
        try:
            return decode(json.loads(text), path, fingerprint)
        except (ValueError, TypeError, KeyError):
            return None

    def save(self, record: ModuleRecord) -> None:
        """Store ``record`` (written with the next batch)."""
        row = (str(record.path), _key(record.fingerprint), json.dumps(encode(record)))
        with self._lock:
            self._pending.append(row)
            full = len(self._pending) >= BATCH
        if full:
            self.flush()

    def flush(self) -> None:
        """Write the records saved since the last flush."""
        with self._lock:
            rows, self._pending = self._pending, []
        self.cache.put_modules(rows)

    def close(self) -> None:
        """Flush and close the database connection."""
        self.flush()
        self.cache.close()


def _key(fingerprint: Fingerprint) -> str:
    return f"{RECORD_VERSION}:{fingerprint[0]}:{fingerprint[1]}"


def encode(record: ModuleRecord) -> dict[str, Any]:
    """``record`` as JSON-ready data (its path and fingerprint are the row's key); its parsed
    facts under ``"parsed"`` when it has them."""
    data: dict[str, Any] = {
        "module": record.module,
        "attribute_calls": dict(record.attribute_calls),
        "called_names": sorted(record.called_names),
    }
    facts = record.parsed
    if facts is not None:
        data["parsed"] = {
            "classes": [
                [c.name, c.line, list(c.bases), sorted(c.offered)] for c in facts.classes.values()
            ],
            "imported": {name: list(target) for name, target in facts.imported.items()},
            "literal_calls": [_call_row(c) for c in facts.literal_calls],
            "uses": [_use_row(use) for use in facts.uses],
        }
        if facts.exports is not None:
            data["parsed"]["exports"] = {
                "imported": facts.exports.imported,
                "star": list(facts.exports.star),
                "all": None if facts.exports.all is None else sorted(facts.exports.all),
            }
    return data


def _use_row(use: UseRecord) -> list[Any]:
    statements = [[s.text, list(s.bound), list(s.used), s.expected] for s in use.statements]
    return [use.origin, use.line, use.in_doctest, statements]


def _use(row: Any) -> UseRecord:
    origin, line, in_doctest, statements = row
    if not isinstance(in_doctest, bool):
        raise TypeError("expected true or false")
    return UseRecord(
        _text(origin),
        _number(line),
        in_doctest,
        tuple(
            StatementRecord(_text(text), _texts(bound), _texts(used), _text(expected))
            for text, bound, used, expected in statements
        ),
    )


def _call_row(call: LiteralCallRecord) -> list[Any]:
    keywords = [list(pair) for pair in call.keywords]
    constants = [list(pair) for pair in call.constants]
    return [call.callee, list(call.positional), keywords, call.in_doctest, constants]


def decode(data: Any, path: Path, fingerprint: Fingerprint) -> ModuleRecord:
    """The record :func:`encode` wrote. Raises ValueError, TypeError or KeyError on anything
    else (a damaged or foreign row)."""
    if not isinstance(data, dict):
        raise ValueError("not a record")
    calls = Counter({_text(k): _number(v) for k, v in _mapping(data["attribute_calls"]).items()})
    parsed = data.get("parsed")
    return ModuleRecord(
        path=path,
        module=_text(data["module"]),
        fingerprint=fingerprint,
        attribute_calls=calls,
        called_names=frozenset(_texts(data["called_names"])),
        parsed=None if parsed is None else _decode_parsed(_mapping(parsed)),
    )


def _decode_parsed(data: dict[str, Any]) -> ParsedFacts:
    classes: dict[str, ClassRecord] = {}
    for name, line, bases, offered in data["classes"]:
        classes[_text(name)] = ClassRecord(
            _text(name), _number(line), _texts(bases), frozenset(_texts(offered))
        )
    imported = {
        _text(name): (_text(target[0]), _text(target[1]))
        for name, target in _mapping(data["imported"]).items()
    }
    literal_calls = tuple(
        LiteralCallRecord(
            _text(callee),
            tuple(None if p is None else _text(p) for p in positional),
            tuple((_text(k), _text(v)) for k, v in keywords),
            bool(in_doctest),
            tuple((_text(k), _text(v)) for k, v in constants),
        )
        for callee, positional, keywords, in_doctest, constants in data["literal_calls"]
    )
    uses = tuple(_use(row) for row in data["uses"])
    exports = None
    if "exports" in data:
        found = _mapping(data["exports"])
        listed = found["all"]
        exports = Exports(
            {_text(k): _text(v) for k, v in _mapping(found["imported"]).items()},
            _texts(found["star"]),
            None if listed is None else frozenset(_texts(listed)),
        )
    return ParsedFacts(classes, imported, literal_calls, uses, exports)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("expected text")
    return value


def _number(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError("expected a whole number")
    return value


def _texts(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise TypeError("expected a list")
    return tuple(_text(item) for item in value)


def _mapping(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError("expected an object")
    return value
