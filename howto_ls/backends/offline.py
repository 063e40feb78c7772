"""The ``offline`` backend: guides from static analysis (:mod:`howto_ls.offline`), no model."""

from __future__ import annotations

from howto_ls.backends.base import Progress
from howto_ls.guide import Guide
from howto_ls.model import GuideRequest
from howto_ls.offline.writer import write_guide


class OfflineBackend:
    """Writes guides from static analysis alone: nothing leaves the machine."""

    name = "offline"
    model = "static-analysis"

    def describe(self) -> str:
        """Where guides come from."""
        return "offline (static analysis)"

    async def generate(self, request: GuideRequest, progress: Progress | None = None) -> Guide:
        """A guide for ``request.symbol``, written from its code."""
        if progress is not None:
            progress("Analysing the code offline")
        return write_guide(request)
