"""A yardstick printed with every benchmark: how fast this machine runs Python right now.

Shared machines change speed from hour to hour (the same commit measured twice an hour apart
gave server start-ups of 0.55 s and 1.0 s); the yardstick says which speed a table was taken at.
"""

from __future__ import annotations

import time

LOOP = 2_000_000


def loop_ms() -> float:
    """Milliseconds for one fixed pure-Python loop, the best of five."""
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        total = 0
        for number in range(LOOP):
            total += number & 7
        best = min(best, (time.perf_counter() - started) * 1000)
    return best


def line() -> str:
    """One line for a benchmark's output."""
    return (
        f"yardstick: {LOOP:,} turns of a pure-Python loop take {loop_ms():.0f} ms (lower is faster)"
    )
