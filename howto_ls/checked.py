"""Checked guides: ask the model, parse, validate, repair once, and cache what passes.

    cache hit ─▶ done
    answer ─▶ parse ─▶ validate ─▶ no problems ─▶ cache, done
                                └▶ problems ─▶ repair round (answer + problems) ─▶ parse, validate
                                                ─▶ no problems ─▶ cache, done
                                                └▶ GuideValidationError(problems): nothing written
    passed, with a verifier ─▶ run the example ─▶ demonstrates ─▶ cache, done
                                              └▶ fails or shows nothing ─▶ repair round (answer +
                                                 the run's error tail or why it shows nothing)
                                                 ─▶ the better of the two (verification.Verdict)
                                                 ─▶ its example raises, hangs or hits a limit
                                                    ─▶ GuideValidationError

Backends without raw answers (``offline``) are called as they are and not cached.

With a :class:`howto_ls.verification.Verifier` (``verifyExamples``), an answer that passed the
checks has its example run in the sandbox. When it fails, hangs, waits for a terminal or runs
without demonstrating the symbol, one repair round sends the last lines of its error output (or
why it shows nothing) back; the repaired answer, if it passes the checks, is run too, and the
better of the two is kept (demonstrates > runs > fails, then body lines executed, then the
original, and an example that may be right before one that is refused). When the kept example
still raises an error, does not finish in time or hits a limit (memory, output), nothing is
written: a guide whose example does not run to its end is wrong, and
:class:`GuideValidationError` says so and offers the offline guide. An example that only needs
the network or an optional dependency is neither repaired nor refused; one that waits for a
terminal is repaired, and kept when it still does.
Guides are cached apart by whether they were verified.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Protocol, runtime_checkable

from howto_ls.backends.base import Backend, Progress
from howto_ls.cache import CacheKey, GuideCache
from howto_ls.demonstration import Target
from howto_ls.errors import BackendError, GuideValidationError
from howto_ls.example_check import example_problems
from howto_ls.example_safety import safety_problems
from howto_ls.guide import SECTIONS, Guide, parse_guide, validate
from howto_ls.model import GuideRequest, SymbolKind
from howto_ls.prompt import PROMPT_VERSION, Repair, addressed_to_model
from howto_ls.usage import usage_for_symbol
from howto_ls.use_context import abstract_instances
from howto_ls.verification import Verdict, Verifier, best_of, refusal, run_problem

MAX_REPAIR_ANSWER_CHARS = 20_000
"""The previous answer sent back in a repair round is cut to this length."""

log = logging.getLogger(__name__)

_IDENTIFIER = re.compile(r"(?!\d)\w+")


@runtime_checkable
class AnsweringBackend(Backend, Protocol):
    """A backend that returns the model's raw answer and can hold a repair conversation."""

    async def answer(
        self,
        request: GuideRequest,
        progress: Progress | None = None,
        *,
        repair: Repair | None = None,
    ) -> str:
        """The model's raw answer; with ``repair``, to the follow-up listing the problems."""
        ...

    def request_digest(self, request: GuideRequest) -> str:
        """A hash of everything this backend would send for ``request`` and that shapes the
        answer: the cache keys guides by it."""
        ...


async def write_checked_guide(
    backend: Backend,
    request: GuideRequest,
    *,
    progress: Progress | None = None,
    cache: GuideCache | None = None,
    fingerprint: str | None = None,
    enrich: Callable[[GuideRequest], Awaitable[GuideRequest]] | None = None,
    verifier: Verifier | None = None,
) -> Guide:
    """A guide that passed validation, from the cache or the backend (with one repair round).

    ``enrich`` adds what only a model needs (the context of called functions) after a cache
    miss, so a hit costs nothing more. With ``verifier``, the example is also run and repaired
    from its run (see the module docstring). Raises :class:`GuideValidationError` carrying the
    problems when the repaired answer still fails (or its example still raises), and
    :class:`howto_ls.errors.BackendError` when the backend does.
    """
    if not isinstance(backend, AnsweringBackend):
        return await backend.generate(request, progress)
    if enrich is not None:
        request = await enrich(request)
    warn_if_addressed_to_model(request)
    key = None
    verified = verifier is not None
    if cache is not None and fingerprint is not None:
        key = cache_key(backend, request, fingerprint, verified=verified)
        cached = await asyncio.to_thread(cache.get, key)
        if cached is None and not verified:  # a verified guide serves an unverified request
            verified_key = cache_key(backend, request, fingerprint, verified=True)
            cached = await asyncio.to_thread(cache.get, verified_key)
        if cached is not None:
            if progress is not None:
                progress("Using the cached guide")
            return cached
    guide = await _checked(backend, request, progress, verifier)
    if cache is not None and key is not None:
        await asyncio.to_thread(cache.put, key, guide)
    return guide


