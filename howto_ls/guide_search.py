"""Find written guides by the words of a task ("parse a config file", "retry a request").

The scoring is plain and predictable, so that a caller can tell why a guide ranks where it
does. Words are runs of letters and digits, lowercased; identifiers split at ``_`` and at
camelCase humps (``parseConfig`` is ``parse`` and ``config``). Endings are cut the way the
first step of Porter's stemmer does it, simplified (:func:`stem`), so ``parse``, ``parses``,
``parsed`` and ``parsing`` are one word. Small function words (:data:`STOP_WORDS`) are dropped
from the query. Each remaining query word scores :data:`NAME_POINTS` when it is a word of the
symbol's qualified name or its module's dotted name, and :data:`TEXT_POINTS` when it is a word
of the guide's text or of the docstring's own text before it. Guides that match no word are
left out; the rest rank by how many query words they match, then by score, then a symbol
before a module (whose guide sums up its symbols: the narrower guide first), then by path and
line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from howto_ls import discovery, project
from howto_ls.engine import Engine, ExistingGuide, GuideState
from howto_ls.errors import HowtoError, UsageError, shown_input
from howto_ls.sourcefile import read_source

NAME_POINTS = 3
TEXT_POINTS = 1
MAX_FILES = 5000
"""Files read by one search at most; the result says when more were left unread."""
EXCERPT_CHARS = 200

_FUNCTION_WORDS = (
    "a an and are as at be by can do does for from how i in into is it its me my of on or so"
    " that the their them then this to up we what when where which with you your"
)
STOP_WORDS = frozenset(_FUNCTION_WORDS.split())
"""Words dropped from a query: they name no task."""

_WORD = re.compile(r"[^\W_]+")
_HUMP = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def stem(word: str) -> str:
    """``word`` lowercased with its ending cut, each step only when three letters remain: a
    plural (``-ies`` to ``-y``, ``-sses`` to ``-ss``, ``-s`` but not ``-ss``, ``-us``, ``-is``),
    then ``-ing`` or ``-ed``, then a final ``-e``."""
    word = word.lower()
    if word.endswith("ies") and len(word) > 5:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        word = word[:-1]
    for ending in ("ing", "ed"):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            word = word[: -len(ending)]
            break
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word


def words(text: str) -> list[str]:
    """The stemmed words of ``text`` in order, identifiers split into their parts."""
    return [stem(part) for part in _parts(text)]


def _parts(text: str) -> Iterator[str]:
    """The words of ``text`` as written, identifiers split at ``_`` and camelCase humps."""
    for run in _WORD.findall(text):
        yield from (part for part in _HUMP.split(run) if part)


def query_terms(query: str) -> dict[str, str]:
    """The distinct stemmed words of ``query`` without :data:`STOP_WORDS`, in order, each with
    its first spelling in the query (lowercased)."""
    terms: dict[str, str] = {}
    for part in _parts(query):
        term = stem(part)
        if term not in STOP_WORDS:
            terms.setdefault(term, part.lower())
    return terms


@dataclass(frozen=True)
class SearchHit:
    """One guide that matches: where it is, its state, what matched and a line of its text.

    ``line`` is 1-based; ``where`` is ``"docstring"`` or ``"sidecar"``; ``matched`` the query
    words found, spelled as in the query, ``score`` their points (module docstring).
    """

    path: Path
    line: int
    key: str  # the symbol's key in its file (``howto_ls.definitions``); "" for the module
    display_name: str
    state: GuideState
    where: str
    matched: tuple[str, ...]
    score: int
    excerpt: str


@dataclass(frozen=True)
class SearchResult:
    """The best hits (at most the limit asked for) and how much was read to find them."""

    hits: tuple[SearchHit, ...]
    terms: tuple[str, ...]
    files_searched: int
    guides_searched: int
    truncated: bool  # more than MAX_FILES files were under the paths; the rest went unread


def score_guide(terms: Iterable[str], name: str, text: str) -> tuple[tuple[str, ...], int]:
    """The query ``terms`` a guide matches and its score (module docstring), given the
    symbol's qualified and module name (``name``) and the guide's ``text``."""
    name_words, text_words = set(words(name)), set(words(text))
    matched: list[str] = []
    score = 0
    for term in terms:
        points = (NAME_POINTS if term in name_words else 0) + (
            TEXT_POINTS if term in text_words else 0
        )
        if points:
            matched.append(term)
            score += points
    return tuple(matched), score


def excerpt(text: str, terms: Iterable[str]) -> str:
    """The first line of ``text`` holding one of ``terms`` that is not a heading, else its first
    line of prose; at most :data:`EXCERPT_CHARS` characters."""
    wanted = set(terms)
    lines = [line.strip() for line in text.splitlines()]
    prose = [
        line
        for line in lines
        if line and not set(line) <= set("=-`#") and line != "How to Use This Code Block"
    ]
    chosen = next((line for line in prose if wanted & set(words(line))), prose[0] if prose else "")
    return chosen if len(chosen) <= EXCERPT_CHARS else chosen[: EXCERPT_CHARS - 1] + "…"


def search_guides(
    paths: Sequence[Path],
    query: str,
    engine_for: Callable[[Path], Engine],
    limit: int = 10,
    root: Path | None = None,
) -> SearchResult:
    """The guides written under ``paths`` (files or folders) that best match ``query``.

    ``engine_for`` gives the engine of a file's project. Files are found as ``generate`` finds
    them (:func:`discovery.python_files`: ``.gitignore`` and virtualenvs skipped); excluded files
    (:mod:`howto_ls.exclusion`), unreadable ones, files over ``maxFileSize`` and files whose
    real path (symlinks resolved) lies outside ``root`` (default: each file's project root) are
    skipped, so a symlink leading out of the workspace is never read; at
    most :data:`MAX_FILES` are read. Raises :class:`UsageError` for a path that does not exist
    and for a query with no word to look for. Cheap: syntax trees and sidecars, no model.
    """
    terms = query_terms(query)
    if not terms:
        raise UsageError(
            f"the query {shown_input(query)} has no word to look for; describe the task,"
            " e.g. 'parse a date'"
        )
    files = discovery.python_files(paths)
    truncated = len(files) > MAX_FILES
    hits: list[SearchHit] = []
    guides = 0
    for path in files[:MAX_FILES]:
        engine = engine_for(path)
        if not path.resolve().is_relative_to((root or engine.root).resolve()):
            continue
        if engine.exclusion.reason(path) is not None:
            continue
        try:
            source = read_source(path).text
        except HowtoError:
            continue
        module = project.module_name(path, engine.root)
        for guide in engine.guides_in(path, source):
            guides += 1
            hit = _hit(path, module, guide, terms)
            if hit is not None:
                hits.append(hit)
    hits.sort(key=lambda h: (-len(h.matched), -h.score, h.key == "", h.path.parts, h.line))
    searched = len(files[:MAX_FILES])
    return SearchResult(tuple(hits[:limit]), tuple(terms.values()), searched, guides, truncated)


def _hit(path: Path, module: str, guide: ExistingGuide, terms: dict[str, str]) -> SearchHit | None:
    text = f"{guide.intro}\n{guide.markdown}"
    matched, score = score_guide(terms, f"{module} {guide.qualname}", text)
    if not matched:
        return None
    return SearchHit(
        path,
        guide.span.start.line + 1,
        guide.qualname,
        guide.display_name or module,
        GuideState.STALE if guide.stale else GuideState.FRESH,
        guide.where,
        tuple(terms[term] for term in matched),
        score,
        excerpt(text, matched),
    )
