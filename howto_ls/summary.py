"""The one-line summary that opens a docstring howto-ls creates, taken from the guide's Description.

PEP 257 asks a docstring to start with a one-line summary ending in a period, then a blank line;
pydocstyle and ruff check it (D205, D400, D415), and for functions in the ``pep257`` and
``numpy`` conventions also its mood (D401, "Return the value." rather than "Returns the value.").
The summary is the Description's first sentence that fits the line, turned round to start with
its verb (``It takes `x` and returns `y`.`` -> ``Take `x` and return `y`.``), else a neutral
sentence naming the symbol. The same inputs always give the same summary, so a summary
howto-ls wrote can be recognised later (:func:`is_written_summary`) and replaced with its guide.
"""

from __future__ import annotations

import re
from collections.abc import Callable

MIN_WIDTH = 24
"""The fewest characters a summary may take, however deep the docstring is indented."""

# A sentence ends at . ! or ? followed by white space and a capital letter or a backtick.
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"')\u201d]))\s+(?=[A-Z`\"'(\u201c])")
# Code spans and quotations (a person's words): never cut, never changed.
_CODE_SPAN = re.compile(r"`[^`]*`|\"[^\"]*\"|\u201c[^\u201d]*\u201d")
# "It takes …", "This function reads …", "`parse` reads …": the subject before the verb.
_SUBJECT = re.compile(
    r"^(?P<named>(?:An?|The)\s+(?:[\w-]+\s+){1,4}?(?:that|which)\s+"  # "A helper that parses …"
    r"|`[^`]+`(?:\s+(?:function|method|class|module))?\s+)"  # "`load` reads …"
    r"|^(?:It|This|The|That)(?:\s+(?:function|method|coroutine|generator|property|class|"
    r"module|constant|variable|attribute|callable|helper|decorator|context manager))?\s+"
)
_WORD = re.compile(r"[A-Za-z]+")
# Verbs the offline writer and models chain after the first ("… and returns …").
_CHAINED = frozenset(
    [
        "adds",
        "applies",
        "builds",
        "calls",
        "checks",
        "closes",
        "collects",
        "converts",
        "copies",
        "creates",
        "decodes",
        "deletes",
        "encodes",
        "finds",
        "formats",
        "gives",
        "loads",
        "logs",
        "opens",
        "parses",
        "passes",
        "raises",
        "reads",
        "removes",
        "renders",
        "returns",
        "runs",
        "saves",
        "sends",
        "sets",
        "signs",
        "sorts",
        "splits",
        "stores",
        "takes",
        "updates",
        "validates",
        "writes",
        "yields",
    ]
)
_NOT_VERBS = frozenset({"is", "was", "this", "its", "has"})
_NEUTRAL = {
    "function": "Call `{name}`.",
    "class": "`{name}` class.",
    "module": "`{name}` module.",
    "variable": "`{name}` value.",
}
_NEUTRAL_FORM = re.compile(r"Call `[^`\n]+`\.|`[^`\n]+` (?:class|module|value)\.")
_CUTS = re.compile(r",\s|;\s|\s(?:and|from|with|by|using|then|or|which|when|if)\s")


def summary_line(
    description: str, *, name: str, kind: str, imperative: bool, width: int | None = None
) -> str:
    """The summary sentence for a docstring whose guide has ``description`` (one line, with
    its period).

    ``kind`` is ``function``, ``class``, ``module`` or ``variable``; ``imperative`` asks for
    the imperative mood (pydocstyle's D401, which checks functions only); ``width`` is the
    most characters the line may take after the opening quotes, where each backslash counts
    twice and each quote of a run of three counts twice, as escapes are written (None: any).
    """
    limit = None if width is None else max(width, MIN_WIDTH)
    for candidate in _candidates(description, kind, imperative):
        if limit is None or measure(candidate) <= limit:
            return candidate
    for candidate in _candidates(description, kind, imperative):
        shorter = _cut(candidate, limit)
        if shorter is not None:
            return shorter
    return _NEUTRAL.get(kind, _NEUTRAL["variable"]).format(name=name.replace("`", "'"))


def is_written_summary(line: str, description: str) -> bool:
    """Whether ``line`` is a summary :func:`summary_line` gives for ``description`` (any
    mood, kind, name or width): a docstring's opening line howto-ls wrote, not a person."""
    line = line.strip()
    if not line or "\n" in line:
        return False
    if _NEUTRAL_FORM.fullmatch(line):
        return True
    for kind in ("function", "class"):
        for imperative in (True, False):
            for candidate in _candidates(description, kind, imperative):
                if line == candidate or (
                    len(line) > MIN_WIDTH // 2 and candidate.startswith(line[:-1])
                ):
                    return True
    return False


def measure(text: str) -> int:
    """Columns ``text`` takes in a docstring literal, counting the escapes a plain literal
    needs: a backslash is written twice, each quote of a run of three or more as ``\\"``."""
    runs = sum(len(run) for run in re.findall(r"\"{3,}|'{3,}", text))
    return len(text) + text.count("\\") + runs


def _candidates(description: str, kind: str, imperative: bool) -> list[str]:
    """Summary sentences from ``description``, best first; none that D401 or D404 would flag."""
    imperative = imperative and kind == "function"
    found: list[str] = []
    for sentence in sentences(description)[:4]:
        turned = _turned(sentence, imperative)
        if turned is not None:
            found.append(turned)
        elif not imperative and not _starts_with_this(sentence):
            found.append(_with_period(sentence[:1].upper() + sentence[1:]))  # D403
    return list(dict.fromkeys(found))