VERIFIED = ";verified-example"
"""Appended to the request digest of a guide whose example was run (and repaired from the run)."""


def cache_key(
    backend: AnsweringBackend, request: GuideRequest, fingerprint: str, *, verified: bool = False
) -> CacheKey:
    """The cache key of a guide for ``request`` written by ``backend``: the code's fingerprint
    and :meth:`AnsweringBackend.request_digest`, a hash of everything else that shapes the
    answer (the whole prompt with code, docstrings and context, endpoint, model, options), marked
    when the guide's example was ``verified``: an unverified guide never answers for a verified
    one."""
    digest = backend.request_digest(request)
    return CacheKey(
        fingerprint,
        backend.name,
        backend.model,
        PROMPT_VERSION,
        request.language,
        digest + VERIFIED if verified else digest,
    )


def warn_if_addressed_to_model(request: GuideRequest) -> None:
    """Log one warning when the code, docstrings or context of ``request`` talk to a model
    (:func:`howto_ls.prompt.addressed_to_model`): a prompt injection, sent only as fenced data
    and answered under the answer check. The warning names the symbol, file and phrases."""
    phrases = addressed_to_model(request)
    if not phrases:
        return
    symbol = request.symbol
    name = symbol.display_name or symbol.import_path or symbol.module
    where = request.extra.get("relpath") or symbol.path.name
    shown = ", ".join(f'"{phrase}"' for phrase in phrases[:3])
    log.warning(
        "the code or context of %s in %s has text addressed to a model (%s): it is sent as "
        "fenced data and the answer is checked; review that text",
        name,
        where,
        shown,
    )


def check_answer(text: str, request: GuideRequest) -> tuple[Guide, list[str]]:
    """The guide read from a model's ``text`` and every problem found in it."""
    parsed = parse_guide(text)
    symbol = request.symbol
    is_module = symbol.kind is SymbolKind.MODULE
    found = validate(
        parsed.guide,
        name=(symbol.import_path or symbol.module) if is_module else symbol.qualname,
        modules=tuple(dict.fromkeys(m for m in (symbol.import_path, symbol.module) if m)),
        kind=symbol.kind.value,
        known_identifiers=known_identifiers(request),
    )
    if parsed.guide.example.strip():
        usage = usage_for_symbol(symbol, request.module_source)
        found += example_problems(parsed.guide.example, symbol, usage)
        found += safety_problems(parsed.guide.example, symbol, request.module_source)
        found += abstract_instances(parsed.guide.example, symbol)
    missing = {name for name in SECTIONS if f"{name} section is missing" in parsed.problems}
    problems = list(parsed.problems) + [
        problem
        for problem in found
        if not any(problem == f"{name} section is empty" for name in missing)
    ]
    return parsed.guide, list(dict.fromkeys(problems))


class KnownNames:
    """Names a guide may mention: the module's (shared by its symbols, never copied) and more."""

    def __init__(self, own: frozenset[str], module: frozenset[str]) -> None:
        self.own = own
        self.module = module

    def __contains__(self, name: object) -> bool:
        return name in self.own or name in self.module


def known_identifiers(request: GuideRequest) -> KnownNames:
    """Every name a guide may mention: from the symbol's code, its module and its context."""
    symbol = request.symbol
    texts = [
        "" if symbol.source in request.module_source else symbol.source,
        symbol.qualname,
        symbol.module,
        symbol.import_path,
        symbol.signature,
        *symbol.bases,
        *symbol.decorators,
        *(p.name for p in symbol.parameters),
    ]
    for item in request.context:
        texts.extend((item.qualname, item.signature, item.summary))
    names = frozenset(name for text in texts for name in _IDENTIFIER.findall(text))
    return KnownNames(names, _identifiers_in(request.module_source))


