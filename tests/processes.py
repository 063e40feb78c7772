"""What the tests of contained commands ask about the machine's processes (Linux ``/proc``)."""

from __future__ import annotations

from pathlib import Path


def running(marker: str) -> bool:
    """Whether a process whose command line holds ``marker`` is alive (zombies are not)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if marker.encode() in command and state != "Z":
            return True
    return False