def sentences(text: str) -> list[str]:
    """The sentences of ``text`` on one line each; a code span never ends one."""
    flat = " ".join(text.split())
    spans = [(m.start(), m.end()) for m in _CODE_SPAN.finditer(flat)]
    parts: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(flat):
        if any(a < match.start() < b for a, b in spans):
            continue
        before = flat[start : match.start()]
        if re.search(r"\b(?:e\.g|i\.e|etc|vs|Mr|Dr)\.$", before):
            continue
        parts.append(before)
        start = match.end()
    parts.append(flat[start:])
    return [part for part in parts if part]


def _turned(sentence: str, imperative: bool) -> str | None:
    """``sentence`` starting with its verb (``It reads x.`` -> ``Read x.`` or ``Reads x.``),
    or None when it does not open with a subject and a verb in the third person."""
    rest = sentence
    subject = _SUBJECT.match(sentence)
    if subject is not None:
        rest = sentence[subject.end() :]
    word = _WORD.match(rest)
    if word is None or (word.end() < len(rest) and rest[word.end()] not in " ,;:"):
        return None
    verb = word.group()
    if not imperative and subject is not None and subject["named"]:
        return None  # "`load` reads …" and "A helper that …" read well as they are
    if subject is None and not (verb[:1].isupper() and _verb_like(verb.lower(), rest)):
        return None
    base = _base_form(verb.lower())
    if base is None and subject is None and imperative and _imperative_already(verb, rest):
        return _with_period(rest)  # a model's "Read the file and return its lines."
    if base is None:
        return None
    tail = rest[word.end() :]
    if imperative:
        tail = _outside_code(
            tail, lambda text: _CHAINED_VERB.sub(lambda m: f"{m[1]}{_base_form(m[2])}", text)
        )
        first = base
    else:
        first = verb.lower()
    return _with_period(first[:1].upper() + first[1:] + tail)


_CHAINED_VERB = re.compile(r"(\band |, |\bor )(" + "|".join(sorted(_CHAINED)) + r")\b")


def _outside_code(text: str, change: Callable[[str], str]) -> str:
    """``text`` with ``change`` applied to what lies outside its code spans."""
    pieces = re.split(f"({_CODE_SPAN.pattern})", text)
    return "".join(
        piece if piece.startswith(("`", '"', "\u201c")) else change(piece) for piece in pieces
    )


_AFTER_VERB = frozenset(
    [
        "the",
        "a",
        "an",
        "all",
        "each",
        "every",
        "its",
        "their",
        "one",
        "two",
        "and",
        "to",
        "whether",
        "how",
    ]
)


def _verb_like(verb: str, rest: str) -> bool:
    """Whether a sentence's capitalised first word reads as a verb (``Returns the …``) rather
    than a plural noun (``Utilities for …``): a known verb, or one an object follows."""
    if verb in _CHAINED:
        return True
    following = rest.split(" ", 2)[1:2]
    return bool(following) and (
        following[0].lower() in _AFTER_VERB or following[0][:1] in "`\"'0123456789"
    )


_NOT_IMPERATIVE = frozenset(
    ["a", "an", "the", "this", "that", "these", "those", "it", "its", "here", "there"]
)


def _imperative_already(word: str, rest: str) -> bool:
    """Whether a sentence opens with a verb in the imperative: an infinitive of a verb the
    writers chain (``Read``, ``Return``) or a word an object follows (``Fetch the …``)."""
    lower = word.lower()
    if lower in _NOT_IMPERATIVE or lower.endswith("s"):
        return False
    return f"{lower}s" in _CHAINED or f"{lower}es" in _CHAINED or _verb_like(lower, rest)


_IRREGULAR = {"caches": "cache", "does": "do", "goes": "go"}


def _base_form(verb: str) -> str | None:
    """The infinitive of a third-person verb (``returns`` -> ``return``), else None."""
    if verb in _NOT_VERBS or len(verb) < 4 or not verb.endswith("s") or verb.endswith("ss"):
        return None
    if verb in _IRREGULAR:
        return _IRREGULAR[verb]
    if verb.endswith("ies"):
        return verb[:-3] + "y"
    if verb.endswith(("sses", "shes", "ches", "xes", "zes", "oes")):
        return verb[:-2]
    return verb[:-1]


def _starts_with_this(sentence: str) -> bool:
    return sentence.split(" ", 1)[0] in {"This", "These"}


def _with_period(sentence: str) -> str:
    """``sentence`` ending in exactly one period (PEP 257, pydocstyle D400)."""
    text = sentence.rstrip()
    while text and text[-1] in ".!?:;,":
        text = text[:-1].rstrip()
    return f"{text}." if text else ""


def _cut(sentence: str, limit: int | None) -> str | None:
    """The longest head of ``sentence`` ending at a clause boundary outside code spans that
    fits ``limit`` with its period, or None when none is at least half of it."""
    if limit is None:
        return None
    spans = [(m.start(), m.end()) for m in _CODE_SPAN.finditer(sentence)]
    heads = [
        _with_period(sentence[: m.start()])
        for m in _CUTS.finditer(sentence)
        if not any(a < m.start() < b for a, b in spans)
    ]
    fitting = [head for head in heads if measure(head) <= limit and len(head) >= limit // 3]
    return max(fitting, key=len) if fitting else None
