"""The guide cache: keyed, bounded, shared by threads, and rebuilt when its file is damaged."""

from __future__ import annotations

import dataclasses
import logging
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from howto_ls.cache import FILE_NAME, CacheKey, GuideCache, default_path
from howto_ls.guide import Guide

KEY = CacheKey("0123456789ab", "openai", "llama3", "1", "English")
GUIDE = Guide(
    description='Sends `"""` and C:\\path safely.',
    steps=("It checks the input.", "It sends the request."),
    example='from shop import total\n\nprint(total([1.0]))  # """ \\n',
)


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    path.write_bytes(data[: len(data) // 3] + b"\xff" * 700)


def _foreign(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE notes (body TEXT)")
        db.execute("INSERT INTO notes VALUES ('keep me out of the cache')")
    db.close()


def test_put_then_get_returns_the_same_guide(tmp_path: Path) -> None:
    cache = GuideCache(tmp_path / "c.sqlite3")
    assert cache.get(KEY) is None
    cache.put(KEY, GUIDE)
    assert cache.get(KEY) == GUIDE
    assert GuideCache(tmp_path / "c.sqlite3").get(KEY) == GUIDE  # it persists


@pytest.mark.parametrize("field", ["fingerprint", "backend", "model", "prompt_version", "language"])
def test_every_key_part_matters(tmp_path: Path, field: str) -> None:
    cache = GuideCache(tmp_path / "c.sqlite3")
    cache.put(KEY, GUIDE)
    assert cache.get(dataclasses.replace(KEY, **{field: "other"})) is None


def test_a_put_replaces_the_old_guide(tmp_path: Path) -> None:
    cache = GuideCache(tmp_path / "c.sqlite3")
    cache.put(KEY, GUIDE)
    newer = dataclasses.replace(GUIDE, description="It validates the cart.")
    cache.put(KEY, newer)
    assert cache.get(KEY) == newer
    assert len(cache) == 1


def test_the_oldest_entries_go_first(tmp_path: Path) -> None:
    cache = GuideCache(tmp_path / "c.sqlite3", max_entries=5)
    keys = [dataclasses.replace(KEY, fingerprint=f"f{i}") for i in range(8)]
    for key in keys:
        cache.put(key, GUIDE)
    assert len(cache) == 5
    assert [cache.get(k) is not None for k in keys] == [False] * 3 + [True] * 5


def test_uses_wal_and_the_user_cache_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_path() == tmp_path / "xdg" / "howto-ls" / FILE_NAME
    cache = GuideCache()
    cache.put(KEY, GUIDE)
    assert cache.path.is_file()
    with sqlite3.connect(cache.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.mark.parametrize(
    ("damage", "moved"),
    [
        pytest.param(lambda p: p.write_bytes(b"not a database at all\n" * 200), True, id="garbage"),
        pytest.param(_truncate, True, id="truncated"),
        pytest.param(_foreign, True, id="foreign-sqlite"),
        pytest.param(lambda p: p.write_bytes(b""), False, id="empty"),  # SQLite: a new database
    ],
)
def test_a_damaged_file_is_moved_aside_and_rebuilt(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, damage: object, moved: bool
) -> None:
    path = tmp_path / "c.sqlite3"
    earlier = GuideCache(path)
    earlier.put(dataclasses.replace(KEY, fingerprint="old"), GUIDE)
    earlier.close()
    damage(path)  # type: ignore[operator]
    cache = GuideCache(path)
    with caplog.at_level(logging.WARNING):
        assert cache.get(KEY) is None
        cache.put(KEY, GUIDE)
        assert cache.get(KEY) == GUIDE
    assert cache.get(dataclasses.replace(KEY, fingerprint="old")) is None
    assert bool(list(tmp_path.glob("c.sqlite3.corrupt-*"))) is moved
    assert ("moved it to c.sqlite3.corrupt-" in caplog.text) is moved


def _replace_with_garbage(path: Path) -> None:
    garbage = path.with_name("garbage")
    garbage.write_bytes(b"\x00garbage" * 4096)
    garbage.replace(path)


def _overwrite_with_garbage(path: Path) -> None:
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    with path.open("r+b") as file:
        file.write(b"\x00garbage" * 4096)


def _delete(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


@pytest.mark.parametrize("interfere", [_replace_with_garbage, _overwrite_with_garbage, _delete])
def test_a_file_changed_while_in_use_never_fails_a_call(
    tmp_path: Path, interfere: Callable[[Path], None]
) -> None:
    path = tmp_path / "c.sqlite3"
    cache = GuideCache(path)
    cache.put(KEY, GUIDE)
    interfere(path)
    other = dataclasses.replace(KEY, fingerprint="other")
    cache.get(KEY)  # the old guide or a miss, but no error
    cache.put(other, GUIDE)
    assert cache.get(other) == GUIDE
    cache.close()
    later = GuideCache(path)  # the next process: damage moved aside, the file usable again
    later.put(KEY, GUIDE)
    assert later.get(KEY) == GUIDE
    assert later.get(other) in (GUIDE, None)
    later.close()


def test_a_file_deleted_while_in_use_is_made_again(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    cache = GuideCache(path)
    cache.put(KEY, GUIDE)
    _delete(path)
    assert cache.get(KEY) is None
    cache.put(KEY, GUIDE)
    cache.close()
    assert GuideCache(path).get(KEY) == GUIDE  # written to the new file, not the deleted one


def test_an_unusable_place_turns_the_cache_off(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    cache = GuideCache(blocker / "sub" / "c.sqlite3")
    with caplog.at_level(logging.WARNING):
        cache.put(KEY, GUIDE)
        assert cache.get(KEY) is None
    assert cache.disabled
    assert "guide cache off: cannot create" in caplog.text


def test_threads_share_one_cache(tmp_path: Path) -> None:
    cache = GuideCache(tmp_path / "c.sqlite3")
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for i in range(25):
                key = dataclasses.replace(KEY, fingerprint=f"{worker}-{i}")
                cache.put(key, GUIDE)
                assert cache.get(key) == GUIDE
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert len(cache) == 200


_WRITER = """
import sys
from pathlib import Path
from howto_ls.cache import CacheKey, GuideCache
from howto_ls.guide import Guide
cache = GuideCache(Path(sys.argv[1]))
guide = Guide("Writes.", ("It writes.",), "print(1)")
for i in range(150):
    key = CacheKey(f"{sys.argv[2]}-{i}", "openai", "m", "1", "English")
    cache.put(key, guide)
    assert cache.get(key) == guide, i
print("done")
"""


def test_processes_share_one_cache_file(tmp_path: Path) -> None:
    # The server and a `generate` in a terminal each keep a connection to the same file.
    path = tmp_path / "c.sqlite3"
    here = GuideCache(path)
    here.put(KEY, GUIDE)
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(path), name],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("a", "b")
    ]
    deadline = time.monotonic() + 60
    while any(writer.poll() is None for writer in writers) and time.monotonic() < deadline:
        assert here.get(KEY) == GUIDE  # reads go on while both write
    for writer in writers:
        out, err = writer.communicate(timeout=60)
        assert (writer.returncode, out.strip()) == (0, "done"), err
        assert "unavailable" not in err
    assert len(here) == 301


def test_clear_forgets_everything(tmp_path: Path) -> None:
    cache = GuideCache(tmp_path / "c.sqlite3")
    cache.put(KEY, GUIDE)
    cache.clear()
    assert cache.get(KEY) is None and len(cache) == 0


def test_the_request_digest_is_part_of_the_key(tmp_path: Path) -> None:
    cache = GuideCache(tmp_path / "c.sqlite3")
    keyed = dataclasses.replace(KEY, request="digest-of-prompt-a")
    cache.put(keyed, GUIDE)
    assert cache.get(keyed) == GUIDE
    assert cache.get(dataclasses.replace(keyed, request="digest-of-prompt-b")) is None


def test_a_cache_of_the_first_schema_is_emptied_and_upgraded(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "c.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(
            "CREATE TABLE guides (fingerprint TEXT NOT NULL, backend TEXT NOT NULL, "
            "model TEXT NOT NULL, prompt_version TEXT NOT NULL, language TEXT NOT NULL, "
            "guide TEXT NOT NULL, created REAL NOT NULL, "
            "PRIMARY KEY (fingerprint, backend, model, prompt_version, language));"
            "INSERT INTO guides VALUES ('0123456789ab', 'openai', 'llama3', '1', 'English', "
            '\'{"description": "old", "steps": [], "example": ""}\', 1.0);'
            "PRAGMA user_version = 1;"
        )
    db.close()
    cache = GuideCache(path)
    with caplog.at_level(logging.INFO, logger="howto_ls.cache"):
        assert cache.get(KEY) is None
        assert len(cache) == 0  # the old guide, keyed without the prompt, is not served
        cache.put(KEY, GUIDE)
    assert cache.get(KEY) == GUIDE
    assert not list(tmp_path.glob("*.corrupt-*"))  # upgraded in place, not moved aside
    assert any("upgrading the guide cache" in r.message for r in caplog.records)


def test_clear_says_how_many_guides_it_forgot(tmp_path: Path) -> None:
    missing = GuideCache(tmp_path / "none" / "c.sqlite3")
    assert missing.clear() == 0
    assert not (tmp_path / "none").exists()  # clearing creates nothing
    cache = GuideCache(tmp_path / "c.sqlite3")
    for index in range(3):
        cache.put(dataclasses.replace(KEY, fingerprint=f"f{index}"), GUIDE)
    assert cache.clear() == 3
    assert len(cache) == 0
