"""What every guide-writing backend provides."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from howto_ls.guide import Guide
from howto_ls.model import GuideRequest

Progress = Callable[[str], None]


class Backend(Protocol):
    """Writes a guide for one symbol. ``offline`` and ``openai`` implement it."""

    name: str  # "offline" or "openai": goes into the cache key
    model: str  # model name ("static-analysis" for offline): goes into the cache key

    def describe(self) -> str:
        """Where guides come from, for logs and progress: "offline", "llama3 at localhost:11434"."""
        ...

    async def generate(self, request: GuideRequest, progress: Progress | None = None) -> Guide:
        """A guide for ``request.symbol``; raises a :class:`howto_ls.errors.BackendError`."""
        ...
