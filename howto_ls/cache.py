"""A SQLite cache of written guides, keyed by everything that shaped them.

The key is the code's fingerprint, backend, model, prompt version, language and a digest of the
request (the whole prompt with code, docstrings and context, base URL, model, structured output
mode, token cap: see ``AnsweringBackend.request_digest``), so a guide is reused only for the
same question to the same endpoint. It lives in the user cache directory, holds at most
``max_entries`` guides (the oldest go first), and never takes the caller down: a corrupt or
foreign file is moved aside and rebuilt, one of an older schema is emptied and upgraded, and any
other database trouble turns into a cache miss. Threads share one connection, one call at a time.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import platformdirs

from howto_ls.guide import Guide

MAX_ENTRIES = 2_000
SCHEMA_VERSION = 2
"""1: no request digest in the key. A cache of an older schema is emptied and upgraded."""
FILE_NAME = "guides.sqlite3"

log = logging.getLogger(__name__)
T = TypeVar("T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS guides (
    fingerprint TEXT NOT NULL,
    backend TEXT NOT NULL,
    model TEXT NOT NULL,
    prompt_version TEXT NOT NULL,
    language TEXT NOT NULL,
    request TEXT NOT NULL,
    guide TEXT NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (fingerprint, backend, model, prompt_version, language, request)
);
CREATE INDEX IF NOT EXISTS guides_created ON guides (created);
CREATE TABLE IF NOT EXISTS modules (
    path TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    record TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class CacheKey:
    """What a cached guide depends on."""

    fingerprint: str
    backend: str
    model: str
    prompt_version: str
    language: str
    request: str = ""  # digest of the prompt, endpoint and options

    def values(self) -> tuple[str, str, str, str, str, str]:
        """The key as a row of column values."""
        return (
            self.fingerprint,
            self.backend,
            self.model,
            self.prompt_version,
            self.language,
            self.request,
        )


def default_path() -> Path:
    """Where the cache lives: ``guides.sqlite3`` in the user cache directory of howto-ls."""
    return Path(platformdirs.user_cache_dir("howto-ls")) / FILE_NAME


class GuideCache:
    """Guides already written, so asking again for unchanged code answers at once."""

    def __init__(self, path: Path | None = None, *, max_entries: int = MAX_ENTRIES) -> None:
        self.path = path if path is not None else default_path()
        self.max_entries = max_entries
        self._lock = threading.RLock()
        self._db: sqlite3.Connection | None = None
        self._identity: tuple[int, int] | None = None  # (device, inode) of the open file
        self.disabled = False

    def get(self, key: CacheKey) -> Guide | None:
        """The cached guide for ``key``, or None."""

        def read(db: sqlite3.Connection) -> str | None:
            row = db.execute(
                "SELECT guide FROM guides WHERE fingerprint=? AND backend=? AND model=? "
                "AND prompt_version=? AND language=? AND request=?",
                key.values(),
            ).fetchone()
            return None if row is None else str(row[0])

        data = self._run(read, None)
        if data is None:
            return None
        guide = _decode(data)
        if guide is None:
            log.warning("ignoring an unreadable entry in the guide cache %s", self.path)
        return guide

    def put(self, key: CacheKey, guide: Guide) -> None:
        """Store ``guide`` under ``key``, dropping the oldest entries beyond the bound."""
        data = json.dumps(
            {"description": guide.description, "steps": list(guide.steps), "example": guide.example}
        )

        def write(db: sqlite3.Connection) -> None:
            with db:
                db.execute("BEGIN IMMEDIATE")
                db.execute(
                    "INSERT OR REPLACE INTO guides VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (*key.values(), data, time.time()),
                )
                db.execute(
                    "DELETE FROM guides WHERE rowid IN (SELECT rowid FROM guides "
                    "ORDER BY created DESC, rowid DESC LIMIT -1 OFFSET ?)",
                    (self.max_entries,),
                )

        self._run(write, None)

    def get_module(self, path: str, fingerprint: str) -> str | None:
        """The project-index record stored for the file ``path`` at ``fingerprint`` (JSON
        text, :mod:`howto_ls.offline.index_store`), or None."""

        def read(db: sqlite3.Connection) -> str | None:
            row = db.execute(
                "SELECT record FROM modules WHERE path=? AND fingerprint=?", (path, fingerprint)
            ).fetchone()
            return None if row is None else str(row[0])

        return self._run(read, None)

    def put_modules(self, rows: list[tuple[str, str, str]]) -> None:
        """Store project-index records: (path, fingerprint, JSON text) each, in one
        transaction, replacing what a path held before."""

        def write(db: sqlite3.Connection) -> None:
            with db:
                db.execute("BEGIN IMMEDIATE")
                db.executemany("INSERT OR REPLACE INTO modules VALUES (?, ?, ?)", rows)

        if rows:
            self._run(write, None)

    def __len__(self) -> int:
        return self._run(lambda db: int(db.execute("SELECT count(*) FROM guides").fetchone()[0]), 0)

    def clear(self) -> int:
        """Forget every cached guide; how many there were (0 when the cache is unavailable)."""

        with self._lock:
            if self._db is None and not self.path.exists():
                return 0  # nothing to clear: do not create the file for it

        def delete(db: sqlite3.Connection) -> int:
            db.execute("DELETE FROM modules")  # the project index is rebuilt on demand
            return int(db.execute("DELETE FROM guides").rowcount)

        return self._run(delete, 0)

    def close(self) -> None:
        """Close the connection; the next call opens it again."""
        with self._lock:
            if self._db is not None:
                db, self._db = self._db, None
                db.close()

    # -- internals --

    def _run(self, action: Callable[[sqlite3.Connection], T], default: T) -> T:
        """``action`` on the connection; a damaged file is rebuilt once, trouble is a miss."""
        for attempt in range(2):
            try:
                with self._lock:
                    db = self._open()
                    if db is None:
                        return default
                    return action(db)
            except sqlite3.DatabaseError as error:
                self.close()
                if attempt == 0 and _corrupt(error):
                    self._rebuild(error)
                    continue
                log.warning("the guide cache %s is unavailable this time (%s)", self.path, error)
                return default
        return default

    def _open(self) -> sqlite3.Connection | None:
        """The connection, made on first use with the file and schema; None when disabled.

        A file of another kind or schema raises DatabaseError, which rebuilds it. Called with
        the lock held.
        """
        if self._db is not None and self._identity != _identity(self.path):
            self.close()  # deleted or replaced since it was opened: start on the new file
        if self.disabled or self._db is not None:
            return self._db
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            self._disable(f"cannot create {self.path.parent}: {error.strerror}")
            return None
        db = sqlite3.connect(self.path, timeout=5.0, isolation_level=None, check_same_thread=False)
        try:
            db.execute("PRAGMA busy_timeout = 5000")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
            if tables and 1 <= version < SCHEMA_VERSION and "guides" in tables:
                log.info("upgrading the guide cache %s; its old guides are dropped", self.path)
                db.execute("DROP TABLE guides")
            elif tables and version != SCHEMA_VERSION:
                raise sqlite3.DatabaseError("file is not a howto-ls guide cache")
            db.execute("PRAGMA journal_mode = WAL")
            # A cache may lose its last writes in a power cut; it must not wait for the disk.
            db.execute("PRAGMA synchronous = NORMAL")
            db.executescript(_SCHEMA)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.execute("SELECT fingerprint, request, guide, created FROM guides LIMIT 1").fetchall()
        except BaseException:
            db.close()
            raise
        self._db, self._identity = db, _identity(self.path)
        return db

    def _rebuild(self, error: sqlite3.DatabaseError) -> None:
        """Move the damaged file aside and start an empty cache in its place."""
        with self._lock:
            self.close()
            aside = self.path.with_name(f"{self.path.name}.corrupt-{int(time.time())}")
            log.warning(
                "the guide cache %s is damaged (%s); moved it to %s and starting afresh",
                self.path,
                error,
                aside.name,
            )
            try:
                self.path.replace(aside)
                for suffix in ("-wal", "-shm"):
                    with contextlib.suppress(FileNotFoundError):
                        self.path.with_name(self.path.name + suffix).unlink()
            except OSError as move_error:
                self._disable(f"cannot move the damaged cache aside: {move_error.strerror}")

    def _disable(self, reason: str) -> None:
        self.disabled = True
        log.warning("guide cache off: %s", reason)


def _identity(path: Path) -> tuple[int, int] | None:
    """The device and inode of ``path``, or None if it is not there."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


def _corrupt(error: sqlite3.DatabaseError) -> bool:
    """Whether ``error`` means the file is not (or no longer) a usable guide cache."""
    if isinstance(error, sqlite3.OperationalError):
        text = str(error).lower()
        return "no such table" in text or "no such column" in text or "malformed" in text
    return not isinstance(
        error, sqlite3.IntegrityError | sqlite3.ProgrammingError | sqlite3.InterfaceError
    )


def _decode(data: str) -> Guide | None:
    try:
        raw = json.loads(data)
        steps = raw["steps"]
        if not isinstance(steps, list) or not all(isinstance(s, str) for s in steps):
            return None
        description, example = raw["description"], raw["example"]
        if not isinstance(description, str) or not isinstance(example, str):
            return None
    except (ValueError, KeyError, TypeError):
        return None
    return Guide(description=description, steps=tuple(steps), example=example)
