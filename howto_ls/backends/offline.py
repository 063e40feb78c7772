"""The ``offline`` backend: guides from static analysis (:mod:`howto_ls.offline`), no model."""

from __future__ import annotations

from dataclasses import replace

from howto_ls.backends.base import Progress
from howto_ls.demonstration import Target
from howto_ls.guide import Guide
from howto_ls.model import GuideRequest
from howto_ls.offline.writer import write_guide, write_guide_candidates
from howto_ls.verification import DEMONSTRATES, Verifier


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

    async def generate_verified(
        self, request: GuideRequest, verifier: Verifier, progress: Progress | None = None
    ) -> Guide:
        """A guide for ``request.symbol`` whose example is the best of the writer's candidates
        (:func:`howto_ls.offline.writer.write_guide_candidates`) when run in the sandbox by
        ``verifier``: in the writer's order, stopping at the first that demonstrates the
        symbol, within the verifier's time budget; when the best only shows None, an empty value
        or a default repr, follow-ups that show more of what it printed
        (:mod:`howto_ls.follow_up`) run too and the best of all is kept. Where examples cannot
        run, :meth:`generate`'s guide."""
        if progress is not None:
            progress("Analysing the code offline")
        guides = write_guide_candidates(request)
        if progress is not None:
            count = len(guides)
            progress(f"Running {count} candidate example{'s' if count > 1 else ''}")
        examples = [guide.example for guide in guides]
        target = Target.of(request.symbol)
        ranking = await verifier.rank_async(examples, target, enough=DEMONSTRATES, follow=True)
        if ranking is None:
            return guides[0]
        best = ranking.best
        chosen = guides[best.origin]
        return chosen if best.code == chosen.example else replace(chosen, example=best.code)
