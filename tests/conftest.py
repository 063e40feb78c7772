"""Fixtures shared by several test modules."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

G4F_WHEEL = "g4f-0.5.3.0-py3-none-any.whl"


@pytest.fixture(scope="session")
def g4f_sources(pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The g4f 0.5.3.0 sources (the seed guides' classes), downloaded once into the pytest cache.

    The wheel comes from PyPI at test time and is never committed.
    """
    cache = pytestconfig.cache
    folder = cache.mkdir("g4f-0.5.3.0") if cache else tmp_path_factory.mktemp("g4f-0.5.3.0")
    wheel = folder / G4F_WHEEL
    if not wheel.exists():
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "g4f==0.5.3.0"]
        result = subprocess.run(
            [*command, "-d", str(folder)], capture_output=True, text=True, timeout=180, check=False
        )
        if result.returncode != 0 or not wheel.exists():
            pytest.fail(f"could not download g4f 0.5.3.0 from PyPI: {result.stderr[-300:]}")
    source_root = folder / "src"
    if not (source_root / "g4f" / "__init__.py").exists():
        with zipfile.ZipFile(wheel) as archive:
            members = [n for n in archive.namelist() if n.startswith("g4f/") and n.endswith(".py")]
            archive.extractall(source_root, members)
    return source_root


@pytest.fixture(autouse=True)
def _default_size_limit() -> Iterator[None]:
    """Each test starts and ends with the default ``maxFileSize``: the limit is one per process
    (an Engine sets it), so a test that lowers it must not shrink what later tests read."""
    from howto_ls import sourcefile
    from howto_ls.config import DEFAULT_MAX_FILE_SIZE

    sourcefile.set_size_limit(DEFAULT_MAX_FILE_SIZE)
    yield
    sourcefile.set_size_limit(DEFAULT_MAX_FILE_SIZE)
