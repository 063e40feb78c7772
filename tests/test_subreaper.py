"""``howto_ls.subreaper``: orphans adopted by a real process, ended when the block ends."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="child subreapers are Linux's"
)

# A process that adopts, inside the block, a setsid grandchild whose parent already exited;
# it prints whether the grandchild was its child inside the block and alive after it.
SCRIPT = """
import os, subprocess, sys, time
from howto_ls import subreaper

before = subprocess.Popen(['sleep', '30'])  # a child of its own from before: left alone
with subreaper.adopting():
    middle = os.fork()
    if middle == 0:
        os.setsid()
        if os.fork() == 0:
            os.execvp('sleep', ['sleep', '30'])
        os._exit(0)
    os.waitpid(middle, 0)
    time.sleep(0.3)
    adopted = [p for p in subreaper.children() if p != before.pid]
print(len(adopted), os.path.exists('/proc/%d' % adopted[0]), before.poll())
before.kill()
"""


def test_orphans_are_adopted_and_ended_when_the_block_ends() -> None:
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["1", "False", "None"]
