"""With the offline backend (and ``auto`` without a URL or key) nothing opens a network socket."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# Runs the CLI with an audit hook that records every internet socket, connection and name lookup.
WATCHED_RUN = """
import json, socket, sys

seen = []

def hook(event, args):
    if event == "socket.__new__" and args[1] in (socket.AF_INET, socket.AF_INET6):
        seen.append(event)
    elif event in ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname"):
        seen.append(event)

sys.addaudithook(hook)
from howto_ls.cli import main

status = main(sys.argv[1:])
print("NETWORK " + json.dumps(seen), file=sys.stderr)
raise SystemExit(status)
"""


@pytest.mark.parametrize("backend", ["offline", "auto"])
def test_offline_guides_open_no_socket(tmp_path: Path, backend: str) -> None:
    project = tmp_path / "project"
    shutil.copytree(EXAMPLES, project)
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "HOWTO_BACKEND": backend,
    }
    target = "inventory/client.py::InventoryClient"
    result = subprocess.run(
        [sys.executable, "-c", WATCHED_RUN, "doc", target, "--write", "docstring"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "wrote guide for InventoryClient" in result.stdout
    line = next(x for x in result.stderr.splitlines() if x.startswith("NETWORK "))
    assert json.loads(line.removeprefix("NETWORK ")) == []


def test_the_watch_itself_sees_a_connection(tmp_path: Path) -> None:
    """The audit hook is real: a model backend pointed at a closed port is seen connecting."""
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "HOWTO_BASE_URL": "http://127.0.0.1:9/v1",
    }
    project = tmp_path / "project"
    shutil.copytree(EXAMPLES, project)
    result = subprocess.run(
        [sys.executable, "-c", WATCHED_RUN, "doc", "inventory/stock.py::restock"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    line = next(x for x in result.stderr.splitlines() if x.startswith("NETWORK "))
    assert "socket.connect" in json.loads(line.removeprefix("NETWORK "))