@functools.lru_cache(maxsize=32)
def _identifiers_in(module_source: str) -> frozenset[str]:
    """The identifiers of a whole module, found once per module text."""
    return frozenset(_IDENTIFIER.findall(module_source))


async def _checked(
    backend: AnsweringBackend,
    request: GuideRequest,
    progress: Progress | None,
    verifier: Verifier | None = None,
) -> Guide:
    answer = await backend.answer(request, progress)
    guide, problems = check_answer(answer, request)
    if not problems:
        if verifier is None:
            return guide
        return await _verified(backend, request, progress, verifier, answer, guide)
    if progress is not None:
        count = len(problems)
        progress(f"Fixing {count} problem{'s' if count != 1 else ''} in the guide")
    repair = Repair(answer=answer[:MAX_REPAIR_ANSWER_CHARS], problems=tuple(problems))
    answer = await backend.answer(request, progress, repair=repair)
    guide, problems = check_answer(answer, request)
    if not problems:
        if verifier is None:
            return guide
        return await _verified(backend, request, progress, verifier, answer, guide)
    count = len(problems)
    raise GuideValidationError(
        f"the guide from {backend.describe()} still has {count} "
        f"problem{'s' if count != 1 else ''} after a repair round ({numbered(problems)}): "
        f"nothing was written; {OFFLINE_FIX}",
        problems,
    )


async def _verified(
    backend: AnsweringBackend,
    request: GuideRequest,
    progress: Progress | None,
    verifier: Verifier,
    answer: str,
    guide: Guide,
) -> Guide:
    """``guide`` (from ``answer``, checked) or its repair from a run of its example, whichever
    example does better; GuideValidationError when the one kept does not run to its end
    (:func:`howto_ls.verification.refusal`)."""
    symbol = request.symbol
    name = (symbol.import_path or symbol.module) if not symbol.qualname else symbol.qualname
    target = Target.of(symbol)
    if progress is not None:
        progress("Running the example")
    ranking = await verifier.rank_async([guide.example], target)
    if ranking is None:
        return guide  # examples cannot run here: said once, the guide is kept as checked
    first = ranking.verdicts[0]
    problem = run_problem(first, name)
    if problem is None:
        return _kept(backend, guide, first, problem)
    if progress is not None:
        progress("Fixing the example")
    repair = Repair(answer=answer[:MAX_REPAIR_ANSWER_CHARS], problems=(problem,))
    try:
        repaired_answer = await backend.answer(request, progress, repair=repair)
    except BackendError as exc:
        log.info("the repair round for the example of %s failed: %s", name, exc)
        return _kept(backend, guide, first, problem)
    repaired, problems = check_answer(repaired_answer, request)
    if problems:
        log.info("the repaired example of %s has problems; kept the first", name)
        return _kept(backend, guide, first, problem)
    if progress is not None:
        progress("Running the example")
    again = await verifier.rank_async([repaired.example], target)
    if again is None:
        return _kept(backend, guide, first, problem)
    second = Verdict(1, repaired.example, again.verdicts[0].demonstration)
    best = best_of([first, second])
    if refusal(best) is not None:  # one that may be right (needs the network...) goes first
        acceptable = [v for v in (first, second) if v.demonstration and refusal(v) is None]
        best = best_of(acceptable) if acceptable else best
    return _kept(backend, repaired if best is second else guide, best, problem)


def _kept(backend: AnsweringBackend, guide: Guide, verdict: Verdict, problem: str | None) -> Guide:
    """``guide``, unless its example (that got ``verdict``) does not run to its end."""
    refused = refusal(verdict)
    if refused is None:
        return guide
    problems = [problem] if problem else [refused]
    raise GuideValidationError(
        f"the guide from {backend.describe()} is not written: {refused}, also after a repair "
        f"round; {OFFLINE_FIX}, or set verifyExamples off",
        problems,
    )


OFFLINE_FIX = (
    "use the offline guide (--backend offline on the command line, or the editor's "
    '"Use offline guide") or another model'
)
"""How to get a guide when the model's fails validation: said in every such message."""


def numbered(problems: list[str]) -> str:
    """``problems`` on one line, numbered from 1: ``1) first; 2) second``."""
    return "; ".join(f"{index}) {' '.join(p.split())}" for index, p in enumerate(problems, 1))
