"""Index records kept in the cache database between command-line runs."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from howto_ls.cache import GuideCache
from howto_ls.offline import index
from howto_ls.offline.index_store import IndexStore
from tests.test_index import make_project


@pytest.fixture(autouse=True)
def fresh_indexes() -> Iterator[None]:
    index.reset()
    yield
    index.reset()


def project(root: Path, modules: int) -> Path:
    root.mkdir()
    return make_project(root, modules)


def indexed(root: Path, database: Path) -> index.ProjectIndex:
    """A new index of ``root`` (as a new process would make) keeping records in ``database``."""
    held = index.ProjectIndex(root.resolve(), IndexStore(GuideCache(database)))
    for record in list(held.records()):
        held.parsed(record.path)
    assert held.store is not None
    held.store.flush()
    return held


def test_a_second_run_over_an_unchanged_project_parses_nothing(tmp_path: Path) -> None:
    project(tmp_path / "p", 30)
    database = tmp_path / "cache.sqlite3"
    first = indexed(tmp_path / "p", database)
    assert (first.reads, first.parses) == (31, 31)
    second = indexed(tmp_path / "p", database)
    assert (second.reads, second.parses) == (0, 0)
    assert second.method_calls() == first.method_calls()
    assert list(second.records()) == list(first.records())


def test_a_changed_added_or_renamed_file_is_parsed_again_alone(tmp_path: Path) -> None:
    package = project(tmp_path / "p", 5)
    database = tmp_path / "cache.sqlite3"
    indexed(tmp_path / "p", database)
    (package / "m1.py").write_text("def f(item):\n    item.spin(1)\n", encoding="utf-8")
    (package / "m4.py").rename(package / "m9.py")
    (package / "new.py").write_text("X = 1\n", encoding="utf-8")
    (package / "m3.py").unlink()
    again = indexed(tmp_path / "p", database)
    assert (again.reads, again.parses) == (
        3,
        3,
    )  # m1 changed, m9 renamed, new added; the rest from the store
    assert again.method_calls()["spin"] == 1
    assert {p.name for p in again.files()} == {
        "__init__.py",
        "m0.py",
        "m1.py",
        "m2.py",
        "m9.py",
        "new.py",
    }


def test_a_damaged_row_is_a_miss_never_an_error(tmp_path: Path) -> None:
    project(tmp_path / "p", 3)
    database = tmp_path / "cache.sqlite3"
    indexed(tmp_path / "p", database)
    with sqlite3.connect(database) as db:
        db.execute("UPDATE modules SET record = '[1, 2' WHERE path LIKE '%m1.py'")
        db.execute("""UPDATE modules SET record = '{"module": 5}' WHERE path LIKE '%m2.py'""")
    again = indexed(tmp_path / "p", database)
    assert (again.reads, again.parses) == (2, 2)
    assert again.method_calls()["price1"] == 1


def test_the_command_line_keeps_the_index_and_cache_clear_forgets_it(tmp_path: Path) -> None:
    package = project(tmp_path / "p", 4)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg"), "HOWTO_BACKEND": "offline"}
    env.pop("HOWTO_CACHE", None)

    def howto(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "howto_ls", *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return done.stdout + done.stderr

    howto("doc", f"{package / 'm2.py'}::use2")
    database = Path(howto("cache", "path").strip())
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT path FROM modules").fetchall()
    assert sorted(Path(path).name for (path,) in rows) == [
        "__init__.py", "m0.py", "m1.py", "m2.py", "m3.py",
    ]  # fmt: skip
    howto("cache", "clear")
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM modules").fetchone() == (0,)
    env["HOWTO_CACHE"] = "off"
    howto("doc", f"{package / 'm2.py'}::use2")
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM modules").fetchone() == (0,)  # cache off
